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
        var id = new Argument<string>("license-id") { Description = "The 证照标识 whose evidence to export." };
        var outputPath = new Option<string>("--output", "-o") { Description = "The file to write.", Required = true };
        var export = new Command("export",
            "Ask the node for the license's verdict and evidence, check the evidence against the network configuration, and\n" +
            "write it to a file. Verify it later, offline: 'huren license verify --bundle FILE --network genesis.json'.") { id, outputPath };
        access.AddTo(export);
        export.SetAction(async (parse, ct) =>
        {
            var licenseId = Licenses.LicenseCommand.CheckLicenseId(parse.GetValue(id)!);
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
        return bundle;
    }
}
