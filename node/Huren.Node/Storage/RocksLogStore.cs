using System.Buffers.Binary;
using System.Text;
using RocksDbSharp;

namespace Huren.Node.Storage;

/// <summary>
/// One log inside a <see cref="NodeDatabase"/>. Keys are <c>origin ‖ 0x00 ‖ …</c> so several logs share the database
/// and a commit of one log is a single RocksDB WriteBatch, written with a synced WAL.
/// </summary>
internal sealed class RocksLogStore : ILogStore
{
    private static readonly byte[] HeadKey = "head"u8.ToArray();

    private readonly NodeDatabase _db;
    private readonly byte[] _prefix;

    public RocksLogStore(NodeDatabase db, string origin)
    {
        _db = db;
        var name = Encoding.UTF8.GetBytes(origin);
        _prefix = new byte[name.Length + 1];
        name.CopyTo(_prefix, 0);
    }

    public byte[]? ReadHead() => _db.Db.Get(Key(HeadKey), _db.MetaFamily);

    public byte[]? GetLeaf(ulong index) => _db.Db.Get(Key(index), _db.EntriesFamily);

    public bool TryGetNode(int level, ulong index, Span<byte> hash)
    {
        var value = _db.Db.Get(NodeKey(level, index), _db.NodesFamily);
        if (value is null || value.Length != 32) return false;
        value.CopyTo(hash);
        return true;
    }

    public bool TryFindLeaf(ReadOnlySpan<byte> leafHash, out ulong index)
    {
        var value = _db.Db.Get(Key(leafHash), _db.LeafIndexFamily);
        index = value is { Length: 8 } ? BinaryPrimitives.ReadUInt64BigEndian(value) : 0;
        return value is { Length: 8 };
    }

    public List<ulong> GetRecordIndexes(string recordId)
    {
        var prefix = RecordPrefix(recordId);
        var result = new List<ulong>();
        using var it = _db.Db.NewIterator(_db.RecordsFamily);
        for (it.Seek(prefix); it.Valid(); it.Next())
        {
            var key = it.Key();
            if (key.Length != prefix.Length + 8 || !key.AsSpan(0, prefix.Length).SequenceEqual(prefix)) break;
            result.Add(BinaryPrimitives.ReadUInt64BigEndian(key.AsSpan(prefix.Length)));
        }
        return result;
    }

    public byte[]? GetState(string key) => _db.Db.Get(Key(Encoding.UTF8.GetBytes(key)), _db.StateFamily);

    public List<(string Key, byte[] Value)> ScanState(string keyPrefix)
    {
        var prefix = Key(Encoding.UTF8.GetBytes(keyPrefix));
        var result = new List<(string, byte[])>();
        using var it = _db.Db.NewIterator(_db.StateFamily);
        for (it.Seek(prefix); it.Valid(); it.Next())
        {
            var key = it.Key();
            if (!key.AsSpan().StartsWith(prefix)) break;
            result.Add((Encoding.UTF8.GetString(key.AsSpan(_prefix.Length)), it.Value()));
        }
        return result;
    }

    public byte[]? GetCheckpoint(ulong size) => _db.Db.Get(Key(size), _db.CheckpointsFamily);

    public (ulong Size, byte[] Note)? GetLatestCheckpoint()
    {
        using var it = _db.Db.NewIterator(_db.CheckpointsFamily);
        // Seek past this log's largest possible key, then step back.
        var upper = Key(ulong.MaxValue);
        it.SeekForPrev(upper);
        if (!it.Valid()) return null;
        var key = it.Key();
        if (key.Length != _prefix.Length + 8 || !key.AsSpan(0, _prefix.Length).SequenceEqual(_prefix)) return null;
        return (BinaryPrimitives.ReadUInt64BigEndian(key.AsSpan(_prefix.Length)), it.Value());
    }

    public void Commit(LogCommit commit)
    {
        using var batch = new WriteBatch();
        var index = commit.FirstIndex;
        foreach (var leaf in commit.Leaves)
        {
            batch.Put(Key(index), leaf, _db.EntriesFamily);
            index++;
        }
        Span<byte> indexBytes = stackalloc byte[8];
        foreach (var (level, nodeIndex, hash) in commit.Nodes)
        {
            batch.Put(NodeKey(level, nodeIndex), hash, _db.NodesFamily);
            if (level == 0)
            {
                BinaryPrimitives.WriteUInt64BigEndian(indexBytes, nodeIndex);
                batch.Put((ReadOnlySpan<byte>)Key(hash), indexBytes, _db.LeafIndexFamily);
            }
        }
        foreach (var (recordId, recordIndex) in commit.RecordIndex)
        {
            var prefix = RecordPrefix(recordId);
            var key = new byte[prefix.Length + 8];
            prefix.CopyTo(key, 0);
            BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(prefix.Length), recordIndex);
            batch.Put(key, Array.Empty<byte>(), _db.RecordsFamily);
        }
        foreach (var (key, value) in commit.State) batch.Put(Key(Encoding.UTF8.GetBytes(key)), value, _db.StateFamily);
        if (commit.Checkpoint is { } cp) batch.Put(Key(cp.Size), cp.Note, _db.CheckpointsFamily);
        batch.Put(Key(HeadKey), commit.Head, _db.MetaFamily);
        _db.Db.Write(batch, _db.SyncWrite);
    }

    public void PutCheckpoint(ulong size, byte[] note)
    {
        using var batch = new WriteBatch();
        batch.Put(Key(size), note, _db.CheckpointsFamily);
        _db.Db.Write(batch, _db.SyncWrite);
    }

    private byte[] Key(ulong value)
    {
        var key = new byte[_prefix.Length + 8];
        _prefix.CopyTo(key, 0);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(_prefix.Length), value);
        return key;
    }

    private byte[] Key(ReadOnlySpan<byte> suffix)
    {
        var key = new byte[_prefix.Length + suffix.Length];
        _prefix.CopyTo(key, 0);
        suffix.CopyTo(key.AsSpan(_prefix.Length));
        return key;
    }

    private byte[] NodeKey(int level, ulong index)
    {
        var key = new byte[_prefix.Length + 9];
        _prefix.CopyTo(key, 0);
        key[_prefix.Length] = (byte)level;
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(_prefix.Length + 1), index);
        return key;
    }

    private byte[] RecordPrefix(string recordId)
    {
        // Record ids never contain NUL (validators refuse control characters), so NUL terminates the id.
        var id = Encoding.UTF8.GetBytes(recordId);
        var key = new byte[_prefix.Length + id.Length + 1];
        _prefix.CopyTo(key, 0);
        id.CopyTo(key, _prefix.Length);
        return key;
    }
}
