using System.Globalization;
using System.Text;

namespace Huren.Schemas.Validation;

/// <summary>
/// What text on the ledger may contain. Names are one line; free text may hold line feeds and tabs. Neither may hold
/// other control characters, invisible formatting characters (bidirectional overrides, embeddings and isolates,
/// zero-width spaces and joiners, the byte-order mark, the soft hyphen), line or paragraph separators, or broken
/// UTF-16: they make two texts that look the same differ, or make a text read differently from how it is stored
/// (a right-to-left override turns <c>有限公司</c> around on screen). A 公民身份号码 must not appear anywhere in text:
/// personal identifiers enter the ledger only as a salted commitment.
/// </summary>
public static class TextContent
{
    /// <summary>
    /// The first problem with the characters of <paramref name="value"/> as a one-line name, or null: everything
    /// <see cref="TextProblem"/> refuses, and also line feeds, tabs and white space at either end.
    /// </summary>
    public static string? NameProblem(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > 0 && (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))) return "must not begin or end with white space";
        return Scan(value, multiLine: false);
    }

    /// <summary>The first problem with the characters of <paramref name="value"/> as free text (line feeds and tabs allowed), or null.</summary>
    public static string? TextProblem(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Scan(value, multiLine: true);
    }

    /// <summary>
    /// Whether <paramref name="c"/> is a control character, an invisible format character (bidirectional, zero-width) or
    /// a line or paragraph separator: the characters text checks refuse, and what output escapes before showing text
    /// it did not write.
    /// </summary>
    public static bool IsHidden(char c)
        => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static string? Scan(string value, bool multiLine)
    {
        var position = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            position++;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }
            if (char.IsSurrogate(c)) return $"is not valid Unicode (a lone surrogate at character {position})";
            if (c is '\n' or '\t')
            {
                if (multiLine) continue;
                return $"must be one line (a {(c == '\n' ? "line feed" : "tab")} at character {position})";
            }
            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Control:
                    return $"must not contain control characters ({Name(c)} at character {position})";
                case UnicodeCategory.Format:
                    return $"must not contain {FormatKind(c)} ({Name(c)} at character {position})";
                case UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    return $"must not contain line or paragraph separators ({Name(c)} at character {position})";
            }
        }
        return PersonalIdProblem(value);
    }

    private static string FormatKind(char c) => c switch
    {
        '\u200E' or '\u200F' or '\u061C' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') => "bidirectional control characters",
        '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' => "zero-width characters",
        _ => "invisible formatting characters",
    };

    private static string Name(char c) => c switch
    {
        '\u202A' => "U+202A LEFT-TO-RIGHT EMBEDDING",
        '\u202B' => "U+202B RIGHT-TO-LEFT EMBEDDING",
        '\u202C' => "U+202C POP DIRECTIONAL FORMATTING",
        '\u202D' => "U+202D LEFT-TO-RIGHT OVERRIDE",
        '\u202E' => "U+202E RIGHT-TO-LEFT OVERRIDE",
        '\u2066' => "U+2066 LEFT-TO-RIGHT ISOLATE",
        '\u2067' => "U+2067 RIGHT-TO-LEFT ISOLATE",
        '\u2068' => "U+2068 FIRST STRONG ISOLATE",
        '\u2069' => "U+2069 POP DIRECTIONAL ISOLATE",
        '\u200E' => "U+200E LEFT-TO-RIGHT MARK",
        '\u200F' => "U+200F RIGHT-TO-LEFT MARK",
        '\u061C' => "U+061C ARABIC LETTER MARK",
        '\u200B' => "U+200B ZERO WIDTH SPACE",
        '\u200C' => "U+200C ZERO WIDTH NON-JOINER",
        '\u200D' => "U+200D ZERO WIDTH JOINER",
        '\u2060' => "U+2060 WORD JOINER",
        '\uFEFF' => "U+FEFF ZERO WIDTH NO-BREAK SPACE",
        _ => $"U+{(int)c:X4}",
    };

    /// <summary>
    /// A 公民身份号码 written into text: a run of 17 digits and a digit or <c>X</c>, not part of a longer run of letters
    /// and digits, whose first two digits are a province and digits 7–14 a calendar date from 1880 to 2099, and which is
    /// not a valid 统一社会信用代码. The check character is not looked at: a mistyped number is still a person's. The
    /// bounds are fixed (not "today") so that every node, today or in ten years, judges an entry the same way.
    /// </summary>
    private static string? PersonalIdProblem(string value)
    {
        if (value.Length < CitizenIdNumber.Length) return null;
        var start = -1;
        for (var i = 0; i <= value.Length; i++)
        {
            var alnum = i < value.Length && IsAsciiLetterOrDigit(value[i]);
            if (alnum && start < 0) start = i;
            if (alnum || start < 0) continue;
            if (i - start == CitizenIdNumber.Length && LooksLikeCitizenId(value.AsSpan(start, CitizenIdNumber.Length)))
            {
                return $"must not contain a 公民身份号码 (characters {CharPosition(value, start) + 1}–{CharPosition(value, i)}): a personal identifier enters the ledger only as a salted commitment (holderIdCommitment)";
            }
            start = -1;
        }
        return null;
    }

    private static bool LooksLikeCitizenId(ReadOnlySpan<char> run)
    {
        for (var i = 0; i < run.Length - 1; i++)
        {
            if (!char.IsAsciiDigit(run[i])) return false;
        }
        if (!(char.IsAsciiDigit(run[^1]) || run[^1] is 'X' or 'x')) return false;
        if (!RegionCode.HasKnownProvince(run[..2])) return false;
        if (!DateOnly.TryParseExact(run.Slice(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth) || birth.Year is < CitizenIdNumber.MinBirthYear or > 2099) return false;
        return !UnifiedSocialCreditCode.IsValid(run.ToString());
    }

    private static bool IsAsciiLetterOrDigit(char c) => char.IsAsciiLetterOrDigit(c);

    /// <summary>The number of Unicode scalar values before UTF-16 index <paramref name="index"/>.</summary>
    private static int CharPosition(string value, int index)
    {
        var count = 0;
        foreach (var rune in value.AsSpan(0, index).EnumerateRunes())
        {
            _ = rune;
            count++;
        }
        return count;
    }

    /// <summary>Counts Unicode scalar values, so a Chinese character counts as one whatever its UTF-16 length.</summary>
    public static int CharCount(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var count = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            _ = rune;
            count++;
        }
        return count;
    }

    /// <summary>
    /// <paramref name="value"/> for an error message: at most <paramref name="max"/> UTF-16 units, with control,
    /// formatting, separator and surrogate characters written as <c>\uXXXX</c> so a message never carries them itself.
    /// </summary>
    public static string Printable(string value, int max)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(Math.Min(value.Length, max) + 8);
        for (var i = 0; i < value.Length; i++)
        {
            if (builder.Length >= max)
            {
                builder.Append('…');
                break;
            }
            var c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                builder.Append(c).Append(value[++i]);
                continue;
            }
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else builder.Append(c);
        }
        return builder.ToString();
    }
}
