namespace Huren.Node.Storage;

/// <summary>
/// Storage of one city log (the node's own, or a mirror of another city's). The only abstraction the log needs;
/// <see cref="RocksLogStore"/> is the durable one and <see cref="MemoryLogStore"/> its in-memory twin for unit tests.
/// </summary>
public interface ILogStore
{
    /// <summary>The persisted head (size and Merkle frontier), or null for an empty log.</summary>
    byte[]? ReadHead();

    /// <summary>The leaf (exact SignedEntry bytes) at <paramref name="index"/>, or null.</summary>
    byte[]? GetLeaf(ulong index);

    /// <summary>The hash of the complete subtree at (<paramref name="level"/>, <paramref name="index"/>); level 0 is leaf hashes.</summary>
    bool TryGetNode(int level, ulong index, Span<byte> hash);

    /// <summary>The index of the leaf whose leaf hash is <paramref name="leafHash"/>, if stored.</summary>
    bool TryFindLeaf(ReadOnlySpan<byte> leafHash, out ulong index);

    /// <summary>Indexes of the entries that name <paramref name="recordId"/> (as record id or reference), in log order.</summary>
    List<ulong> GetRecordIndexes(string recordId);

    /// <summary>The signed checkpoint note stored for <paramref name="size"/>, or null.</summary>
    byte[]? GetCheckpoint(ulong size);

    /// <summary>The checkpoint of the largest size, or null.</summary>
    (ulong Size, byte[] Note)? GetLatestCheckpoint();

    /// <summary>Writes everything in <paramref name="commit"/> atomically and durably (WAL synced) before returning.</summary>
    void Commit(LogCommit commit);

    /// <summary>A derived-state record (issuer, license, seal, share state) written with the entries that made it.</summary>
    byte[]? GetState(string key);

    /// <summary>Every derived-state record whose key starts with <paramref name="keyPrefix"/>, in key order.</summary>
    List<(string Key, byte[] Value)> ScanState(string keyPrefix);

    /// <summary>Stores a checkpoint (and its cosignatures, when re-written) durably.</summary>
    void PutCheckpoint(ulong size, byte[] note);
}

/// <summary>One atomic append: leaves, their leaf hashes, new complete subtree hashes, record index rows, the new head.</summary>
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

    /// <summary>Derived-state records to write with the entries (same atomic batch).</summary>
    public List<(string Key, byte[] Value)> State { get; } = [];

    /// <summary>The new persisted head.</summary>
    public byte[] Head { get; set; } = [];

    /// <summary>A checkpoint to store in the same atomic write, if any.</summary>
    public (ulong Size, byte[] Note)? Checkpoint { get; set; }

    /// <summary>Clears the commit for reuse.</summary>
    public void Clear()
    {
        Leaves.Clear();
        Nodes.Clear();
        RecordIndex.Clear();
        State.Clear();
        Head = [];
        Checkpoint = null;
    }
}
