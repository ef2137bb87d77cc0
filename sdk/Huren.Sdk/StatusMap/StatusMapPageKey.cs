using System.Buffers.Binary;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.StatusMap;

/// <summary>
/// Where a stored page lives: the version (log size) whose batch wrote it, the depth of the page's top node, and the
/// key bits above it (the prefix; bits from <see cref="Depth"/> on are zero). Pages never change once written, so a
/// key names one immutable value: caching pages by key is always safe. Byte form (for a key-value store):
/// version (8 bytes, big-endian) ‖ depth (1 byte) ‖ the first ⌈depth / 8⌉ prefix bytes — version first, so each
/// batch's pages are written at the end of the key space.
/// </summary>
public readonly struct StatusMapPageKey : IEquatable<StatusMapPageKey>
{
    /// <summary>The longest byte form: version, depth and 32 prefix bytes.</summary>
    public const int MaxEncodedLength = 8 + 1 + Hash256.Length;

    /// <summary>The key of the page whose top node is at <paramref name="depth"/> on the path of <paramref name="pathKey"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="depth"/> is not in 0…255.</exception>
    /// <exception cref="ArgumentException"><paramref name="pathKey"/> is not 32 bytes.</exception>
    public StatusMapPageKey(ulong version, int depth, ReadOnlySpan<byte> pathKey)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(depth, StatusMapHash.Depth - 1);
        if (pathKey.Length != Hash256.Length) throw new ArgumentException($"a key is {Hash256.Length} bytes, got {pathKey.Length}", nameof(pathKey));
        Span<byte> prefix = stackalloc byte[Hash256.Length];
        prefix.Clear();
        var whole = depth >> 3;
        pathKey[..whole].CopyTo(prefix);
        if ((depth & 7) != 0) prefix[whole] = (byte)(pathKey[whole] & (0xFF << (8 - (depth & 7))));
        Version = version;
        Depth = depth;
        Prefix = new Hash256(prefix);
    }

    /// <summary>The version (log size) whose batch wrote the page.</summary>
    public ulong Version { get; }

    /// <summary>Depth of the page's top node (a multiple of the page height).</summary>
    public int Depth { get; }

    /// <summary>The first <see cref="Depth"/> key bits of the page's path, the rest zero.</summary>
    public Hash256 Prefix { get; }

    /// <summary>Length of the byte form.</summary>
    public int EncodedLength => 9 + ((Depth + 7) >> 3);

    /// <summary>Writes the byte form; returns its length.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="EncodedLength"/>.</exception>
    public int WriteTo(Span<byte> destination)
    {
        var length = EncodedLength;
        if (destination.Length < length) throw new ArgumentException($"a page key needs {length} bytes", nameof(destination));
        BinaryPrimitives.WriteUInt64BigEndian(destination, Version);
        destination[8] = (byte)Depth;
        Prefix.AsSpan()[..(length - 9)].CopyTo(destination[9..]);
        return length;
    }

    /// <summary>The byte form as a new array.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[EncodedLength];
        WriteTo(bytes);
        return bytes;
    }

    /// <summary>Reads the byte form; false unless it is exactly one canonical key (prefix bits past the depth zero).</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out StatusMapPageKey key)
    {
        key = default;
        if (bytes.Length < 9) return false;
        var depth = (int)bytes[8];
        var prefixLength = (depth + 7) >> 3;
        if (bytes.Length != 9 + prefixLength) return false;
        Span<byte> path = stackalloc byte[Hash256.Length];
        path.Clear();
        bytes.Slice(9, prefixLength).CopyTo(path);
        key = new StatusMapPageKey(BinaryPrimitives.ReadUInt64BigEndian(bytes), depth, path);
        return key.Prefix.Equals(path);
    }

    /// <inheritdoc />
    public bool Equals(StatusMapPageKey other) => Version == other.Version && Depth == other.Depth && Prefix == other.Prefix;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is StatusMapPageKey other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Version, Depth, Prefix);

    /// <summary>Equal version, depth and prefix.</summary>
    public static bool operator ==(StatusMapPageKey left, StatusMapPageKey right) => left.Equals(right);

    /// <summary>Not <see cref="op_Equality"/>.</summary>
    public static bool operator !=(StatusMapPageKey left, StatusMapPageKey right) => !left.Equals(right);

    /// <summary>For logs: <c>v&lt;version&gt;/d&lt;depth&gt;/&lt;prefix hex&gt;</c>.</summary>
    public override string ToString() => $"v{Version}/d{Depth}/{Convert.ToHexStringLower(Prefix.AsSpan()[..((Depth + 7) >> 3)])}";
}
