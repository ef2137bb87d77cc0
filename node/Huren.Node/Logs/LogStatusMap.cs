using System.Runtime.InteropServices;
using Huren.Node.Storage;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Huren.Sdk.StatusMap;

namespace Huren.Node.Logs;

/// <summary>
/// The status map of one log (docs/status-map.md), kept by every append of that log: as a participant of the log's
/// <see cref="LogAppender"/> it collects, per batch, the leaf hash of every entry that sets a record's state
/// (<see cref="StatusMapRecords.SetsState(string)"/>), and writes the map's new version (the log size after the batch)
/// in the batch's own atomic write, so the map at size n exists exactly when the entries up to n do. The checkpoint of
/// a size carries the root of that version (<see cref="RootFor"/>).
/// </summary>
/// <remarks>
/// Every batch end gets a version, also a batch with no state entry, so every checkpoint size has a map. A log whose
/// map lags its entries (a store written before the map existed, or entries committed around the appender by a tool)
/// is caught up from its stored leaves when opened and before the next batch. <see cref="Stage"/>, <see cref="Write"/>,
/// <see cref="Committed"/> and <see cref="Discarded"/> run on the log's writer thread; reads are thread-safe.
/// </remarks>
public sealed class LogStatusMap : IBatchParticipant
{
    private readonly LogStore _store;
    private readonly Func<ulong, byte[]?> _leaf;
    private readonly StatusMapRows _rows;
    private readonly List<StatusMapUpdate> _updates = [];
    // A second tree over the same rows for DeriveRoot: a tree prepares one batch at a time, and the writer's is its own.
    private readonly StatusMapTree _deriving;
    private readonly Lock _derivingLock = new();
    private (ulong Size, Hash256 Root)? _derived;
    private ulong _version;
    private StatusMapWriteSet? _staged;

    /// <summary>Opens the map of the log in <paramref name="store"/>, whose durable size is <paramref name="size"/>, catching it up if it lags.</summary>
    /// <param name="store">The log's storage.</param>
    /// <param name="size">The log's durable size.</param>
    /// <param name="leaf">The durable leaf at an index (for catching up).</param>
    public LogStatusMap(LogStore store, ulong size, Func<ulong, byte[]?> leaf)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(leaf);
        _store = store;
        _leaf = leaf;
        _rows = new StatusMapRows(store.Store, store.Origin);
        Tree = new StatusMapTree(_rows);
        _deriving = new StatusMapTree(_rows);
        _version = _rows.LatestVersion() ?? 0;
        if (_version > size)
        {
            throw new InvalidOperationException($"the status map of {store.Origin} has a version {_version} beyond the log's size {size}: the data folder was written by something else");
        }
        if (_version < size) CatchUp(size);
    }

    /// <summary>The map, for roots, values and proofs at any kept version.</summary>
    public StatusMapTree Tree { get; }

    /// <summary>Pages of the map held in memory (<see cref="StatusMapRows"/>): all of them are in the store too.</summary>
    public int CachedPages => _rows.CachedPages;

    /// <summary>The durable version: the log size the latest stored map reflects.</summary>
    public ulong Version => Volatile.Read(ref _version);

    /// <summary>
    /// The map root at log size <paramref name="size"/>: the staged batch's root while its checkpoint is being signed,
    /// else the stored one.
    /// </summary>
    /// <exception cref="InvalidOperationException">The map has no version <paramref name="size"/> (not a batch end, or pruned).</exception>
    public Hash256 RootFor(ulong size)
    {
        if (_staged is { } staged && staged.Version == size) return staged.Root.Hash;
        if (Tree.TryGetRoot(size, out var root)) return root;
        throw new InvalidOperationException($"the status map of {_store.Origin} has no version {size}");
    }

    /// <inheritdoc/>
    public void Stage(DecodedLeaf leaf, ulong index)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        if (!StatusMapRecords.SetsState(leaf.Entry.Kind)) return;
        Span<byte> hash = stackalloc byte[Hash256.Length];
        MerkleHash.LeafHash(leaf.Bytes.Span, hash);
        _updates.Add(StatusMapUpdate.ForRecord(leaf.Entry.RecordId, new Hash256(hash)));
    }

    /// <inheritdoc/>
    public void Write(StoreBatch batch, LogStaging staging)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(staging);
        _staged = null;
        var first = staging.Commit.FirstIndex;
        if (_version < first)
        {
            // Entries were stored without the map (by a tool): they come before this batch's own.
            var earlier = Updates(_version, first);
            earlier.AddRange(_updates);
            _updates.Clear();
            _updates.AddRange(earlier);
        }
        else if (_version != first)
        {
            throw new InvalidOperationException($"the status map of {_store.Origin} is at version {_version}, the batch starts at {first}");
        }
        var writes = Tree.Prepare(_version, staging.Size, CollectionsMarshal.AsSpan(_updates));
        _rows.Add(batch, writes);
        _staged = writes;
    }

    /// <inheritdoc/>
    public void Committed(LogStaging staging)
    {
        ArgumentNullException.ThrowIfNull(staging);
        if (_staged is { } staged)
        {
            _rows.Committed(staged);
            Volatile.Write(ref _version, staged.Version);
        }
        _staged = null;
        _updates.Clear();
    }

    /// <inheritdoc/>
    public void Discarded()
    {
        _staged = null;
        _updates.Clear();
    }

    /// <summary>The most entries <see cref="DeriveRoot"/> reads to derive a root (a witness's answer waits for it).</summary>
    public int MaxDerivedEntries { get; internal set; } = 65_536;

    /// <summary>
    /// The map root at a durable <paramref name="size"/> that is not a version of this store — a mirror stores an
    /// origin's run in one batch, so the sizes inside it have no version, while the origin may sign one of them (its
    /// checkpoint timer) — derived from the nearest version below and the stored leaves in between, writing nothing.
    /// Null when the size is not durable or the nearest version below is more than <see cref="MaxDerivedEntries"/> away.
    /// </summary>
    public Hash256? DeriveRoot(ulong size)
    {
        if (Tree.TryGetRoot(size, out var stored)) return stored;
        if (size > Version) return null;
        lock (_derivingLock)
        {
            // The node's witness and its mirror both ask about a size a cosigned checkpoint names (the offer, then the
            // note sent again): the last root derived is kept, as the root at a durable size never changes.
            if (_derived is { } last && last.Size == size) return last.Root;
            // No version below (pruned, or none yet): from the empty map, which every log starts from.
            var below = _rows.LatestVersionBelow(size) ?? 0;
            if (size - below > (ulong)MaxDerivedEntries) return null;
            try
            {
                var updates = Updates(below, size);
                var root = _deriving.Prepare(below, size, CollectionsMarshal.AsSpan(updates)).Root.Hash;
                _derived = (size, root);
                return root;
            }
            catch (StatusMapStoreException)
            {
                // The version below was pruned meanwhile.
                return null;
            }
        }
    }

    /// <summary>
    /// Deletes, in one write, up to <paramref name="maxItems"/> of what only versions below <paramref name="floor"/>
    /// read (<see cref="StatusMapTree.PlanPrune"/>: their root records first, then pages superseded at or before the
    /// floor, each with its stale row); returns how many it deleted (0 when nothing is left). Versions from the floor on
    /// keep every row, and they are all that appends read, so this runs beside the log's writer. Root records going
    /// first means a version below the floor is simply not there rather than missing pages.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="floor"/> is above the durable version, or <paramref name="maxItems"/> is not positive.</exception>
    public int Prune(ulong floor, int maxItems)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(floor, Version);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxItems);
        var prune = Tree.PlanPrune(floor, maxItems);
        var items = prune.StalePages.Count + prune.RootVersions.Count;
        if (items == 0) return 0;
        using var batch = _store.Store.CreateBatch();
        _rows.Delete(batch, prune);
        _store.Store.Write(batch);
        return items;
    }

    private void CatchUp(ulong size)
    {
        var updates = Updates(_version, size);
        var writes = Tree.Prepare(_version, size, CollectionsMarshal.AsSpan(updates));
        using var batch = _store.Store.CreateBatch();
        _rows.Add(batch, writes);
        _store.Store.Write(batch);
        _rows.Committed(writes);
        _version = size;
    }

    /// <summary>The map updates of the stored entries [<paramref name="from"/>, <paramref name="to"/>); a leaf that does not decode sets nothing.</summary>
    private List<StatusMapUpdate> Updates(ulong from, ulong to)
    {
        var updates = new List<StatusMapUpdate>();
        for (var index = from; index < to; index++)
        {
            var leaf = _leaf(index) ?? throw new InvalidDataException($"log {_store.Origin} is missing its leaf {index}");
            if (!LeafReader.TryRead(leaf, out var decoded, out _) || !StatusMapRecords.SetsState(decoded!.Entry.Kind)) continue;
            updates.Add(StatusMapUpdate.ForRecord(decoded.Entry.RecordId, new Hash256(MerkleLog.HashLeaf(leaf))));
        }
        return updates;
    }
}
