namespace Huren.Node.Storage;

/// <summary>The in-memory twin of <see cref="RocksLogStore"/>, for fast unit tests. Thread-safe.</summary>
public sealed class MemoryLogStore : ILogStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, byte[]> _leaves = [];
    private readonly Dictionary<(int, ulong), byte[]> _nodes = [];
    private readonly Dictionary<string, ulong> _leafIndex = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<ulong>> _records = new(StringComparer.Ordinal);
    private readonly SortedDictionary<ulong, byte[]> _checkpoints = [];
    private readonly SortedDictionary<string, byte[]> _state = new(StringComparer.Ordinal);
    private byte[]? _head;

    /// <inheritdoc/>
    public byte[]? ReadHead()
    {
        lock (_lock) return _head;
    }

    /// <inheritdoc/>
    public byte[]? GetLeaf(ulong index)
    {
        lock (_lock) return _leaves.GetValueOrDefault(index);
    }

    /// <inheritdoc/>
    public bool TryGetNode(int level, ulong index, Span<byte> hash)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue((level, index), out var value)) return false;
            value.CopyTo(hash);
            return true;
        }
    }

    /// <inheritdoc/>
    public bool TryFindLeaf(ReadOnlySpan<byte> leafHash, out ulong index)
    {
        lock (_lock) return _leafIndex.TryGetValue(Convert.ToHexString(leafHash), out index);
    }

    /// <inheritdoc/>
    public List<ulong> GetRecordIndexes(string recordId)
    {
        lock (_lock) return _records.TryGetValue(recordId, out var list) ? [.. list] : [];
    }

    /// <inheritdoc/>
    public byte[]? GetState(string key)
    {
        lock (_lock) return _state.GetValueOrDefault(key);
    }

    /// <inheritdoc/>
    public List<(string Key, byte[] Value)> ScanState(string keyPrefix)
    {
        lock (_lock)
        {
            var result = new List<(string, byte[])>();
            foreach (var (key, value) in _state)
            {
                if (key.StartsWith(keyPrefix, StringComparison.Ordinal)) result.Add((key, value));
            }
            return result;
        }
    }

    /// <inheritdoc/>
    public byte[]? GetCheckpoint(ulong size)
    {
        lock (_lock) return _checkpoints.GetValueOrDefault(size);
    }

    /// <inheritdoc/>
    public (ulong Size, byte[] Note)? GetLatestCheckpoint()
    {
        lock (_lock)
        {
            if (_checkpoints.Count == 0) return null;
            var last = _checkpoints.Last();
            return (last.Key, last.Value);
        }
    }

    /// <inheritdoc/>
    public void Commit(LogCommit commit)
    {
        lock (_lock)
        {
            var index = commit.FirstIndex;
            foreach (var leaf in commit.Leaves) _leaves[index++] = leaf;
            foreach (var (level, nodeIndex, hash) in commit.Nodes)
            {
                _nodes[(level, nodeIndex)] = hash;
                if (level == 0) _leafIndex[Convert.ToHexString(hash)] = nodeIndex;
            }
            foreach (var (recordId, recordIndex) in commit.RecordIndex)
            {
                if (!_records.TryGetValue(recordId, out var list)) _records[recordId] = list = [];
                list.Add(recordIndex);
            }
            foreach (var (key, value) in commit.State) _state[key] = value;
            if (commit.Checkpoint is { } cp) _checkpoints[cp.Size] = cp.Note;
            _head = commit.Head;
        }
    }

    /// <inheritdoc/>
    public void PutCheckpoint(ulong size, byte[] note)
    {
        lock (_lock) _checkpoints[size] = note;
    }
}
