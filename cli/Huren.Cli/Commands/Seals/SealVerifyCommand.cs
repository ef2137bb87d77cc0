using System.CommandLine;
using System.Text;
using System.Text.Json;
using Huren.Cli.Commands.Licenses;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Evidence;
using Huren.Sdk.Seals;

namespace Huren.Cli.Commands.Seals;

/// <summary>
/// <c>huren seal verify</c>: a counter's question about a sealed document from any city — is this seal genuine,
/// registered, not revoked, and applied by someone allowed to? Online through any city's node, whose answer is
/// believed only when the signature and its evidence verify here; offline from a saved bundle and the network
/// configuration. Exit 0 only for a VALID verdict resting on final evidence.
/// </summary>
internal static class SealVerifyCommand
{
    public static Command Build()
    {
        var access = new NodeAccessOptions(CliRoles.Counter);
        var document = new Argument<string>("document") { Description = "The sealed document." };
        var signature = new Argument<string>("signature") { Description = "Its SES_Signature (DER), e.g. the .ses file 'huren seal use' wrote." };
        var bundle = new Option<string?>("--bundle") { Description = "Verify offline against a saved evidence bundle (from --save-bundle); needs --network." };
        var network = new Option<string?>("--network") { Description = "The network configuration (genesis.json) to verify --bundle against." };
        var saveBundle = new Option<string?>("--save-bundle") { Description = "Online: save the verified evidence bundle to this file, for offline verification later." };
        var waitFinal = new Option<int>("--wait-final") { Description = "Seconds (0–60) to wait for the checkpoint behind the verdict to be final.", DefaultValueFactory = _ => 10 }
            .InRange(0, 60, "seconds");
        var verify = new Command("verify",
            "Verify a sealed document. Online: 'huren seal verify DOC SIG --city 430300' asks any city's node (every node keeps\n" +
            "every log), checks the signature here and the evidence bundle against the network configuration, and recomputes\n" +
            "the verdict. Offline: 'huren seal verify DOC SIG --bundle FILE --network genesis.json'.\n" +
            "Verdicts: VALID, REVOKED, NOT_REGISTERED, BAD_SIGNATURE (tampered document or signature), EXPIRED,\n" +
            "NOT_YET_VALID, SIGNER_NOT_ALLOWED, MALFORMED. Exit 0: VALID on final evidence; 1: any other verdict, not final,\n" +
            "or evidence that does not verify; 2: an error.") { document, signature, bundle, network, saveBundle, waitFinal };
        access.AddTo(verify);
        verify.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var asJson = parse.GetValue(access.Json);
            var sesSignature = SealFiles.Read(parse.GetValue(signature)!, "signature");
            SealQuestion question;
            var documentPath = Path.GetFullPath(parse.GetValue(document)!);
            try
            {
                using var stream = File.OpenRead(documentPath);
                question = SealQuestion.ForDocument(stream, sesSignature);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"document '{documentPath}' cannot be read: {ex.Message}", ex);
            }
            if (parse.GetValue(bundle) is { } bundlePath)
            {
                if (parse.GetValue(saveBundle) is not null) throw new CliException("--save-bundle is for online verification");
                var trusted = LicenseVerifyCommand.ReadNetwork(parse.GetValue(network) ?? throw new CliException("--bundle needs --network (the genesis.json the bundle is checked against)"));
                var json = Encoding.UTF8.GetString(SealFiles.Read(bundlePath, "bundle"));
                var offline = new SealEvidenceVerifier(trusted).Verify(json, question.SesSignature, question.DocumentSm3, DateTimeOffset.UtcNow);
                return await ReportAsync(offline, null, $"verified offline against network {trusted.NetworkId} (version {trusted.Version})", asJson, output).ConfigureAwait(false);
            }
            if (parse.GetValue(network) is not null) throw new CliException("--network is only for offline verification with --bundle");
            using var session = access.Open(parse);
            var answer = await session.Client.VerifySealAsync(question, session.SealVerifier, TimeSpan.FromSeconds(parse.GetValue(waitFinal)), ct).ConfigureAwait(false);
            if (parse.GetValue(saveBundle) is { } savePath)
            {
                if (!answer.IsVerified || !answer.Evidence.FromLedger) throw new CliException($"no verified evidence to save: {answer.Failure ?? answer.Evidence.Reason}");
                SealFiles.Write(savePath, new UTF8Encoding(false).GetBytes(answer.Response.EvidenceBundle), "bundle", overwrite: true);
            }
            return await ReportAsync(answer.Evidence, answer.Response, $"verified here against the network configuration; asked {session.Describe()}", asJson, output).ConfigureAwait(false);
        });
        return verify;
    }

    /// <summary>
    /// Exit 0 only for this: the signature and the evidence verified, VALID, on ledger evidence whose checkpoints are final
    /// and whose status proof shows the seal's latest state.
    /// </summary>
    private static bool Accepted(SealEvidenceResult result) => result is { IsValid: true, FromLedger: true, Final: true, StatusProven: true, Verdict: SealVerdict.Valid };

    private static async Task<int> ReportAsync(SealEvidenceResult result, SealVerdictResponse? node, string how, bool asJson, TextWriter output)
    {
        var check = result.Signature;
        var seal = check?.Seal;
        if (asJson)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                verdict = result.IsValid ? SealVerdictRules.Name(result.Verdict) : null,
                reason = result.IsValid ? result.Reason : null,
                sealId = seal?.EsId ?? node?.SealId,
                sealName = seal?.Info.Property.Name,
                ownerCode = result.Registration?.OwnerCode,
                issuerId = result.FromLedger ? result.IssuerId : null,
                origin = result.FromLedger ? result.Origin : null,
                signer = check?.SignerCertificate?.Subject,
                signedAt = check?.Signature?.ToSign.TimeInfo,
                nodeVerdict = node is null ? null : SealVerdictRules.TryFromCode(node.Verdict, out var stated) ? SealVerdictRules.Name(stated) : node.Verdict.ToString(),
                evidence = new { verified = result.IsValid, fromLedger = result.FromLedger, final = result.Final, statusProven = result.StatusProven, failure = result.Failure },
            }, CliJson.Options)).ConfigureAwait(false);
            return Accepted(result) ? ExitCodes.Success : ExitCodes.Negative;
        }
        if (!result.IsValid)
        {
            var stated = node is not null && SealVerdictRules.TryFromCode(node.Verdict, out var said) ? $"the node says {SealVerdictRules.Name(said)}, but " : "";
            await output.WriteLineAsync($"NOT VERIFIED  {stated}{result.Failure}").ConfigureAwait(false);
            return ExitCodes.Negative;
        }
        var name = SealVerdictRules.Name(result.Verdict);
        // As for licenses: a VALID whose log's checkpoint has no status-map line may have had its revocation left out.
        var headline = result.Verdict != SealVerdict.Valid || !result.FromLedger ? name : !result.Final ? $"NOT FINAL ({name})" : !result.StatusProven ? $"NOT PROVEN CURRENT ({name})" : name;
        var sealId = seal?.EsId ?? node?.SealId;
        await output.WriteLineAsync(string.IsNullOrEmpty(sealId) ? $"{headline}  (no seal could be read from the signature)" : $"{headline}  seal {sealId}  {seal?.Info.Property.Name}".TrimEnd()).ConfigureAwait(false);
        await output.WriteAsync(ConsoleTable.Rows(
        [
            ("Reason", result.Reason),
            ("Signed by", check?.SignerCertificate?.Subject ?? ""),
            ("Signed at", check?.Signature is { } s ? SealFiles.Show(s.ToSign.TimeInfo) + " (the signer's own statement)" : ""),
            ("Owner", result.Registration?.OwnerCode ?? ""),
            ("Registered", result.FromLedger ? $"{result.Origin} by {result.IssuerId}" : ""),
            ("Evidence", !result.FromLedger ? "none from the ledger: the verdict rests on the signature alone" + (result.Verdict == SealVerdict.NotRegistered ? " and the node's word that no log registered the seal" : "")
                : $"{how}; checkpoint {(result.Final ? "final (cosigned by the witness threshold)" : "NOT final: not yet cosigned by the witness threshold, so not to be relied on")}"
                    + (result.StatusProven ? "" : "; it has no status-map line, so nothing proves that a later entry of the seal (a revocation) was not left out")),
        ])).ConfigureAwait(false);
        return Accepted(result) ? ExitCodes.Success : ExitCodes.Negative;
    }
}
