using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Evidence;

namespace Huren.Node.Ledger;

/// <summary>
/// The verdict on a license from its derived state and a calendar day, with the reason in words. The decision itself
/// is the SDK's <see cref="LicenseVerdictRules"/>, the same one offline verifiers apply to evidence bundles.
/// </summary>
public static class LicenseVerdicts
{
    /// <summary>The calendar day of <paramref name="instant"/> in China Standard Time.</summary>
    public static DateOnly DayOf(DateTimeOffset instant) => LicenseVerdictRules.DayOf(instant);

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
        var lifecycle = license.Status switch
        {
            LicenseStatus.Revoked => LicenseVerdictRules.Lifecycle.Revoked,
            LicenseStatus.Transferred => LicenseVerdictRules.Lifecycle.Transferred,
            LicenseStatus.Suspended => LicenseVerdictRules.Lifecycle.Suspended,
            LicenseStatus.Valid => LicenseVerdictRules.Lifecycle.Active,
            _ => throw new ArgumentException($"license {license.LicenseId} has no status", nameof(license)),
        };
        var verdict = LicenseVerdictRules.Evaluate(lifecycle, license.ValidFrom, license.ValidUntil, today);
        var reason = verdict switch
        {
            LicenseVerdict.Revoked => $"{LicenseCodes.Describe(license.StatusCode, "revoked")} at index {license.StatusIndex}{By(license)}{Because(license.StatusReason)}",
            LicenseVerdict.Transferred => $"transferred out (06 办理转出) to {license.ToOrigin} at index {license.TransferIndex}{By(license)}{Because(license.StatusReason)}",
            LicenseVerdict.Suspended => $"suspended (02 暂扣) at index {license.StatusIndex}{By(license)}{Because(license.StatusReason)}",
            LicenseVerdict.NotYetValid => $"not valid before {license.ValidFrom}",
            LicenseVerdict.Expired => $"expired: valid until {license.ValidUntil}",
            _ => "valid " + (license.ValidFrom.Length > 0, license.ValidUntil.Length > 0) switch
            {
                (true, true) => $"from {license.ValidFrom} until {license.ValidUntil}",
                (true, false) => $"from {license.ValidFrom}, with no end date (长期)",
                (false, true) => $"until {license.ValidUntil}",
                _ => "with no validity window on record",
            },
        };
        return (verdict, reason);
    }

    /// <summary>Who set the status, when it was not the issuing issuer itself: the city root, or a successor and the successions it acted under.</summary>
    private static string By(LicenseRecord license)
    {
        if (license.StatusByCityRoot) return $" by the city root {license.StatusActor} (last resort)";
        if (license.StatusSuccessions.Count == 0 || license.StatusActor.Length == 0) return "";
        return $" by {license.StatusActor}, successor of {license.IssuerId} under the succession at index {string.Join(", ", license.StatusSuccessions)}";
    }

    private static string Because(string reason) => string.IsNullOrEmpty(reason) ? "" : $": {reason}";
}
