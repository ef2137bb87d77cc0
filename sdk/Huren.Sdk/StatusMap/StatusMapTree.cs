using System.Diagnostics.CodeAnalysis;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.StatusMap;

/// <summary>
/// The status map of one log (docs/status-map.md): a sparse Merkle tree over 256-bit keys (SHA-256 of record ids)
/// whose values are the leaf hashes of the records' latest state entries, versioned by log size, over any
/// <see cref="IStatusMapStore"/>. The 256-level key space keeps an empty-subtree hash per level, and a subtree holding a
/// single record is that record's leaf hash (which binds the whole key), so a path costs about log2(records) hashes,
/// not 256.
/// <para>
/// Per batch the writer calls <see cref="Prepare"/> with the version it applies to (the log size before the batch),
/// the new version (the log size after it) and the records the batch changed; it writes the returned
/// <see cref="StatusMapWriteSet"/> in the same atomic write as the batch's entries and puts
/// <see cref="StatusMapWriteSet.Root"/>'s hash in the checkpoint's extension line (<see cref="StatusMapLine"/>).
/// <see cref="Prepare"/> reads the store but changes nothing, so a batch that fails to commit leaves the map as it was.
/// Proofs and reads (<see cref="TryProve"/>, <see cref="TryGetValue"/>, <see cref="TryGetRoot"/>) work at any
/// version still kept and are safe on any thread; <see cref="Prepare"/> must not run twice at once. Old versions are
/// removed with <see cref="PlanPrune"/>. Records are never deleted (a ledger record's state never disappears).
/// </para>
/// </summary>
public sealed class StatusMapTree
{
    /// <summary>The page height the node stores (16 slots per page); see docs/status-map.md, "Storage".</summary>
    public const int DefaultPageHeight = 4;

    [ThreadStatic] private static StatusMapPage?[]? t_readPages;

    private readonly IStatusMapStore _store;
    private readonly StatusMapBatch _batch;
    private int _preparing;

    /// <summary>A map over <paramref name="store"/> whose pages hold <paramref name="pageHeight"/> levels each.</summary>
    /// <param name="store">Where pages and root records are read.</param>
    /// <param name="pageHeight">Levels per stored page: 1, 2, 4 or 8. Fixed for a store's lifetime (it decides the page layout).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageHeight"/> is not 1, 2, 4 or 8.</exception>
    public StatusMapTree(IStatusMapStore store, int pageHeight = DefaultPageHeight)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (pageHeight is not (1 or 2 or 4 or 8)) throw new ArgumentOutOfRangeException(nameof(pageHeight), pageHeight, "page height must be 1, 2, 4 or 8");
        _store = store;
        PageHeight = pageHeight;
        _batch = new StatusMapBatch(store, pageHeight);
    }

    /// <summary>Levels per stored page.</summary>
    public int PageHeight { get; }

    /// <summary>
    /// Applies one batch of record states to the map at <paramref name="baseVersion"/> and returns what to write for
    /// <paramref name="newVersion"/>. Keys may come in any order; a key given more than once takes its last value.
    /// Nothing is written: the caller writes the set atomically with its batch.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="newVersion"/> is not above <paramref name="baseVersion"/>, the base version has no map, or the new version already has one.</exception>
    /// <exception cref="InvalidOperationException">Another <see cref="Prepare"/> is running.</exception>
    /// <exception cref="StatusMapStoreException">A stored page or root record is missing or malformed.</exception>
    public StatusMapWriteSet Prepare(ulong baseVersion, ulong newVersion, ReadOnlySpan<StatusMapUpdate> updates)
    {
        if (newVersion <= baseVersion) throw new ArgumentException($"new version {newVersion} must be above the base version {baseVersion}", nameof(newVersion));
        if (!TryReadRoot(baseVersion, out var baseRoot)) throw new ArgumentException($"no status map at base version {baseVersion} (never written, or pruned)", nameof(baseVersion));
        if (_store.GetRoot(newVersion) is not null) throw new ArgumentException($"the status map already has version {newVersion}", nameof(newVersion));
        if (Interlocked.Exchange(ref _preparing, 1) != 0) throw new InvalidOperationException("StatusMapTree.Prepare is already running: one writer at a time");
        try
        {
            return _batch.Run(baseRoot, baseVersion, newVersion, updates);
        }
        finally
        {
            Volatile.Write(ref _preparing, 0);
        }
    }

    /// <summary>The map root at <paramref name="version"/>; false if that version was never written or is pruned. Version 0 is the empty map.</summary>
    /// <exception cref="StatusMapStoreException">The stored root record is malformed.</exception>
    public bool TryGetRoot(ulong version, out Hash256 root)
    {
        var found = TryReadRoot(version, out var record);
        root = record.Hash;
        return found;
    }

    /// <summary>The value of <paramref name="key"/> at <paramref name="version"/> (null = absent); false with the reason if that version is not kept.</summary>
    /// <exception cref="StatusMapStoreException">A stored page is missing or malformed.</exception>
    public bool TryGetValue(ulong version, in Hash256 key, out Hash256? value, [NotNullWhen(false)] out string? error) =>
        Walk(version, key, null, out value, out _, out _, out _, out error);

    /// <summary>
    /// The proof for <paramref name="key"/> at <paramref name="version"/>, present (with its <paramref name="value"/>)
    /// or absent (<paramref name="value"/> null); false with the reason if that version is not kept.
    /// </summary>
    /// <exception cref="StatusMapStoreException">A stored page is missing (e.g. pruned meanwhile) or malformed.</exception>
    public bool TryProve(ulong version, in Hash256 key, out Hash256? value, [NotNullWhen(true)] out StatusMapProof? proof, [NotNullWhen(false)] out string? error)
    {
        proof = null;
        var siblings = new List<Hash256>(32);
        var bitmap = new byte[StatusMapProof.BitmapLength];
        if (!Walk(version, key, (siblings, bitmap), out value, out var terminal, out var otherKey, out var otherValue, out error)) return false;
        siblings.Reverse();
        proof = new StatusMapProof(terminal, bitmap, otherKey, otherValue, [.. siblings]);
        return true;
    }

    /// <summary>
    /// What to delete so that versions from <paramref name="floor"/> on stay provable and older ones go: root records
    /// below the floor, and pages superseded at or before it (with their stale rows). At most
    /// <paramref name="maxItems"/> of them per call, root records first, so the caller can prune in small steps and a
    /// version below the floor loses its root record no later than its pages.
    /// </summary>
    /// <exception cref="ArgumentException">The map has no version <paramref name="floor"/>.</exception>
    public StatusMapPruneSet PlanPrune(ulong floor, int maxItems = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxItems);
        if (floor != 0 && _store.GetRoot(floor) is null) throw new ArgumentException($"the status map has no version {floor} to keep", nameof(floor));
        var set = new StatusMapPruneSet(floor);
        foreach (var version in _store.GetRootVersionsBelow(floor))
        {
            if (set.RootVersions.Count == maxItems) return set;
            set.RootVersions.Add(version);
        }
        foreach (var stale in _store.GetStalePages(floor))
        {
            if (set.RootVersions.Count + set.StalePages.Count == maxItems) break;
            set.StalePages.Add(stale);
        }
        return set;
    }

    private bool TryReadRoot(ulong version, out StatusMapRoot root)
    {
        var bytes = _store.GetRoot(version);
        if (bytes is null)
        {
            root = StatusMapRoot.EmptyMap(PageHeight);
            return version == 0;
        }
        if (!StatusMapRoot.TryParse(bytes, out root) || root.PageVersion > version)
        {
            throw new StatusMapStoreException($"status-map root record of version {version} is malformed");
        }
        if (root.PageHeight != PageHeight)
        {
            throw new StatusMapStoreException($"the status map at version {version} was written with page height {root.PageHeight}; this tree reads page height {PageHeight}");
        }
        return true;
    }

    /// <summary>Follows the key's path down to its leaf or empty subtree, collecting the non-empty siblings if asked.</summary>
    private bool Walk(ulong version, in Hash256 key, (List<Hash256> Siblings, byte[] Bitmap)? proof, out Hash256? value,
        out StatusMapTerminal terminal, out Hash256 otherKey, out Hash256 otherValue, [NotNullWhen(false)] out string? error)
    {
        value = null;
        terminal = StatusMapTerminal.AbsentEmpty;
        otherKey = default;
        otherValue = default;
        if (!TryReadRoot(version, out var root))
        {
            error = $"the status map has no version {version} (never written, or pruned)";
            return false;
        }
        error = null;
        if (root.PageVersion == 0) return true;
        var keyBytes = key.AsSpan();
        var pages = t_readPages ??= new StatusMapPage?[9];
        var page = pages[PageHeight] ??= new StatusMapPage(PageHeight);
        page.Load(_store, 0, root.PageVersion, keyBytes);
        var position = 1;
        var unused = 0;
        while (true)
        {
            var level = StatusMapPage.LevelOf(position);
            var depth = page.TopDepth + level;
            switch (page.Kinds[position])
            {
                case StatusMapPage.Empty:
                    return true;
                case StatusMapPage.Leaf:
                    if (page.KeyAt(position).SequenceEqual(keyBytes))
                    {
                        terminal = StatusMapTerminal.Present;
                        value = new Hash256(page.ValueAt(position));
                    }
                    else
                    {
                        terminal = StatusMapTerminal.AbsentLeaf;
                        otherKey = new Hash256(page.KeyAt(position));
                        otherValue = new Hash256(page.ValueAt(position));
                    }
                    return true;
                case StatusMapPage.Child:
                    page.Load(_store, depth, page.ChildVersions[position], keyBytes);
                    position = 1;
                    continue;
                default:
                    var bit = StatusMapKey.Bit(keyBytes, depth);
                    var sibling = 2 * position + 1 - bit;
                    if (proof is { } p && page.Kinds[sibling] != StatusMapPage.Empty)
                    {
                        p.Siblings.Add(new Hash256(page.HashOf(sibling, ref unused)));
                        p.Bitmap[depth >> 3] |= (byte)(0x80 >> (depth & 7));
                    }
                    position = 2 * position + bit;
                    continue;
            }
        }
    }
}
