using Huren.Sdk.Merkle;
using Huren.Sdk.StatusMap;

namespace Huren.Sdk.Tests.StatusMap;

/// <summary>
/// The model the tree is checked against: a dictionary of records and the root recomputed from scratch with the
/// spec's recursive definition (no pages, no versions, no caching), plus a tree over an in-memory store kept in step.
/// </summary>
internal sealed class StatusMapModel
{
    public StatusMapModel(int pageHeight = StatusMapTree.DefaultPageHeight)
    {
        Tree = new StatusMapTree(Store, pageHeight);
        Snapshots[0] = [];
    }

    public MemoryStatusMapStore Store { get; } = new();
    public StatusMapTree Tree { get; }
    public ulong Version { get; private set; }
    public Dictionary<Hash256, Hash256> Records { get; } = [];

    /// <summary>Version → the records at that version (copies).</summary>
    public SortedDictionary<ulong, Dictionary<Hash256, Hash256>> Snapshots { get; } = [];

    /// <summary>
    /// Applies a batch to the tree (prepare, check that nothing was written, then write) and to the dictionary, and
    /// checks the new root against the root recomputed from scratch; returns the write set.
    /// </summary>
    public StatusMapWriteSet Apply(IReadOnlyList<StatusMapUpdate> updates, ulong step = 1)
    {
        var (pages, roots) = (Store.PageCount, Store.RootCount);
        var writes = Tree.Prepare(Version, Version + step, [.. updates]);
        Assert.Equal((pages, roots), (Store.PageCount, Store.RootCount));
        Store.Apply(writes);
        foreach (var u in updates) Records[u.Key] = u.Value;
        Version += step;
        Snapshots[Version] = new Dictionary<Hash256, Hash256>(Records);
        Assert.Equal(Root(Records), writes.Root.Hash);
        Assert.True(Tree.TryGetRoot(Version, out var stored));
        Assert.Equal(writes.Root.Hash, stored);
        return writes;
    }

    public static Hash256 Root(IReadOnlyDictionary<Hash256, Hash256> records) => Subtree([.. records], 0);

    private static Hash256 Subtree(List<KeyValuePair<Hash256, Hash256>> records, int depth)
    {
        if (records.Count == 0) return StatusMapHash.Empty(depth);
        if (records.Count == 1) return StatusMapHash.LeafHash(records[0].Key, records[0].Value);
        var left = records.Where(r => StatusMapKey.Bit(r.Key.ToArray(), depth) == 0).ToList();
        var right = records.Where(r => StatusMapKey.Bit(r.Key.ToArray(), depth) == 1).ToList();
        return StatusMapHash.NodeHash(Subtree(left, depth + 1), Subtree(right, depth + 1));
    }
}
