using System.Security.Cryptography;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Node.Tests.Storage;
using Huren.Sdk.Merkle;
using Huren.Sdk.StatusMap;

namespace Huren.Node.Tests.Log;

/// <summary>
/// The status map's rows in the node's store keep the current map's pages in memory: a committed batch's pages are
/// read without the store, the pages it superseded leave memory, and the map read through the cache is the map in the
/// store.
/// </summary>
public sealed class StatusMapRowsTests
{
    private const string Origin = "huren.cz-t/430100";

    private static StatusMapUpdate[] Updates(int count)
    {
        var updates = new StatusMapUpdate[count];
        for (var i = 0; i < count; i++) updates[i] = StatusMapUpdate.ForRecord($"430100-amr-{Guid.NewGuid():N}", new Hash256(RandomNumberGenerator.GetBytes(Hash256.Length)));
        return updates;
    }

    private static StatusMapWriteSet Commit(IKeyValueStore store, StatusMapRows rows, StatusMapTree tree, ulong from, ulong to, StatusMapUpdate[] updates)
    {
        var writes = tree.Prepare(from, to, updates);
        using var batch = store.CreateBatch();
        rows.Add(batch, writes);
        store.Write(batch);
        rows.Committed(writes);
        return writes;
    }

    [Fact]
    public void A_committed_batch_is_read_from_memory_and_the_pages_it_superseded_leave_it()
    {
        var store = new FaultyStore(new MemoryStore());
        var rows = new StatusMapRows(store, Origin);
        var tree = new StatusMapTree(rows);
        var first = Updates(300);
        var writes1 = Commit(store, rows, tree, 0, 300, first);
        Assert.Equal(writes1.Pages.Count, rows.CachedPages);

        var second = Updates(300);
        var writes2 = Commit(store, rows, tree, 300, 600, second);
        Assert.NotEmpty(writes2.Stale);
        Assert.Equal(writes1.Pages.Count + writes2.Pages.Count - writes2.Stale.Count, rows.CachedPages);

        // Every page of the latest version now comes from memory: with page reads failing, every record is still found.
        store.FailReadsOf = StoreFamily.Nodes;
        foreach (var update in first.Concat(second))
        {
            Assert.True(tree.TryGetValue(600, update.Key, out var value, out var error), error);
            Assert.Equal(update.Value, value);
        }
        // A version's superseded pages are not in memory: reading version 300 goes to the store.
        Assert.Throws<IOException>(() => tree.TryGetValue(300, first[0].Key, out _, out _));
        store.FailReadsOf = null;
        var cached = rows.CachedPages;
        Assert.True(tree.TryGetValue(300, first[0].Key, out var old, out var oldError), oldError);
        Assert.Equal(first[0].Value, old);
        // Pages of an older version read from the store are not kept: the cache holds the latest map only.
        Assert.Equal(cached, rows.CachedPages);
    }

    [Fact]
    public void The_map_read_through_memory_is_the_map_in_the_store()
    {
        var store = new MemoryStore();
        var rows = new StatusMapRows(store, Origin);
        var tree = new StatusMapTree(rows);
        var all = new List<StatusMapUpdate>();
        ulong size = 0;
        for (var batch = 0; batch < 20; batch++)
        {
            var updates = Updates(1 + batch * 7);
            Commit(store, rows, tree, size, size + (ulong)updates.Length, updates);
            size += (ulong)updates.Length;
            all.AddRange(updates);
        }
        // A fresh reader of the same store has no cache: it must find the same root, values and proofs.
        var fresh = new StatusMapTree(new StatusMapRows(store, Origin));
        Assert.True(tree.TryGetRoot(size, out var root));
        Assert.True(fresh.TryGetRoot(size, out var freshRoot));
        Assert.Equal(freshRoot, root);
        foreach (var update in all)
        {
            Assert.True(tree.TryProve(size, update.Key, out var value, out var proof, out var error), error);
            Assert.True(fresh.TryProve(size, update.Key, out var freshValue, out var freshProof, out error), error);
            Assert.Equal(freshValue, value);
            Assert.Equal(freshProof.ToBytes(), proof.ToBytes());
        }
    }

    [Fact]
    public void A_map_larger_than_the_memory_budget_keeps_its_upper_levels_and_reads_the_rest_from_the_store()
    {
        var store = new FaultyStore(new MemoryStore());
        // Room for a few hundred pages: the map below has thousands.
        const long budget = 64 * 1024;
        var rows = new StatusMapRows(store, Origin, budget);
        var tree = new StatusMapTree(rows);
        var all = new List<StatusMapUpdate>();
        StatusMapWriteSet? last = null;
        ulong size = 0;
        for (var batch = 0; batch < 10; batch++)
        {
            var updates = Updates(500);
            last = Commit(store, rows, tree, size, size + 500, updates);
            size += 500;
            all.AddRange(updates);
            Assert.InRange(rows.CachedBytes, 1, budget);
        }
        Assert.NotNull(last);
        var deepest = last.Pages.Max(p => p.Key.Depth);
        Assert.InRange(rows.CachedDepthLimit, 1, deepest);

        // The upper levels come from memory, the levels below the limit from the store.
        store.FailReadsOf = StoreFamily.Nodes;
        foreach (var (key, _) in last.Pages)
        {
            if (key.Depth < rows.CachedDepthLimit) Assert.NotNull(rows.GetPage(key));
            else Assert.Throws<IOException>(() => rows.GetPage(key));
        }
        store.FailReadsOf = null;

        // The map read through the partial cache is the map in the store.
        var fresh = new StatusMapTree(new StatusMapRows(store, Origin));
        Assert.True(tree.TryGetRoot(size, out var root));
        Assert.True(fresh.TryGetRoot(size, out var freshRoot));
        Assert.Equal(freshRoot, root);
        foreach (var update in all)
        {
            Assert.True(tree.TryGetValue(size, update.Key, out var value, out var error), error);
            Assert.Equal(update.Value, value);
        }
    }
}
