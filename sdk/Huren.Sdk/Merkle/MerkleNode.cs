using System.Numerics;

namespace Huren.Sdk.Merkle;

/// <summary>
/// A node of an RFC 9162 tree, named by the leaves it covers: [<see cref="Start"/>, <see cref="End"/>). Its hash is
/// MTH(D[Start:End]).
/// <para>
/// A <em>complete subtree</em> (<see cref="IsComplete"/>) covers 2^<see cref="Level"/> leaves starting at a multiple
/// of 2^Level: it is the node (<see cref="Level"/>, <see cref="Index"/>) = [Index·2^Level, (Index+1)·2^Level), and
/// its hash never changes once the log has that many leaves, so storage keeps it. Any other node of a tree of size n
/// lies on the tree's right edge, [s, n) with s a multiple of a power of two ≥ n − s; its hash is computed from
/// O(log n) complete subtrees with <see cref="MerkleMath.RootOfRange"/>.
/// </para>
/// </summary>
public readonly struct MerkleNode : IEquatable<MerkleNode>
{
    /// <summary>The node covering leaves [<paramref name="start"/>, <paramref name="end"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="end"/> is not above <paramref name="start"/>.</exception>
    public MerkleNode(ulong start, ulong end)
    {
        if (end <= start)
        {
            throw new ArgumentOutOfRangeException(nameof(end), $"a node covers at least one leaf: [{start}, {end}) is empty");
        }
        Start = start;
        End = end;
    }

    /// <summary>The complete subtree at <paramref name="level"/> (0 = leaf) with <paramref name="index"/> among that level's nodes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The level is not 0–63, or the subtree would end beyond 2^64 − 1 leaves.</exception>
    public static MerkleNode Subtree(int level, ulong index)
    {
        if ((uint)level > 63)
        {
            throw new ArgumentOutOfRangeException(nameof(level), $"level {level} is not 0–63");
        }
        // Start = index·2^level and End = Start + 2^level must both fit: the largest tree has 2^64 − 1 leaves.
        var step = 1UL << level;
        if ((level > 0 && (index >> (64 - level)) != 0) || (index << level) > ulong.MaxValue - step)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"subtree (level {level}, index {index}) lies beyond 2^64 − 1 leaves");
        }
        var start = index << level;
        var end = start + step;
        return new MerkleNode(start, end);
    }

    /// <summary>The first leaf covered.</summary>
    public ulong Start { get; }

    /// <summary>One past the last leaf covered.</summary>
    public ulong End { get; }

    /// <summary>The number of leaves covered.</summary>
    public ulong Width => End - Start;

    /// <summary>True if this is a complete subtree: a power-of-two width starting at a multiple of that width.</summary>
    public bool IsComplete => BitOperations.IsPow2(Width) && (Start & (Width - 1)) == 0;

    /// <summary>The level of a complete subtree (log2 of its width; 0 for a leaf).</summary>
    /// <exception cref="InvalidOperationException">The node is not a complete subtree.</exception>
    public int Level => IsComplete
        ? BitOperations.Log2(Width)
        : throw new InvalidOperationException($"{this} is not a complete subtree and has no level");

    /// <summary>The index of a complete subtree among the nodes of its level (<see cref="Start"/> / 2^<see cref="Level"/>).</summary>
    /// <exception cref="InvalidOperationException">The node is not a complete subtree.</exception>
    public ulong Index => Start >> Level;

    /// <summary>True if both cover the same leaves.</summary>
    public bool Equals(MerkleNode other) => Start == other.Start && End == other.End;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MerkleNode other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Start, End);

    /// <summary>True if both cover the same leaves.</summary>
    public static bool operator ==(MerkleNode left, MerkleNode right) => left.Equals(right);

    /// <summary>True if they cover different leaves.</summary>
    public static bool operator !=(MerkleNode left, MerkleNode right) => !left.Equals(right);

    /// <summary><c>[start, end)</c>, followed by <c>(level L, index i)</c> for a complete subtree.</summary>
    public override string ToString() => IsComplete
        ? $"[{Start}, {End}) (level {BitOperations.Log2(Width)}, index {Start >> BitOperations.Log2(Width)})"
        : $"[{Start}, {End})";
}

/// <summary>The hash of the complete subtree (<see cref="Level"/>, <see cref="Index"/>), as storage persists it.</summary>
public readonly struct MerkleSubtree : IEquatable<MerkleSubtree>
{
    /// <summary>The subtree at <paramref name="level"/> and <paramref name="index"/> with its <paramref name="hash"/>.</summary>
    public MerkleSubtree(int level, ulong index, Hash256 hash)
    {
        Level = level;
        Index = index;
        Hash = hash;
    }

    /// <summary>The level (0 = leaf hash).</summary>
    public int Level { get; }

    /// <summary>The index among the subtrees of its level: it covers leaves [Index·2^Level, (Index+1)·2^Level).</summary>
    public ulong Index { get; }

    /// <summary>MTH of the leaves it covers.</summary>
    public Hash256 Hash { get; }

    /// <summary>The leaves it covers.</summary>
    public MerkleNode Node => MerkleNode.Subtree(Level, Index);

    /// <summary>True if level, index and hash are equal.</summary>
    public bool Equals(MerkleSubtree other) => Level == other.Level && Index == other.Index && Hash == other.Hash;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is MerkleSubtree other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Level, Index, Hash);

    /// <summary>True if level, index and hash are equal.</summary>
    public static bool operator ==(MerkleSubtree left, MerkleSubtree right) => left.Equals(right);

    /// <summary>True if level, index or hash differ.</summary>
    public static bool operator !=(MerkleSubtree left, MerkleSubtree right) => !left.Equals(right);

    /// <summary><c>(level L, index i) hash</c>.</summary>
    public override string ToString() => $"(level {Level}, index {Index}) {Hash}";
}
