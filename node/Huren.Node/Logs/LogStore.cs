using System.Buffers.Binary;
using System.Text;
using Huren.Node.Storage;

namespace Huren.Node.Logs;

/// <summary>
/// The key spaces of one city log (the node's own, or a mirror of another city's), all named by its origin: leaves,
/// complete-subtree hashes, the leaf-hash index, the record index, checkpoints and the head. Rows of an append are
/// added to the caller's <see cref="StoreBatch"/> (<see cref="Add"/>), so whatever else the batch carries (ledger
/// state, a checkpoint) is written in the same atomic write. Thread-safe.
/// </summary>
public sealed class LogStore
{
    private static readonly byte[] HeadKey = "head"u8.ToArray();

    private readonly KeySpace _entries;
    private readonly KeySpace _nodes;
    private readonly KeySpace _leafIndex;
    private readonly KeySpace _records;
    private readonly KeySpace _checkpoints;
    private readonly KeySpace _meta;

    /// <summary>The log <paramref name="origin"/> in <paramref name="store"/>.</summary>
    public LogStore(IKeyValueStore store, string origin)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        Origin = origin;
        _entries = new KeySpace(store, StoreFamily.Entries, origin);
        _nodes = new KeySpace(store, StoreFamily.Nodes, origin);
        _leafIndex = new KeySpace(store, StoreFamily.LeafIndex, origin);
        _records = new KeySpace(store, StoreFamily.Records, origin);
        _checkpoints = new KeySpace(store, StoreFamily.Checkpoints, origin);
        _meta = new KeySpace(store, StoreFamily.Meta, origin);
        State = new KeySpace(store, StoreFamily.State, origin);
    }

    /// <summary>The log's origin (the name of each of its key spaces).</summary>
    public string Origin { get; }

    /// <summary>The store the log lives in.</summary>
    public IKeyValueStore Store { get; }

    /// <summary>The key space of the log's derived state rows (the ledger's), beside the log's own.</summary>
    public KeySpace State { get; }

    /// <summary>The persisted head (size and Merkle frontier), or null for an empty log.</summary>
    public byte[]? ReadHead() => _meta.Get(HeadKey);

    /// <summary>The leaf (exact SignedEntry bytes) at <paramref name="index"/>, or null.</summary>
    public byte[]? GetLeaf(ulong index)
    {
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, index);
        return _entries.Get(key);
    }

    /// <summary>The hash of the complete subtree at (<paramref name="level"/>, <paramref name="index"/>); level 0 is leaf hashes.</summary>
    public bool TryGetNode(int level, ulong index, Span<byte> hash)
    {
        Span<byte> key = stackalloc byte[9];
        NodeKey(key, level, index);
        var value = _nodes.Get(key);
        if (value is null || value.Length != hash.Length) return false;
        value.CopyTo(hash);
        return true;
    }

    /// <summary>The index of the leaf whose leaf hash is <paramref name="leafHash"/>, if stored.</summary>
    public bool TryFindLeaf(ReadOnlySpan<byte> leafHash, out ulong index)
    {
        var value = _leafIndex.Get(leafHash);
        index = value is { Length: 8 } ? BinaryPrimitives.ReadUInt64BigEndian(value) : 0;
        return value is { Length: 8 };
    }

    /// <summary>
    /// Indexes of the entries whose record id is <paramref name="recordId"/>, in log order from <paramref name="from"/>
    /// on; read lazily, for a page at a time.
    /// </summary>
    public IEnumerable<ulong> RecordIndexesFrom(string recordId, ulong from = 0)
    {
        var prefix = RecordPrefix(recordId);
        var start = new byte[prefix.Length + 8];
        prefix.CopyTo(start, 0);
        BinaryPrimitives.WriteUInt64BigEndian(start.AsSpan(prefix.Length), from);
        foreach (var row in _records.Scan(prefix, start))
        {
            if (row.Key.Length == prefix.Length + 8) yield return BinaryPrimitives.ReadUInt64BigEndian(row.Key.AsSpan(prefix.Length));
        }
    }

    /// <summary>The signed checkpoint note stored for <paramref name="size"/>, or null.</summary>
    public byte[]? GetCheckpoint(ulong size)
    {
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, size);
        return _checkpoints.Get(key);
    }

    /// <summary>The smallest size ≥ <paramref name="size"/> with a stored checkpoint, or null: one seek, where a follower's stream would otherwise ask entry by entry.</summary>
    public ulong? NextCheckpointSize(ulong size)
    {
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, size);
        foreach (var row in _checkpoints.ScanFrom(key))
        {
            if (row.Key.Length == 8) return BinaryPrimitives.ReadUInt64BigEndian(row.Key);
        }
        return null;
    }

    /// <summary>The stored checkpoint of the largest size below <paramref name="size"/>, or null.</summary>
    public (ulong Size, byte[] Note)? GetCheckpointBelow(ulong size)
    {
        if (size == 0) return null;
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, size - 1);
        return _checkpoints.LastAtOrBelow(key) is { } row && row.Key.Length == 8 ? (BinaryPrimitives.ReadUInt64BigEndian(row.Key), row.Value) : null;
    }

    /// <summary>The checkpoint of the largest size, or null.</summary>
    public (ulong Size, byte[] Note)? GetLatestCheckpoint()
        => _checkpoints.Last() is { } row && row.Key.Length == 8 ? (BinaryPrimitives.ReadUInt64BigEndian(row.Key), row.Value) : null;

    /// <summary>Adds a checkpoint note for <paramref name="size"/> to <paramref name="batch"/>.</summary>
    public void PutCheckpoint(StoreBatch batch, ulong size, byte[] note)
    {
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, size);
        _checkpoints.Put(batch, key, note);
    }

    /// <summary>Stores a checkpoint note for a durable size on its own (one synced write): a timer's checkpoint, or a note with more cosignatures.</summary>
    public void PutCheckpoint(ulong size, byte[] note)
    {
        using var batch = Store.CreateBatch();
        PutCheckpoint(batch, size, note);
        Store.Write(batch);
        _storedAlone = new StoredNote(size, note);
    }

    /// <summary>The note last stored on its own (<see cref="PutCheckpoint(ulong, byte[])"/>) since start: what <c>Follow</c> sends again when it gained cosignatures for a size already sent.</summary>
    public (ulong Size, byte[] Note)? LastStoredAlone => _storedAlone is { } stored ? (stored.Size, stored.Note) : null;

    private volatile StoredNote? _storedAlone;

    private sealed record StoredNote(ulong Size, byte[] Note);

    /// <summary>Adds the rows of <paramref name="commit"/> (leaves, subtree hashes, indexes, head) to <paramref name="batch"/>.</summary>
    public void Add(StoreBatch batch, LogCommit commit)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(commit);
        Span<byte> key = stackalloc byte[9];
        var index = commit.FirstIndex;
        foreach (var leaf in commit.Leaves)
        {
            BinaryPrimitives.WriteUInt64BigEndian(key, index++);
            _entries.Put(batch, key[..8], leaf);
        }
        Span<byte> indexBytes = stackalloc byte[8];
        foreach (var (level, nodeIndex, hash) in commit.Nodes)
        {
            NodeKey(key, level, nodeIndex);
            _nodes.Put(batch, key, hash);
            if (level == 0)
            {
                BinaryPrimitives.WriteUInt64BigEndian(indexBytes, nodeIndex);
                _leafIndex.Put(batch, hash, indexBytes);
            }
        }
        foreach (var (recordId, recordIndex) in commit.RecordIndex)
        {
            var prefix = RecordPrefix(recordId);
            var row = new byte[prefix.Length + 8];
            prefix.CopyTo(row, 0);
            BinaryPrimitives.WriteUInt64BigEndian(row.AsSpan(prefix.Length), recordIndex);
            _records.Put(batch, row, []);
        }
        _meta.Put(batch, HeadKey, commit.Head);
    }

    private static void NodeKey(Span<byte> key, int level, ulong index)
    {
        key[0] = (byte)level;
        BinaryPrimitives.WriteUInt64BigEndian(key[1..], index);
    }

    private static byte[] RecordPrefix(string recordId)
    {
        // Record ids never contain NUL (validators refuse control characters), so NUL terminates the id.
        var id = Encoding.UTF8.GetBytes(recordId);
        var key = new byte[id.Length + 1];
        id.CopyTo(key, 0);
        return key;
    }
}

/// <summary>The log's part of one atomic append: leaves, new complete subtree hashes, record index rows, the new head.</summary>
public sealed class LogCommit
{
    /// <summary>Index of the first leaf in <see cref="Leaves"/>.</summary>
    public ulong FirstIndex { get; set; }

    /// <summary>Leaves in index order.</summary>
    public List<byte[]> Leaves { get; } = [];

    /// <summary>Newly complete subtrees (level 0 = leaf hashes).</summary>
    public List<(int Level, ulong Index, byte[] Hash)> Nodes { get; } = [];

    /// <summary>Record id → entry index rows.</summary>
    public List<(string RecordId, ulong Index)> RecordIndex { get; } = [];

    /// <summary>The new persisted head.</summary>
    public byte[] Head { get; set; } = [];

    /// <summary>Clears the commit for reuse.</summary>
    public void Clear()
    {
        Leaves.Clear();
        Nodes.Clear();
        RecordIndex.Clear();
        Head = [];
    }
}
