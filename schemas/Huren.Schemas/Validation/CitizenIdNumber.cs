using System.Globalization;

namespace Huren.Schemas.Validation;

/// <summary>
/// 公民身份号码 after GB 11643-1999: a 6-digit address code, an 8-digit birth date (<c>yyyyMMdd</c>), a 3-digit
/// sequence and an ISO/IEC 7064 MOD 11-2 check character (<c>X</c> for 10). Huren never puts one on the ledger
/// (only a salted commitment); this validator is for the edges that receive one.
/// </summary>
public static class CitizenIdNumber
{
    /// <summary>The length of a number.</summary>
    public const int Length = 18;

    /// <summary>The earliest birth year accepted as plausible.</summary>
    public const int MinBirthYear = 1880;

    /// <summary>The check character for the first 17 digits, or <c>'\0'</c> when they are not 17 digits.</summary>
    public static char ComputeCheckChar(ReadOnlySpan<char> first17) =>
        first17.Length == Length - 1 ? Iso7064.ComputeMod11_2(first17) : '\0';

    /// <summary>True when <paramref name="value"/> is a valid number (see <see cref="Validate"/>).</summary>
    public static bool IsValid(string? value, DateOnly? today = null) => Validate(value, "idNumber", today) is null;

    /// <summary>
    /// Checks <paramref name="value"/>: 17 digits and a check character (upper-case <c>X</c> only), a plausible
    /// address code (province 11–82) and a real birth date between <see cref="MinBirthYear"/> and
    /// <paramref name="today"/> (default: today, UTC). Returns null when valid, otherwise an error naming <paramref name="field"/>.
    /// </summary>
    public static FieldError? Validate(string? value, string field, DateOnly? today = null)
    {
        if (string.IsNullOrEmpty(value)) return FieldError.Of(field, "is required (公民身份号码, 18 characters)");
        if (value.Length == 15) return FieldError.Of(field, "is a 15-digit number of the old form: give the 18-character 公民身份号码 (GB 11643-1999)");
        if (value.Length != Length) return FieldError.Of(field, $"must be an 18-character 公民身份号码, got {value.Length} characters");
        for (var i = 0; i < Length - 1; i++)
        {
            if (value[i] is < '0' or > '9') return FieldError.Of(field, $"character {i + 1} must be a digit");
        }
        var last = value[Length - 1];
        if (last is not ((>= '0' and <= '9') or 'X')) return FieldError.Of(field, "the check character must be a digit or upper-case 'X'");
        if (!RegionCode.HasKnownProvince(value.AsSpan(0, 2))) return FieldError.Of(field, $"address code {value[..6]} has no known province (11–82)");
        if (!DateOnly.TryParseExact(value.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth))
        {
            return FieldError.Of(field, $"birth date {value.Substring(6, 8)} is not a calendar date");
        }
        var now = today ?? DateOnly.FromDateTime(DateTime.UtcNow);
        if (birth.Year < MinBirthYear || birth > now) return FieldError.Of(field, $"birth date {birth:yyyy-MM-dd} is not plausible");
        var check = ComputeCheckChar(value.AsSpan(0, Length - 1));
        if (check != last) return FieldError.Of(field, $"check character of the 公民身份号码 should be {check}, not {last} (GB 11643)");
        return null;
    }
}
