namespace Huren.Schemas.Validation;

/// <summary>
/// Check characters of ISO/IEC 7064: the pure system MOD 11-2 (used by GB 11643 citizen ID numbers) and the hybrid
/// system MOD 37,36 over the alphabet <c>0-9A-Z</c> (used by GB/T 36904 license identifiers).
/// </summary>
public static class Iso7064
{
    /// <summary>The 36-character alphabet of MOD 37,36: digits, then upper-case Latin letters; a character's value is its index.</summary>
    public const string Alphabet36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>
    /// The MOD 11-2 check character of <paramref name="digits"/> (decimal digits only): <c>0-9</c> or <c>X</c> for 10.
    /// Returns <c>'\0'</c> when a character is not a digit.
    /// </summary>
    public static char ComputeMod11_2(ReadOnlySpan<char> digits)
    {
        // Pure system: the weight of the digit i places left of the check character is 2^i mod 11.
        var sum = 0;
        var weight = 1;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            weight = weight * 2 % 11;
            var c = digits[i];
            if (c is < '0' or > '9') return '\0';
            sum = (sum + (c - '0') * weight) % 11;
        }
        var check = (12 - sum) % 11;
        return check == 10 ? 'X' : (char)('0' + check);
    }

    /// <summary>
    /// The MOD 37,36 (hybrid system, M = 36) check character of <paramref name="text"/> over <see cref="Alphabet36"/>.
    /// Returns <c>'\0'</c> when a character is outside the alphabet (lower case included).
    /// </summary>
    public static char ComputeMod37_36(ReadOnlySpan<char> text)
    {
        const int m = 36;
        var p = m;
        foreach (var c in text)
        {
            var value = Value36(c);
            if (value < 0) return '\0';
            var s = (p + value) % m;
            if (s == 0) s = m;
            p = s * 2 % (m + 1);
        }
        // The check character a makes (p + a) mod M == 1.
        return Alphabet36[(m + 1 - p) % m];
    }

    /// <summary>
    /// True when the last character of <paramref name="textWithCheck"/> is its MOD 37,36 check character,
    /// verified the way ISO/IEC 7064 states it: running the recurrence over every character, check included, ends at 1.
    /// </summary>
    public static bool IsValidMod37_36(ReadOnlySpan<char> textWithCheck)
    {
        const int m = 36;
        if (textWithCheck.Length < 2) return false;
        var p = m;
        var s = 0;
        foreach (var c in textWithCheck)
        {
            var value = Value36(c);
            if (value < 0) return false;
            s = (p + value) % m;
            if (s == 0) s = m;
            p = s * 2 % (m + 1);
        }
        return s == 1;
    }

    private static int Value36(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'Z' => c - 'A' + 10,
        _ => -1,
    };
}
