using RocksDbSharp;

namespace Huren.Node.Storage;

/// <summary>
/// The node's RocksDB database: one folder, column families shared by every log the node keeps (its own and its
/// mirrors), each log under its own key prefix. The only type besides <see cref="RocksLogStore"/> that touches RocksDbSharp.
/// </summary>
public sealed class NodeDatabase : IDisposable
{
    internal const string Entries = "entries";
    internal const string Nodes = "nodes";
    internal const string LeafIndex = "leafindex";
    internal const string Records = "records";
    internal const string Checkpoints = "checkpoints";
    internal const string Meta = "meta";
    internal const string State = "state";

    private static readonly string[] Families = [Entries, Nodes, LeafIndex, Records, Checkpoints, Meta, State];

    private NodeDatabase(RocksDb db, string path)
    {
        Db = db;
        Path = path;
        SyncWrite = new WriteOptions().SetSync(true);
        EntriesFamily = db.GetColumnFamily(Entries);
        NodesFamily = db.GetColumnFamily(Nodes);
        LeafIndexFamily = db.GetColumnFamily(LeafIndex);
        RecordsFamily = db.GetColumnFamily(Records);
        CheckpointsFamily = db.GetColumnFamily(Checkpoints);
        MetaFamily = db.GetColumnFamily(Meta);
        StateFamily = db.GetColumnFamily(State);
    }

    /// <summary>The database folder.</summary>
    public string Path { get; }

    internal RocksDb Db { get; }
    internal WriteOptions SyncWrite { get; }
    internal ColumnFamilyHandle EntriesFamily { get; }
    internal ColumnFamilyHandle NodesFamily { get; }
    internal ColumnFamilyHandle LeafIndexFamily { get; }
    internal ColumnFamilyHandle RecordsFamily { get; }
    internal ColumnFamilyHandle CheckpointsFamily { get; }
    internal ColumnFamilyHandle MetaFamily { get; }
    internal ColumnFamilyHandle StateFamily { get; }

    /// <summary>Opens (creating if missing) the database in <paramref name="path"/>. RocksDB replays its WAL on open.</summary>
    public static NodeDatabase Open(string path)
    {
        Directory.CreateDirectory(path);
        var options = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCreateMissingColumnFamilies(true);
        var families = new ColumnFamilies();
        foreach (var name in Families)
        {
            var cf = new ColumnFamilyOptions();
            // Leaves are written once and read by index: compress them; hashes do not compress.
            if (name == Entries) cf.SetCompression(Compression.Lz4);
            families.Add(name, cf);
        }
        return new NodeDatabase(RocksDb.Open(options, path, families), path);
    }

    /// <summary>The store of the log named <paramref name="origin"/> in this database.</summary>
    public ILogStore OpenLog(string origin) => new RocksLogStore(this, origin);

    /// <summary>Approximate bytes on disk of the whole database (SST and WAL files).</summary>
    public long SizeOnDisk()
    {
        long total = 0;
        foreach (var f in Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories)) total += new FileInfo(f).Length;
        return total;
    }

    /// <summary>Compacts every column family (for storage measurements).</summary>
    public void Compact()
    {
        foreach (var name in Families) Db.CompactRange((byte[]?)null, null, Db.GetColumnFamily(name));
    }

    /// <inheritdoc/>
    public void Dispose() => Db.Dispose();
}
