using Huren.Node.Storage;

namespace Huren.Node.Tests.Storage;

/// <summary>
/// A store that fails on demand, over a real one: the next N writes throw (nothing of them is written), and reads of
/// one family throw while <see cref="FailReadsOf"/> names it. Damaged rows are written through <see cref="Inner"/>.
/// Writes are counted, and can be held at the door (<see cref="Hold"/>): the writing thread waits there until
/// <see cref="Open"/>.
/// </summary>
internal sealed class FaultyStore(IKeyValueStore inner) : IKeyValueStore
{
    private readonly ManualResetEventSlim _open = new(true);
    private int _failWrites;
    private int _writes;

    public IKeyValueStore Inner => inner;

    /// <summary>Reads of this family throw while set.</summary>
    public StoreFamily? FailReadsOf { get; set; }

    /// <summary>Makes the next <paramref name="count"/> writes throw.</summary>
    public void FailNextWrites(int count) => Volatile.Write(ref _failWrites, count);

    /// <summary>Writes attempted so far.</summary>
    public int Writes => Volatile.Read(ref _writes);

    /// <summary>Completed when a write reaches the door after <see cref="Hold"/>.</summary>
    public TaskCompletionSource Entered { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Makes the next writes wait at the door until <see cref="Open"/>.</summary>
    public void Hold()
    {
        Entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _open.Reset();
    }

    /// <summary>Lets held and later writes through.</summary>
    public void Open() => _open.Set();

    public byte[]? Get(StoreFamily family, ReadOnlySpan<byte> key)
    {
        if (FailReadsOf == family) throw new IOException($"injected read fault in {family}");
        return inner.Get(family, key);
    }

    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(StoreFamily family, byte[] prefix, byte[] start)
    {
        if (FailReadsOf == family) throw new IOException($"injected read fault in {family}");
        return inner.Scan(family, prefix, start);
    }

    public KeyValuePair<byte[], byte[]>? Last(StoreFamily family, byte[] prefix, byte[] upper)
    {
        if (FailReadsOf == family) throw new IOException($"injected read fault in {family}");
        return inner.Last(family, prefix, upper);
    }

    public StoreBatch CreateBatch() => inner.CreateBatch();

    public void Write(StoreBatch batch)
    {
        Interlocked.Increment(ref _writes);
        Entered.TrySetResult();
        _open.Wait(TimeSpan.FromSeconds(60));
        if (Interlocked.Decrement(ref _failWrites) >= 0) throw new IOException("injected write fault: no space left on device");
        Interlocked.Exchange(ref _failWrites, 0);
        inner.Write(batch);
    }

    public void Dispose()
    {
        _open.Dispose();
        inner.Dispose();
    }
}
