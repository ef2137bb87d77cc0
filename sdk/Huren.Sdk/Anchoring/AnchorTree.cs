using Huren.Sdk.Merkle;

namespace Huren.Sdk.Anchoring;

/// <summary>
/// The RFC 9162 tree of an anchor: one <see cref="AnchorLeaf"/> per log, ordered by origin (ordinal), so one set of
/// checkpoints always gives one root. Its root is what the chain records. Immutable.
/// </summary>
public sealed class AnchorTree
{
    private readonly AnchorLeaf[] _leaves;
    private readonly MemoryMerkleTree _tree = new();

    private AnchorTree(AnchorLeaf[] leaves)
    {
        _leaves = leaves;
        foreach (var leaf in leaves) _tree.AppendLeafHash(leaf.LeafHash());
        Root = _tree.Root();
    }

    /// <summary>The leaves in tree order.</summary>
    public IReadOnlyList<AnchorLeaf> Leaves => _leaves;

    /// <summary>The root over the leaves.</summary>
    public Hash256 Root { get; }

    /// <summary>The tree over <paramref name="leaves"/>, sorted by origin.</summary>
    /// <exception cref="ArgumentException">No leaves, or two for one origin.</exception>
    public static AnchorTree Build(IEnumerable<AnchorLeaf> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var sorted = leaves.ToArray();
        if (sorted.Length == 0) throw new ArgumentException("an anchor needs at least one checkpoint", nameof(leaves));
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Origin, b.Origin));
        for (var i = 1; i < sorted.Length; i++)
        {
            if (string.Equals(sorted[i].Origin, sorted[i - 1].Origin, StringComparison.Ordinal))
                throw new ArgumentException($"two checkpoints for {sorted[i].Origin} in one anchor", nameof(leaves));
        }
        return new AnchorTree(sorted);
    }

    /// <summary>The position of <paramref name="origin"/>'s leaf, or -1.</summary>
    public int IndexOf(string origin)
    {
        for (var i = 0; i < _leaves.Length; i++)
        {
            if (string.Equals(_leaves[i].Origin, origin, StringComparison.Ordinal)) return i;
        }
        return -1;
    }

    /// <summary>The anchor proof of <paramref name="origin"/>'s leaf, recorded at <paramref name="chain"/>, optionally carrying the anchored note; null when no leaf is of that origin.</summary>
    public AnchorProof? ProofFor(string origin, AnchorChainLocation chain, string? note = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var index = IndexOf(origin);
        if (index < 0) return null;
        return new AnchorProof
        {
            Leaf = AnchorProofLeaf.From(_leaves[index]),
            LeafIndex = (ulong)index,
            LeafCount = (ulong)_leaves.Length,
            InclusionProof = [.. InclusionProof(index).Select(h => h.ToBase64())],
            AnchorRoot = Root.ToBase64(),
            Chain = chain,
            Note = note,
        };
    }

    /// <summary>The inclusion proof of leaf <paramref name="index"/>.</summary>
    public Hash256[] InclusionProof(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, _leaves.Length);
        return _tree.InclusionProof((ulong)index, (ulong)_leaves.Length);
    }
}
