namespace Huren.Node.Storage;

/// <summary>
/// The node's ordered key-value store: get, forward and backward seeks in key order, and atomic batches written
/// durably (WAL synced) before <see cref="Write"/> returns. Keys are raw bytes compared as unsigned bytes.
/// <see cref="RocksStore"/> is the durable implementation, <see cref="MemoryStore"/> the in-memory one; both pass the
/// same test suite. Code above this interface works with <see cref="KeySpace"/>s, never with raw keys. Thread-safe.
/// </summary>
public interface IKeyValueStore : IDisposable
{
    /// <summary>The value of <paramref name="key"/> in <paramref name="family"/>, or null.</summary>
    byte[]? Get(StoreFamily family, ReadOnlySpan<byte> key);

    /// <summary>Rows of <paramref name="family"/> from the first key ≥ <paramref name="start"/> on, in key order, while their key starts with <paramref name="prefix"/>.</summary>
    IEnumerable<KeyValuePair<byte[], byte[]>> Scan(StoreFamily family, byte[] prefix, byte[] start);

    /// <summary>The row with the largest key ≤ <paramref name="upper"/> that starts with <paramref name="prefix"/>, or null.</summary>
    KeyValuePair<byte[], byte[]>? Last(StoreFamily family, byte[] prefix, byte[] upper);

    /// <summary>A new, empty batch for <see cref="Write"/>.</summary>
    StoreBatch CreateBatch();

    /// <summary>Writes every row of <paramref name="batch"/> atomically and durably: after a crash all of it or none of it is there.</summary>
    void Write(StoreBatch batch);
}

/// <summary>Rows to write in one atomic, synced write. Made by <see cref="IKeyValueStore.CreateBatch"/>; single-threaded.</summary>
public abstract class StoreBatch : IDisposable
{
    /// <summary>Rows put or deleted so far.</summary>
    public int Count { get; protected set; }

    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>.</summary>
    public abstract void Put(StoreFamily family, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    /// <summary>Removes <paramref name="key"/>.</summary>
    public abstract void Delete(StoreFamily family, ReadOnlySpan<byte> key);

    /// <inheritdoc/>
    public virtual void Dispose() => GC.SuppressFinalize(this);
}
