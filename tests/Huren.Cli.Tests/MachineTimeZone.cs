namespace Huren.Cli.Tests;

/// <summary>
/// The test classes that switch the process's local time zone (<see cref="MachineTimeZone"/>). They run alone, after
/// the parallel ones: another test reading the clock or a date while the zone is switched would see a zone it did not
/// expect.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MachineTimeZoneCollection
{
    public const string Name = "machine time zone";
}

/// <summary>
/// Makes <see cref="TimeZoneInfo.Local"/> (what <c>DateTime.Now</c>, <c>DateTimeOffset(DateTime)</c> and an
/// offset-less parse use) a chosen zone until disposed, so that a test of "never the machine's time zone" runs under
/// several zones and catches a regression whatever zone the machine running it has. Set through <c>TZ</c>, which .NET
/// reads on Linux and macOS; use only from <see cref="MachineTimeZoneCollection"/>.
/// </summary>
internal sealed class MachineTimeZone : IDisposable
{
    /// <summary>UTC, China's own zone and one behind UTC (<c>Etc/GMT+5</c> is UTC-5: POSIX signs are inverted).</summary>
    public static TheoryData<string> Zones => new() { "Etc/UTC", "Asia/Shanghai", "Etc/GMT+5" };

    private readonly string? _previousTz;

    private MachineTimeZone(string ianaId)
    {
        _previousTz = Environment.GetEnvironmentVariable("TZ");
        Environment.SetEnvironmentVariable("TZ", ianaId);
        TimeZoneInfo.ClearCachedData();
    }

    /// <summary>Switches to <paramref name="ianaId"/>; fails if the platform did not switch (the test would prove nothing).</summary>
    public static MachineTimeZone Use(string ianaId)
    {
        var switched = new MachineTimeZone(ianaId);
        var wanted = TimeZoneInfo.FindSystemTimeZoneById(ianaId);
        var probe = new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero);
        Assert.True(wanted.GetUtcOffset(probe) == TimeZoneInfo.Local.GetUtcOffset(probe),
            $"the local time zone did not become {ianaId} (it is {TimeZoneInfo.Local.Id}); TZ is not honoured on this platform");
        return switched;
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("TZ", _previousTz);
        TimeZoneInfo.ClearCachedData();
    }
}
