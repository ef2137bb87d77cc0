using Huren.Node.Storage;
using Huren.Sdk.Merkle;

namespace Huren.Node.Logs;

/// <summary>
/// An RFC 9162 Merkle log over a <see cref="LogStore"/>. The store keeps the hash of every complete subtree, so the
/// root of any size and any inclusion or consistency proof cost O(log n) reads (the tree math is the SDK's, shared
/// with verifiers); the head (size and right frontier) is written in the same atomic batch as the leaves, so
/// reopening after a crash needs no rescan. Appends go through <see cref="BeginStaging"/>, <see cref="Stage"/> and
/// <see cref="Committed"/> from one writer (<see cref="LogAppender"/>); reads are thread-safe.
/// </summary>
public sealed class MerkleLog
{
    /// <summary>Length of every hash.</summary>
    public const int HashLength = Hash256.Length;

    private readonly LogStore _store;
    private readonly Func<int, ulong, Hash256> _subtree;
    private volatile MerkleFrontier _head;

    /// <summary>Opens the log kept in <paramref name="store"/> from its persisted head.</summary>
    /// <exception cref="InvalidDataException">The stored head does not parse.</exception>
    public MerkleLog(LogStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        Origin = store.Origin;
        _subtree = Node;
        _head = ReadHead(store);
        StatusMap = new LogStatusMap(store, _head.Size, store.GetLeaf);
    }

    /// <summary>The log's status map (record id → latest state entry), kept by every <see cref="LogAppender"/> of the log.</summary>
    public LogStatusMap StatusMap { get; }

    /// <summary>The log's origin line.</summary>
    public string Origin { get; }

    /// <summary>The storage.</summary>
    public LogStore Store => _store;

    /// <summary>The durable size.</summary>
    public ulong Size => _head.Size;

    /// <summary>The root of the durable tree.</summary>
    public byte[] Root => _head.Root().ToArray();

    /// <summary>SHA-256(0x00 ‖ leaf).</summary>
    public static byte[] HashLeaf(ReadOnlySpan<byte> leaf)
    {
        var hash = new byte[HashLength];
        MerkleHash.LeafHash(leaf, hash);
        return hash;
    }

    /// <summary>The leaf at <paramref name="index"/> if it is durable.</summary>
    public byte[]? GetLeaf(ulong index) => index < Size ? _store.GetLeaf(index) : null;

    /// <summary>The index of a durable leaf with this leaf hash.</summary>
    public bool TryFindLeaf(ReadOnlySpan<byte> leafHash, out ulong index) => _store.TryFindLeaf(leafHash, out index) && index < Size;

    /// <summary>The leaf hash at <paramref name="index"/>.</summary>
    public byte[] LeafHashAt(ulong index) => Node(0, index).ToArray();

    /// <summary>The root of the tree of the first <paramref name="size"/> leaves (size ≤ <see cref="Size"/>).</summary>
    public byte[] RootAt(ulong size)
    {
        if (size > Size) throw new ArgumentOutOfRangeException(nameof(size), $"size {size} is beyond the log's size {Size}");
        return MerkleProofBuilder.Root(size, _subtree).ToArray();
    }

    /// <summary>RFC 9162 §2.1.3.1 inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves.</summary>
    public List<byte[]> InclusionProof(ulong index, ulong size)
    {
        if (size > Size) throw new ArgumentOutOfRangeException(nameof(size), $"tree size {size} is beyond the log's size {Size}");
        if (index >= size) throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is not below tree size {size}");
        return ToList(MerkleProofBuilder.InclusionProof(index, size, _subtree));
    }

    /// <summary>RFC 9162 §2.1.4.1 consistency proof between sizes <paramref name="from"/> ≤ <paramref name="to"/>.</summary>
    public List<byte[]> ConsistencyProof(ulong from, ulong to)
    {
        if (to > Size) throw new ArgumentOutOfRangeException(nameof(to), $"size {to} is beyond the log's size {Size}");
        if (from > to) throw new ArgumentOutOfRangeException(nameof(from), $"old size {from} is larger than new size {to}");
        return ToList(MerkleProofBuilder.ConsistencyProof(from, to, _subtree));
    }

    /// <summary>Starts staging a batch into <paramref name="commit"/> (one writer at a time).</summary>
    public LogStaging BeginStaging(LogCommit commit)
    {
        commit.FirstIndex = Size;
        return new LogStaging(_head.Clone(), commit);
    }

    /// <summary>Adds the staged rows (leaves, subtree hashes, indexes, the new head) to <paramref name="batch"/>.</summary>
    public void Stage(LogStaging staging, StoreBatch batch)
    {
        ArgumentNullException.ThrowIfNull(staging);
        staging.Commit.Head = staging.Frontier.ToBytes();
        _store.Add(batch, staging.Commit);
    }

    /// <summary>The batch holding the staged rows is durable: readers now see the staged size.</summary>
    public void Committed(LogStaging staging)
    {
        ArgumentNullException.ThrowIfNull(staging);
        _head = staging.Frontier;
    }

    /// <summary>Writes the staged batch on its own (tests and tools; the node appends through <see cref="LogAppender"/>).</summary>
    public void Commit(LogStaging staging)
    {
        using var batch = _store.Store.CreateBatch();
        Stage(staging, batch);
        _store.Store.Write(batch);
        Committed(staging);
    }

    /// <summary>Re-reads the durable head (after a failed commit).</summary>
    public void Reload() => _head = ReadHead(_store);

    private static MerkleFrontier ReadHead(LogStore store)
    {
        var bytes = store.ReadHead();
        if (bytes is null || bytes.Length == 0) return new MerkleFrontier();
        return MerkleFrontier.TryRead(bytes, out var frontier) ? frontier : throw new InvalidDataException($"log head is corrupt ({bytes.Length} bytes)");
    }

    private Hash256 Node(int level, ulong index)
    {
        Span<byte> hash = stackalloc byte[HashLength];
        if (!_store.TryGetNode(level, index, hash))
            throw new InvalidDataException($"log {Origin} is missing tree node (level {level}, index {index})");
        return new Hash256(hash);
    }

    private static List<byte[]> ToList(Hash256[] hashes)
    {
        var list = new List<byte[]>(hashes.Length);
        foreach (var h in hashes) list.Add(h.ToArray());
        return list;
    }
}

/// <summary>A batch being staged: leaves appended to a copy of the frontier and to the pending commit.</summary>
public sealed class LogStaging
{
    private readonly MerkleSubtree[] _created = new MerkleSubtree[MerkleFrontier.MaxCreatedPerAppend];

    internal LogStaging(MerkleFrontier frontier, LogCommit commit)
    {
        Frontier = frontier;
        Commit = commit;
    }

    internal MerkleFrontier Frontier { get; }

    /// <summary>The commit being filled.</summary>
    public LogCommit Commit { get; }

    /// <summary>The index the next appended leaf gets.</summary>
    public ulong NextIndex => Frontier.Size;

    /// <summary>The staged tree's size.</summary>
    public ulong Size => Frontier.Size;

    /// <summary>The staged tree's root.</summary>
    public byte[] Root() => Frontier.Root().ToArray();

    /// <summary>Stages one leaf with its hash and the record id it is indexed under.</summary>
    public void Append(byte[] leaf, byte[] leafHash, string recordId)
    {
        var index = Frontier.Size;
        Commit.Leaves.Add(leaf);
        var count = Frontier.Append(new Hash256(leafHash), _created);
        for (var i = 0; i < count; i++) Commit.Nodes.Add((_created[i].Level, _created[i].Index, _created[i].Hash.ToArray()));
        if (recordId.Length > 0) Commit.RecordIndex.Add((recordId, index));
    }
}
