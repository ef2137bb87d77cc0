using System.Numerics;

namespace Huren.Sdk.Merkle;

/// <summary>
/// The shape of RFC 9162 §2.1 trees, shared by the node (which builds proofs) and verifiers: which nodes an inclusion
/// or consistency proof is made of, and how to hash a node from stored complete subtrees.
/// <para>
/// Storage model: a log keeps the hash of every complete subtree (level L, index i), covering leaves
/// [i·2^L, (i+1)·2^L), as <see cref="MerkleFrontier.Append(in Hash256, Span{MerkleSubtree})"/> reports them. Every
/// node of a proof is either such a subtree (one read) or a right-edge node of a tree whose size is not a power of
/// two, computed by <see cref="RootOfRange"/> from at most 64 subtrees. At most one node of any proof is of the second
/// kind, so a proof costs fewer than (proof length + 64) reads and a root at most 64: O(log n).
/// </para>
/// </summary>
public static class MerkleMath
{
    /// <summary>
    /// No valid inclusion or consistency proof in a tree of fewer than 2^64 leaves has more elements (inclusion
    /// proofs have at most 64, consistency proofs at most 65).
    /// </summary>
    public const int MaxProofLength = 65;

    /// <summary>The largest number of complete subtrees <see cref="CompleteSubtrees"/> returns (one per bit of the width).</summary>
    public const int MaxRangeParts = 64;

    private const int MaxDepth = 64;

    /// <summary>k in RFC 9162 §2.1.1: the largest power of two smaller than <paramref name="n"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 2.</exception>
    public static ulong LargestPowerOfTwoBelow(ulong n)
    {
        if (n < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(n), $"no power of two is smaller than {n} (the tree must have at least 2 leaves to split)");
        }
        return 1UL << BitOperations.Log2(n - 1);
    }

    /// <summary>
    /// True if [<paramref name="start"/>, <paramref name="end"/>) is a node of some RFC 9162 tree: it is not empty and
    /// <paramref name="start"/> is a multiple of the smallest power of two ≥ its width. Complete subtrees, every root
    /// [0, n) and every right-edge node are such ranges.
    /// </summary>
    public static bool IsTreeNode(ulong start, ulong end)
    {
        if (end <= start)
        {
            return false;
        }
        var width = end - start;
        var ceiling = BitOperations.RoundUpToPowerOf2(width);
        // Widths above 2^63 round up to 2^64, which wraps to 0: only start 0 fits.
        return ceiling == 0 ? start == 0 : (start & (ceiling - 1)) == 0;
    }

    /// <summary>
    /// The complete subtrees that make up the tree node [<paramref name="start"/>, <paramref name="end"/>), left to
    /// right and largest first (one per set bit of the width); MTH of the node folds them from the right:
    /// H(p0, H(p1, … H(pk−1, pk))). Returns how many were written.
    /// </summary>
    /// <exception cref="ArgumentException">The range is not a tree node (<see cref="IsTreeNode"/>), or <paramref name="destination"/> is too short.</exception>
    public static int CompleteSubtrees(ulong start, ulong end, Span<MerkleNode> destination)
    {
        if (!IsTreeNode(start, end))
        {
            throw new ArgumentException($"[{start}, {end}) is not a node of an RFC 9162 tree (start must be a multiple of a power of two ≥ the width)", nameof(start));
        }
        var width = end - start;
        var parts = BitOperations.PopCount(width);
        if (destination.Length < parts)
        {
            throw new ArgumentException($"destination holds {destination.Length} nodes, [{start}, {end}) has {parts} parts", nameof(destination));
        }
        var count = 0;
        for (var level = BitOperations.Log2(width); level >= 0; level--)
        {
            var step = 1UL << level;
            if ((width & step) != 0)
            {
                destination[count++] = new MerkleNode(start, start + step);
                start += step;
            }
        }
        return count;
    }

    /// <summary>
    /// MTH(D[<paramref name="start"/>:<paramref name="end"/>]) for a tree node, from the hashes of its complete
    /// subtrees: one call of <paramref name="completeSubtree"/>(level, index) per set bit of the width (at most 64).
    /// </summary>
    /// <exception cref="ArgumentException">The range is not a tree node (<see cref="IsTreeNode"/>).</exception>
    public static Hash256 RootOfRange(ulong start, ulong end, Func<int, ulong, Hash256> completeSubtree)
    {
        ArgumentNullException.ThrowIfNull(completeSubtree);
        Span<MerkleNode> parts = stackalloc MerkleNode[MaxRangeParts];
        var count = CompleteSubtrees(start, end, parts);
        var last = parts[count - 1];
        var hash = completeSubtree(last.Level, last.Index);
        for (var i = count - 2; i >= 0; i--)
        {
            var part = parts[i];
            hash = MerkleHash.NodeHash(completeSubtree(part.Level, part.Index), hash);
        }
        return hash;
    }

    /// <summary>
    /// The nodes whose hashes make the inclusion proof of leaf <paramref name="index"/> in the tree of
    /// <paramref name="size"/> leaves (RFC 9162 §2.1.3.1 PATH), in proof order: from the leaf's sibling up to the
    /// root's child. Returns how many were written (at most 64).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <paramref name="size"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static int InclusionProofNodes(ulong index, ulong size, Span<MerkleNode> destination)
    {
        if (index >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"leaf index {index} is not below tree size {size}");
        }
        // Walk down from the root as PATH recurses; siblings come out top-down, the proof lists them bottom-up.
        Span<MerkleNode> topDown = stackalloc MerkleNode[MaxDepth];
        var count = 0;
        ulong start = 0, end = size;
        while (end - start > 1)
        {
            var middle = start + LargestPowerOfTwoBelow(end - start);
            if (index < middle)
            {
                topDown[count++] = new MerkleNode(middle, end);
                end = middle;
            }
            else
            {
                topDown[count++] = new MerkleNode(start, middle);
                start = middle;
            }
        }
        return ReverseInto(topDown[..count], hasFirst: false, default, destination);
    }

    /// <summary>The nodes of the inclusion proof of leaf <paramref name="index"/> in a tree of <paramref name="size"/> leaves, as a new array.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <paramref name="size"/>.</exception>
    public static MerkleNode[] InclusionProofNodes(ulong index, ulong size)
    {
        Span<MerkleNode> nodes = stackalloc MerkleNode[MaxProofLength];
        return nodes[..InclusionProofNodes(index, size, nodes)].ToArray();
    }

    /// <summary>The number of hashes in the inclusion proof of leaf <paramref name="index"/> in a tree of <paramref name="size"/> leaves.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <paramref name="size"/>.</exception>
    public static int InclusionProofLength(ulong index, ulong size)
    {
        Span<MerkleNode> nodes = stackalloc MerkleNode[MaxProofLength];
        return InclusionProofNodes(index, size, nodes);
    }

    /// <summary>
    /// The nodes whose hashes make the consistency proof from the tree of <paramref name="oldSize"/> leaves to the tree
    /// of <paramref name="newSize"/> leaves (RFC 9162 §2.1.4.1 PROOF / SUBPROOF), in proof order. Empty when
    /// <paramref name="oldSize"/> is 0 or equals <paramref name="newSize"/>. Returns how many were written (at most 65).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="oldSize"/> is above <paramref name="newSize"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static int ConsistencyProofNodes(ulong oldSize, ulong newSize, Span<MerkleNode> destination)
    {
        if (oldSize > newSize)
        {
            throw new ArgumentOutOfRangeException(nameof(oldSize), $"old size {oldSize} is above new size {newSize}");
        }
        if (oldSize == 0 || oldSize == newSize)
        {
            return 0;
        }
        // SUBPROOF(m, D[start:end], b) in absolute leaf numbers; siblings come out top-down.
        Span<MerkleNode> topDown = stackalloc MerkleNode[MaxDepth];
        var count = 0;
        ulong start = 0, end = newSize;
        var isWholeOldTree = true;
        MerkleNode terminal = default;
        while (true)
        {
            if (oldSize == end)
            {
                // SUBPROOF(m, D[m], true) = {} (the verifier knows the old root); with b = false the node itself.
                if (!isWholeOldTree)
                {
                    terminal = new MerkleNode(start, end);
                }
                break;
            }
            var middle = start + LargestPowerOfTwoBelow(end - start);
            if (oldSize <= middle)
            {
                topDown[count++] = new MerkleNode(middle, end);
                end = middle;
            }
            else
            {
                topDown[count++] = new MerkleNode(start, middle);
                start = middle;
                isWholeOldTree = false;
            }
        }
        return ReverseInto(topDown[..count], !isWholeOldTree, terminal, destination);
    }

    /// <summary>The nodes of the consistency proof from <paramref name="oldSize"/> to <paramref name="newSize"/> leaves, as a new array.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="oldSize"/> is above <paramref name="newSize"/>.</exception>
    public static MerkleNode[] ConsistencyProofNodes(ulong oldSize, ulong newSize)
    {
        Span<MerkleNode> nodes = stackalloc MerkleNode[MaxProofLength];
        return nodes[..ConsistencyProofNodes(oldSize, newSize, nodes)].ToArray();
    }

    /// <summary>The number of hashes in the consistency proof from <paramref name="oldSize"/> to <paramref name="newSize"/> leaves.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="oldSize"/> is above <paramref name="newSize"/>.</exception>
    public static int ConsistencyProofLength(ulong oldSize, ulong newSize)
    {
        Span<MerkleNode> nodes = stackalloc MerkleNode[MaxProofLength];
        return ConsistencyProofNodes(oldSize, newSize, nodes);
    }

    /// <summary>
    /// MTH of the leaf hashes (RFC 9162 §2.1.1), by the definition's recursion; the empty list gives
    /// <see cref="MerkleHash.EmptyRoot"/>. A reference for tests and small trees: O(n) hashes, no storage.
    /// </summary>
    public static Hash256 ComputeRoot(IReadOnlyList<Hash256> leafHashes)
    {
        ArgumentNullException.ThrowIfNull(leafHashes);
        return leafHashes.Count == 0 ? MerkleHash.EmptyRoot : Mth(leafHashes, 0, leafHashes.Count);
    }

    /// <summary>MTH of the leaf hashes (RFC 9162 §2.1.1); the empty span gives <see cref="MerkleHash.EmptyRoot"/>.</summary>
    public static Hash256 ComputeRoot(ReadOnlySpan<Hash256> leafHashes) =>
        leafHashes.IsEmpty ? MerkleHash.EmptyRoot : Mth(leafHashes);

    private static Hash256 Mth(IReadOnlyList<Hash256> leaves, int start, int end)
    {
        if (end - start == 1)
        {
            return leaves[start];
        }
        var middle = start + (int)LargestPowerOfTwoBelow((ulong)(end - start));
        return MerkleHash.NodeHash(Mth(leaves, start, middle), Mth(leaves, middle, end));
    }

    private static Hash256 Mth(ReadOnlySpan<Hash256> leaves)
    {
        if (leaves.Length == 1)
        {
            return leaves[0];
        }
        var k = (int)LargestPowerOfTwoBelow((ulong)leaves.Length);
        return MerkleHash.NodeHash(Mth(leaves[..k]), Mth(leaves[k..]));
    }

    /// <summary>Writes <paramref name="first"/> if <paramref name="hasFirst"/>, then <paramref name="topDown"/> reversed.</summary>
    private static int ReverseInto(ReadOnlySpan<MerkleNode> topDown, bool hasFirst, MerkleNode first, Span<MerkleNode> destination)
    {
        var total = topDown.Length + (hasFirst ? 1 : 0);
        if (destination.Length < total)
        {
            throw new ArgumentException($"destination holds {destination.Length} nodes, the proof has {total}", nameof(destination));
        }
        var written = 0;
        if (hasFirst)
        {
            destination[written++] = first;
        }
        for (var i = topDown.Length - 1; i >= 0; i--)
        {
            destination[written++] = topDown[i];
        }
        return written;
    }
}
