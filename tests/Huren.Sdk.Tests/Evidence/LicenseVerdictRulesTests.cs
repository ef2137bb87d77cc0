using Huren.Schemas.Services;
using Huren.Sdk.Evidence;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// The verdict rules the node and the offline verifiers share: lifecycle first, then the validity window with both
/// ends inclusive, dates that do not parse as no bound, the bundle's spelling of each verdict, and the China day of an
/// instant.
/// </summary>
public sealed class LicenseVerdictRulesTests
{
    public static TheoryData<LicenseVerdictRules.Lifecycle, string, string, string, LicenseVerdict> Rows() => new()
    {
        // Lifecycle states win over any window.
        { LicenseVerdictRules.Lifecycle.Revoked, "2024-03-01", "2024-12-31", "2024-06-01", LicenseVerdict.Revoked },
        { LicenseVerdictRules.Lifecycle.Revoked, "2025-03-01", "", "2024-06-01", LicenseVerdict.Revoked },
        { LicenseVerdictRules.Lifecycle.Transferred, "2024-03-01", "2024-03-31", "2024-06-01", LicenseVerdict.Transferred },
        { LicenseVerdictRules.Lifecycle.Suspended, "2025-03-01", "2024-03-31", "2024-06-01", LicenseVerdict.Suspended },
        // Active: the window, both ends inclusive.
        { LicenseVerdictRules.Lifecycle.Active, "2024-03-01", "2024-12-31", "2024-02-29", LicenseVerdict.NotYetValid },
        { LicenseVerdictRules.Lifecycle.Active, "2024-03-01", "2024-12-31", "2024-03-01", LicenseVerdict.Valid },
        { LicenseVerdictRules.Lifecycle.Active, "2024-03-01", "2024-12-31", "2024-12-31", LicenseVerdict.Valid },
        { LicenseVerdictRules.Lifecycle.Active, "2024-03-01", "2024-12-31", "2025-01-01", LicenseVerdict.Expired },
        // Not yet valid is judged before expired (a window that ends before it starts).
        { LicenseVerdictRules.Lifecycle.Active, "2024-12-01", "2024-05-31", "2024-06-01", LicenseVerdict.NotYetValid },
        // 长期: no end; no start; dates that do not parse bound nothing.
        { LicenseVerdictRules.Lifecycle.Active, "2024-03-01", "", "2099-12-31", LicenseVerdict.Valid },
        { LicenseVerdictRules.Lifecycle.Active, "", "2024-12-31", "1999-01-01", LicenseVerdict.Valid },
        { LicenseVerdictRules.Lifecycle.Active, "2025/01/01", "2024-1-31", "2024-06-01", LicenseVerdict.Valid },
        { LicenseVerdictRules.Lifecycle.Active, "长期", "长期", "2024-06-01", LicenseVerdict.Valid },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Lifecycle_then_window_decide_the_verdict(LicenseVerdictRules.Lifecycle lifecycle, string from, string until, string day, LicenseVerdict expected)
        => Assert.Equal(expected, LicenseVerdictRules.Evaluate(lifecycle, from, until, DateOnly.ParseExact(day, "yyyy-MM-dd")));

    [Theory]
    [InlineData(LicenseVerdict.Valid, "VALID")]
    [InlineData(LicenseVerdict.Suspended, "SUSPENDED")]
    [InlineData(LicenseVerdict.Revoked, "REVOKED")]
    [InlineData(LicenseVerdict.Expired, "EXPIRED")]
    [InlineData(LicenseVerdict.NotYetValid, "NOT_YET_VALID")]
    [InlineData(LicenseVerdict.Transferred, "TRANSFERRED")]
    [InlineData(LicenseVerdict.Unknown, "UNKNOWN")]
    public void Each_verdict_has_its_bundle_spelling(LicenseVerdict verdict, string name) => Assert.Equal(name, LicenseVerdictRules.Name(verdict));

    [Theory]
    [InlineData("2024-05-31T15:59:59+00:00", "2024-05-31")]
    [InlineData("2024-05-31T16:00:00+00:00", "2024-06-01")]
    [InlineData("2024-06-01T00:00:00+08:00", "2024-06-01")]
    [InlineData("2024-06-01T23:59:59+08:00", "2024-06-01")]
    [InlineData("2024-05-31T12:00:00-05:00", "2024-06-01")]
    public void The_day_of_an_instant_is_its_day_in_China(string instant, string day)
        => Assert.Equal(DateOnly.ParseExact(day, "yyyy-MM-dd"), LicenseVerdictRules.DayOf(DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void China_standard_time_is_eight_hours_ahead() => Assert.Equal(TimeSpan.FromHours(8), LicenseVerdictRules.ChinaStandardTime);
}
