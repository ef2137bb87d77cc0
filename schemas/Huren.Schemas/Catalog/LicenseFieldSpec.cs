using System.Globalization;
using Huren.Schemas.Validation;

namespace Huren.Schemas.Catalog;

/// <summary>The kinds of value a license field may hold (the catalog's <c>type</c>).</summary>
public enum LicenseFieldType
{
    /// <summary><c>text</c>: free text (line feeds allowed) of at most <see cref="LicenseFieldSpec.MaxLength"/> characters.</summary>
    Text,
    /// <summary><c>date</c>: a calendar date, <c>yyyy-MM-dd</c>.</summary>
    Date,
    /// <summary><c>code</c>: one of <see cref="LicenseFieldSpec.Values"/>, exactly.</summary>
    Code,
    /// <summary><c>number</c>: a decimal number with at most <see cref="LicenseFieldSpec.Decimals"/> decimals, within min and max.</summary>
    Number,
    /// <summary><c>region</c>: a 6-digit 行政区划代码 (GB/T 2260).</summary>
    Region,
    /// <summary><c>uscc</c>: a 统一社会信用代码 (GB 32100) with its check character.</summary>
    Uscc,
}

/// <summary>
/// One field of a license type (a <c>LicenseField</c> of <c>license.issue</c> and <c>license.change</c> bodies): its
/// name, the kind of value, whether every license of the type carries it, and the limits of its value.
/// </summary>
/// <param name="Name">The field's name (e.g. 成立日期), as bodies name it.</param>
/// <param name="Type">The kind of value.</param>
/// <param name="Required">Whether every license of the type carries it.</param>
/// <param name="MaxLength">For text: the most characters (Unicode scalar values) a value may have.</param>
/// <param name="Values">For codes: the values allowed.</param>
/// <param name="Decimals">For numbers: the most digits after the decimal point.</param>
/// <param name="Min">For numbers: the smallest value, if any.</param>
/// <param name="Max">For numbers: the largest value, if any.</param>
/// <param name="Unit">For numbers: the unit the value is in (e.g. 万元), for people.</param>
public sealed record LicenseFieldSpec(
    string Name,
    LicenseFieldType Type,
    bool Required,
    int MaxLength,
    IReadOnlyList<string> Values,
    int Decimals,
    decimal? Min,
    decimal? Max,
    string? Unit)
{
    /// <summary>The longest text any field may declare, in characters.</summary>
    public const int MaxTextLength = 4000;

    /// <summary>The longest number accepted, in characters (sign and decimal point included).</summary>
    public const int MaxNumberLength = 32;

    /// <summary>
    /// Checks <paramref name="value"/> against this field; returns null when it is valid, otherwise the problem as a
    /// sentence that starts with the field's name (e.g. <c>成立日期 must be a yyyy-MM-dd date, got '2024/03/01'</c>).
    /// </summary>
    public string? Check(string? value)
    {
        if (string.IsNullOrEmpty(value)) return $"{Name} is empty: give a value or leave the field out" + (Required ? $" ({Name} is required)" : "");
        switch (Type)
        {
            case LicenseFieldType.Text:
                var length = TextContent.CharCount(value);
                if (length > MaxLength) return $"{Name} must be at most {MaxLength} characters, got {length}";
                if (string.IsNullOrWhiteSpace(value)) return $"{Name} must not be only white space";
                return TextContent.TextProblem(value) is { } problem ? $"{Name} {problem}" : null;
            case LicenseFieldType.Date:
                return LicenseDates.TryParse(value, out _) ? null : $"{Name} must be a yyyy-MM-dd date, got '{Shorten(value)}'";
            case LicenseFieldType.Code:
                foreach (var allowed in Values)
                {
                    if (string.Equals(allowed, value, StringComparison.Ordinal)) return null;
                }
                return $"{Name} must be one of {string.Join("、", Values)}, got '{Shorten(value)}'";
            case LicenseFieldType.Number:
                return CheckNumber(value);
            case LicenseFieldType.Region:
                return Named(RegionCode.Validate(value, Name));
            case LicenseFieldType.Uscc:
                return Named(UnifiedSocialCreditCode.Validate(value, Name));
            default:
                return $"{Name} has a type this version does not know";
        }
    }

    /// <summary>A code validator's error as this field's problem: <c>行政区划 province part 99 is not …</c>.</summary>
    private string? Named(FieldError? error) => error is null ? null : $"{Name} {error.Message[(Name.Length + 2)..]}";

    private string? CheckNumber(string value)
    {
        var what = Decimals == 0 ? "a whole number" : $"a decimal number with at most {Decimals} decimals";
        if (value.Length > MaxNumberLength || !IsDecimal(value, out var decimals) || decimals > Decimals)
        {
            return $"{Name} must be {what} (digits, '-' and '.' only){(Unit is null ? "" : $" in {Unit}")}, got '{Shorten(value)}'";
        }
        var number = decimal.Parse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        if (Min is { } min && number < min) return $"{Name} must be at least {min.ToString(CultureInfo.InvariantCulture)}, got {value}";
        if (Max is { } max && number > max) return $"{Name} must be at most {max.ToString(CultureInfo.InvariantCulture)}, got {value}";
        return null;
    }

    /// <summary>One plain form only: <c>-?(0|[1-9][0-9]*)(\.[0-9]+)?</c> — no exponent, spaces, plus sign or grouping.</summary>
    private static bool IsDecimal(string value, out int decimals)
    {
        decimals = 0;
        var i = value.StartsWith('-') ? 1 : 0;
        var integerStart = i;
        while (i < value.Length && char.IsAsciiDigit(value[i])) i++;
        var integerDigits = i - integerStart;
        if (integerDigits == 0 || (integerDigits > 1 && value[integerStart] == '0')) return false;
        if (i == value.Length) return true;
        if (value[i] != '.') return false;
        i++;
        var fractionStart = i;
        while (i < value.Length && char.IsAsciiDigit(value[i])) i++;
        decimals = i - fractionStart;
        return decimals > 0 && i == value.Length;
    }

    /// <summary>What the field holds, for help texts and docs (e.g. <c>text, at most 200 characters</c>).</summary>
    public string Describe() => Type switch
    {
        LicenseFieldType.Text => $"text, at most {MaxLength} characters",
        LicenseFieldType.Date => "date (yyyy-MM-dd)",
        LicenseFieldType.Code => $"one of {string.Join("、", Values)}",
        LicenseFieldType.Number => (Decimals == 0 ? "whole number" : $"number, at most {Decimals} decimals")
            + (Unit is null ? "" : $" in {Unit}")
            + (Min is { } min ? $", ≥ {min.ToString(CultureInfo.InvariantCulture)}" : "")
            + (Max is { } max ? $", ≤ {max.ToString(CultureInfo.InvariantCulture)}" : ""),
        LicenseFieldType.Region => "行政区划代码 (6 digits)",
        LicenseFieldType.Uscc => "统一社会信用代码 (18 characters)",
        _ => Type.ToString(),
    };

    private static string Shorten(string value) => TextContent.Printable(value, 40);
}
