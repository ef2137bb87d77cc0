using Huren.Sdk.Merkle;

namespace Huren.Sdk.StatusMap;

/// <summary>
/// One batch update of <see cref="StatusMapTree"/>: the sorted, de-duplicated keys are pushed down the tree once, so
/// keys of one batch share the pages and hashes above the depth where their paths part. Every position on a changed
/// path is re-hashed exactly once (one SHA-256 per level per path, plus the leaf hash), and every changed page is
/// written once, under the new version. Holds the writer's reusable buffers; used by one thread at a time.
/// </summary>
internal sealed class StatusMapBatch
{
    private const int KeptBufferKeys = 1 << 16;

    private readonly IStatusMapStore _store;
    private readonly int _height;
    private readonly Stack<StatusMapPage> _pool = new();
    // The batch's keys and values after sorting, 32 bytes each, flat.
    private byte[] _keys = new byte[64 * Hash256.Length];
    private byte[] _values = new byte[64 * Hash256.Length];
    private int[] _order = new int[64];
    private int _count;
    private StatusMapWriteSet _writes = null!;
    private int _hashes;

    public StatusMapBatch(IStatusMapStore store, int height)
    {
        _store = store;
        _height = height;
    }

    public StatusMapWriteSet Run(StatusMapRoot baseRoot, ulong baseVersion, ulong version, ReadOnlySpan<StatusMapUpdate> updates)
    {
        _writes = new StatusMapWriteSet(baseVersion, version);
        _hashes = 0;
        SortAndDeduplicate(updates);
        _writes.Keys = _count;
        if (_count == 0)
        {
            _writes.Root = baseRoot;
            return _writes;
        }
        var top = Rent();
        try
        {
            if (baseRoot.PageVersion == 0) top.Reset(0, KeyOf(0));
            else Load(top, 0, baseRoot.PageVersion, KeyOf(0));
            var changed = ApplyPage(top, 0, _count);
            var rootHash = new Hash256(top.HashOf(1, ref _hashes));
            _writes.Root = changed ? new StatusMapRoot(rootHash, version, _height) : baseRoot;
            _writes.HashesComputed = _hashes;
            return _writes;
        }
        finally
        {
            _pool.Push(top);
            if (_order.Length > KeptBufferKeys)
            {
                // A bulk load (e.g. building the map of an existing log) should not pin its buffers for good.
                _order = new int[64];
                _keys = new byte[64 * Hash256.Length];
                _values = new byte[64 * Hash256.Length];
            }
        }
    }

    /// <summary>Sorts the keys (bit order = byte order) and keeps, for a key given several times, its last value.</summary>
    private void SortAndDeduplicate(ReadOnlySpan<StatusMapUpdate> updates)
    {
        if (_order.Length < updates.Length)
        {
            _order = new int[Math.Max(updates.Length, 2 * _order.Length)];
            _keys = new byte[_order.Length * Hash256.Length];
            _values = new byte[_order.Length * Hash256.Length];
        }
        for (var i = 0; i < updates.Length; i++) _order[i] = i;
        var source = updates.ToArray();
        Array.Sort(_order, 0, updates.Length, Comparer<int>.Create((a, b) =>
        {
            var c = source[a].Key.AsSpan().SequenceCompareTo(source[b].Key.AsSpan());
            return c != 0 ? c : a.CompareTo(b);
        }));
        _count = 0;
        for (var i = 0; i < updates.Length; i++)
        {
            var u = source[_order[i]];
            if (_count == 0 || !KeyOf(_count - 1).SequenceEqual(u.Key.AsSpan())) _count++;
            u.Key.CopyTo(_keys.AsSpan((_count - 1) * Hash256.Length));
            u.Value.CopyTo(_values.AsSpan((_count - 1) * Hash256.Length));
        }
    }

    /// <summary>Applies updates [lo, hi) to a page; writes it under the new version if anything in it changed.</summary>
    private bool ApplyPage(StatusMapPage page, int lo, int hi)
    {
        if (!ApplyAt(page, 1, lo, hi)) return false;
        var bytes = page.Encode();
        _writes.Pages.Add((new StatusMapPageKey(_writes.Version, page.TopDepth, page.PathKey), bytes));
        _writes.PageBytes += bytes.Length;
        if (page.LoadedVersion != 0) _writes.Stale.Add(new StatusMapPageKey(page.LoadedVersion, page.TopDepth, page.PathKey));
        return true;
    }

    private bool ApplyAt(StatusMapPage page, int position, int lo, int hi)
    {
        var level = StatusMapPage.LevelOf(position);
        var depth = page.TopDepth + level;
        if (level == _height) return ApplySlot(page, position, depth, lo, hi);
        var kind = page.Kinds[position];
        if (kind != StatusMapPage.Interior)
        {
            if (hi - lo == 1 && (kind == StatusMapPage.Empty || page.KeyAt(position).SequenceEqual(KeyOf(lo))))
            {
                return SetLeaf(page, position, lo);
            }
            // Two or more records from here on: the node becomes interior, an existing leaf moves to its side.
            var left = 2 * position;
            page.Kinds[left] = StatusMapPage.Empty;
            page.Kinds[left + 1] = StatusMapPage.Empty;
            if (kind == StatusMapPage.Leaf) page.CopyLeaf(page, position, left + StatusMapKey.Bit(page.KeyAt(position), depth));
            page.Kinds[position] = StatusMapPage.Interior;
        }
        var mid = SplitPoint(lo, hi, depth);
        var changed = false;
        if (mid > lo) changed |= ApplyAt(page, 2 * position, lo, mid);
        if (hi > mid) changed |= ApplyAt(page, 2 * position + 1, mid, hi);
        if (changed)
        {
            StatusMapHash.NodeHash(page.HashOf(2 * position, ref _hashes), page.HashOf(2 * position + 1, ref _hashes), page.HashAt(position));
            _hashes++;
        }
        return changed;
    }

    /// <summary>A slot (bottom position of a page): empty, a leaf, or a child page one page-height further down.</summary>
    private bool ApplySlot(StatusMapPage page, int position, int depth, int lo, int hi)
    {
        var kind = page.Kinds[position];
        if (kind == StatusMapPage.Child)
        {
            var child = Rent();
            try
            {
                Load(child, depth, page.ChildVersions[position], KeyOf(lo));
                if (!ApplyPage(child, lo, hi)) return false;
                child.HashAt(1).CopyTo(page.HashAt(position));
                page.ChildVersions[position] = _writes.Version;
                return true;
            }
            finally
            {
                _pool.Push(child);
            }
        }
        if (hi - lo == 1 && (kind == StatusMapPage.Empty || page.KeyAt(position).SequenceEqual(KeyOf(lo))))
        {
            return SetLeaf(page, position, lo);
        }
        // Distinct keys cannot share all 256 bits, so no page starts at depth 256.
        if (depth >= StatusMapHash.Depth) throw new InvalidOperationException("two distinct keys reached depth 256");
        var fresh = Rent();
        try
        {
            fresh.Reset(depth, KeyOf(lo));
            if (kind == StatusMapPage.Leaf) fresh.CopyLeaf(page, position, 1);
            ApplyPage(fresh, lo, hi);
            page.Kinds[position] = StatusMapPage.Child;
            fresh.HashAt(1).CopyTo(page.HashAt(position));
            page.ChildVersions[position] = _writes.Version;
            return true;
        }
        finally
        {
            _pool.Push(fresh);
        }
    }

    private bool SetLeaf(StatusMapPage page, int position, int index)
    {
        var value = ValueOf(index);
        if (page.Kinds[position] == StatusMapPage.Leaf && page.ValueAt(position).SequenceEqual(value)) return false;
        page.Kinds[position] = StatusMapPage.Leaf;
        KeyOf(index).CopyTo(page.KeyAt(position));
        value.CopyTo(page.ValueAt(position));
        page.LeafHashValid[position] = false;
        return true;
    }

    /// <summary>First index in [lo, hi) whose key has bit <paramref name="depth"/> set (keys are sorted and share the bits above).</summary>
    private int SplitPoint(int lo, int hi, int depth)
    {
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (StatusMapKey.Bit(KeyOf(mid), depth) == 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private void Load(StatusMapPage page, int depth, ulong version, ReadOnlySpan<byte> pathKey)
    {
        page.Load(_store, depth, version, pathKey);
        _writes.PagesRead++;
    }

    private ReadOnlySpan<byte> KeyOf(int index) => _keys.AsSpan(index * Hash256.Length, Hash256.Length);

    private ReadOnlySpan<byte> ValueOf(int index) => _values.AsSpan(index * Hash256.Length, Hash256.Length);

    private StatusMapPage Rent() => _pool.Count > 0 ? _pool.Pop() : new StatusMapPage(_height);
}
