using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Huren.Sdk.Merkle;

/// <summary>
/// A SHA-256 value of exactly 32 bytes: a leaf hash, an interior node hash or a tree root. An immutable value type
/// (no heap allocation); <c>default</c> is 32 zero bytes. Its text form is standard base64 with padding (44 characters),
/// as in checkpoints; hex is available for logs and known-answer tests.
/// </summary>
public readonly struct Hash256 : IEquatable<Hash256>, ISpanFormattable
{
    /// <summary>Length of a hash in bytes.</summary>
    public const int Length = 32;

    /// <summary>Length of the base64 text form (with one <c>=</c> of padding).</summary>
    public const int Base64Length = 44;

    /// <summary>Length of the hex text form.</summary>
    public const int HexLength = 64;

    private readonly Bytes32 _bytes;

    /// <summary>Copies a hash from <paramref name="bytes"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not exactly 32 bytes long.</exception>
    public Hash256(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"a hash is {Length} bytes, got {bytes.Length}", nameof(bytes));
        }
        bytes.CopyTo(_bytes);
    }

    /// <summary>The 32 bytes, without copying. The span refers to this value, so keep the value in a variable.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> AsSpan() => _bytes;

    /// <summary>Copies the 32 bytes into <paramref name="destination"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    public void CopyTo(Span<byte> destination) => AsSpan().CopyTo(destination);

    /// <summary>The 32 bytes as a new array.</summary>
    public byte[] ToArray() => AsSpan().ToArray();

    /// <summary>A hash from <paramref name="bytes"/> if it is exactly 32 bytes long.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> bytes, out Hash256 hash)
    {
        if (bytes.Length != Length)
        {
            hash = default;
            return false;
        }
        hash = new Hash256(bytes);
        return true;
    }

    /// <summary>Standard base64 with padding (44 characters).</summary>
    public override string ToString() => Convert.ToBase64String(AsSpan());

    /// <summary>Standard base64 with padding (44 characters); <paramref name="format"/> and <paramref name="formatProvider"/> are ignored.</summary>
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <summary>Standard base64 with padding (44 characters), the form checkpoints use.</summary>
    public string ToBase64() => ToString();

    /// <summary>Lowercase hex (64 characters).</summary>
    public string ToHex() => Convert.ToHexStringLower(AsSpan());

    /// <summary>Writes the base64 form into <paramref name="destination"/>; false if it is shorter than 44 characters.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten) =>
        Convert.TryToBase64Chars(AsSpan(), destination, out charsWritten);

    /// <summary>Writes the base64 form into <paramref name="destination"/>; <paramref name="format"/> and <paramref name="provider"/> are ignored.</summary>
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        TryFormat(destination, out charsWritten);

    /// <summary>Parses the canonical base64 form (exactly 44 characters, padded, no whitespace).</summary>
    /// <exception cref="FormatException"><paramref name="base64"/> is not the canonical base64 of 32 bytes.</exception>
    public static Hash256 Parse(string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        return TryParse(base64.AsSpan(), out var hash)
            ? hash
            : throw new FormatException($"'{Truncate(base64)}' is not the base64 of a {Length}-byte hash");
    }

    /// <summary>Parses the canonical base64 form; false for anything else, including null.</summary>
    public static bool TryParse([NotNullWhen(true)] string? base64, out Hash256 hash)
    {
        if (base64 is null)
        {
            hash = default;
            return false;
        }
        return TryParse(base64.AsSpan(), out hash);
    }

    /// <summary>
    /// Parses the canonical base64 form: exactly 44 characters that decode to 32 bytes and re-encode to the same
    /// text, so one hash has one text form (no whitespace, no non-zero padding bits).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> base64, out Hash256 hash)
    {
        hash = default;
        if (base64.Length != Base64Length)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[Length + 3];
        if (!Convert.TryFromBase64Chars(base64, bytes, out var written) || written != Length)
        {
            return false;
        }
        Span<char> canonical = stackalloc char[Base64Length];
        if (!Convert.TryToBase64Chars(bytes[..Length], canonical, out _) || !canonical.SequenceEqual(base64))
        {
            return false;
        }
        hash = new Hash256(bytes[..Length]);
        return true;
    }

    /// <summary>Parses 64 hex digits (either case).</summary>
    /// <exception cref="FormatException"><paramref name="hex"/> is not 64 hex digits.</exception>
    public static Hash256 ParseHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        return TryParseHex(hex.AsSpan(), out var hash)
            ? hash
            : throw new FormatException($"'{Truncate(hex)}' is not the hex of a {Length}-byte hash");
    }

    /// <summary>Parses 64 hex digits (either case); false for anything else.</summary>
    public static bool TryParseHex(ReadOnlySpan<char> hex, out Hash256 hash)
    {
        hash = default;
        if (hex.Length != HexLength)
        {
            return false;
        }
        Span<byte> bytes = stackalloc byte[Length];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != OperationStatus.Done || written != Length)
        {
            return false;
        }
        hash = new Hash256(bytes);
        return true;
    }

    /// <summary>True if both hold the same 32 bytes.</summary>
    public bool Equals(Hash256 other) => AsSpan().SequenceEqual(other.AsSpan());

    /// <summary>True if both hold the same 32 bytes.</summary>
    public bool Equals(ReadOnlySpan<byte> other) => AsSpan().SequenceEqual(other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Hash256 other && Equals(other);

    /// <summary>The first four bytes (hash values are uniformly distributed).</summary>
    public override int GetHashCode() => BinaryPrimitives.ReadInt32LittleEndian(AsSpan());

    /// <summary>True if both hold the same 32 bytes.</summary>
    public static bool operator ==(Hash256 left, Hash256 right) => left.Equals(right);

    /// <summary>True if the two differ in any byte.</summary>
    public static bool operator !=(Hash256 left, Hash256 right) => !left.Equals(right);

    private static string Truncate(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 80), "…");

    [InlineArray(Length)]
    private struct Bytes32
    {
        private byte _element0;
    }
}
