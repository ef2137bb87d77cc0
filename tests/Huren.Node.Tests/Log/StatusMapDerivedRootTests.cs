using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Huren.Sdk.StatusMap;

namespace Huren.Node.Tests.Log;

/// <summary>
/// <see cref="Huren.Node.Logs.LogStatusMap.DeriveRoot"/>: a size inside a batch (no version of the store, as in a
/// mirror's run) gets the root an independent map built one entry at a time has, deriving writes nothing, and no root is
/// derived farther than <see cref="Huren.Node.Logs.LogStatusMap.MaxDerivedEntries"/> above the nearest version.
/// </summary>
public sealed class StatusMapDerivedRootTests : IAsyncLifetime
{
    private SequencedLog _at = null!;

    public async Task InitializeAsync() => _at = await SequencedLog.StartAsync();

    public async Task DisposeAsync() => await _at.DisposeAsync();

    [Fact]
    public async Task A_size_inside_a_batch_has_its_map_root_derived_from_the_leaves()
    {
        for (var i = 0; i < 3; i++) await _at.Sequencer.SubmitAsync(_at.Issue($"2024{i:D6}"));
        // One batch of 40 licenses: the sizes inside it are no version of the store.
        var first = _at.Log.Size;
        var leaves = Enumerable.Range(0, 40).Select(i => _at.Issue($"2025{i:D6}")).ToList();
        await _at.Sequencer.SubmitBatchAsync(leaves, null, CancellationToken.None);
        var map = _at.Log.StatusMap;
        Assert.Equal(first + 40, map.Version);

        // The map at every size, built independently from the leaves by the SDK's tree in memory.
        var reference = new MemoryStatusMapStore();
        var tree = new StatusMapTree(reference);
        for (var size = 1UL; size <= map.Version; size++)
        {
            var leaf = _at.Log.GetLeaf(size - 1)!;
            var entry = LeafReader.Read(leaf).Entry;
            StatusMapUpdate[] update = StatusMapRecords.SetsState(entry.Kind) ? [StatusMapUpdate.ForRecord(entry.RecordId, MerkleHash.LeafHash(leaf))] : [];
            reference.Apply(tree.Prepare(size - 1, size, update));
            Assert.True(tree.TryGetRoot(size, out var expected));
            if (size > first && size < first + 40) Assert.False(map.Tree.TryGetRoot(size, out _), $"size {size} is a version of the store");
            Assert.Equal(expected, map.DeriveRoot(size));
        }
        // Not durable yet: no root.
        Assert.Null(map.DeriveRoot(map.Version + 1));
        // Deriving wrote nothing and the log goes on.
        Assert.False(map.Tree.TryGetRoot(first + 20, out _));
        await _at.Sequencer.SubmitAsync(_at.Issue("2026000001"));
        Assert.Equal(first + 41, map.Version);
    }

    [Fact]
    public async Task No_root_is_derived_farther_than_the_limit_above_the_nearest_version()
    {
        for (var i = 0; i < 3; i++) await _at.Sequencer.SubmitAsync(_at.Issue($"2024{i:D6}"));
        var first = _at.Log.Size;
        await _at.Sequencer.SubmitBatchAsync([.. Enumerable.Range(0, 40).Select(i => _at.Issue($"2025{i:D6}"))], null, CancellationToken.None);
        var map = _at.Log.StatusMap;
        // Lowered before any root is derived here: the last one derived is kept, and would answer without the check.
        map.MaxDerivedEntries = 10;
        Assert.NotNull(map.DeriveRoot(first + 10));
        Assert.Null(map.DeriveRoot(first + 11));
        // A stored version needs no deriving, however far.
        Assert.True(map.Tree.TryGetRoot(first + 40, out var stored));
        Assert.Equal(stored, map.DeriveRoot(first + 40));
    }
}
