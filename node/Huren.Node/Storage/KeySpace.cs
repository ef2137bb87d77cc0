using System.Buffers;
using System.Text;

namespace Huren.Node.Storage;

/// <summary>
/// A named key space: the rows of one family whose keys start with <c>UTF-8(name) ‖ 0x00</c>. Keys given to and
/// returned by a key space are without that prefix, so several logs, the witness and the network configuration
/// share one store without seeing each other's rows. Thread-safe.
/// </summary>
public sealed class KeySpace
{
    private readonly IKeyValueStore _store;
    private readonly byte[] _prefix;

    /// <summary>The key space <paramref name="name"/> of <paramref name="family"/> in <paramref name="store"/>.</summary>
    public KeySpace(IKeyValueStore store, StoreFamily family, string name)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('\0', StringComparison.Ordinal)) throw new ArgumentException("a key space name has no NUL", nameof(name));
        _store = store;
        Family = family;
        Name = name;
        var bytes = Encoding.UTF8.GetBytes(name);
        _prefix = new byte[bytes.Length + 1];
        bytes.CopyTo(_prefix, 0);
    }

    /// <summary>The family.</summary>
    public StoreFamily Family { get; }

    /// <summary>The name.</summary>
    public string Name { get; }

    /// <summary>The store.</summary>
    public IKeyValueStore Store => _store;

    /// <summary>The value of <paramref name="key"/>, or null.</summary>
    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        var length = _prefix.Length + key.Length;
        var rented = length <= 256 ? null : ArrayPool<byte>.Shared.Rent(length);
        Span<byte> full = rented ?? stackalloc byte[256];
        try
        {
            _prefix.CopyTo(full);
            key.CopyTo(full[_prefix.Length..]);
            return _store.Get(Family, full[..length]);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>The value of the UTF-8 key <paramref name="key"/>, or null.</summary>
    public byte[]? Get(string key) => Get(Encoding.UTF8.GetBytes(key));

    /// <summary>Every row whose key starts with <paramref name="prefix"/>, in key order (keys without the space's prefix).</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(ReadOnlySpan<byte> prefix)
    {
        var full = Full(prefix);
        return Strip(_store.Scan(Family, full, full));
    }

    /// <summary>Every row whose UTF-8 key starts with <paramref name="prefix"/>, in key order, keys as strings.</summary>
    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix)
    {
        foreach (var row in Scan(Encoding.UTF8.GetBytes(prefix))) yield return new(Encoding.UTF8.GetString(row.Key), row.Value);
    }

    /// <summary>
    /// Every row whose UTF-8 key starts with <paramref name="prefix"/> and sorts after <paramref name="prefix"/> ‖
    /// <paramref name="after"/>, in key order, keys as strings: a page that goes on where an earlier one stopped
    /// (<paramref name="after"/> empty: from the first row).
    /// </summary>
    public IEnumerable<KeyValuePair<string, byte[]>> Scan(string prefix, string after)
    {
        var start = Encoding.UTF8.GetBytes(prefix + after);
        foreach (var row in Scan(Encoding.UTF8.GetBytes(prefix), start))
        {
            if (after.Length > 0 && row.Key.AsSpan().SequenceEqual(start)) continue;
            yield return new(Encoding.UTF8.GetString(row.Key), row.Value);
        }
    }

    /// <summary>Every row whose key starts with <paramref name="prefix"/> and is ≥ <paramref name="start"/>, in key order (keys without the space's prefix).</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> start) => Strip(_store.Scan(Family, Full(prefix), Full(start)));

    /// <summary>Every row of the space whose key is ≥ <paramref name="start"/>, in key order (keys without the space's prefix).</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> ScanFrom(ReadOnlySpan<byte> start) => Strip(_store.Scan(Family, _prefix, Full(start)));

    /// <summary>The row with the largest key in the space, or null.</summary>
    public KeyValuePair<byte[], byte[]>? Last()
    {
        // Keys of this space sort below the prefix followed by 0xff bytes up to any key length used here.
        var upper = new byte[_prefix.Length + 64];
        _prefix.CopyTo(upper, 0);
        upper.AsSpan(_prefix.Length).Fill(0xff);
        return _store.Last(Family, _prefix, upper) is { } row ? new(row.Key[_prefix.Length..], row.Value) : null;
    }

    /// <summary>The row with the largest key ≤ <paramref name="upper"/> in the space, or null.</summary>
    public KeyValuePair<byte[], byte[]>? LastAtOrBelow(ReadOnlySpan<byte> upper)
    {
        var full = Full(upper);
        return _store.Last(Family, _prefix, full) is { } row ? new(row.Key[_prefix.Length..], row.Value) : null;
    }

    /// <summary>Adds a put of <paramref name="key"/> to <paramref name="batch"/>.</summary>
    public void Put(StoreBatch batch, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var length = _prefix.Length + key.Length;
        var rented = length <= 256 ? null : ArrayPool<byte>.Shared.Rent(length);
        Span<byte> full = rented ?? stackalloc byte[256];
        try
        {
            _prefix.CopyTo(full);
            key.CopyTo(full[_prefix.Length..]);
            batch.Put(Family, full[..length], value);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Adds a put of the UTF-8 key <paramref name="key"/> to <paramref name="batch"/>.</summary>
    public void Put(StoreBatch batch, string key, ReadOnlySpan<byte> value) => Put(batch, Encoding.UTF8.GetBytes(key), value);

    /// <summary>Adds a delete of <paramref name="key"/> to <paramref name="batch"/>.</summary>
    public void Delete(StoreBatch batch, ReadOnlySpan<byte> key)
    {
        ArgumentNullException.ThrowIfNull(batch);
        batch.Delete(Family, Full(key));
    }

    /// <summary>Writes one row durably on its own (one synced batch).</summary>
    public void PutNow(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        using var batch = _store.CreateBatch();
        Put(batch, key, value);
        _store.Write(batch);
    }

    private byte[] Full(ReadOnlySpan<byte> key)
    {
        var full = new byte[_prefix.Length + key.Length];
        _prefix.CopyTo(full, 0);
        key.CopyTo(full.AsSpan(_prefix.Length));
        return full;
    }

    private IEnumerable<KeyValuePair<byte[], byte[]>> Strip(IEnumerable<KeyValuePair<byte[], byte[]>> rows)
    {
        foreach (var row in rows) yield return new(row.Key[_prefix.Length..], row.Value);
    }
}
