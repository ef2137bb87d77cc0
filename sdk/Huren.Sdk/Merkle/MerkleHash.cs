using System.Buffers;
using System.Security.Cryptography;

namespace Huren.Sdk.Merkle;

/// <summary>
/// The RFC 9162 §2.1.1 hashes with SHA-256: leaf hash = SHA-256(0x00 ‖ leaf bytes), interior node hash =
/// SHA-256(0x01 ‖ left ‖ right), and the empty tree's root = SHA-256 of the empty string. None of these allocate on
/// the heap except <see cref="LeafHash(ReadOnlySpan{byte})"/> for leaves over 1 KiB, which borrow a pooled buffer.
/// </summary>
public static class MerkleHash
{
    /// <summary>The domain-separation byte before a leaf's bytes.</summary>
    public const byte LeafPrefix = 0x00;

    /// <summary>The domain-separation byte before two child hashes.</summary>
    public const byte NodePrefix = 0x01;

    // Leaves up to this size are prefixed in a stack buffer; larger ones in a buffer rented from ArrayPool<byte>.Shared
    // and returned before the method returns (it never escapes).
    private const int StackLeafLimit = 1024;

    /// <summary>The root of the empty tree: SHA-256("") = e3b0c442…b855.</summary>
    public static Hash256 EmptyRoot { get; } = ComputeEmptyRoot();

    /// <summary>SHA-256(0x00 ‖ <paramref name="leaf"/>).</summary>
    public static Hash256 LeafHash(ReadOnlySpan<byte> leaf)
    {
        Span<byte> hash = stackalloc byte[Hash256.Length];
        LeafHash(leaf, hash);
        return new Hash256(hash);
    }

    /// <summary>Writes SHA-256(0x00 ‖ <paramref name="leaf"/>) into <paramref name="destination"/> (at least 32 bytes).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    public static void LeafHash(ReadOnlySpan<byte> leaf, Span<byte> destination)
    {
        CheckDestination(destination);
        var length = leaf.Length + 1;
        if (length <= StackLeafLimit)
        {
            Span<byte> buffer = stackalloc byte[StackLeafLimit];
            buffer[0] = LeafPrefix;
            leaf.CopyTo(buffer[1..]);
            SHA256.HashData(buffer[..length], destination);
            return;
        }
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            rented[0] = LeafPrefix;
            leaf.CopyTo(rented.AsSpan(1));
            SHA256.HashData(rented.AsSpan(0, length), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>SHA-256(0x01 ‖ <paramref name="left"/> ‖ <paramref name="right"/>).</summary>
    public static Hash256 NodeHash(in Hash256 left, in Hash256 right)
    {
        Span<byte> hash = stackalloc byte[Hash256.Length];
        NodeHash(left.AsSpan(), right.AsSpan(), hash);
        return new Hash256(hash);
    }

    /// <summary>
    /// Writes SHA-256(0x01 ‖ <paramref name="left"/> ‖ <paramref name="right"/>) into <paramref name="destination"/>
    /// (at least 32 bytes). <paramref name="destination"/> may overlap either input.
    /// </summary>
    /// <exception cref="ArgumentException">An input is not 32 bytes, or <paramref name="destination"/> is shorter than 32 bytes.</exception>
    public static void NodeHash(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right, Span<byte> destination)
    {
        if (left.Length != Hash256.Length) throw new ArgumentException($"left child hash is {left.Length} bytes, not {Hash256.Length}", nameof(left));
        if (right.Length != Hash256.Length) throw new ArgumentException($"right child hash is {right.Length} bytes, not {Hash256.Length}", nameof(right));
        CheckDestination(destination);
        Span<byte> buffer = stackalloc byte[1 + 2 * Hash256.Length];
        buffer[0] = NodePrefix;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + Hash256.Length)..]);
        SHA256.HashData(buffer, destination);
    }

    private static void CheckDestination(Span<byte> destination)
    {
        if (destination.Length < Hash256.Length)
        {
            throw new ArgumentException($"destination is {destination.Length} bytes, a hash needs {Hash256.Length}", nameof(destination));
        }
    }

    private static Hash256 ComputeEmptyRoot()
    {
        Span<byte> hash = stackalloc byte[Hash256.Length];
        SHA256.HashData([], hash);
        return new Hash256(hash);
    }
}
