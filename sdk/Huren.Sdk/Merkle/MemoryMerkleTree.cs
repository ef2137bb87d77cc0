namespace Huren.Sdk.Merkle;

/// <summary>
/// An in-memory RFC 9162 tree for tests, tools and small logs. It stores every complete subtree that
/// <see cref="MerkleFrontier"/> reports — the same model a persistent log uses — so roots at any size and proofs cost
/// O(log n) through <see cref="MerkleProofBuilder"/>. Not thread-safe.
/// </summary>
public sealed class MemoryMerkleTree
{
    // _levels[L][i] = hash of the complete subtree (level L, index i).
    private readonly List<List<Hash256>> _levels = [];
    private readonly MerkleFrontier _frontier = new();
    private readonly Func<int, ulong, Hash256> _lookup;

    /// <summary>An empty tree.</summary>
    public MemoryMerkleTree() => _lookup = SubtreeHash;

    /// <summary>The number of leaves.</summary>
    public ulong Size => _frontier.Size;

    /// <summary>The complete-subtree lookup for <see cref="MerkleProofBuilder"/> and <see cref="MerkleMath.RootOfRange"/>.</summary>
    public Func<int, ulong, Hash256> SubtreeLookup => _lookup;

    /// <summary>Appends a leaf (its bytes; the tree stores SHA-256(0x00 ‖ leaf)). Returns its index.</summary>
    public ulong Append(ReadOnlySpan<byte> leaf) => AppendLeafHash(MerkleHash.LeafHash(leaf));

    /// <summary>Appends a leaf by its leaf hash. Returns its index.</summary>
    public ulong AppendLeafHash(in Hash256 leafHash)
    {
        var index = _frontier.Size;
        if (index >= int.MaxValue)
        {
            throw new InvalidOperationException($"a {nameof(MemoryMerkleTree)} holds at most {int.MaxValue} leaves");
        }
        Span<MerkleSubtree> created = stackalloc MerkleSubtree[MerkleFrontier.MaxCreatedPerAppend];
        var count = _frontier.Append(leafHash, created);
        for (var i = 0; i < count; i++)
        {
            var subtree = created[i];
            if (_levels.Count == subtree.Level)
            {
                _levels.Add([]);
            }
            _levels[subtree.Level].Add(subtree.Hash);
        }
        return index;
    }

    /// <summary>The leaf hash at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not below <see cref="Size"/>.</exception>
    public Hash256 LeafHash(ulong index) => SubtreeHash(0, index);

    /// <summary>The hash of the complete subtree (<paramref name="level"/>, <paramref name="index"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The tree has no such complete subtree yet.</exception>
    public Hash256 SubtreeHash(int level, ulong index)
    {
        if ((uint)level >= (uint)_levels.Count || index >= (ulong)_levels[level].Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"no complete subtree (level {level}, index {index}) in a tree of {Size} leaves");
        }
        return _levels[level][(int)index];
    }

    /// <summary>The current root.</summary>
    public Hash256 Root() => _frontier.Root();

    /// <summary>The root of the tree of the first <paramref name="size"/> leaves.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is above <see cref="Size"/>.</exception>
    public Hash256 RootAt(ulong size)
    {
        CheckSize(size, nameof(size));
        return MerkleProofBuilder.Root(size, _lookup);
    }

    /// <summary>The inclusion proof of leaf <paramref name="index"/> in the tree of the first <paramref name="size"/> leaves.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is above <see cref="Size"/>, or <paramref name="index"/> not below it.</exception>
    public Hash256[] InclusionProof(ulong index, ulong size)
    {
        CheckSize(size, nameof(size));
        return MerkleProofBuilder.InclusionProof(index, size, _lookup);
    }

    /// <summary>The consistency proof from the first <paramref name="oldSize"/> leaves to the first <paramref name="newSize"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="newSize"/> is above <see cref="Size"/>, or <paramref name="oldSize"/> above it.</exception>
    public Hash256[] ConsistencyProof(ulong oldSize, ulong newSize)
    {
        CheckSize(newSize, nameof(newSize));
        return MerkleProofBuilder.ConsistencyProof(oldSize, newSize, _lookup);
    }

    /// <summary>A copy of the tree's frontier.</summary>
    public MerkleFrontier CopyFrontier() => _frontier.Clone();

    private void CheckSize(ulong size, string name)
    {
        if (size > Size)
        {
            throw new ArgumentOutOfRangeException(name, $"size {size} is above the tree's size {Size}");
        }
    }
}
