using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Huren.Sdk.Merkle;

/// <summary>
/// The right frontier (compact range [0, size)) of an append-only RFC 9162 tree: one complete subtree hash per set
/// bit of the size, which is all that is needed to append leaves and to compute the current root. A log's writer
/// keeps one: each <see cref="Append(in Hash256, Span{MerkleSubtree})"/> reports the complete subtrees it creates, so
/// storage can persist every complete subtree (and then build any proof with <see cref="MerkleProofBuilder"/>), and
/// the frontier itself is persisted with <see cref="TryWrite"/> / <see cref="TryRead"/> so reopening a log needs no
/// rescan. Not thread-safe: one writer; give readers a <see cref="Clone"/>.
/// </summary>
public sealed class MerkleFrontier
{
    /// <summary>
    /// The most complete subtrees one append creates: the leaf itself plus one per level it completes (appending to
    /// a tree of 2^63 − 1 leaves completes 63 levels).
    /// </summary>
    public const int MaxCreatedPerAppend = 64;

    private const int SizeLength = sizeof(ulong);

    // _levels[L] is the hash of the frontier's subtree of width 2^L, valid only where bit L of Size is set.
    private readonly Hash256[] _levels = new Hash256[64];

    /// <summary>An empty tree.</summary>
    public MerkleFrontier()
    {
    }

    /// <summary>The number of leaves appended.</summary>
    public ulong Size { get; private set; }

    /// <summary>
    /// The frontier of the tree of <paramref name="size"/> leaves, from stored complete subtrees: one call of
    /// <paramref name="completeSubtree"/>(level, index) per set bit of <paramref name="size"/>.
    /// </summary>
    public static MerkleFrontier FromSubtrees(ulong size, Func<int, ulong, Hash256> completeSubtree)
    {
        ArgumentNullException.ThrowIfNull(completeSubtree);
        var frontier = new MerkleFrontier { Size = size };
        for (var remaining = size; remaining != 0; remaining &= remaining - 1)
        {
            var level = BitOperations.TrailingZeroCount(remaining);
            // The subtree of width 2^level ends at size with the lower bits cleared; it is the last one of its level.
            frontier._levels[level] = completeSubtree(level, (size >> level) - 1);
        }
        return frontier;
    }

    /// <summary>
    /// Appends a leaf hash and writes into <paramref name="created"/> the complete subtrees this append creates: the
    /// leaf (level 0, index = old size) first, then each parent it completes, lowest first. Returns how many were
    /// written (1 + the number of trailing one bits of the old size; <see cref="MaxCreatedPerAppend"/> at most).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="created"/> is too short for this append.</exception>
    /// <exception cref="InvalidOperationException">The tree already has 2^64 − 1 leaves.</exception>
    public int Append(in Hash256 leafHash, Span<MerkleSubtree> created)
    {
        var size = Size;
        if (size == ulong.MaxValue)
        {
            throw new InvalidOperationException("the tree is full (2^64 − 1 leaves)");
        }
        var count = 1 + BitOperations.TrailingZeroCount(~size);
        if (created.Length < count)
        {
            throw new ArgumentException($"appending leaf {size} creates {count} subtrees, the destination holds {created.Length}", nameof(created));
        }
        created[0] = new MerkleSubtree(0, size, leafHash);
        AppendCore(leafHash, created[1..count]);
        return count;
    }

    /// <summary>Appends a leaf hash, when storage does not need the subtrees it creates.</summary>
    /// <exception cref="InvalidOperationException">The tree already has 2^64 − 1 leaves.</exception>
    public void Append(in Hash256 leafHash)
    {
        if (Size == ulong.MaxValue)
        {
            throw new InvalidOperationException("the tree is full (2^64 − 1 leaves)");
        }
        AppendCore(leafHash, []);
    }

    /// <summary>The root of the tree: MTH of all appended leaves, <see cref="MerkleHash.EmptyRoot"/> when empty.</summary>
    public Hash256 Root()
    {
        var size = Size;
        if (size == 0)
        {
            return MerkleHash.EmptyRoot;
        }
        // Fold from the smallest (rightmost) subtree to the largest (leftmost).
        var level = BitOperations.TrailingZeroCount(size);
        Span<byte> root = stackalloc byte[Hash256.Length];
        _levels[level].CopyTo(root);
        for (var remaining = size & (size - 1); remaining != 0; remaining &= remaining - 1)
        {
            level = BitOperations.TrailingZeroCount(remaining);
            MerkleHash.NodeHash(_levels[level].AsSpan(), root, root);
        }
        return new Hash256(root);
    }

    /// <summary>The frontier's complete subtrees, left (largest) to right (smallest). Returns how many were written (at most 64).</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than the number of set bits of <see cref="Size"/>.</exception>
    public int GetSubtrees(Span<MerkleSubtree> destination)
    {
        var size = Size;
        var count = BitOperations.PopCount(size);
        if (destination.Length < count)
        {
            throw new ArgumentException($"destination holds {destination.Length} subtrees, the frontier has {count}", nameof(destination));
        }
        var written = 0;
        for (var level = 63; level >= 0; level--)
        {
            if ((size & (1UL << level)) != 0)
            {
                destination[written++] = new MerkleSubtree(level, (size >> level) - 1, _levels[level]);
            }
        }
        return written;
    }

    /// <summary>An independent copy.</summary>
    public MerkleFrontier Clone()
    {
        var copy = new MerkleFrontier { Size = Size };
        _levels.AsSpan().CopyTo(copy._levels);
        return copy;
    }

    /// <summary>
    /// The length of the persisted form: 8 bytes of size (big-endian) followed by the frontier's subtree hashes, left
    /// (largest) to right (smallest), 32 bytes each.
    /// </summary>
    public int SerializedLength => SizeLength + (BitOperations.PopCount(Size) * Hash256.Length);

    /// <summary>Writes the persisted form (see <see cref="SerializedLength"/>); false, writing nothing, if <paramref name="destination"/> is too short.</summary>
    public bool TryWrite(Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (destination.Length < SerializedLength)
        {
            return false;
        }
        var size = Size;
        BinaryPrimitives.WriteUInt64BigEndian(destination, size);
        var offset = SizeLength;
        for (var level = 63; level >= 0; level--)
        {
            if ((size & (1UL << level)) != 0)
            {
                _levels[level].CopyTo(destination[offset..]);
                offset += Hash256.Length;
            }
        }
        bytesWritten = offset;
        return true;
    }

    /// <summary>The persisted form as a new array (see <see cref="SerializedLength"/>).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[SerializedLength];
        TryWrite(bytes, out _);
        return bytes;
    }

    /// <summary>
    /// Reads the persisted form written by <see cref="TryWrite"/>; false if <paramref name="source"/> is not exactly
    /// 8 bytes of size followed by one 32-byte hash per set bit of that size.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, [NotNullWhen(true)] out MerkleFrontier? frontier)
    {
        frontier = null;
        if (source.Length < SizeLength)
        {
            return false;
        }
        var size = BinaryPrimitives.ReadUInt64BigEndian(source);
        if (source.Length != SizeLength + (BitOperations.PopCount(size) * Hash256.Length))
        {
            return false;
        }
        var result = new MerkleFrontier { Size = size };
        var offset = SizeLength;
        for (var level = 63; level >= 0; level--)
        {
            if ((size & (1UL << level)) != 0)
            {
                result._levels[level] = new Hash256(source.Slice(offset, Hash256.Length));
                offset += Hash256.Length;
            }
        }
        frontier = result;
        return true;
    }

    /// <summary>Reads the persisted form written by <see cref="TryWrite"/>.</summary>
    /// <exception cref="FormatException"><paramref name="source"/> is not a persisted frontier.</exception>
    public static MerkleFrontier Read(ReadOnlySpan<byte> source) =>
        TryRead(source, out var frontier)
            ? frontier
            : throw new FormatException($"{source.Length} bytes are not a Merkle frontier (8-byte big-endian size, then 32 bytes per set bit of the size)");

    /// <summary>
    /// Merges the new leaf with the subtrees it completes (one per trailing one bit of the old size), writing each
    /// completed parent into <paramref name="parents"/> if it is not empty.
    /// </summary>
    private void AppendCore(in Hash256 leafHash, Span<MerkleSubtree> parents)
    {
        var size = Size;
        var level = 0;
        if ((size & 1) == 0)
        {
            _levels[0] = leafHash;
        }
        else
        {
            Span<byte> carry = stackalloc byte[Hash256.Length];
            leafHash.CopyTo(carry);
            while ((size & (1UL << level)) != 0)
            {
                MerkleHash.NodeHash(_levels[level].AsSpan(), carry, carry);
                level++;
                if (!parents.IsEmpty)
                {
                    parents[level - 1] = new MerkleSubtree(level, size >> level, new Hash256(carry));
                }
            }
            _levels[level] = new Hash256(carry);
        }
        Size = size + 1;
    }
}
