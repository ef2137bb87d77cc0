using Huren.Sdk.Merkle;
using Huren.Sdk.StatusMap;

namespace Huren.Sdk.Tests.StatusMap;

/// <summary>The tree's contract with its caller: versions, batches, what a write set holds, pruning, and a damaged store.</summary>
public sealed class StatusMapTreeTests
{
    private static Hash256 K(int i) => StatusMapKey.ForRecord($"430100-amr-2026-{i:D6}");

    private static Hash256 V(int i) => MerkleHash.LeafHash(BitConverter.GetBytes(i));

    [Fact]
    public void The_empty_map_is_version_0_and_proves_every_key_absent()
    {
        var model = new StatusMapModel();
        Assert.True(model.Tree.TryGetRoot(0, out var root));
        Assert.Equal(StatusMapHash.EmptyRoot, root);
        Assert.True(model.Tree.TryProve(0, K(1), out var value, out var proof, out _));
        Assert.Null(value);
        Assert.Equal(StatusMapTerminal.AbsentEmpty, proof.Terminal);
        Assert.Equal(StatusMapProof.HeaderLength, proof.Length);
        Assert.True(StatusMapProofVerifier.Verify(root, K(1), null, proof.ToBytes()));
    }

    [Fact]
    public void Versions_must_go_up_from_a_version_that_exists()
    {
        var model = new StatusMapModel();
        model.Apply([new(K(1), V(1))], step: 5);
        Assert.Contains("must be above", Assert.Throws<ArgumentException>(() => model.Tree.Prepare(5, 5, [])).Message, StringComparison.Ordinal);
        Assert.Contains("no status map at base version 4", Assert.Throws<ArgumentException>(() => model.Tree.Prepare(4, 9, [])).Message, StringComparison.Ordinal);
        model.Apply([new(K(2), V(2))], step: 5);
        Assert.Contains("already has version 10", Assert.Throws<ArgumentException>(() => model.Tree.Prepare(5, 10, [])).Message, StringComparison.Ordinal);
        Assert.False(model.Tree.TryGetRoot(7, out _));
        Assert.False(model.Tree.TryProve(7, K(1), out _, out _, out var error));
        Assert.Contains("no version 7", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_given_twice_in_a_batch_takes_its_last_value()
    {
        var model = new StatusMapModel();
        var writes = model.Tree.Prepare(0, 3, [new(K(1), V(1)), new(K(2), V(2)), new(K(1), V(3))]);
        Assert.Equal(2, writes.Keys);
        model.Store.Apply(writes);
        Assert.True(model.Tree.TryGetValue(3, K(1), out var value, out _));
        Assert.Equal(V(3), value);
        Assert.Equal(StatusMapModel.Root(new Dictionary<Hash256, Hash256> { [K(1)] = V(3), [K(2)] = V(2) }), writes.Root.Hash);
    }

    [Fact]
    public void A_batch_that_changes_nothing_writes_only_a_root_record_for_its_version()
    {
        var model = new StatusMapModel();
        var first = model.Apply([.. Enumerable.Range(0, 100).Select(i => new StatusMapUpdate(K(i), V(i)))]);
        var empty = model.Apply([]);
        Assert.Empty(empty.Pages);
        Assert.Empty(empty.Stale);
        Assert.Equal(first.Root, empty.Root);
        var same = model.Apply([new(K(5), V(5)), new(K(6), V(6))]);
        Assert.Empty(same.Pages);
        Assert.Equal(first.Root, same.Root);
    }

    [Fact]
    public void Older_versions_keep_their_values_and_proofs_after_later_batches()
    {
        var model = new StatusMapModel();
        model.Apply([.. Enumerable.Range(0, 500).Select(i => new StatusMapUpdate(K(i), V(i)))]);
        var old = model.Version;
        model.Apply([.. Enumerable.Range(0, 500).Where(i => i % 3 == 0).Select(i => new StatusMapUpdate(K(i), V(i + 1000)))]);
        model.Apply([.. Enumerable.Range(500, 100).Select(i => new StatusMapUpdate(K(i), V(i)))]);
        Assert.True(model.Tree.TryGetRoot(old, out var oldRoot));
        Assert.True(model.Tree.TryProve(old, K(3), out var value, out var proof, out _));
        Assert.Equal(V(3), value);
        Assert.True(StatusMapProofVerifier.Verify(oldRoot, K(3), V(3), proof.ToBytes()));
        Assert.True(model.Tree.TryProve(old, K(550), out value, out proof, out _));
        Assert.Null(value);
        Assert.True(StatusMapProofVerifier.Verify(oldRoot, K(550), null, proof.ToBytes()));
        Assert.True(model.Tree.TryGetValue(model.Version, K(3), out value, out _));
        Assert.Equal(V(1003), value);
    }

    [Fact]
    public void Pruning_removes_versions_below_the_floor_and_only_pages_no_kept_version_reads()
    {
        var model = new StatusMapModel();
        for (var b = 0; b < 6; b++) model.Apply([.. Enumerable.Range(0, 300).Select(i => new StatusMapUpdate(K(i * 7 + b), V(b)))], step: 10);
        var floor = 40UL;
        var staleBefore = model.Store.StaleCount;
        var prune = model.Tree.PlanPrune(floor);
        Assert.Equal([10UL, 20, 30], prune.RootVersions);
        Assert.All(prune.StalePages, s => Assert.True(s.SinceVersion <= floor && s.Page.Version < floor));
        model.Store.Apply(prune);
        Assert.Equal(staleBefore - prune.StalePages.Count, model.Store.StaleCount);
        Assert.False(model.Tree.TryGetRoot(30, out _));
        foreach (var version in new ulong[] { 40, 50, 60 })
        {
            Assert.True(model.Tree.TryGetRoot(version, out var root));
            foreach (var (key, value) in model.Snapshots[version].Take(100))
            {
                Assert.True(model.Tree.TryProve(version, key, out var proven, out var proof, out var error), error);
                Assert.Equal(value, proven);
                Assert.True(StatusMapProofVerifier.Verify(root, key, value, proof.ToBytes()));
            }
        }
        Assert.Contains("no version 45", Assert.Throws<ArgumentException>(() => model.Tree.PlanPrune(45)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pruning_can_go_in_small_steps()
    {
        var model = new StatusMapModel();
        for (var b = 0; b < 4; b++) model.Apply([.. Enumerable.Range(0, 200).Select(i => new StatusMapUpdate(K(i), V(b)))]);
        var steps = 0;
        while (model.Store.StaleCount > 0)
        {
            var prune = model.Tree.PlanPrune(model.Version, maxItems: 7);
            Assert.InRange(prune.StalePages.Count, 1, 7);
            model.Store.Apply(prune);
            steps++;
        }
        Assert.True(steps > 1);
        var fresh = new StatusMapModel();
        fresh.Apply([.. model.Records.Select(r => new StatusMapUpdate(r.Key, r.Value))]);
        Assert.Equal(fresh.Store.PageBytes, model.Store.PageBytes);
    }

    [Fact]
    public void A_missing_or_damaged_page_raises_a_store_exception_naming_the_page()
    {
        var store = new MemoryStatusMapStore();
        var writes = new StatusMapTree(store).Prepare(0, 1, [.. Enumerable.Range(0, 50).Select(i => new StatusMapUpdate(K(i), V(i)))]);
        store.Apply(writes);
        var (topKey, topPage) = writes.Pages.Single(p => p.Key.Depth == 0);

        var cut = new StatusMapTree(new TamperedStore(store, topKey, topPage[..^1]));
        var error = Assert.Throws<StatusMapStoreException>(() => cut.TryProve(1, K(3), out _, out _, out _));
        Assert.Contains("depth 0", error.Message, StringComparison.Ordinal);

        var missing = new StatusMapTree(new TamperedStore(store, topKey, null));
        error = Assert.Throws<StatusMapStoreException>(() => missing.Prepare(1, 2, [new(K(99), V(99))]));
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
        Assert.Contains(topKey.ToString(), error.Message, StringComparison.Ordinal);

        var extended = new StatusMapTree(new TamperedStore(store, topKey, [.. topPage, 0]));
        error = Assert.Throws<StatusMapStoreException>(() => extended.TryGetValue(1, K(3), out _, out _));
        Assert.Contains("trailing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tree_refuses_a_store_written_with_another_page_height()
    {
        var model = new StatusMapModel(pageHeight: 4);
        model.Apply([new(K(1), V(1)), new(K(2), V(2))]);
        var other = new StatusMapTree(model.Store, pageHeight: 2);
        var error = Assert.Throws<StatusMapStoreException>(() => other.TryGetValue(model.Version, K(1), out _, out _));
        Assert.Contains("page height 4", error.Message, StringComparison.Ordinal);
        Assert.Throws<StatusMapStoreException>(() => other.Prepare(model.Version, model.Version + 1, [new(K(3), V(3))]));
    }

    [Fact]
    public void A_page_whose_leaf_is_off_its_path_is_refused()
    {
        var store = new MemoryStatusMapStore();
        var writes = new StatusMapTree(store).Prepare(0, 1, [new(K(1), V(1)), new(K(2), V(2))]);
        store.Apply(writes);
        var (key, page) = writes.Pages.Single();
        // The two leaves' keys swapped (values kept): each key now sits on the other one's side.
        var first = page.AsSpan().IndexOf(K(1).AsSpan());
        var second = page.AsSpan().IndexOf(K(2).AsSpan());
        Assert.True(first > 0 && second > 0);
        var swapped = (byte[])page.Clone();
        K(2).CopyTo(swapped.AsSpan(first));
        K(1).CopyTo(swapped.AsSpan(second));
        var bad = new StatusMapTree(new TamperedStore(store, key, swapped));
        var error = Assert.Throws<StatusMapStoreException>(() => bad.TryGetValue(1, K(1), out _, out _));
        Assert.Contains("not on its key's path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Page_keys_stale_rows_and_root_records_round_trip_through_their_byte_forms()
    {
        var model = new StatusMapModel();
        model.Apply([.. Enumerable.Range(0, 400).Select(i => new StatusMapUpdate(K(i), V(i)))]);
        var writes = model.Apply([new(K(1), V(9))]);
        foreach (var (key, _) in writes.Pages)
        {
            Assert.True(StatusMapPageKey.TryRead(key.ToBytes(), out var read));
            Assert.Equal(key, read);
            Assert.Equal(key.EncodedLength, key.ToBytes().Length);
        }
        foreach (var stale in writes.Stale)
        {
            var row = new StatusMapStalePage(writes.Version, stale);
            Assert.True(StatusMapStalePage.TryParse(row.ToBytes(), out var read));
            Assert.Equal(row, read);
        }
        Assert.True(StatusMapRoot.TryParse(writes.Root.ToBytes(), out var root));
        Assert.Equal(writes.Root, root);
        var bytes = writes.Pages[^1].Key.ToBytes();
        Assert.False(StatusMapPageKey.TryRead(bytes[..^1], out _));
        Assert.False(StatusMapPageKey.TryRead([.. bytes, 0], out _));
        var nonCanonical = new StatusMapPageKey(1, 4, K(1).AsSpan()).ToBytes();
        nonCanonical[^1] |= 0x01; // a prefix bit below the depth
        Assert.False(StatusMapPageKey.TryRead(nonCanonical, out _));
    }

    [Fact]
    public void Batches_share_the_pages_above_the_depth_where_their_keys_part()
    {
        var model = new StatusMapModel();
        model.Apply([.. Enumerable.Range(0, 20_000).Select(i => new StatusMapUpdate(K(i), V(i)))]);
        var one = model.Apply([new(K(20_001), V(1))]);
        var thousand = model.Apply([.. Enumerable.Range(30_000, 1000).Select(i => new StatusMapUpdate(K(i), V(i)))]);
        // One key re-hashes its path (about log2 of 20,000 levels, plus its leaf); a thousand keys share the top levels.
        Assert.InRange(one.HashesComputed, 10, 40);
        Assert.True(thousand.HashesComputed < 1000 * one.HashesComputed * 0.8, $"{thousand.HashesComputed} hashes for 1,000 keys, {one.HashesComputed} for one");
        Assert.True(thousand.Pages.Count < 1000 * one.Pages.Count * 0.8);
    }

    /// <summary>A store that answers one page with other bytes (or not at all).</summary>
    private sealed class TamperedStore(MemoryStatusMapStore inner, StatusMapPageKey replaced, byte[]? replacement) : IStatusMapStore
    {
        public byte[]? GetPage(in StatusMapPageKey key) => key == replaced ? replacement : inner.GetPage(key);
        public byte[]? GetRoot(ulong version) => inner.GetRoot(version);
        public IEnumerable<StatusMapStalePage> GetStalePages(ulong maxSinceVersion) => inner.GetStalePages(maxSinceVersion);
        public IEnumerable<ulong> GetRootVersionsBelow(ulong version) => inner.GetRootVersionsBelow(version);
    }
}
