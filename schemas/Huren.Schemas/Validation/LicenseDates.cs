using System.Globalization;

namespace Huren.Schemas.Validation;

/// <summary>
/// Dates of the standard: <c>yyyy-MM-dd</c> (ISO 8601 calendar dates, no time, no zone) and validity windows,
/// where an empty end date means 长期 (no end).
/// </summary>
public static class LicenseDates
{
    /// <summary>The date format.</summary>
    public const string Format = "yyyy-MM-dd";

    /// <summary>Parses a <c>yyyy-MM-dd</c> date exactly (no other forms, no surrounding spaces).</summary>
    /// <remarks>
    /// Read by hand rather than with <see cref="DateOnly.TryParseExact(string, string, IFormatProvider, DateTimeStyles, out DateOnly)"/>:
    /// every admitted license entry parses several dates, and the framework's format-driven parse (culture-aware
    /// comparisons per token) was about a fifth of the body validation in the ingest profile of issue 17. It accepts
    /// exactly what that call accepts for this format: ASCII digits only, year 0001–9999, a real calendar day.
    /// </remarks>
    public static bool TryParse(string? text, out DateOnly date)
    {
        date = default;
        if (text is not { Length: 10 } || text[4] != '-' || text[7] != '-') return false;
        if (!TryDigits(text.AsSpan(0, 4), out var year) || !TryDigits(text.AsSpan(5, 2), out var month) || !TryDigits(text.AsSpan(8, 2), out var day)) return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        date = new DateOnly(year, month, day);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }
        return true;
    }

    /// <summary>Checks a required date; returns null when valid, otherwise an error naming <paramref name="field"/>.</summary>
    public static FieldError? ValidateRequired(string? value, string field) =>
        string.IsNullOrEmpty(value) ? FieldError.Of(field, "is required (yyyy-MM-dd)") : ValidateOptional(value, field);

    /// <summary>Checks an optional date: empty is fine, anything else must be <c>yyyy-MM-dd</c>.</summary>
    public static FieldError? ValidateOptional(string? value, string field) =>
        string.IsNullOrEmpty(value) || TryParse(value, out _) ? null : FieldError.Of(field, $"'{value}' is not a yyyy-MM-dd date");

    /// <summary>
    /// Checks a validity window: <paramref name="validFrom"/> required, <paramref name="validUntil"/> empty (长期) or
    /// not before it; and when <paramref name="issueDate"/> is given, it is a date not after <paramref name="validUntil"/>.
    /// Field names are passed so the messages name the caller's fields.
    /// </summary>
    public static IReadOnlyList<FieldError> ValidateWindow(
        string? validFrom, string? validUntil, string? issueDate = null,
        string validFromField = "validFrom", string validUntilField = "validUntil", string issueDateField = "issueDate")
    {
        var errors = new List<FieldError>();
        var fromError = ValidateRequired(validFrom, validFromField);
        var untilError = ValidateOptional(validUntil, validUntilField);
        var issueError = issueDate is null ? null : ValidateRequired(issueDate, issueDateField);
        if (issueError is not null) errors.Add(issueError);
        if (fromError is not null) errors.Add(fromError);
        if (untilError is not null) errors.Add(untilError);
        if (!TryParse(validUntil, out var until)) return errors;
        if (fromError is null && TryParse(validFrom, out var from) && until < from)
        {
            errors.Add(FieldError.Of(validUntilField, $"{validUntil} is before {validFromField} {validFrom}"));
        }
        if (issueDate is not null && issueError is null && TryParse(issueDate, out var issued) && until < issued)
        {
            errors.Add(FieldError.Of(validUntilField, $"{validUntil} is before {issueDateField} {issueDate}"));
        }
        return errors;
    }

    /// <summary>True when a window contains <paramref name="day"/>; an empty or unparsable end counts as 长期.</summary>
    public static bool IsWithin(DateOnly day, string validFrom, string? validUntil) =>
        TryParse(validFrom, out var from) && from <= day && (!TryParse(validUntil, out var until) || day <= until);
}
