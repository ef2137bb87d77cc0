using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Huren.Sdk.Notes;

/// <summary>The lexical rules shared by notes, keys and checkpoints (c2sp.org/signed-note, c2sp.org/tlog-checkpoint).</summary>
internal static class NoteSyntax
{
    /// <summary>UTF-8 without BOM that throws on invalid input instead of substituting U+FFFD.</summary>
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Em dash (U+2014) and space: the start of every signature line.</summary>
    public const string SignatureLinePrefix = "\u2014 ";

    /// <summary>
    /// Key names are non-empty and contain no plus, no Unicode space (the White_Space property, which
    /// <see cref="char.IsWhiteSpace(char)"/> implements), no other control character and no unpaired surrogate.
    /// </summary>
    public static bool IsValidKeyName([NotNullWhen(true)] string? name, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(name))
        {
            error = "key name is empty";
            return false;
        }
        foreach (var c in name)
        {
            if (c == '+')
            {
                error = $"key name '{name}' contains '+'";
                return false;
            }
            if (char.IsWhiteSpace(c) || c < 0x20)
            {
                error = $"key name '{Printable(name)}' contains a space or control character (U+{(int)c:X4})";
                return false;
            }
        }
        if (!IsWellFormedUtf16(name))
        {
            error = "key name is not valid Unicode (unpaired surrogate)";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>Whether every surrogate in <paramref name="text"/> is part of a pair, i.e. it encodes to UTF-8.</summary>
    public static bool IsWellFormedUtf16(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])) return false;
                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The index of the first ASCII control character other than newline, or -1.</summary>
    public static int IndexOfForbiddenControl(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] < 0x20 && text[i] != '\n') return i;
        }
        return -1;
    }

    /// <summary>
    /// Decodes standard base64 (RFC 4648 §4) strictly: padded, no whitespace, zero padding bits, non-empty. .NET's decoder
    /// alone skips whitespace and ignores nonzero padding bits, so the result is re-encoded and compared: exactly one text
    /// per byte string is accepted.
    /// </summary>
    public static bool TryDecodeBase64(ReadOnlySpan<char> text, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (text.Length == 0 || text.Length % 4 != 0) return false;
        var buffer = new byte[text.Length / 4 * 3];
        if (!Convert.TryFromBase64Chars(text, buffer, out var written)) return false;
        var decoded = written == buffer.Length ? buffer : buffer.AsSpan(0, written).ToArray();
        if (!text.SequenceEqual(Convert.ToBase64String(decoded))) return false;
        bytes = decoded;
        return true;
    }

    /// <summary>Parses a key ID written as exactly 8 lowercase hex digits.</summary>
    public static bool TryParseKeyIdHex(ReadOnlySpan<char> text, out uint keyId)
    {
        keyId = 0;
        if (text.Length != 8) return false;
        foreach (var c in text)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f'))) return false;
        }
        return uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out keyId);
    }

    /// <summary>Formats a key ID as 8 lowercase hex digits.</summary>
    public static string KeyIdHex(uint keyId) => keyId.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>Parses a decimal with no sign, no leading zeros (except <c>0</c> itself) and no overflow.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        if (text.Length == 0 || (text.Length > 1 && text[0] == '0')) return false;
        foreach (var c in text)
        {
            if (c is < '0' or > '9') return false;
        }
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>SHA-256(name ‖ 0x0A ‖ key material)[:4] as a big-endian integer; key material = type byte ‖ key bytes.</summary>
    public static uint ComputeKeyId(string name, ReadOnlySpan<byte> keyMaterial)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(StrictUtf8.GetBytes(name));
        hash.AppendData("\n"u8);
        hash.AppendData(keyMaterial);
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return BinaryPrimitives.ReadUInt32BigEndian(digest);
    }

    /// <summary>Text for error messages, with control characters escaped and length capped.</summary>
    public static string Printable(string text)
    {
        var builder = new StringBuilder(Math.Min(text.Length, 80));
        foreach (var c in text)
        {
            if (builder.Length >= 80)
            {
                builder.Append('…');
                break;
            }
            if (c < 0x20 || c == 0x7f) builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            else builder.Append(c);
        }
        return builder.ToString();
    }
}
