using System.Text;
using Huren.Node.Storage;

namespace Huren.Node.Tests.Storage;

/// <summary>
/// What every <see cref="IKeyValueStore"/> must do, run against each implementation (<see cref="MemoryStoreTests"/>,
/// <see cref="RocksStoreTests"/>) so the in-memory store cannot drift from RocksDB.
/// </summary>
public abstract class KeyValueStoreContract : IDisposable
{
    private readonly List<IDisposable> _opened = [];

    /// <summary>A new, empty store.</summary>
    protected abstract IKeyValueStore CreateStore();

    private IKeyValueStore Store()
    {
        var store = CreateStore();
        _opened.Add(store);
        return store;
    }

    private static byte[] B(string text) => Encoding.UTF8.GetBytes(text);

    private static void Put(IKeyValueStore store, KeySpace space, params (byte[] Key, byte[] Value)[] rows)
    {
        using var batch = store.CreateBatch();
        foreach (var (key, value) in rows) space.Put(batch, key, value);
        store.Write(batch);
    }

    [Fact]
    public void A_missing_key_reads_as_null_and_a_written_one_as_its_bytes()
    {
        var store = Store();
        var space = new KeySpace(store, StoreFamily.State, "a");
        Assert.Null(space.Get(B("k")));
        Put(store, space, (B("k"), B("v")), (B("empty"), []));
        Assert.Equal(B("v"), space.Get(B("k")));
        Assert.Equal([], space.Get(B("empty"))!);
        Assert.Equal(B("v"), space.Get("k"));
    }

    [Fact]
    public void Nothing_of_a_batch_is_visible_before_it_is_written_and_all_of_it_after()
    {
        var store = Store();
        var entries = new KeySpace(store, StoreFamily.Entries, "log");
        var state = new KeySpace(store, StoreFamily.State, "log");
        using var batch = store.CreateBatch();
        entries.Put(batch, B("1"), B("leaf"));
        state.Put(batch, B("1"), B("row"));
        Assert.Equal(2, batch.Count);
        Assert.Null(entries.Get(B("1")));
        Assert.Null(state.Get(B("1")));
        store.Write(batch);
        Assert.Equal(B("leaf"), entries.Get(B("1")));
        Assert.Equal(B("row"), state.Get(B("1")));
    }

    [Fact]
    public void Later_puts_in_a_batch_win_and_deletes_remove()
    {
        var store = Store();
        var space = new KeySpace(store, StoreFamily.State, "s");
        Put(store, space, (B("gone"), B("x")));
        using var batch = store.CreateBatch();
        space.Put(batch, B("k"), B("first"));
        space.Put(batch, B("k"), B("second"));
        space.Delete(batch, B("gone"));
        store.Write(batch);
        Assert.Equal(B("second"), space.Get(B("k")));
        Assert.Null(space.Get(B("gone")));
    }

    [Fact]
    public void Key_spaces_and_families_do_not_see_each_others_rows()
    {
        var store = Store();
        var a = new KeySpace(store, StoreFamily.State, "a");
        var ab = new KeySpace(store, StoreFamily.State, "ab");
        var aInEntries = new KeySpace(store, StoreFamily.Entries, "a");
        Put(store, a, (B("k"), B("in a")));
        Put(store, ab, (B("k"), B("in ab")), (B("z"), B("last of ab")));
        Assert.Equal(B("in a"), a.Get(B("k")));
        Assert.Equal(B("in ab"), ab.Get(B("k")));
        Assert.Null(aInEntries.Get(B("k")));
        Assert.Single(a.Scan(""u8));
        Assert.Equal(2, ab.Scan(""u8).Count());
        Assert.Empty(aInEntries.Scan(""u8));
        // The last row of "a" is its own, not the one of "ab" that sorts after it.
        Assert.Equal(B("k"), a.Last()!.Value.Key);
        Assert.Null(aInEntries.Last());
    }

    [Fact]
    public void Prefix_scan_returns_the_matching_rows_in_unsigned_byte_order()
    {
        var store = Store();
        var space = new KeySpace(store, StoreFamily.Records, "log");
        Put(store, space,
            ([0x01, 0xff], B("c")), ([0x01, 0x00], B("a")), ([0x01, 0x7f], B("b")), ([0x02], B("other")), ([0x01], B("bare")), ([0x00, 0x01], B("before")));
        var rows = space.Scan([0x01]).ToList();
        Assert.Equal([[0x01], [0x01, 0x00], [0x01, 0x7f], [0x01, 0xff]], rows.Select(r => r.Key));
        Assert.Equal(B("bare"), rows[0].Value);
        Assert.Equal(6, space.Scan(""u8).Count());
        Assert.Empty(space.Scan([0x03]));
    }

    [Fact]
    public void String_scans_give_keys_without_the_space_name()
    {
        var store = Store();
        var space = new KeySpace(store, StoreFamily.State, "huren.cz-t/430100");
        Put(store, space, (B("issuer/a"), B("1")), (B("issuer/b"), B("2")), (B("license/x"), B("3")));
        Assert.Equal(["issuer/a", "issuer/b"], space.Scan("issuer/").Select(r => r.Key));
    }

    [Fact]
    public void Last_is_the_largest_key_of_the_space()
    {
        var store = Store();
        var space = new KeySpace(store, StoreFamily.Checkpoints, "log");
        Assert.Null(space.Last());
        Put(store, space, ([0, 0, 0, 0, 0, 0, 0, 5], B("five")), ([0, 0, 0, 0, 0, 0, 1, 0], B("256")), ([0, 0, 0, 0, 0, 0, 0, 9], B("nine")));
        var last = space.Last()!.Value;
        Assert.Equal(B("256"), last.Value);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 1, 0 }, last.Key);
    }

    [Fact]
    public void Long_keys_and_values_round_trip()
    {
        var store = Store();
        var space = new KeySpace(store, StoreFamily.State, "long");
        var key = new byte[1000];
        Random.Shared.NextBytes(key);
        var value = new byte[100_000];
        Random.Shared.NextBytes(value);
        Put(store, space, (key, value));
        Assert.Equal(value, space.Get(key));
        Assert.Equal(key, Assert.Single(space.Scan(key.AsSpan(0, 10))).Key);
    }

    [Fact]
    public async Task Concurrent_writers_and_readers_see_whole_batches()
    {
        var store = Store();
        var space = new KeySpace(store, StoreFamily.State, "c");
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(() =>
        {
            for (var i = 0; i < 200; i++)
            {
                using var batch = store.CreateBatch();
                space.Put(batch, B($"{w}/a/{i:D4}"), B("x"));
                space.Put(batch, B($"{w}/b/{i:D4}"), B("x"));
                store.Write(batch);
            }
        })).ToArray();
        var reader = Task.Run(() =>
        {
            while (!writers.All(t => t.IsCompleted))
            {
                for (var w = 0; w < 4; w++)
                {
                    // Each a-row is written in one batch with its b-row: b-rows counted after the a-rows are never fewer
                    // (a store that wrote a before b without atomicity would show a row of a without its b).
                    var a = space.Scan($"{w}/a/").Count();
                    var bs = space.Scan($"{w}/b/").Count();
                    Assert.True(bs >= a, $"writer {w}: {a} a-rows but then only {bs} b-rows");
                }
            }
        });
        await Task.WhenAll([.. writers, reader]);
        Assert.Equal(1600, space.Scan(""u8).Count());
    }

    [Fact]
    public void A_batch_of_another_store_is_refused()
    {
        var store = Store();
        using var foreign = new ForeignBatch();
        Assert.Throws<ArgumentException>(() => store.Write(foreign));
    }

    private sealed class ForeignBatch : StoreBatch
    {
        public override void Put(StoreFamily family, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Count++;

        public override void Delete(StoreFamily family, ReadOnlySpan<byte> key) => Count++;
    }

    public void Dispose()
    {
        foreach (var store in _opened) store.Dispose();
        DisposeFolders();
        GC.SuppressFinalize(this);
    }

    /// <summary>Removes whatever the implementation left on disk.</summary>
    protected virtual void DisposeFolders()
    {
    }
}

/// <summary>The contract on the in-memory store.</summary>
public sealed class MemoryStoreTests : KeyValueStoreContract
{
    protected override IKeyValueStore CreateStore() => new MemoryStore();
}

/// <summary>The contract on RocksDB, plus what only a durable store can show: rows survive reopening.</summary>
public sealed class RocksStoreTests : KeyValueStoreContract
{
    private readonly List<string> _folders = [];

    protected override IKeyValueStore CreateStore()
    {
        var dir = Path.Combine(Path.GetTempPath(), "huren-kv-" + Guid.NewGuid().ToString("N"));
        _folders.Add(dir);
        return RocksStore.Open(dir);
    }

    [Fact]
    public void Written_rows_survive_reopening_and_the_families_are_named_on_disk()
    {
        var dir = Path.Combine(Path.GetTempPath(), "huren-kv-" + Guid.NewGuid().ToString("N"));
        _folders.Add(dir);
        using (var store = RocksStore.Open(dir))
        {
            new KeySpace(store, StoreFamily.Meta, "log").PutNow("head"u8, [1, 2, 3]);
        }
        using (var store = RocksStore.Open(dir))
        {
            Assert.Equal(new byte[] { 1, 2, 3 }, new KeySpace(store, StoreFamily.Meta, "log").Get("head"u8));
        }
        Assert.Equal("leafindex", RocksStore.NameOf(StoreFamily.LeafIndex));
    }

    [Fact]
    public void Every_family_has_a_bloom_filter_and_the_lookup_families_a_memtable_filter()
    {
        var options = OptionsOfANewStore();
        foreach (var family in Enum.GetValues<StoreFamily>())
        {
            var name = RocksStore.NameOf(family);
            var table = Section(options, $"[TableOptions/BlockBasedTable \"{name}\"]");
            Assert.Equal("filter_policy=bloomfilter", table.Single(row => row.StartsWith("filter_policy=", StringComparison.Ordinal)));
            Assert.Contains("whole_key_filtering=true", table);
            var memtableFilter = family is StoreFamily.LeafIndex or StoreFamily.State or StoreFamily.Records;
            Assert.Equal(memtableFilter, Section(options, $"[CFOptions \"{name}\"]").Contains("memtable_whole_key_filtering=true"));
        }
    }

    [Fact]
    public void Hash_families_are_stored_uncompressed_and_the_others_with_lz4()
    {
        var options = OptionsOfANewStore();
        foreach (var family in Enum.GetValues<StoreFamily>())
        {
            var expected = family is StoreFamily.Nodes or StoreFamily.LeafIndex ? "compression=kNoCompression" : "compression=kLZ4Compression";
            Assert.Contains(expected, Section(options, $"[CFOptions \"{RocksStore.NameOf(family)}\"]"));
        }
    }

    [Fact]
    public void A_store_written_with_default_options_opens_and_reads_with_the_nodes_options()
    {
        var dir = Path.Combine(Path.GetTempPath(), "huren-kv-" + Guid.NewGuid().ToString("N"));
        _folders.Add(dir);
        // A data folder as nodes wrote it before the filters: the same families, default table options, flushed to SST.
        var families = new RocksDbSharp.ColumnFamilies();
        foreach (var family in Enum.GetValues<StoreFamily>()) families.Add(RocksStore.NameOf(family), new RocksDbSharp.ColumnFamilyOptions());
        using (var old = RocksDbSharp.RocksDb.Open(new RocksDbSharp.DbOptions().SetCreateIfMissing(true).SetCreateMissingColumnFamilies(true), dir, families))
        {
            // Also a hash family: its SSTs were written compressed then, and are read by a store that writes them plain.
            foreach (var family in new[] { StoreFamily.State, StoreFamily.Nodes })
            {
                var handle = old.GetColumnFamily(RocksStore.NameOf(family));
                old.Put("a\0k"u8.ToArray(), Enumerable.Repeat((byte)'v', 4096).ToArray(), handle);
                old.CompactRange((byte[]?)null, null, handle); // flushes the memtable into an SST first
            }
        }
        using var store = RocksStore.Open(dir);
        foreach (var family in new[] { StoreFamily.State, StoreFamily.Nodes })
        {
            var space = new KeySpace(store, family, "a");
            Assert.Equal(Enumerable.Repeat((byte)'v', 4096).ToArray(), space.Get("k"u8));
            Assert.Null(space.Get("missing"u8));
        }
    }

    /// <summary>The OPTIONS file of a store just created: RocksDB records there the options it opened with, per column family.</summary>
    private string[] OptionsOfANewStore()
    {
        var dir = Path.Combine(Path.GetTempPath(), "huren-kv-" + Guid.NewGuid().ToString("N"));
        _folders.Add(dir);
        using (RocksStore.Open(dir))
        {
        }
        return File.ReadAllLines(Directory.GetFiles(dir, "OPTIONS-*").OrderBy(f => f, StringComparer.Ordinal).Last());
    }

    private static HashSet<string> Section(string[] lines, string header)
    {
        var start = Array.IndexOf(lines, header);
        Assert.True(start >= 0, $"no section {header} in the OPTIONS file");
        var rows = new HashSet<string>(StringComparer.Ordinal);
        for (var i = start + 1; i < lines.Length && !lines[i].StartsWith('['); i++) rows.Add(lines[i].Trim());
        return rows;
    }

    protected override void DisposeFolders()
    {
        foreach (var dir in _folders)
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
