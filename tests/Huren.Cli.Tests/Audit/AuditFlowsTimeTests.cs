using Huren.Cli.Commands.Audit;
using Huren.Cli.Commands.Trace;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;

namespace Huren.Cli.Tests.Audit;

/// <summary>
/// <c>audit flows --since/--until</c> read as every date option of the CLI: a day is China time, whatever the machine's
/// time zone (found by a walkthrough: on a UTC machine '--since 2026-12-06' missed a share of 2026-12-06 04:17 China
/// time), '--until DAY' takes the whole day, an instant must say its offset. Each share sits on a day's edge, and each
/// reading runs with the process's local zone set to UTC, UTC+8 and UTC-5 (<see cref="MachineTimeZone"/>), so a
/// regression to the machine's zone fails in at least two of them whatever zone the machine itself has.
/// </summary>
[Collection(MachineTimeZoneCollection.Name)]
public sealed class AuditFlowsTimeTests
{
    private const string Changsha = "huren.cz-t/430100";

    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    /// <summary>A ledger with one share (no receipt) at each of <paramref name="times"/>; share ids are the times.</summary>
    private static List<AuditFlowsCommand.Flow> Flows(params DateTimeOffset[] times)
    {
        var ledger = new FlowLedger();
        ulong index = 1;
        foreach (var time in times)
        {
            var share = new DataShared
            {
                ShareId = time.ToString("O", System.Globalization.CultureInfo.InvariantCulture), ProviderCode = "11430100HUREN0101X", ConsumerCode = "11430200HUREN0101X",
                ConsumerOrigin = "huren.cz-t/430200", ResourceId = "R-OPEN", RecordId = "REC-1", Fields = ["住所"], PayloadDigest = new byte[32], DigestAlgorithm = "sha256",
                Purpose = "企业跨域经营备案", RecordCount = 1,
            };
            ledger.Shares.Add(new FlowLedger.Share(Changsha, index++, new byte[32], Entry.Create(EntryKinds.Share, Changsha, share.ShareId, "430100-amr", share, time), share, null));
        }
        return AuditFlowsCommand.Rows(ledger, DateTimeOffset.UtcNow, TimeSpan.FromDays(1));
    }

    /// <summary>The shares (by time) that <c>audit flows ARGS</c> keeps, the options read by the command itself.</summary>
    private static List<DateTimeOffset> Kept(List<AuditFlowsCommand.Flow> flows, params string[] args)
    {
        var parse = AuditFlowsCommand.Build().Parse(args);
        Assert.True(parse.Errors.Count == 0, string.Join("; ", parse.Errors.Select(e => e.Message)));
        return [.. flows.Where(f => AuditFlowsCommand.Within(f, parse.GetValue<DateTimeOffset?>("--since"), parse.GetValue<DateTimeOffset?>("--until"))).Select(f => f.SharedAt)];
    }

    [Theory]
    [MemberData(nameof(MachineTimeZone.Zones), MemberType = typeof(MachineTimeZone))]
    public void Since_a_day_starts_at_midnight_china_time(string machineZone)
    {
        using var zone = MachineTimeZone.Use(machineZone);
        var lastOfDayBefore = new DateTimeOffset(2026, 12, 5, 23, 59, 59, 999, China);
        var midnight = new DateTimeOffset(2026, 12, 6, 0, 0, 0, China);
        var morning = new DateTimeOffset(2026, 12, 6, 4, 17, 0, China);
        var flows = Flows(lastOfDayBefore, midnight, morning);

        Assert.Equal(new[] { midnight, morning }, Kept(flows, "--since", "2026-12-06"));
    }

    [Theory]
    [MemberData(nameof(MachineTimeZone.Zones), MemberType = typeof(MachineTimeZone))]
    public void Until_a_day_takes_the_whole_day_china_time(string machineZone)
    {
        using var zone = MachineTimeZone.Use(machineZone);
        var morning = new DateTimeOffset(2026, 12, 6, 4, 17, 0, China);
        // After EndOf's 23:59:59: still the day.
        var lastOfDay = new DateTimeOffset(2026, 12, 6, 23, 59, 59, 999, China);
        var nextMidnight = new DateTimeOffset(2026, 12, 7, 0, 0, 0, China);
        var flows = Flows(morning, lastOfDay, nextMidnight);

        Assert.Equal(new[] { morning, lastOfDay }, Kept(flows, "--until", "2026-12-06"));
        Assert.Equal(new[] { morning, lastOfDay }, Kept(flows, "--since", "2026-12-06", "--until", "2026-12-06"));
    }

    [Theory]
    [MemberData(nameof(MachineTimeZone.Zones), MemberType = typeof(MachineTimeZone))]
    public void An_instant_with_its_offset_is_that_instant_and_until_includes_it(string machineZone)
    {
        using var zone = MachineTimeZone.Use(machineZone);
        var morning = new DateTimeOffset(2026, 12, 6, 4, 17, 0, China);
        var later = morning.AddSeconds(1);
        var flows = Flows(morning, later);

        Assert.Equal(new[] { morning, later }, Kept(flows, "--since", "2026-12-05T20:17:00Z"));
        // --until is "at or before": the share at that very instant is kept.
        Assert.Equal(new[] { morning }, Kept(flows, "--since", "2026-12-06T04:17:00+08:00", "--until", "2026-12-05T20:17:00Z"));
        Assert.Equal(new[] { later }, Kept(flows, "--since", "2026-12-06T04:17:00.001+08:00"));
    }

    [Theory]
    [InlineData("--since", "2026-13-01")]
    [InlineData("--since", "yesterday")]
    [InlineData("--until", "06/12/2026")]
    // Without an offset it would be the machine's time zone: refused.
    [InlineData("--since", "2026-12-06T04:17:00")]
    public async Task A_value_that_is_neither_a_day_nor_an_instant_with_offset_is_a_usage_error(string option, string value)
    {
        var (code, output, error) = await CliRunner.RunAsync("audit", "flows", option, value);

        Assert.Equal(2, code);
        Assert.StartsWith($"error: {option} '{value}' is not a day (yyyy-MM-dd, China time) or an instant with its offset", error, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", output + error, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MachineTimeZone.Zones), MemberType = typeof(MachineTimeZone))]
    public async Task Since_after_until_is_a_usage_error_naming_both_instants(string machineZone)
    {
        using var zone = MachineTimeZone.Use(machineZone);
        var (code, _, error) = await CliRunner.RunAsync("audit", "flows", "--since", "2026-12-06", "--until", "2026-12-05T23:59:59+08:00");

        Assert.Equal(2, code);
        Assert.Contains("--since (2026-12-05 16:00:00Z) is after --until (2026-12-05 15:59:59Z)", error, StringComparison.Ordinal);
    }
}
