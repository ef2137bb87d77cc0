namespace Huren.Schemas.Validation;

/// <summary>
/// 统一社会信用代码 after GB 32100-2015: 18 characters from a 31-character set (digits and upper-case letters
/// without I, O, S, V, Z): registration authority (1), organisation type (1), the registering authority's
/// 行政区划代码 (6 digits), the organisation code (9), and a check character (weights 3^i mod 31, MOD 31).
/// </summary>
public static class UnifiedSocialCreditCode
{
    /// <summary>The length of a code.</summary>
    public const int Length = 18;

    /// <summary>The character set; a character's value is its index.</summary>
    public const string Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";

    private static readonly int[] Weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

    /// <summary>
    /// The check character for the first 17 characters of a code, or <c>'\0'</c> when
    /// <paramref name="first17"/> is not 17 characters of <see cref="Alphabet"/>.
    /// </summary>
    public static char ComputeCheckChar(ReadOnlySpan<char> first17)
    {
        if (first17.Length != Length - 1) return '\0';
        var sum = 0;
        for (var i = 0; i < first17.Length; i++)
        {
            var value = Alphabet.IndexOf(first17[i], StringComparison.Ordinal);
            if (value < 0) return '\0';
            sum += value * Weights[i];
        }
        return Alphabet[(31 - sum % 31) % 31];
    }

    /// <summary>True when <paramref name="value"/> is a well-formed code with a correct check character.</summary>
    public static bool IsValid(string? value) => Validate(value, "code") is null;

    /// <summary>
    /// Checks <paramref name="value"/>; returns null when valid, otherwise an error naming <paramref name="field"/>.
    /// Empty is an error ("is required").
    /// </summary>
    public static FieldError? Validate(string? value, string field) =>
        Problem(value) is { } problem ? FieldError.Of(field, problem) : null;

    /// <summary>What is wrong with <paramref name="value"/> (the message without the field name), or null when it is valid.</summary>
    internal static string? Problem(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty) return "is required (统一社会信用代码, 18 characters)";
        if (value.Length != Length) return $"must be an 18-character 统一社会信用代码, got {value.Length} characters";
        for (var i = 0; i < value.Length; i++)
        {
            if (Alphabet.IndexOf(value[i], StringComparison.Ordinal) < 0)
            {
                return $"character {i + 1} '{value[i]}' is not allowed in a 统一社会信用代码 (0-9 and A-H J-N P-R T U W-Y only)";
            }
        }
        for (var i = 2; i < 8; i++)
        {
            if (value[i] is < '0' or > '9') return "characters 3-8 of a 统一社会信用代码 must be the 6-digit region code of the registering authority";
        }
        var check = ComputeCheckChar(value[..(Length - 1)]);
        if (check != value[Length - 1]) return $"check character of the 统一社会信用代码 should be {check}, not {value[Length - 1]} (GB 32100)";
        return null;
    }
}
