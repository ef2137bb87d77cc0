using System.CommandLine;
using System.Text;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Sdk.Client;
using Huren.Sdk.Evidence;

namespace Huren.Cli.Commands.Bundles;

/// <summary>
/// <c>huren bundle export</c>: saves the evidence bundle behind a license's verdict, byte for byte as the node built it,
/// after checking it here; anyone holding the network configuration verifies it later without a network.
/// </summary>
internal static class BundleCommand
{
    public static Command Build()
    {
        var bundle = new Command("bundle", "Evidence bundles (huren-evidence/v1): a verdict with the entries, proofs and checkpoints it rests on.");
        var access = new NodeAccessOptions(CliRoles.Counter);
        var id = new Argument<string?>("license-id") { Description = "The 证照标识 whose evidence to export.", Arity = ArgumentArity.ZeroOrOne };
        var share = new Option<string?>("--share") { Description = "Export the exchange bundle of this share id instead (the share and its receipt; acts as auditor unless --as says otherwise)." };
        var provider = new Option<string?>("--provider") { Description = "With --share: the provider's city (code or origin), when logs of several cities hold a share of that id." };
        var waitFinal = new Option<int>("--wait-final") { Description = "Seconds (0–120) to wait for final (witness-cosigned) checkpoints covering the share and its receipt.", DefaultValueFactory = _ => 30 }
            .InRange(0, 120, "seconds");
        var outputPath = new Option<string>("--output", "--out", "-o") { Description = "The file to write.", Required = true };
        var export = new Command("export",
            "Ask the node for the license's verdict and evidence, check the evidence against the network configuration, and\n" +
            "write it to a file. Verify it later, offline: 'huren license verify --bundle FILE --network genesis.json'.\n" +
            "With --share ID: the exchange bundle of a share (docs/exchange-evidence.md): the provider's share entry and the\n" +
            "consumer's receipt, each proven to a final checkpoint of its log; verify it with 'huren bundle verify'.") { id, share, provider, waitFinal, outputPath };
        access.AddTo(export);
        export.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(provider) is not null && parse.GetValue(share) is null) throw new CliException("--provider goes with --share");
            if (parse.GetValue(share) is { } shareId)
            {
                if (parse.GetValue(id) is not null) throw new CliException("give a license id or --share, not both");
                return await ExportShareAsync(parse, access, shareId, parse.GetValue(provider), parse.GetValue(waitFinal), parse.GetValue(outputPath)!, ct).ConfigureAwait(false);
            }
            var licenseId = Licenses.LicenseCommand.CheckLicenseId(parse.GetValue(id) ?? throw new CliException("give a license id, or --share SHARE-ID"));
            using var session = access.Open(parse);
            var answer = await session.VerifyAsync(LicenseQuestion.ById(licenseId), TimeSpan.Zero, null, ct).ConfigureAwait(false);
            var response = answer.Response;
            if (answer.IsUnknown || response.EvidenceBundle.Length == 0) throw new CliException($"no evidence for {licenseId}: {response.Reason}");
            if (!answer.IsVerified) throw new CliException($"the node's evidence for {licenseId} does not verify, so it is not saved: {answer.Failure}");
            var check = answer.Evidence;
            var path = Path.GetFullPath(parse.GetValue(outputPath)!);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, response.EvidenceBundle, new UTF8Encoding(false), ct).ConfigureAwait(false);
            var output = parse.InvocationConfiguration.Output;
            if (session.AsJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new { licenseId, verdict = LicenseVerdictRules.Name(response.Verdict), path, bytes = new FileInfo(path).Length, final = check.Final }, CliJson.Options)).ConfigureAwait(false);
            }
            else
            {
                await output.WriteLineAsync($"Saved the evidence for {licenseId} ({LicenseVerdictRules.Name(response.Verdict)}, {(check.Final ? "final" : "not yet final")}) to {path}").ConfigureAwait(false);
            }
            return ExitCodes.Success;
        });
        bundle.Subcommands.Add(export);
        bundle.Subcommands.Add(BuildVerify());
        return bundle;
    }

    private static async Task<int> ExportShareAsync(ParseResult parse, NodeAccessOptions access, string shareId, string? provider, int waitSeconds, string outputPath, CancellationToken ct)
    {
        using var session = access.Open(parse, asOverride: parse.GetValue(access.As) ?? CliRoles.Auditor);
        EvidenceBundle bundle;
        try
        {
            bundle = await session.Client.GetExchangeEvidenceAsync(shareId, provider is null ? null : session.OriginOf(provider), session.Network, TimeSpan.FromSeconds(waitSeconds), ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException($"no exchange bundle for share {shareId}: {ex.Message}", ex);
        }
        // Checked here before it is kept: a node that answered wrongly gets no file written.
        var check = new ExchangeEvidenceVerifier(session.Network).Verify(bundle);
        if (!check.IsValid) throw new CliException($"the node's evidence for share {shareId} does not verify ({ExchangeEvidenceText.Code(check.Failure)}), so it is not saved: {check.Reason}");
        var path = Path.GetFullPath(outputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, bundle.ToJson(), new UTF8Encoding(false), ct).ConfigureAwait(false);
        var output = parse.InvocationConfiguration.Output;
        if (session.AsJson)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new { shareId, path, bytes = new FileInfo(path).Length, share = $"{check.ShareEntry!.Origin}#{check.ShareEntry.Index}", receipt = $"{check.ReceiptEntry!.Origin}#{check.ReceiptEntry.Index}", final = true }, CliJson.Options)).ConfigureAwait(false);
        }
        else
        {
            await output.WriteLineAsync($"Saved the exchange evidence for share {shareId} (share {check.ShareEntry!.Origin}#{check.ShareEntry.Index}, receipt {check.ReceiptEntry!.Origin}#{check.ReceiptEntry.Index}, final) to {path}").ConfigureAwait(false);
        }
        return ExitCodes.Success;
    }

    private static Command BuildVerify()
    {
        var file = new Argument<string>("bundle") { Description = "The exchange bundle (huren-evidence/v1 JSON from 'huren bundle export --share')." };
        var network = new Option<string>("--network") { Description = "The network configuration (genesis.json) to verify against.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var verify = new Command("verify",
            "Verify an exchange bundle offline, with only the network configuration: both checkpoints signed and final, both\n" +
            "entries proven and signed by the departments their logs registered, the receipt referencing and matching the\n" +
            "share (docs/exchange-evidence.md). Exit 0: valid; 1: refused, with the reason; 2: error (unreadable file).") { file, network, json };
        verify.SetAction(async (parse, ct) =>
        {
            var trusted = Licenses.LicenseVerifyCommand.ReadNetwork(parse.GetValue(network)!);
            var text = await Licenses.LicenseVerifyCommand.ReadBundleAsync(parse.GetValue(file)!).ConfigureAwait(false);
            var result = new ExchangeEvidenceVerifier(trusted).Verify(text);
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    valid = result.IsValid, failure = ExchangeEvidenceText.Code(result.Failure), reason = result.Reason, shareId = result.ShareId,
                    share = result.ShareEntry is { } s ? $"{s.Origin}#{s.Index}" : null, receipt = result.ReceiptEntry is { } r ? $"{r.Origin}#{r.Index}" : null,
                    provider = result.Share?.ProviderCode, consumer = result.Share?.ConsumerCode, consumerOrigin = result.Share?.ConsumerOrigin,
                    purpose = result.Share?.Purpose, fields = result.Share?.Fields, recordId = result.Share?.RecordId,
                    reshareOf = result.ReshareOf is { } via ? $"{via.Origin}#{via.Index}" : null, reshareChecked = result.ReshareChecked,
                }, CliJson.Options)).ConfigureAwait(false);
            }
            else if (result.IsValid)
            {
                var share = result.Share!;
                await output.WriteLineAsync($"VALID exchange evidence (network {trusted.NetworkId}): share {TerminalText.Printable(result.ShareId)} of record {TerminalText.Printable(share.RecordId)} ({TerminalText.Printable(string.Join("、", share.Fields))})\n" +
                    $"  shared by {share.ProviderCode} ({result.ProviderIssuerId}) in {result.ShareEntry!.Origin}#{result.ShareEntry.Index}\n" +
                    $"  to {share.ConsumerCode} ({result.ConsumerIssuerId}) for '{TerminalText.Printable(share.Purpose)}', received in {result.ReceiptEntry!.Origin}#{result.ReceiptEntry.Index}; both checkpoints final" +
                    (result.ReshareOf is { } via
                        ? $"\n  a re-share of the data received in {via.Origin}#{via.Index}; " + (result.ReshareChecked ? "the re-sharing rule checked against it" : "that receipt is not in this bundle: the hop before is not proven here")
                        : "")).ConfigureAwait(false);
            }
            else
            {
                // The reason may quote the bundle's unsigned text.
                await output.WriteLineAsync($"REFUSED ({ExchangeEvidenceText.Code(result.Failure)}): {TerminalText.Printable(result.Reason)}").ConfigureAwait(false);
            }
            return result.IsValid ? ExitCodes.Success : ExitCodes.Negative;
        });
        return verify;
    }
}

/// <summary>The failure codes of an exchange bundle as docs/exchange-evidence.md names them.</summary>
internal static class ExchangeEvidenceText
{
    public static string Code(ExchangeEvidenceFailure failure) => failure switch
    {
        ExchangeEvidenceFailure.None => "",
        ExchangeEvidenceFailure.Format => "format",
        ExchangeEvidenceFailure.Ledger => "ledger",
        ExchangeEvidenceFailure.NotFinal => "not-final",
        ExchangeEvidenceFailure.NoShare => "no-share",
        ExchangeEvidenceFailure.NoReceipt => "no-receipt",
        ExchangeEvidenceFailure.Reference => "reference",
        ExchangeEvidenceFailure.Mismatch => "mismatch",
        ExchangeEvidenceFailure.Signer => "signer",
        ExchangeEvidenceFailure.Reshare => "reshare",
        _ => "verdict",
    };
}
