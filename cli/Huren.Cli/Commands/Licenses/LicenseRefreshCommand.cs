using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;
using Huren.Sdk.Evidence;

namespace Huren.Cli.Commands.Licenses;

/// <summary>
/// <c>huren license refresh --bundle FILE</c>: is old evidence still true? Checks the bundle, then asks a node for only
/// the license log's latest checkpoint, the status-map proof of the license as of it and, if its state changed, the one
/// entry that changed it — and believes none of it until it verifies here (<see cref="EvidenceRefresh"/>).
/// </summary>
internal static class LicenseRefreshCommand
{
    public static Command Build()
    {
        var access = new NodeAccessOptions(CliRoles.Counter);
        var bundle = new Option<string>("--bundle") { Description = "The saved evidence bundle (huren-evidence/v1 JSON) to refresh.", Required = true };
        var at = new Option<string?>("--at") { Description = "The day to judge validity on (yyyy-MM-dd, China time). Default: today." };
        var maxAge = new Option<string?>("--max-age")
        {
            Description = "Refuse the node's answer when its latest checkpoint was last cosigned longer ago than DURATION (e.g. 90s, 30m,\n" +
                "12h, 7d): a node that is behind (or cut off) cannot pass an old state off as the current one.",
        };
        var refresh = new Command("refresh",
            "Tell the current state of the license of a saved evidence bundle, from a node's latest checkpoint and one status-map\n" +
            "proof (and, if the state changed, the one entry that changed it), all verified here against the network configuration.\n" +
            "Exit 0: VALID on a final checkpoint, unchanged since the bundle or resumed (or its validity changed) right after it.\n" +
            "Exit 1: changed otherwise (e.g. REVOKED since, or a new document), not valid, not final, or an answer that does not\n" +
            "verify, with the reason. Exit 2: an error.")
        {
            bundle, at, maxAge,
        };
        access.AddTo(refresh);
        refresh.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var asJson = parse.GetValue(access.Json);
            var json = await LicenseVerifyCommand.ReadBundleAsync(parse.GetValue(bundle)!).ConfigureAwait(false);
            using var session = access.Open(parse);
            var day = LicenseVerifyCommand.ParseDay(parse.GetValue(at)) ?? LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow);
            var ageLimit = LicenseVerifyCommand.ParseDuration(parse.GetValue(maxAge), "--max-age");
            var old = session.Verifier.Verify(json, day, out var parsed);
            if (!old.IsValid)
            {
                await output.WriteLineAsync($"NOT VERIFIED  the evidence bundle does not verify: {old.Failure}").ConfigureAwait(false);
                return ExitCodes.Negative;
            }
            var answer = await session.Client.Licenses.RefreshAsync(new RefreshRequest { Origin = old.Origin, RecordId = parsed!.Subject, WaitFinalMs = 10_000 },
                session.Options(ct)).ConfigureAwait(false);
            var now = TooOld(EvidenceRefresh.Check(session.Network, parsed, old, answer), old.Origin, ageLimit);
            var verdict = now.IsValid && now.Verdict != LicenseVerdict.Unspecified ? LicenseVerdictRules.Name(now.Verdict) : null;
            if (asJson)
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(new
                {
                    licenseId = parsed.Subject,
                    verdict,
                    changed = now.IsValid ? now.Changed : (bool?)null,
                    bundle = new { verdict = LicenseVerdictRules.Name(old.Verdict), checkpointSize = old.CheckpointSize, cosignedAt = Time(old.CosignedAt) },
                    current = now.IsValid ? new
                    {
                        origin = old.Origin,
                        checkpointSize = now.CheckpointSize,
                        cosignedAt = Time(now.CosignedAt),
                        final = now.Final,
                        entry = now.Entry is { } e ? new { index = now.EntryIndex, kind = e.Kind, summary = EntrySummaryOf(e) } : null,
                    } : null,
                    failure = now.Failure,
                }, CliJson.Options)).ConfigureAwait(false);
            }
            else if (!now.IsValid)
            {
                await output.WriteLineAsync($"NOT VERIFIED  {parsed.Subject}: the node's refresh does not verify: {now.Failure}").ConfigureAwait(false);
            }
            else
            {
                var headline = verdict ?? "CHANGED";
                if (!now.Final) headline = $"NOT FINAL ({headline})";
                await output.WriteLineAsync($"{headline}  {parsed.Subject}  {(now.Changed ? "changed since the bundle" : "unchanged since the bundle")}").ConfigureAwait(false);
                await output.WriteAsync(ConsoleTable.Rows(
                [
                    ("Bundle", $"{LicenseVerdictRules.Name(old.Verdict)}, {LicenseVerifyCommand.Freshness(old)}"),
                    ("Now", $"size {now.CheckpointSize} of {old.Origin}, " + (now.CosignedAt is { } c ? $"last cosigned {c.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC" : "no witness cosignature")
                        + (now.Final ? " (final)" : " (NOT final)")),
                    ("Latest state", now.Entry is { } entry ? $"{old.Origin}#{now.EntryIndex} {entry.Kind}: {EntrySummaryOf(entry)}" : "the bundle's latest entry, proven by the status map"),
                    .. verdict is null ? new[] { ("Verdict", "the new entry needs the full history: verify online ('huren license verify ID')") } : [],
                ])).ConfigureAwait(false);
            }
            // VALID is settled only when unchanged, or by a change or resumption that continues the bundle (EvidenceRefresh).
            return now is { IsValid: true, Final: true, Verdict: LicenseVerdict.Valid } ? ExitCodes.Success : ExitCodes.Negative;
        });
        return refresh;
    }

    /// <summary><paramref name="now"/>, or a failure when its checkpoint was last cosigned more than <paramref name="maxAge"/> ago (or never).</summary>
    private static RefreshResult TooOld(RefreshResult now, string origin, TimeSpan? maxAge)
    {
        if (maxAge is not { } limit || !now.IsValid) return now;
        if (now.CosignedAt is not { } at)
            return now with { IsValid = false, Failure = $"--max-age {LicenseVerifyCommand.Age(limit)}: the node's latest checkpoint (size {now.CheckpointSize} of {origin}) carries no witness cosignature, so its age is unknown" };
        var age = DateTimeOffset.UtcNow - at;
        return age <= limit ? now : now with
        {
            IsValid = false,
            Failure = $"the node's answer is older than --max-age {LicenseVerifyCommand.Age(limit)}: its latest checkpoint (size {now.CheckpointSize} of {origin}) was last cosigned "
                + $"{at.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, {LicenseVerifyCommand.Age(age)} ago; the node may be behind: ask another city's node",
        };
    }

    private static string? Time(DateTimeOffset? at) => at?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private static string EntrySummaryOf(Huren.Schemas.Envelope.Entry entry)
        => Huren.Schemas.Envelope.EntryKinds.Find(entry.Kind) is { } kind && kind.TryDecode(entry.Body, out _) is { } body ? kind.Summarize(body) : entry.Kind;
}
