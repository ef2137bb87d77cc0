using System.Globalization;
using Huren.Schemas.Services;

namespace Huren.Sdk.Evidence;

/// <summary>
/// The verdict rules shared by the node and offline verifiers: a license's lifecycle state, then its validity window
/// on a given day (China Standard Time). An empty end date means no end (长期).
/// </summary>
public static class LicenseVerdictRules
{
    /// <summary>Where a license stands in its lifecycle.</summary>
    public enum Lifecycle
    {
        /// <summary>Issued (or resumed), not suspended, revoked or transferred.</summary>
        Active,
        /// <summary>Suspended (暂扣).</summary>
        Suspended,
        /// <summary>Revoked, cancelled or withdrawn.</summary>
        Revoked,
        /// <summary>Transferred out.</summary>
        Transferred,
    }

    /// <summary>China Standard Time, in which license dates are written.</summary>
    public static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    /// <summary>The calendar day of <paramref name="instant"/> in China.</summary>
    public static DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(ChinaStandardTime).DateTime);

    /// <summary>The verdict for a lifecycle state and validity window on <paramref name="today"/>.</summary>
    public static LicenseVerdict Evaluate(Lifecycle lifecycle, string validFrom, string validUntil, DateOnly today)
    {
        switch (lifecycle)
        {
            case Lifecycle.Revoked: return LicenseVerdict.Revoked;
            case Lifecycle.Transferred: return LicenseVerdict.Transferred;
            case Lifecycle.Suspended: return LicenseVerdict.Suspended;
        }
        if (TryParseDate(validFrom, out var from) && today < from) return LicenseVerdict.NotYetValid;
        if (TryParseDate(validUntil, out var until) && today > until) return LicenseVerdict.Expired;
        return LicenseVerdict.Valid;
    }

    /// <summary>The bundle's spelling of a verdict: <c>VALID</c>, <c>NOT_YET_VALID</c>, …</summary>
    public static string Name(LicenseVerdict verdict) => verdict switch
    {
        LicenseVerdict.NotYetValid => "NOT_YET_VALID",
        _ => verdict.ToString().ToUpperInvariant(),
    };

    private static bool TryParseDate(string value, out DateOnly date)
        => DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);
}
