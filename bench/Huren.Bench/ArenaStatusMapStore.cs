using Huren.Sdk.StatusMap;

namespace Huren.Bench;

/// <summary>
/// The bench's status-map store for millions of records: pages live as bytes in a few large arrays and are copied out
/// on every read, as a key-value store (RocksDB) hands out a new array per get. The SDK's
/// <see cref="MemoryStatusMapStore"/> keeps one array per page, which at 10 M records puts millions of objects on the
/// managed heap; collecting them would be timed with the map. Single-threaded; dead pages are reclaimed by compaction.
/// </summary>
internal sealed class ArenaStatusMapStore : IStatusMapStore
{
    private const int ChunkSize = 64 << 20;

    private readonly Dictionary<StatusMapPageKey, (int Chunk, int Offset, int Length)> _index = [];
    private readonly Dictionary<ulong, StatusMapRoot> _roots = [];
    private readonly SortedDictionary<ulong, List<StatusMapPageKey>> _stale = [];
    private List<byte[]> _chunks = [new byte[ChunkSize]];
    private int _used;
    private long _deadBytes;

    public long PageBytes { get; private set; }
    public long PageKeyBytes { get; private set; }
    public int PageCount => _index.Count;
    public long ArenaBytes => (long)_chunks.Count * ChunkSize;

    public byte[]? GetPage(in StatusMapPageKey key) =>
        _index.TryGetValue(key, out var at) ? _chunks[at.Chunk].AsSpan(at.Offset, at.Length).ToArray() : null;

    public byte[]? GetRoot(ulong version) => _roots.TryGetValue(version, out var root) ? root.ToBytes() : null;

    public IEnumerable<StatusMapStalePage> GetStalePages(ulong maxSinceVersion)
    {
        var result = new List<StatusMapStalePage>();
        foreach (var (since, pages) in _stale)
        {
            if (since > maxSinceVersion) break;
            foreach (var page in pages) result.Add(new StatusMapStalePage(since, page));
        }
        return result;
    }

    public IEnumerable<ulong> GetRootVersionsBelow(ulong version) => [.. _roots.Keys.Where(v => v < version).Order()];

    public void Apply(StatusMapWriteSet writes)
    {
        foreach (var (key, page) in writes.Pages)
        {
            if (_used + page.Length > ChunkSize)
            {
                _chunks.Add(new byte[ChunkSize]);
                _used = 0;
            }
            page.CopyTo(_chunks[^1], _used);
            _index.Add(key, (_chunks.Count - 1, _used, page.Length));
            _used += page.Length;
            PageBytes += page.Length;
            PageKeyBytes += key.EncodedLength;
        }
        if (writes.Stale.Count > 0) _stale[writes.Version] = [.. writes.Stale];
        _roots[writes.Version] = writes.Root;
    }

    public void Apply(StatusMapPruneSet prune)
    {
        foreach (var version in prune.RootVersions) _roots.Remove(version);
        foreach (var stale in prune.StalePages)
        {
            if (_index.Remove(stale.Page, out var at))
            {
                PageBytes -= at.Length;
                PageKeyBytes -= stale.Page.EncodedLength;
                _deadBytes += at.Length;
            }
        }
        foreach (var version in prune.StalePages.Select(s => s.SinceVersion).Distinct().ToList()) _stale.Remove(version);
        if (_deadBytes > PageBytes && _deadBytes > 4L * ChunkSize) Compact();
    }

    /// <summary>Copies the live pages into fresh chunks.</summary>
    private void Compact()
    {
        var old = _chunks;
        _chunks = [new byte[ChunkSize]];
        _used = 0;
        foreach (var key in _index.Keys.ToList())
        {
            var at = _index[key];
            if (_used + at.Length > ChunkSize)
            {
                _chunks.Add(new byte[ChunkSize]);
                _used = 0;
            }
            old[at.Chunk].AsSpan(at.Offset, at.Length).CopyTo(_chunks[^1].AsSpan(_used));
            _index[key] = (_chunks.Count - 1, _used, at.Length);
            _used += at.Length;
        }
        _deadBytes = 0;
    }
}
