namespace Huren.Sdk.Merkle;

/// <summary>
/// Builds RFC 9162 roots, inclusion proofs and consistency proofs from stored complete subtrees — the hashes
/// <see cref="MerkleFrontier.Append(in Hash256, Span{MerkleSubtree})"/> reports — through a
/// <c>completeSubtree(level, index)</c> lookup. A root costs at most 64 lookups and a proof fewer than its length
/// plus 64 (see <see cref="MerkleMath"/>). The lookup should throw if storage lacks a subtree: a missing node is
/// corruption, not a proof failure.
/// </summary>
public static class MerkleProofBuilder
{
    /// <summary>The root of the tree of the first <paramref name="size"/> leaves; <see cref="MerkleHash.EmptyRoot"/> for 0.</summary>
    public static Hash256 Root(ulong size, Func<int, ulong, Hash256> completeSubtree)
    {
        ArgumentNullException.ThrowIfNull(completeSubtree);
        return size == 0 ? MerkleHash.EmptyRoot : MerkleMath.RootOfRange(0, size, completeSubtree);
    }

    /// <summary>The hash of one tree node (a complete subtree or a right-edge range).</summary>
    public static Hash256 NodeHash(MerkleNode node, Func<int, ulong, Hash256> completeSubtree) =>
        MerkleMath.RootOfRange(node.Start, node.End, completeSubtree);

    /// <summary>
    /// Writes the inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves into
    /// <paramref name="destination"/> (64 hashes always suffice). Returns how many were written.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <paramref name="size"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static int InclusionProof(ulong index, ulong size, Func<int, ulong, Hash256> completeSubtree, Span<Hash256> destination)
    {
        ArgumentNullException.ThrowIfNull(completeSubtree);
        Span<MerkleNode> nodes = stackalloc MerkleNode[MerkleMath.MaxProofLength];
        var count = MerkleMath.InclusionProofNodes(index, size, nodes);
        return Resolve(nodes[..count], completeSubtree, destination);
    }

    /// <summary>The inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves, as a new array.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <paramref name="size"/>.</exception>
    public static Hash256[] InclusionProof(ulong index, ulong size, Func<int, ulong, Hash256> completeSubtree)
    {
        Span<Hash256> proof = stackalloc Hash256[MerkleMath.MaxProofLength];
        return proof[..InclusionProof(index, size, completeSubtree, proof)].ToArray();
    }

    /// <summary>
    /// Writes the consistency proof from the tree of <paramref name="oldSize"/> leaves to the tree of
    /// <paramref name="newSize"/> leaves into <paramref name="destination"/> (65 hashes always suffice); empty when
    /// <paramref name="oldSize"/> is 0 or equals <paramref name="newSize"/>. Returns how many were written.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="oldSize"/> is above <paramref name="newSize"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public static int ConsistencyProof(ulong oldSize, ulong newSize, Func<int, ulong, Hash256> completeSubtree, Span<Hash256> destination)
    {
        ArgumentNullException.ThrowIfNull(completeSubtree);
        Span<MerkleNode> nodes = stackalloc MerkleNode[MerkleMath.MaxProofLength];
        var count = MerkleMath.ConsistencyProofNodes(oldSize, newSize, nodes);
        return Resolve(nodes[..count], completeSubtree, destination);
    }

    /// <summary>The consistency proof from <paramref name="oldSize"/> to <paramref name="newSize"/> leaves, as a new array.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="oldSize"/> is above <paramref name="newSize"/>.</exception>
    public static Hash256[] ConsistencyProof(ulong oldSize, ulong newSize, Func<int, ulong, Hash256> completeSubtree)
    {
        Span<Hash256> proof = stackalloc Hash256[MerkleMath.MaxProofLength];
        return proof[..ConsistencyProof(oldSize, newSize, completeSubtree, proof)].ToArray();
    }

    private static int Resolve(ReadOnlySpan<MerkleNode> nodes, Func<int, ulong, Hash256> completeSubtree, Span<Hash256> destination)
    {
        if (destination.Length < nodes.Length)
        {
            throw new ArgumentException($"destination holds {destination.Length} hashes, the proof has {nodes.Length}", nameof(destination));
        }
        for (var i = 0; i < nodes.Length; i++)
        {
            var node = nodes[i];
            destination[i] = node.IsComplete
                ? completeSubtree(node.Level, node.Index)
                : MerkleMath.RootOfRange(node.Start, node.End, completeSubtree);
        }
        return nodes.Length;
    }
}
