using Huren.Schemas.Services;
using Huren.Schemas.Validation;

namespace Huren.Node.Ledger;

/// <summary>
/// The verdict on a license from its derived state and a calendar day. Pure: the same record and day always give the
/// same verdict. The state decides first (revoked, transferred, suspended), then the validity window.
/// </summary>
public static class LicenseVerdicts
{
    /// <summary>License dates are calendar days in China Standard Time (UTC+8, no daylight saving).</summary>
    public static readonly TimeSpan ChinaStandardTime = TimeSpan.FromHours(8);

    /// <summary>The calendar day of <paramref name="instant"/> in China Standard Time.</summary>
    public static DateOnly DayOf(DateTimeOffset instant) => DateOnly.FromDateTime(instant.ToOffset(ChinaStandardTime).DateTime);

    /// <summary>Today in China Standard Time, by <paramref name="time"/>.</summary>
    public static DateOnly Today(TimeProvider time) => DayOf(time.GetUtcNow());

    /// <summary>
    /// The verdict on <paramref name="license"/> on <paramref name="today"/>, with a reason in words. An empty
    /// <c>validUntil</c> means no end (长期); an empty <c>validFrom</c> (a license accepted without its source record)
    /// means no start.
    /// </summary>
    public static (LicenseVerdict Verdict, string Reason) Evaluate(LicenseRecord license, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(license);
        switch (license.Status)
        {
            case LicenseStatus.Revoked:
                return (LicenseVerdict.Revoked, $"{StatusName(license.StatusCode, "revoked")} at index {license.StatusIndex}{Because(license.StatusReason)}");
            case LicenseStatus.Transferred:
                return (LicenseVerdict.Transferred, $"transferred out (06 办理转出) to {license.ToOrigin} at index {license.TransferIndex}{Because(license.StatusReason)}");
            case LicenseStatus.Suspended:
                return (LicenseVerdict.Suspended, $"suspended (02 暂扣) at index {license.StatusIndex}{Because(license.StatusReason)}");
            case LicenseStatus.Valid:
                break;
            default:
                throw new ArgumentException($"license {license.LicenseId} has no status", nameof(license));
        }
        var hasFrom = LicenseDates.TryParse(license.ValidFrom, out var from);
        var hasUntil = LicenseDates.TryParse(license.ValidUntil, out var until);
        if (hasFrom && today < from) return (LicenseVerdict.NotYetValid, $"not valid before {license.ValidFrom}");
        if (hasUntil && today > until) return (LicenseVerdict.Expired, $"expired: valid until {license.ValidUntil}");
        var window = (hasFrom, hasUntil) switch
        {
            (true, true) => $"from {license.ValidFrom} until {license.ValidUntil}",
            (true, false) => $"from {license.ValidFrom}, with no end date (长期)",
            (false, true) => $"until {license.ValidUntil}",
            _ => "with no validity window on record",
        };
        return (LicenseVerdict.Valid, $"valid {window}");
    }

    /// <summary>The national name of a status code, e.g. <c>07 吊销</c>.</summary>
    public static string StatusName(string statusCode, string fallback) => statusCode switch
    {
        "01" => "valid (01 有效)",
        "02" => "suspended (02 暂扣)",
        "03" => "withdrawn (03 撤销)",
        "04" => "cancelled (04 注销)",
        "05" => "expired (05 失效)",
        "06" => "transferred out (06 办理转出)",
        "07" => "revoked (07 吊销)",
        _ => fallback,
    };

    private static string Because(string reason) => string.IsNullOrEmpty(reason) ? "" : $": {reason}";
}
