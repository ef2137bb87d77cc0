using System.Buffers.Binary;
using System.Collections.Concurrent;
using Huren.Node.Storage;
using Huren.Sdk.StatusMap;

namespace Huren.Node.Logs;

/// <summary>
/// The status map of one log in the node's store (<see cref="IStatusMapStore"/>): pages in the
/// <see cref="StoreFamily.Nodes"/> family (hashes, not compressible) under <c>statusmap/&lt;origin&gt;</c>, root records
/// by version and stale-page rows (ordered by version, so both lookups are range scans) in <see cref="StoreFamily.State"/>.
/// Rows are only added through <see cref="Add"/> into a caller's batch, so the map changes in the same atomic write as
/// the log. Thread-safe.
/// </summary>
/// <remarks>
/// Pages never change once stored (<see cref="StatusMapPageKey"/>), so the map's current pages are kept in memory as
/// well: each batch reads the pages on its keys' paths, which the batches before it wrote, and every such read from
/// RocksDB (memtable, Bloom filter, blocks) was the status map's largest cost after its hashes. A batch's pages enter
/// the cache once its write is durable (<see cref="Committed"/>), never before, and the pages it superseded leave it,
/// so it holds pages of the latest map only, within <see cref="CachedBytesLimit"/>. A map too large for that keeps its
/// upper levels: a page at depth d is on the path of every key under it, so a batch reads the upper pages once for
/// many keys and a bottom page once for one key.
/// </remarks>
public sealed class StatusMapRows : IStatusMapStore
{
    /// <summary>
    /// The most memory the cached pages of one log may take (page bytes and an estimate of the dictionary's cost per
    /// page): a map of about 800,000 records fits whole (measured: 200,000 records in 75,000 pages and 31 MiB,
    /// 1,000,000 in 360,000 pages and 155 MiB); a larger one keeps its upper levels, which every batch reads.
    /// </summary>
    public const long CachedBytesLimit = 128L << 20;

    // Dictionary entry, key and array header of one cached page, roughly.
    private const int OverheadPerPage = 96;

    private readonly KeySpace _pages;
    private readonly KeySpace _roots;
    private readonly KeySpace _stale;
    private readonly ConcurrentDictionary<StatusMapPageKey, byte[]> _cached = new();
    private readonly long _cachedBytesLimit;
    private long _cachedBytes;
    // Pages at this depth or deeper are not cached: lowered, a level at a time, when the budget is reached.
    private int _depthLimit = int.MaxValue;

    /// <summary>The map rows of the log <paramref name="origin"/> in <paramref name="store"/>.</summary>
    public StatusMapRows(IKeyValueStore store, string origin)
        : this(store, origin, CachedBytesLimit)
    {
    }

    /// <summary>The map rows of the log <paramref name="origin"/> in <paramref name="store"/>, with pages kept in memory up to <paramref name="cachedBytesLimit"/>.</summary>
    public StatusMapRows(IKeyValueStore store, string origin, long cachedBytesLimit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cachedBytesLimit);
        _pages = new KeySpace(store, StoreFamily.Nodes, "statusmap/" + origin);
        _roots = new KeySpace(store, StoreFamily.State, "statusmap-root/" + origin);
        _stale = new KeySpace(store, StoreFamily.State, "statusmap-stale/" + origin);
        _cachedBytesLimit = cachedBytesLimit;
    }

    /// <inheritdoc/>
    public byte[]? GetPage(in StatusMapPageKey key)
    {
        if (_cached.TryGetValue(key, out var cached)) return cached;
        // Not cached on the way: a batch rewrites every page it reads, so a page read here is either superseded by the
        // batch reading it or an older version's (a proof against an earlier checkpoint), which would only fill the
        // cache with pages the latest map no longer has.
        Span<byte> bytes = stackalloc byte[StatusMapPageKey.MaxEncodedLength];
        var length = key.WriteTo(bytes);
        return _pages.Get(bytes[..length]);
    }

    /// <summary>Pages held in memory now (for tests and metrics).</summary>
    public int CachedPages => _cached.Count;

    /// <summary>Memory the pages held now take, as counted against the limit (for tests and metrics).</summary>
    public long CachedBytes => Interlocked.Read(ref _cachedBytes);

    /// <summary>Pages whose top node is at this depth or deeper are not kept in memory (<see cref="int.MaxValue"/>: all are).</summary>
    public int CachedDepthLimit => Volatile.Read(ref _depthLimit);

    /// <summary>
    /// Called once the batch whose rows <see cref="Add"/> put in a write is durable: its pages join the cache and the
    /// pages it superseded leave it. Never before the write, so a failed write leaves nothing in memory that the store
    /// lacks. Called by one writer at a time (the log's); reads may run meanwhile.
    /// </summary>
    public void Committed(StatusMapWriteSet writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        foreach (var stale in writes.Stale) Forget(stale);
        foreach (var (key, page) in writes.Pages) Remember(key, page);
        while (Interlocked.Read(ref _cachedBytes) > _cachedBytesLimit && DropDeepestLevel())
        {
        }
    }

    private void Remember(in StatusMapPageKey key, byte[] page)
    {
        if (key.Depth >= _depthLimit) return;
        if (_cached.TryAdd(key, page)) Interlocked.Add(ref _cachedBytes, page.Length + OverheadPerPage);
    }

    private void Forget(in StatusMapPageKey key)
    {
        if (_cached.TryRemove(key, out var page)) Interlocked.Add(ref _cachedBytes, -(page.Length + OverheadPerPage));
    }

    /// <summary>Stops caching the deepest level held and lets its pages go; false when nothing is left to drop.</summary>
    private bool DropDeepestLevel()
    {
        // Rare (a level at a time, as the map outgrows the budget), so a scan of the cache is fine here. Enumerating the
        // dictionary itself takes no lock (its Keys would take all of them, holding up readers) and sees removals safely.
        var deepest = -1;
        foreach (var (key, _) in _cached) deepest = Math.Max(deepest, key.Depth);
        if (deepest < 0) return false;
        Volatile.Write(ref _depthLimit, deepest);
        foreach (var (key, _) in _cached)
        {
            if (key.Depth >= deepest) Forget(key);
        }
        return true;
    }

    /// <inheritdoc/>
    public byte[]? GetRoot(ulong version)
    {
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, version);
        return _roots.Get(key);
    }

    /// <summary>The largest version with a root record, or null when the map has none stored (only the empty map, version 0).</summary>
    public ulong? LatestVersion()
    {
        return _roots.Last() is { } row ? RootVersion(row.Key) : null;
    }

    /// <summary>The largest version below <paramref name="version"/> with a root record, or null when there is none (version 0, the empty map, has none).</summary>
    public ulong? LatestVersionBelow(ulong version)
    {
        if (version == 0) return null;
        Span<byte> key = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, version - 1);
        return _roots.LastAtOrBelow(key) is { } row ? RootVersion(row.Key) : null;
    }

    /// <summary>The version a root row is keyed by (8 bytes, big-endian).</summary>
    private static ulong RootVersion(byte[] key)
    {
        if (key.Length != 8) throw new StatusMapStoreException($"a root row of the status map has a {key.Length}-byte key");
        return BinaryPrimitives.ReadUInt64BigEndian(key);
    }

    /// <inheritdoc/>
    public IEnumerable<StatusMapStalePage> GetStalePages(ulong maxSinceVersion)
    {
        foreach (var row in _stale.Scan(ReadOnlySpan<byte>.Empty))
        {
            if (!StatusMapStalePage.TryParse(row.Key, out var stale)) throw new StatusMapStoreException($"a stale-page row of the status map is malformed ({row.Key.Length} bytes)");
            if (stale.SinceVersion > maxSinceVersion) yield break;
            yield return stale;
        }
    }

    /// <inheritdoc/>
    public IEnumerable<ulong> GetRootVersionsBelow(ulong version)
    {
        foreach (var row in _roots.Scan(ReadOnlySpan<byte>.Empty))
        {
            var v = RootVersion(row.Key);
            if (v >= version) yield break;
            yield return v;
        }
    }

    /// <summary>Adds a batch's map rows to <paramref name="batch"/>: its new pages, its root record and its stale-page rows.</summary>
    public void Add(StoreBatch batch, StatusMapWriteSet writes)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(writes);
        Span<byte> key = stackalloc byte[StatusMapPageKey.MaxEncodedLength];
        foreach (var (pageKey, page) in writes.Pages)
        {
            var length = pageKey.WriteTo(key);
            _pages.Put(batch, key[..length], page);
        }
        BinaryPrimitives.WriteUInt64BigEndian(key, writes.Version);
        _roots.Put(batch, key[..8], writes.Root.ToBytes());
        foreach (var stale in writes.Stale) _stale.Put(batch, new StatusMapStalePage(writes.Version, stale).ToBytes(), []);
    }

    /// <summary>Adds the deletions of <paramref name="prune"/> to <paramref name="batch"/>.</summary>
    public void Delete(StoreBatch batch, StatusMapPruneSet prune)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(prune);
        Span<byte> key = stackalloc byte[8];
        foreach (var stale in prune.StalePages)
        {
            _pages.Delete(batch, stale.Page.ToBytes());
            _stale.Delete(batch, stale.ToBytes());
        }
        foreach (var version in prune.RootVersions)
        {
            BinaryPrimitives.WriteUInt64BigEndian(key, version);
            _roots.Delete(batch, key);
        }
    }
}
