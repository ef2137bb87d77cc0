using RocksDbSharp;

namespace Huren.Node.Storage;

/// <summary>
/// The node's RocksDB database: one folder, one column family per <see cref="StoreFamily"/>, every write a synced
/// WriteBatch. The only type that touches RocksDbSharp.
/// </summary>
public sealed class RocksStore : IKeyValueStore
{
    private static readonly StoreFamily[] Families = Enum.GetValues<StoreFamily>();

    private readonly RocksDb _db;
    private readonly WriteOptions _syncWrite = new WriteOptions().SetSync(true);
    private readonly ColumnFamilyHandle[] _handles;

    private RocksStore(RocksDb db, string path)
    {
        _db = db;
        Path = path;
        _handles = new ColumnFamilyHandle[Families.Length];
        foreach (var family in Families) _handles[(int)family] = db.GetColumnFamily(NameOf(family));
    }

    /// <summary>The database folder.</summary>
    public string Path { get; }

    /// <summary>Opens (creating if missing) the database in <paramref name="path"/>. RocksDB replays its WAL on open.</summary>
    public static RocksStore Open(string path)
    {
        Directory.CreateDirectory(path);
        var options = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCreateMissingColumnFamilies(true);
        var families = new ColumnFamilies();
        foreach (var family in Families)
        {
            var cf = new ColumnFamilyOptions();
            // Leaves are written once and read by index: compress them. Hashes do not compress: RocksDB's default
            // (LZ4 here) tried every block of them at each flush and compaction and stored it as it was, and those
            // tries were half the background threads' CPU while a log was written (2.5 % of the node's samples).
            cf.SetCompression(family is StoreFamily.Nodes or StoreFamily.LeafIndex ? Compression.No : Compression.Lz4);
            // Every admitted entry asks several keys that are not there yet (its leaf hash, its record's state rows):
            // without a filter each such miss searches the memtable and every overlapping SST. A full Bloom filter
            // (10 bits per key, ≈ 1 % false positives) answers most misses from memory; it changes no stored data,
            // and SST files written without one are still read.
            cf.SetBlockBasedTableFactory(new BlockBasedTableOptions()
                .SetFilterPolicy(BloomFilterPolicy.Create(10, false))
                .SetWholeKeyFiltering(true));
            if (family is StoreFamily.LeafIndex or StoreFamily.State or StoreFamily.Records)
            {
                // The same for the memtable, where most of a busy log's recent keys are.
                cf.SetMemtablePrefixBloomSizeRatio(0.05);
                Native.Instance.rocksdb_options_set_memtable_whole_key_filtering(cf.Handle, 1);
            }
            families.Add(NameOf(family), cf);
        }
        return new RocksStore(RocksDb.Open(options, path, families), path);
    }

    /// <summary>The column family's name on disk (lower case, e.g. <c>leafindex</c>).</summary>
    public static string NameOf(StoreFamily family) => family.ToString().ToLowerInvariant();

    /// <inheritdoc/>
    public byte[]? Get(StoreFamily family, ReadOnlySpan<byte> key) => _db.Get(key, _handles[(int)family]);

    /// <inheritdoc/>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(StoreFamily family, byte[] prefix, byte[] start)
    {
        using var it = _db.NewIterator(_handles[(int)family]);
        for (it.Seek(start); it.Valid(); it.Next())
        {
            var key = it.Key();
            if (!key.AsSpan().StartsWith(prefix)) yield break;
            yield return new(key, it.Value());
        }
    }

    /// <inheritdoc/>
    public KeyValuePair<byte[], byte[]>? Last(StoreFamily family, byte[] prefix, byte[] upper)
    {
        using var it = _db.NewIterator(_handles[(int)family]);
        it.SeekForPrev(upper);
        if (!it.Valid()) return null;
        var key = it.Key();
        return key.AsSpan().StartsWith(prefix) ? new(key, it.Value()) : null;
    }

    /// <inheritdoc/>
    public StoreBatch CreateBatch() => new RocksBatch(_handles);

    /// <inheritdoc/>
    public void Write(StoreBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch is not RocksBatch rocks) throw new ArgumentException("the batch was not made by this store", nameof(batch));
        _db.Write(rocks.Batch, _syncWrite);
    }

    /// <summary>Approximate bytes on disk of the whole database (SST and WAL files).</summary>
    public long SizeOnDisk()
    {
        long total = 0;
        foreach (var f in Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories)) total += new FileInfo(f).Length;
        return total;
    }

    /// <summary>
    /// Writes a consistent copy of the whole database into <paramref name="directory"/>, which must not exist, while the
    /// store stays open (a RocksDB checkpoint: SST files hard-linked when on the same file system, the WAL flushed
    /// first so every durable write is in the copy). The copy opens as a data folder of its own.
    /// </summary>
    public void SaveCheckpoint(string directory)
    {
        using var checkpoint = _db.Checkpoint();
        checkpoint.Save(directory);
    }

    /// <summary>Compacts every column family (for storage measurements).</summary>
    public void Compact()
    {
        foreach (var handle in _handles) _db.CompactRange((byte[]?)null, null, handle);
    }

    /// <inheritdoc/>
    public void Dispose() => _db.Dispose();

    private sealed class RocksBatch(ColumnFamilyHandle[] handles) : StoreBatch
    {
        public WriteBatch Batch { get; } = new();

        public override void Put(StoreFamily family, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
        {
            Batch.Put(key, value, handles[(int)family]);
            Count++;
        }

        public override void Delete(StoreFamily family, ReadOnlySpan<byte> key)
        {
            Batch.Delete(key.ToArray(), handles[(int)family]);
            Count++;
        }

        public override void Dispose()
        {
            Batch.Dispose();
            base.Dispose();
        }
    }
}
