using System.Collections.Concurrent;

namespace Huren.Sdk.StatusMap;

/// <summary>
/// An in-memory <see cref="IStatusMapStore"/>: for tests, tools and small maps, and the model of what a durable store
/// keeps (pages by key, root records by version, stale rows by version). Reads are safe on any thread, also while
/// <see cref="Apply(StatusMapWriteSet)"/> or <see cref="Apply(StatusMapPruneSet)"/> runs.
/// </summary>
public sealed class MemoryStatusMapStore : IStatusMapStore
{
    private readonly ConcurrentDictionary<StatusMapPageKey, byte[]> _pages = new();
    private readonly ConcurrentDictionary<ulong, byte[]> _roots = new();
    private readonly Lock _staleLock = new();
    private readonly SortedDictionary<ulong, List<StatusMapPageKey>> _stale = [];
    private long _pageBytes;
    private long _keyBytes;
    private int _staleCount;

    /// <summary>Number of stored pages.</summary>
    public int PageCount => _pages.Count;

    /// <summary>Total bytes of the stored pages.</summary>
    public long PageBytes => Interlocked.Read(ref _pageBytes);

    /// <summary>Total bytes of the stored pages' keys in their byte form.</summary>
    public long PageKeyBytes => Interlocked.Read(ref _keyBytes);

    /// <summary>Number of versions with a root record.</summary>
    public int RootCount => _roots.Count;

    /// <summary>Number of stale rows.</summary>
    public int StaleCount => Volatile.Read(ref _staleCount);

    /// <inheritdoc />
    public byte[]? GetPage(in StatusMapPageKey key) => _pages.GetValueOrDefault(key);

    /// <inheritdoc />
    public byte[]? GetRoot(ulong version) => _roots.GetValueOrDefault(version);

    /// <inheritdoc />
    public IEnumerable<StatusMapStalePage> GetStalePages(ulong maxSinceVersion)
    {
        var result = new List<StatusMapStalePage>();
        lock (_staleLock)
        {
            foreach (var (since, pages) in _stale)
            {
                if (since > maxSinceVersion) break;
                foreach (var page in pages) result.Add(new StatusMapStalePage(since, page));
            }
        }
        return result;
    }

    /// <inheritdoc />
    public IEnumerable<ulong> GetRootVersionsBelow(ulong version)
    {
        var result = new List<ulong>();
        foreach (var v in _roots.Keys)
        {
            if (v < version) result.Add(v);
        }
        result.Sort();
        return result;
    }

    /// <summary>Stores a batch's pages, root record and stale rows (pages first, so a reader that sees the root finds its pages).</summary>
    public void Apply(StatusMapWriteSet writes)
    {
        ArgumentNullException.ThrowIfNull(writes);
        foreach (var (key, page) in writes.Pages)
        {
            if (_pages.TryAdd(key, page))
            {
                Interlocked.Add(ref _pageBytes, page.Length);
                Interlocked.Add(ref _keyBytes, key.EncodedLength);
            }
        }
        if (writes.Stale.Count > 0)
        {
            lock (_staleLock)
            {
                if (!_stale.TryGetValue(writes.Version, out var list)) _stale[writes.Version] = list = [];
                list.AddRange(writes.Stale);
                _staleCount += writes.Stale.Count;
            }
        }
        _roots[writes.Version] = writes.Root.ToBytes();
    }

    /// <summary>Deletes what a prune set names (root records first, so no reader starts on a version losing its pages).</summary>
    public void Apply(StatusMapPruneSet prune)
    {
        ArgumentNullException.ThrowIfNull(prune);
        foreach (var version in prune.RootVersions) _roots.TryRemove(version, out _);
        var byVersion = new Dictionary<ulong, HashSet<StatusMapPageKey>>();
        foreach (var stale in prune.StalePages)
        {
            if (_pages.TryRemove(stale.Page, out var page))
            {
                Interlocked.Add(ref _pageBytes, -page.Length);
                Interlocked.Add(ref _keyBytes, -stale.Page.EncodedLength);
            }
            if (!byVersion.TryGetValue(stale.SinceVersion, out var set)) byVersion[stale.SinceVersion] = set = [];
            set.Add(stale.Page);
        }
        lock (_staleLock)
        {
            foreach (var (since, set) in byVersion)
            {
                if (!_stale.TryGetValue(since, out var list)) continue;
                _staleCount -= list.RemoveAll(set.Contains);
                if (list.Count == 0) _stale.Remove(since);
            }
        }
    }
}
