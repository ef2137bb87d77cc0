namespace Huren.Node.Storage;

/// <summary>
/// The in-memory <see cref="IKeyValueStore"/>: sorted rows per family, a batch applied under one lock. Same key
/// semantics as <see cref="RocksStore"/> (the shared test suite checks it), for fast unit tests. Thread-safe.
/// </summary>
public sealed class MemoryStore : IKeyValueStore
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<byte[], byte[]>[] _families;

    /// <summary>An empty store.</summary>
    public MemoryStore()
    {
        _families = new SortedDictionary<byte[], byte[]>[Enum.GetValues<StoreFamily>().Length];
        for (var i = 0; i < _families.Length; i++) _families[i] = new SortedDictionary<byte[], byte[]>(ByteOrder.Instance);
    }

    /// <inheritdoc/>
    public byte[]? Get(StoreFamily family, ReadOnlySpan<byte> key)
    {
        var probe = key.ToArray();
        lock (_lock) return _families[(int)family].TryGetValue(probe, out var value) ? value : null;
    }

    /// <inheritdoc/>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(StoreFamily family, byte[] prefix, byte[] start)
    {
        // A snapshot of the matching rows, as a RocksDB iterator sees the database as of its creation.
        var rows = new List<KeyValuePair<byte[], byte[]>>();
        lock (_lock)
        {
            foreach (var row in _families[(int)family])
            {
                if (ByteOrder.Instance.Compare(row.Key, start) < 0) continue;
                if (!row.Key.AsSpan().StartsWith(prefix)) break;
                rows.Add(row);
            }
        }
        return rows;
    }

    /// <inheritdoc/>
    public KeyValuePair<byte[], byte[]>? Last(StoreFamily family, byte[] prefix, byte[] upper)
    {
        lock (_lock)
        {
            KeyValuePair<byte[], byte[]>? last = null;
            foreach (var row in _families[(int)family])
            {
                if (ByteOrder.Instance.Compare(row.Key, upper) > 0) break;
                last = row;
            }
            return last is { } found && found.Key.AsSpan().StartsWith(prefix) ? found : null;
        }
    }

    /// <inheritdoc/>
    public StoreBatch CreateBatch() => new MemoryBatch();

    /// <inheritdoc/>
    public void Write(StoreBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch is not MemoryBatch memory) throw new ArgumentException("the batch was not made by this store", nameof(batch));
        lock (_lock)
        {
            foreach (var (family, key, value) in memory.Rows)
            {
                if (value is null) _families[(int)family].Remove(key);
                else _families[(int)family][key] = value;
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private sealed class MemoryBatch : StoreBatch
    {
        public List<(StoreFamily Family, byte[] Key, byte[]? Value)> Rows { get; } = [];

        public override void Put(StoreFamily family, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
            Rows.Add((family, key.ToArray(), value.ToArray()));
            Count++;
        }

        public override void Delete(StoreFamily family, ReadOnlySpan<byte> key)
        {
            Rows.Add((family, key.ToArray(), null));
            Count++;
        }
    }

    /// <summary>Unsigned lexicographic byte order, as RocksDB's default comparator.</summary>
    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
    }
}
