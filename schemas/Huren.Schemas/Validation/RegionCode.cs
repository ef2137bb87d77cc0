namespace Huren.Schemas.Validation;

/// <summary>
/// 行政区划代码 (GB/T 2260): 6 digits, province (2) + city (2) + county (2). Huren checks the form and that the
/// province part is one of the 34 province-level codes; it does not carry the full national table.
/// </summary>
public static class RegionCode
{
    /// <summary>The province-level codes: 11–15, 21–23, 31–37, 41–46, 50–54, 61–65, 71, 81, 82.</summary>
    public static IReadOnlyList<int> Provinces { get; } =
    [
        11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
        41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
    ];

    /// <summary>True when <paramref name="value"/> is a valid region code.</summary>
    public static bool IsValid(string? value) => Validate(value, "regionCode") is null;

    /// <summary>Checks <paramref name="value"/>; returns null when valid, otherwise an error naming <paramref name="field"/>.</summary>
    public static FieldError? Validate(string? value, string field)
    {
        if (string.IsNullOrEmpty(value)) return FieldError.Of(field, "is required (6-digit 行政区划代码)");
        if (value.Length != 6) return FieldError.Of(field, $"must be a 6-digit 行政区划代码, got {value.Length} characters");
        foreach (var c in value)
        {
            if (c is < '0' or > '9') return FieldError.Of(field, "must be a 6-digit 行政区划代码 (digits only)");
        }
        if (value == "000000") return FieldError.Of(field, "000000 is not a 行政区划代码");
        if (!HasKnownProvince(value.AsSpan(0, 2))) return FieldError.Of(field, $"province part {value[..2]} is not a province-level code (11–82)");
        return null;
    }

    internal static bool HasKnownProvince(ReadOnlySpan<char> twoDigits)
    {
        if (twoDigits.Length != 2 || twoDigits[0] is < '0' or > '9' || twoDigits[1] is < '0' or > '9') return false;
        var p = (twoDigits[0] - '0') * 10 + (twoDigits[1] - '0');
        foreach (var known in Provinces)
        {
            if (known == p) return true;
        }
        return false;
    }
}
