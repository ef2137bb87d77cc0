using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;
using Huren.Sdk.Evidence;
using Huren.Sdk.Network;

namespace Huren.Cli.Commands.Licenses;

/// <summary>
/// <c>huren license verify</c>: a counter's question — is this license valid? Online, the node's verdict is accepted
/// only when the evidence bundle it returns verifies here against the network configuration; offline, a saved bundle
/// is checked with nothing but the configuration. Exit 0 only for a verified VALID.
/// </summary>
internal static class LicenseVerifyCommand
{
    public static Command Build()
    {
        var access = new NodeAccessOptions(CliRoles.Counter);
        var id = new Argument<string?>("license-id") { Description = "The 证照标识 to verify (online).", Arity = ArgumentArity.ZeroOrOne };
        var digest = new Option<string?>("--digest") { Description = "Verify by the SHA-256 (hex) of the license document instead of its identifier." };
        var bundle = new Option<string?>("--bundle") { Description = "Verify a saved evidence bundle offline (huren-evidence/v1 JSON, from 'huren bundle export'); needs --network." };
        var network = new Option<string?>("--network") { Description = "The network configuration (genesis.json) to verify --bundle against." };
        var at = new Option<string?>("--at") { Description = "The day to judge validity on (yyyy-MM-dd, China time). Default: today." };
        var verify = new Command("verify",
            "Verify a license. Online: 'huren license verify ID' asks the node (any city's: every node keeps every log) and\n" +
            "checks the evidence bundle it returns against the network configuration before believing it.\n" +
            "Offline: 'huren license verify --bundle FILE --network genesis.json' needs no node at all.\n" +
            "Exit 0: valid, with verified evidence. Exit 1: not valid (revoked, suspended, expired, transferred, unknown) or\n" +
            "the evidence does not verify, with the reason. Exit 2: an error (bad arguments, unreadable file, unreachable node).")
        {
            id, digest, bundle, network, at,
        };
        access.AddTo(verify);
        verify.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var asJson = parse.GetValue(access.Json);
            var day = ParseDay(parse.GetValue(at));
            if (parse.GetValue(bundle) is { } bundlePath)
            {
                if (parse.GetValue(id) is not null || parse.GetValue(digest) is not null) throw new CliException("give either a license id (online) or --bundle (offline), not both");
                var networkPath = parse.GetValue(network) ?? throw new CliException("--bundle needs --network (the genesis.json the bundle is checked against)");
                return await VerifyOfflineAsync(bundlePath, networkPath, day, asJson, output).ConfigureAwait(false);
            }
            if (parse.GetValue(network) is not null) throw new CliException("--network is only for offline verification with --bundle");
            var licenseId = parse.GetValue(id);
            var digestHex = parse.GetValue(digest);
            if (licenseId is null == digestHex is null) throw new CliException("give a license id, or --digest, or --bundle with --network");
            var request = new VerifyLicenseRequest { LicenseId = licenseId ?? "" };
            if (digestHex is not null)
            {
                try
                {
                    request.DocumentDigest = Convert.FromHexString(digestHex);
                }
                catch (FormatException)
                {
                    throw new CliException($"--digest '{digestHex}' is not hex");
                }
                if (request.DocumentDigest.Length != 32) throw new CliException($"--digest must be 32 bytes (64 hex digits), got {request.DocumentDigest.Length}");
            }
            if (day is { } d) request.AtUnixMs = new DateTimeOffset(d.ToDateTime(new TimeOnly(12, 0)), LicenseVerdictRules.ChinaStandardTime).ToUnixTimeMilliseconds();
            using var session = access.Open(parse);
            var response = await session.Client.Licenses.VerifyAsync(request, session.Options(ct)).ConfigureAwait(false);
            EvidenceResult? evidence = null;
            if (response.EvidenceBundle.Length > 0)
            {
                evidence = Check(response.EvidenceBundle, session.Network, day);
            }
            return await ReportAsync(response, evidence, session.Describe(), asJson, output).ConfigureAwait(false);
        });
        return verify;
    }

    /// <summary>Checks a bundle's JSON against <paramref name="network"/>; a bundle that does not parse fails with the reason.</summary>
    internal static EvidenceResult Check(string bundleJson, NetworkConfig network, DateOnly? day)
    {
        EvidenceBundle parsed;
        try
        {
            parsed = EvidenceBundle.Parse(bundleJson);
        }
        catch (FormatException ex)
        {
            return new EvidenceResult(false, LicenseVerdict.Unspecified, $"not a valid evidence bundle: {ex.Message}", false);
        }
        return new EvidenceVerifier(network).Verify(parsed, day ?? LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow));
    }

    private static async Task<int> VerifyOfflineAsync(string bundlePath, string networkPath, DateOnly? day, bool asJson, TextWriter output)
    {
        var network = ReadNetwork(networkPath);
        string json;
        var full = Path.GetFullPath(bundlePath);
        try
        {
            json = await File.ReadAllTextAsync(full).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"bundle '{full}' cannot be read: {ex.Message}", ex);
        }
        var result = Check(json, network, day);
        string? subject = null;
        if (result.IsValid) subject = EvidenceBundle.Parse(json).Subject;
        var ok = result.IsValid && result.Verdict == LicenseVerdict.Valid;
        if (asJson)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                licenseId = subject,
                verdict = result.IsValid ? LicenseVerdictRules.Name(result.Verdict) : null,
                evidence = new { verified = result.IsValid, final = result.Final, failure = result.Failure },
                network = network.NetworkId,
            }, CliJson.Options)).ConfigureAwait(false);
        }
        else if (!result.IsValid)
        {
            await output.WriteLineAsync($"NOT VERIFIED  the evidence bundle does not verify: {result.Failure}").ConfigureAwait(false);
        }
        else
        {
            await output.WriteLineAsync($"{LicenseVerdictRules.Name(result.Verdict)}  {subject}").ConfigureAwait(false);
            await output.WriteLineAsync($"  evidence verified offline against network {network.NetworkId} (version {network.Version}){(result.Final ? ", checkpoint final (cosigned by the witness threshold)" : ", checkpoint not yet final")}").ConfigureAwait(false);
        }
        return ok ? ExitCodes.Success : ExitCodes.Negative;
    }

    private static async Task<int> ReportAsync(VerdictResponse response, EvidenceResult? evidence, string node, bool asJson, TextWriter output)
    {
        var evidenceOk = evidence is { IsValid: true } && evidence.Verdict == response.Verdict;
        var ok = response.Verdict == LicenseVerdict.Valid && evidenceOk;
        if (asJson)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                licenseId = response.LicenseId,
                verdict = LicenseVerdictRules.Name(response.Verdict),
                reason = response.Reason,
                typeCode = response.TypeCode,
                typeName = response.TypeName,
                holderName = response.HolderName,
                issuerId = response.IssuerId,
                issuerName = response.IssuerName,
                validFrom = response.ValidFrom,
                validUntil = response.ValidUntil,
                origin = response.Origin,
                evidence = evidence is null ? null : new { verified = evidenceOk, final = evidence.Final, failure = evidence.Failure ?? (evidenceOk ? null : $"the evidence gives {LicenseVerdictRules.Name(evidence.Verdict)}") },
            }, CliJson.Options)).ConfigureAwait(false);
            return ok ? ExitCodes.Success : ExitCodes.Negative;
        }
        if (response.Verdict == LicenseVerdict.Unknown)
        {
            await output.WriteLineAsync($"UNKNOWN  {response.Reason}").ConfigureAwait(false);
            return ExitCodes.Negative;
        }
        if (!evidenceOk)
        {
            await output.WriteLineAsync($"NOT VERIFIED  {response.LicenseId}: the node says {LicenseVerdictRules.Name(response.Verdict)}, but its evidence does not verify: {evidence?.Failure ?? $"it gives {LicenseVerdictRules.Name(evidence!.Verdict)}"}").ConfigureAwait(false);
            return ExitCodes.Negative;
        }
        await output.WriteLineAsync($"{LicenseVerdictRules.Name(response.Verdict)}  {response.LicenseId}  {response.TypeName}").ConfigureAwait(false);
        await output.WriteAsync(ConsoleTable.Rows(
        [
            ("Reason", response.Reason),
            ("Holder", response.HolderName),
            ("Issuer", $"{response.IssuerName} ({response.IssuerId})"),
            ("Validity", $"{response.ValidFrom} – {(response.ValidUntil.Length == 0 ? "长期 (no end)" : response.ValidUntil)}"),
            ("Log", response.Origin),
            ("Evidence", $"verified here against the network configuration; checkpoint {(evidence!.Final ? "final (cosigned by the witness threshold)" : "not yet final")}"),
            ("Asked", node),
        ])).ConfigureAwait(false);
        return ok ? ExitCodes.Success : ExitCodes.Negative;
    }

    /// <summary>Reads a network configuration file.</summary>
    /// <exception cref="CliException">Missing, unreadable or invalid.</exception>
    internal static NetworkConfig ReadNetwork(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            return NetworkConfig.Parse(File.ReadAllText(full));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new CliException($"network configuration '{full}': {ex.Message}", ex);
        }
    }

    private static DateOnly? ParseDay(string? text)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        throw new CliException($"--at '{text}' is not a date (yyyy-MM-dd)");
    }
}
