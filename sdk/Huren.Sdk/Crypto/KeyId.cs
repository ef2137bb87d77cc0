using System.Security.Cryptography;

namespace Huren.Sdk.Crypto;

/// <summary>
/// A stable key identifier: SHA-256 of the key's DER SubjectPublicKeyInfo (the RFC 7093 method 4 idea, full length).
/// The same public key always has the same id, whatever file or encoding it came from.
/// </summary>
public readonly struct KeyId : IEquatable<KeyId>
{
    /// <summary>Length of a key id in bytes.</summary>
    public const int Length = 32;

    private readonly byte[]? _bytes;

    private KeyId(byte[] bytes) => _bytes = bytes;

    /// <summary>The id's bytes (32); empty for <c>default</c>.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Whether this is the default (unset) id.</summary>
    public bool IsEmpty => _bytes is null;

    /// <summary>Derives the id of a DER SubjectPublicKeyInfo.</summary>
    public static KeyId FromSubjectPublicKeyInfo(ReadOnlySpan<byte> spki) => new(SHA256.HashData(spki));

    /// <summary>Wraps 32 id bytes, as stored in a <c>SignedEntry</c>.</summary>
    /// <exception cref="ArgumentException">The span is not 32 bytes.</exception>
    public static KeyId FromBytes(ReadOnlySpan<byte> bytes)
        => bytes.Length == Length ? new KeyId(bytes.ToArray()) : throw new ArgumentException($"a key id is {Length} bytes, got {bytes.Length}", nameof(bytes));

    /// <summary>Parses 64 hex digits.</summary>
    public static bool TryParse(string? hex, out KeyId id)
    {
        id = default;
        if (hex is null || hex.Length != Length * 2) return false;
        try
        {
            id = new KeyId(Convert.FromHexString(hex));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>Parses 64 hex digits or throws <see cref="FormatException"/>.</summary>
    public static KeyId Parse(string hex) => TryParse(hex, out var id) ? id : throw new FormatException($"not a key id (64 hex digits): '{hex}'");

    /// <summary>Whether <paramref name="bytes"/> are this id's bytes.</summary>
    public bool Matches(ReadOnlySpan<byte> bytes) => _bytes is not null && bytes.SequenceEqual(_bytes);

    /// <inheritdoc/>
    public bool Equals(KeyId other) => Bytes.SequenceEqual(other.Bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is KeyId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _bytes is null ? 0 : BitConverter.ToInt32(_bytes, 0);

    /// <summary>Lowercase hex.</summary>
    public override string ToString() => _bytes is null ? "" : Convert.ToHexStringLower(_bytes);

    /// <summary>Equality.</summary>
    public static bool operator ==(KeyId left, KeyId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(KeyId left, KeyId right) => !left.Equals(right);
}
