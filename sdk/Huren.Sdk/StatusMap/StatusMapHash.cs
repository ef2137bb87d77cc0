using System.Security.Cryptography;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.StatusMap;

/// <summary>
/// The status map's hashes (docs/status-map.md, "Hashes"): leaf = SHA-256(0x02 ‖ key ‖ value), interior node =
/// SHA-256(0x03 ‖ left ‖ right), empty subtree at depth 256 = SHA-256(0x04) and at depth d &lt; 256 the interior hash
/// of two empty subtrees of depth d + 1. The prefixes differ from RFC 9162's 0x00 (log leaf) and 0x01 (log node), so no
/// map hash can stand for a log hash or the reverse. No heap allocation.
/// </summary>
public static class StatusMapHash
{
    /// <summary>The domain-separation byte before a leaf's key and value.</summary>
    public const byte LeafPrefix = 0x02;

    /// <summary>The domain-separation byte before two child hashes.</summary>
    public const byte NodePrefix = 0x03;

    /// <summary>The single byte hashed for the empty subtree at depth 256.</summary>
    public const byte EmptyPrefix = 0x04;

    /// <summary>Number of levels below the root: keys are 256 bits.</summary>
    public const int Depth = 256;

    [ThreadStatic] private static IncrementalHash? t_sha256;

    // E[0..256], 32 bytes each, computed once (257 hashes at type load).
    private static readonly byte[] s_empty = ComputeEmpty();

    /// <summary>The hash of an empty subtree whose root is at <paramref name="depth"/> (0 = the whole map, 256 = one key).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="depth"/> is not in 0…256.</exception>
    public static Hash256 Empty(int depth) => new(EmptySpan(depth));

    /// <summary>As <see cref="Empty(int)"/>, without copying.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="depth"/> is not in 0…256.</exception>
    public static ReadOnlySpan<byte> EmptySpan(int depth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(depth, Depth);
        return s_empty.AsSpan(depth * Hash256.Length, Hash256.Length);
    }

    /// <summary>The root of the empty map, E[0].</summary>
    public static Hash256 EmptyRoot => Empty(0);

    /// <summary>SHA-256(0x02 ‖ <paramref name="key"/> ‖ <paramref name="value"/>).</summary>
    public static Hash256 LeafHash(in Hash256 key, in Hash256 value)
    {
        Span<byte> hash = stackalloc byte[Hash256.Length];
        Hash(LeafPrefix, key.AsSpan(), value.AsSpan(), hash);
        return new Hash256(hash);
    }

    /// <summary>Writes SHA-256(0x02 ‖ key ‖ value) into <paramref name="destination"/>; inputs are 32 bytes each.</summary>
    /// <exception cref="ArgumentException">An input is not 32 bytes or <paramref name="destination"/> is shorter.</exception>
    public static void LeafHash(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value, Span<byte> destination) =>
        Hash(LeafPrefix, key, value, destination);

    /// <summary>SHA-256(0x03 ‖ <paramref name="left"/> ‖ <paramref name="right"/>).</summary>
    public static Hash256 NodeHash(in Hash256 left, in Hash256 right)
    {
        Span<byte> hash = stackalloc byte[Hash256.Length];
        Hash(NodePrefix, left.AsSpan(), right.AsSpan(), hash);
        return new Hash256(hash);
    }

    /// <summary>
    /// Writes SHA-256(0x03 ‖ left ‖ right) into <paramref name="destination"/>, which may overlap either input.
    /// </summary>
    /// <exception cref="ArgumentException">An input is not 32 bytes or <paramref name="destination"/> is shorter.</exception>
    public static void NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination) =>
        Hash(NodePrefix, left, right, destination);

    private static void Hash(byte prefix, ReadOnlySpan<byte> first, ReadOnlySpan<byte> second, Span<byte> destination)
    {
        if (first.Length != Hash256.Length || second.Length != Hash256.Length)
        {
            throw new ArgumentException($"status-map hash inputs are {Hash256.Length} bytes, got {first.Length} and {second.Length}");
        }
        if (destination.Length < Hash256.Length)
        {
            throw new ArgumentException($"destination is {destination.Length} bytes, a hash needs {Hash256.Length}", nameof(destination));
        }
        Span<byte> buffer = stackalloc byte[1 + 2 * Hash256.Length];
        buffer[0] = prefix;
        first.CopyTo(buffer[1..]);
        second.CopyTo(buffer[(1 + Hash256.Length)..]);
        // A reused hash object per thread: about a fifth cheaper than SHA256.HashData for 65 bytes here, and map
        // updates are mostly hashing.
        var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(buffer);
        sha256.GetHashAndReset(destination);
    }

    private static byte[] ComputeEmpty()
    {
        var table = new byte[(Depth + 1) * Hash256.Length];
        SHA256.HashData([EmptyPrefix], table.AsSpan(Depth * Hash256.Length, Hash256.Length));
        for (var d = Depth - 1; d >= 0; d--)
        {
            var below = table.AsSpan((d + 1) * Hash256.Length, Hash256.Length);
            Hash(NodePrefix, below, below, table.AsSpan(d * Hash256.Length, Hash256.Length));
        }
        return table;
    }
}
