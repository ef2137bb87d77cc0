using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
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
        var waitFinal = new Option<int>("--wait-final") { Description = "Seconds (0–60) to wait for the checkpoint behind a verdict to be cosigned by the witness threshold (final).", DefaultValueFactory = _ => 10 }
            .InRange(0, 60, "seconds");
        var maxAge = new Option<string?>("--max-age")
        {
            Description = "Refuse evidence whose checkpoint was last cosigned longer ago than DURATION (e.g. 90s, 30m, 12h, 7d): a bundle kept from\n" +
                "before a revocation stays authentic, but it is old; 'huren license refresh --bundle FILE' tells the current state.",
        };
        var xml = new Option<string?>("--xml") { Description = "Verify a signed license XML file ('huren license export --xml') against the key the verified ledger gives for its issuing department; online, or offline with --bundle and --network." };
        var verify = new Command("verify",
            "Verify a license. Online: 'huren license verify ID' asks the node (any city's: every node keeps every log) and\n" +
            "checks the evidence bundle it returns against the network configuration before believing it.\n" +
            "Offline: 'huren license verify --bundle FILE --network genesis.json' needs no node at all.\n" +
            "Exit 0: valid, with verified evidence on a final (witness-cosigned) checkpoint. Exit 1: not valid (revoked,\n" +
            "suspended, expired, transferred, unknown), not final, or evidence that does not verify or is about something\n" +
            "else, with the reason. Exit 2: an error (bad arguments, unreadable file, unreachable node).\n" +
            "'huren license verify --xml FILE' checks a license XML export's signature too (exit 0: signed by the issuing\n" +
            "department, stating the license as its entries give it now, and VALID on the ledger as above; 1: refused, e.g. a\n" +
            "wrapped signature, stale (changed since the export), or not valid now).")
        {
            id, digest, bundle, network, at, waitFinal, maxAge, xml,
        };
        access.AddTo(verify);
        verify.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var asJson = parse.GetValue(access.Json);
            var day = ParseDay(parse.GetValue(at));
            var ageLimit = ParseDuration(parse.GetValue(maxAge), "--max-age");
            if (parse.GetValue(xml) is { } xmlPath)
            {
                if (parse.GetValue(id) is not null || parse.GetValue(digest) is not null) throw new CliException("--xml names its license itself: give no license id or --digest");
                return await VerifyXmlAsync(xmlPath, parse, access, bundle, network, waitFinal, day, ageLimit, ct).ConfigureAwait(false);
            }
            if (parse.GetValue(bundle) is { } bundlePath)
            {
                if (parse.GetValue(id) is not null || parse.GetValue(digest) is not null) throw new CliException("give either a license id (online) or --bundle (offline), not both");
                var networkPath = parse.GetValue(network) ?? throw new CliException("--bundle needs --network (the genesis.json the bundle is checked against)");
                return await VerifyOfflineAsync(bundlePath, networkPath, day, ageLimit, asJson, output).ConfigureAwait(false);
            }
            if (parse.GetValue(network) is not null) throw new CliException("--network is only for offline verification with --bundle");
            var licenseId = parse.GetValue(id);
            var digestHex = parse.GetValue(digest);
            if (licenseId is null == digestHex is null) throw new CliException("give a license id, or --digest, or --bundle with --network");
            LicenseQuestion question;
            if (digestHex is null) question = LicenseQuestion.ById(LicenseCommand.CheckLicenseId(licenseId!));
            else
            {
                byte[] digestBytes;
                try
                {
                    digestBytes = Convert.FromHexString(digestHex);
                }
                catch (FormatException)
                {
                    throw new CliException($"--digest '{digestHex}' is not hex");
                }
                if (digestBytes.Length != 32) throw new CliException($"--digest must be 32 bytes (64 hex digits), got {digestBytes.Length}");
                question = LicenseQuestion.ByDigest(digestBytes);
            }
            using var session = access.Open(parse);
            // A fresh entry's checkpoint is usually cosigned within a second: the node holds its answer until it is final.
            var answer = await session.VerifyAsync(question, TimeSpan.FromSeconds(parse.GetValue(waitFinal)), day, ct).ConfigureAwait(false);
            if (answer.IsUnknown) return await ReportUnknownAsync(answer.Response, asJson, output).ConfigureAwait(false);
            return await ReportAsync(answer.Response, answer.Evidence, day ?? LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow), session.Describe(), ageLimit, asJson, output,
                answer.DocumentSuperseded ? answer.CurrentDocumentDigest : null).ConfigureAwait(false);
        });
        return verify;
    }

    private static async Task<int> VerifyXmlAsync(string xmlPath, ParseResult parse, NodeAccessOptions access, Option<string?> bundle, Option<string?> network,
        Option<int> waitFinal, DateOnly? day, TimeSpan? maxAge, CancellationToken ct)
    {
        var output = parse.InvocationConfiguration.Output;
        var asJson = parse.GetValue(access.Json);
        var (bytes, licenseId, peekError) = LicenseXmlCommands.Read(xmlPath);
        if (parse.GetValue(bundle) is { } bundlePath)
        {
            var trusted = ReadNetwork(parse.GetValue(network) ?? throw new CliException("--bundle needs --network (the genesis.json the bundle is checked against)"));
            var json = await ReadBundleAsync(bundlePath).ConfigureAwait(false);
            var offline = new EvidenceVerifier(trusted).Verify(json, day ?? LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow), out _);
            return await LicenseXmlCommands.ReportAsync(bytes, peekError, offline, maxAge, $"verified offline against network {trusted.NetworkId}", asJson, output).ConfigureAwait(false);
        }
        if (parse.GetValue(network) is not null) throw new CliException("--network is only for offline verification with --bundle");
        if (licenseId is null) return await LicenseXmlCommands.ReportAsync(bytes, peekError, new EvidenceResult(false, LicenseVerdict.Unspecified, null, false), maxAge, "", asJson, output).ConfigureAwait(false);
        using var session = access.Open(parse);
        var answer = await session.VerifyAsync(LicenseQuestion.ById(licenseId), TimeSpan.FromSeconds(Math.Max(0, parse.GetValue(waitFinal))), day, ct).ConfigureAwait(false);
        return await LicenseXmlCommands.ReportAsync(bytes, null, answer.Evidence, maxAge, $"verified here, asked {session.Describe()}", asJson, output).ConfigureAwait(false);
    }

    internal static async Task<string> ReadBundleAsync(string bundlePath)
    {
        var full = Path.GetFullPath(bundlePath);
        try
        {
            return await File.ReadAllTextAsync(full).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"bundle '{full}' cannot be read: {ex.Message}", ex);
        }
    }

    private static async Task<int> VerifyOfflineAsync(string bundlePath, string networkPath, DateOnly? day, TimeSpan? maxAge, bool asJson, TextWriter output)
    {
        var network = ReadNetwork(networkPath);
        var json = await ReadBundleAsync(bundlePath).ConfigureAwait(false);
        var result = TooOld(new EvidenceVerifier(network).Verify(json, day ?? LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow), out var bundle), maxAge);
        var subject = result.IsValid ? bundle!.Subject : null;
        if (asJson)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                licenseId = subject,
                verdict = result.IsValid ? LicenseVerdictRules.Name(result.Verdict) : null,
                nodeVerdict = bundle?.Verdict?.Status,
                holderName = result.License?.HolderName,
                validFrom = result.License?.ValidFrom,
                validUntil = result.IsValid ? result.ValidUntil : null,
                origin = result.IsValid ? result.Origin : null,
                day = result.IsValid ? result.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
                asOf = result.IsValid ? new { day = result.AsOfDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), verdict = LicenseVerdictRules.Name(result.AsOfVerdict), origin = bundle!.Verdict.AsOf.Origin, size = bundle.Verdict.AsOf.Size } : null,
                actedBy = ActedJson(result),
                evidence = EvidenceJson(result),
                network = network.NetworkId,
            }, CliJson.Options)).ConfigureAwait(false);
        }
        else if (!result.IsValid)
        {
            await output.WriteLineAsync($"NOT VERIFIED  the evidence bundle does not verify: {TerminalText.Printable(result.Failure)}").ConfigureAwait(false);
        }
        else
        {
            await output.WriteLineAsync($"{Headline(result)}  {subject}  {result.License!.Name}").ConfigureAwait(false);
            await output.WriteAsync(ConsoleTable.Rows(Details(result, $"verified offline against network {network.NetworkId} (version {network.Version})", null))).ConfigureAwait(false);
        }
        return Accepted(result) ? ExitCodes.Success : ExitCodes.Negative;
    }

    /// <summary>
    /// Exit 0 only for this: verified evidence, a final checkpoint whose status map proves the bundle shows the latest
    /// state, and VALID. Without the proof (a checkpoint with no status-map line) nothing shows that no later entry, a
    /// revocation say, was left out of the bundle.
    /// </summary>
    private static bool Accepted(EvidenceResult result) => result is { Reliable: true, Verdict: LicenseVerdict.Valid };

    internal static string Headline(EvidenceResult result) => !result.Final ? $"NOT FINAL ({LicenseVerdictRules.Name(result.Verdict)})"
        : !result.StatusProven ? $"NOT PROVEN CURRENT ({LicenseVerdictRules.Name(result.Verdict)})"
        : LicenseVerdictRules.Name(result.Verdict);

    /// <summary>What the clerk reads, all from the verified entries (the node's words only for the reason).</summary>
    private static List<(string, string)> Details(EvidenceResult result, string evidence, string? node) =>
    [
        ("Holder", result.License!.HolderName),
        ("Issued by", $"{result.License.IssuingAuthority} ({result.License.IssuingAuthorityCode}), {result.License.IssueDate}"),
        ("Validity", $"{result.License.ValidFrom} – {(result.ValidUntil.Length == 0 ? "长期 (no end)" : result.ValidUntil)}"),
        ("Log", $"{result.Origin}, answered for by issuer {result.IssuerId}"),
        .. Acted(result),
        .. Hops(result),
        ("Evidence", $"{evidence}; checkpoint {(result.Final ? "final (cosigned by the witness threshold)" : "NOT final: not yet cosigned by the witness threshold, so not to be relied on")}"),
        ("Checkpoint", Freshness(result)),
        ("Verdict", result.AsOfVerdict == result.Verdict
            ? $"{LicenseVerdictRules.Name(result.Verdict)} on {result.Day:yyyy-MM-dd}, as the bundle states for {result.AsOfDay:yyyy-MM-dd}"
            : $"{LicenseVerdictRules.Name(result.Verdict)} on {result.Day:yyyy-MM-dd}; the authentic bundle states {LicenseVerdictRules.Name(result.AsOfVerdict)} as of {result.AsOfDay:yyyy-MM-dd} (its checkpoint), and the license's dates alone make the difference"),
        ("Asked", node ?? ""),
    ];

    /// <summary>Who wrote the latest entry, when it was not the issuing issuer: a successor (and under which succession) or the city root.</summary>
    private static List<(string, string)> Acted(EvidenceResult result)
    {
        if (result.ActedByCityRoot) return [("Acted by", $"the city root {result.ActedBy}, as a last resort")];
        if (result.ActedUnder.Count == 0) return [];
        return [("Acted by", $"{result.ActedBy}, successor of {result.IssuerId} under " + string.Join(", then ", result.ActedUnder.Select(s => $"the succession {s.Origin}#{s.Index} ({s.PredecessorId} → {s.SuccessorId}: {s.Reason})")))];
    }

    /// <summary>The license's moves between cities, each proven by its transfer and accept entries (none: it never moved).</summary>
    private static List<(string, string)> Hops(EvidenceResult result) => result.Hops.Count == 0 ? [] :
        [("Transfers", string.Join("; ", result.Hops.Select(h => $"{h.FromOrigin}#{h.TransferIndex} → {h.ToOrigin}#{h.AcceptIndex}" + (h.ToLicenseId != h.FromLicenseId ? $" as {h.ToLicenseId}" : ""))) + $" ({result.Hops.Count} hop{(result.Hops.Count == 1 ? "" : "s")}, each verified)")];

    /// <summary>The JSON form of who acted (null when the issuing issuer did and no succession is involved).</summary>
    private static object? ActedJson(EvidenceResult result) => !result.IsValid || (result.ActedUnder.Count == 0 && !result.ActedByCityRoot) ? null : new
    {
        issuerId = result.ActedBy,
        cityRoot = result.ActedByCityRoot,
        successions = result.ActedUnder.Select(s => new { origin = s.Origin, index = s.Index, predecessorId = s.PredecessorId, successorId = s.SuccessorId, reason = s.Reason }),
    };

    private static async Task<int> ReportUnknownAsync(VerdictResponse response, bool asJson, TextWriter output)
    {
        if (asJson)
        {
            // No evidence stands behind "unknown" (absence is not provable): the node's word, never a verdict.
            await output.WriteLineAsync(JsonSerializer.Serialize(new { licenseId = response.LicenseId, nodeVerdict = LicenseVerdictRules.Name(response.Verdict), reason = response.Reason }, CliJson.Options)).ConfigureAwait(false);
        }
        else
        {
            await output.WriteLineAsync($"UNKNOWN  {response.Reason}").ConfigureAwait(false);
        }
        return ExitCodes.Negative;
    }

    // day: the day the node was asked to judge on (--at, else today). supersededBy: for a document asked about by digest
    // that a change replaced, the current document's digest (exit 1).
    internal static async Task<int> ReportAsync(VerdictResponse response, EvidenceResult evidence, DateOnly day, string node, TimeSpan? maxAge, bool asJson, TextWriter output, byte[]? supersededBy = null)
    {
        evidence = TooOld(evidence, maxAge);
        var accepted = Accepted(evidence) && supersededBy is null;
        if (asJson)
        {
            // nodeVerdict, reason and issuerName are the node's words; every other field comes from the verified evidence
            // and is absent when it does not verify: a script reading .verdict must never act on a lying node's word.
            var verified = evidence.IsValid;
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                licenseId = response.LicenseId,
                verdict = verified ? LicenseVerdictRules.Name(evidence.Verdict) : null,
                nodeVerdict = LicenseVerdictRules.Name(response.Verdict),
                reason = response.Reason,
                typeCode = verified ? evidence.License!.TypeCode : null,
                typeName = verified ? (Huren.Schemas.Catalog.LicenseTypeCatalog.TryGet(evidence.License!.TypeCode, out var type) ? type.Name : evidence.License.TypeCode) : null,
                holderName = verified ? evidence.License!.HolderName : null,
                issuerId = verified ? evidence.IssuerId : null,
                issuerName = verified ? response.IssuerName : null,
                validFrom = verified ? evidence.License!.ValidFrom : null,
                validUntil = verified ? evidence.ValidUntil : null,
                origin = verified ? evidence.Origin : null,
                day = verified ? evidence.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : null,
                asOf = verified ? new { day = evidence.AsOfDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), verdict = LicenseVerdictRules.Name(evidence.AsOfVerdict), origin = evidence.Origin, size = evidence.CheckpointSize } : null,
                actedBy = ActedJson(evidence),
                evidence = EvidenceJson(evidence),
                documentSupersededBy = supersededBy is null ? null : Convert.ToHexStringLower(supersededBy),
            }, CliJson.Options)).ConfigureAwait(false);
            return accepted ? ExitCodes.Success : ExitCodes.Negative;
        }
        if (!evidence.IsValid)
        {
            await output.WriteLineAsync($"NOT VERIFIED  {response.LicenseId}: the node says {LicenseVerdictRules.Name(response.Verdict)} for {day:yyyy-MM-dd}, but {TerminalText.Printable(evidence.Failure)}").ConfigureAwait(false);
            return ExitCodes.Negative;
        }
        var headline = supersededBy is null ? Headline(evidence) : $"DOCUMENT SUPERSEDED ({Headline(evidence)})";
        await output.WriteLineAsync($"{headline}  {response.LicenseId}  {evidence.License!.Name}").ConfigureAwait(false);
        List<(string, string)> document = supersededBy is null ? []
            : [("Document", $"the document asked about was replaced by a later change of the license: its current document has SHA-256 {Convert.ToHexStringLower(supersededBy)}; ask the holder for it")];
        await output.WriteAsync(ConsoleTable.Rows([("Reason", response.Reason), .. document, .. Details(evidence, "verified here against the network configuration", node)])).ConfigureAwait(false);
        return accepted ? ExitCodes.Success : ExitCodes.Negative;
    }

    /// <summary>The checkpoint line of the output: its size, when it was last cosigned, and whether the current state is proven.</summary>
    internal static string Freshness(EvidenceResult result)
    {
        var cosigned = result.CosignedAt is { } at
            ? $"last cosigned {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC ({Age(DateTimeOffset.UtcNow - at)} ago)"
            : "carries no witness cosignature";
        var state = result.StatusProven
            ? "the status map proves the bundle shows the latest state as of it"
            : "no status map line (an older checkpoint): nothing proves no later entry was left out";
        return $"size {result.CheckpointSize} of {result.Origin}, {cosigned}; {state}";
    }

    /// <summary>The evidence part of the JSON output.</summary>
    internal static object EvidenceJson(EvidenceResult result) => new
    {
        verified = result.IsValid,
        final = result.Final,
        failure = result.Failure,
        checkpointSize = result.IsValid ? result.CheckpointSize : (ulong?)null,
        cosignedAt = result.CosignedAt?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
        statusProven = result.IsValid && result.StatusProven,
        hops = result.Hops.Select(h => new { fromOrigin = h.FromOrigin, fromLicenseId = h.FromLicenseId, transferIndex = h.TransferIndex, toOrigin = h.ToOrigin, toLicenseId = h.ToLicenseId, acceptIndex = h.AcceptIndex }),
    };

    /// <summary><paramref name="result"/>, or a failure when its checkpoint was last cosigned more than <paramref name="maxAge"/> ago (or never).</summary>
    internal static EvidenceResult TooOld(EvidenceResult result, TimeSpan? maxAge)
    {
        if (maxAge is not { } limit || !result.IsValid) return result;
        if (result.CosignedAt is not { } at)
            return result with { IsValid = false, Verdict = LicenseVerdict.Unspecified, Failure = $"--max-age {Age(limit)}: the checkpoint (size {result.CheckpointSize} of {result.Origin}) carries no witness cosignature, so its age is unknown" };
        var age = DateTimeOffset.UtcNow - at;
        return age <= limit ? result : result with
        {
            IsValid = false,
            Verdict = LicenseVerdict.Unspecified,
            Failure = $"the evidence is older than --max-age {Age(limit)}: its checkpoint (size {result.CheckpointSize} of {result.Origin}) was last cosigned {at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, {Age(age)} ago; refresh it ('huren license refresh --bundle FILE') or ask a node",
        };
    }

    /// <summary>A duration for people: 45s, 12m30s, 3h5m, 2d4h.</summary>
    internal static string Age(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        if (span.TotalMinutes < 1) return $"{(int)span.TotalSeconds}s";
        if (span.TotalHours < 1) return span.Seconds == 0 ? $"{span.Minutes}m" : $"{span.Minutes}m{span.Seconds}s";
        if (span.TotalDays < 1) return span.Minutes == 0 ? $"{span.Hours}h" : $"{span.Hours}h{span.Minutes}m";
        return span.Hours == 0 ? $"{(int)span.TotalDays}d" : $"{(int)span.TotalDays}d{span.Hours}h";
    }

    /// <summary>Parses DURATION: a whole number with s, m, h or d (e.g. 90s, 30m, 12h, 7d); null when not given.</summary>
    /// <exception cref="CliException">Not a positive duration of that form.</exception>
    internal static TimeSpan? ParseDuration(string? text, string option)
    {
        if (text is null) return null;
        long unitSeconds = (text.Length > 1 ? text[^1] : '\0') switch
        {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            _ => 0,
        };
        // At most 100 years whatever the unit, so that no count overflows a TimeSpan.
        if (unitSeconds == 0 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount)
            || amount <= 0 || amount > 36500L * 86400 / unitSeconds)
            throw new CliException($"{option} '{text}' is not a duration: give a positive whole number with s, m, h or d, at most 36500d (e.g. 90s, 30m, 12h, 7d)");
        return TimeSpan.FromSeconds(amount * unitSeconds);
    }

    /// <summary>Reads a network configuration file.</summary>
    /// <exception cref="CliException">Missing, unreadable or invalid.</exception>
    internal static TrustedNetwork ReadNetwork(string path)
    {
        var full = Path.GetFullPath(path);
        try
        {
            // The newest version pulled beside it ('huren network pull'), each checked against the one before.
            return NetworkConfigChain.FollowStored(TrustedNetwork.Parse(File.ReadAllBytes(full)), Network.NetworkConfigCommands.VersionsFolder(full));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new CliException($"network configuration '{full}': {ex.Message}", ex);
        }
    }

    /// <summary>The <c>--at</c> day (yyyy-MM-dd), or null when not given.</summary>
    /// <exception cref="CliException">Not a date of that form.</exception>
    internal static DateOnly? ParseDay(string? text)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        throw new CliException($"--at '{text}' is not a date (yyyy-MM-dd)");
    }
}
