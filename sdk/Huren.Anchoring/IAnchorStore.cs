namespace Huren.Anchoring;

/// <summary>
/// Where an <see cref="Anchorer"/> keeps its records. The node backs it with its key-value store (key = record id,
/// value = <see cref="AnchorRecord.ToJsonBytes"/>); <see cref="Save"/> must be durable (a synced write) before it
/// returns, because a signed transaction is kept there before it is sent.
/// </summary>
public interface IAnchorStore
{
    /// <summary>The record with the highest id, or null when there is none.</summary>
    AnchorRecord? Latest();

    /// <summary>The record with this id, or null.</summary>
    AnchorRecord? Get(ulong id);

    /// <summary>Up to <paramref name="max"/> records with ids below <paramref name="beforeId"/>, newest first (for status listings).</summary>
    IReadOnlyList<AnchorRecord> ListBefore(ulong beforeId, int max);

    /// <summary>Inserts or replaces the record with its id, durably.</summary>
    void Save(AnchorRecord record);
}

/// <summary>An in-memory <see cref="IAnchorStore"/> for tests and tools; it keeps the JSON bytes, as a real store would, so callers never share objects with it.</summary>
public sealed class MemoryAnchorStore : IAnchorStore
{
    private readonly SortedDictionary<ulong, byte[]> _records = [];
    private readonly Lock _lock = new();

    /// <inheritdoc />
    public AnchorRecord? Latest()
    {
        lock (_lock) return _records.Count == 0 ? null : AnchorRecord.Parse(_records.Last().Value);
    }

    /// <inheritdoc />
    public AnchorRecord? Get(ulong id)
    {
        lock (_lock) return _records.TryGetValue(id, out var bytes) ? AnchorRecord.Parse(bytes) : null;
    }

    /// <inheritdoc />
    public IReadOnlyList<AnchorRecord> ListBefore(ulong beforeId, int max)
    {
        lock (_lock)
        {
            return [.. _records.Where(r => r.Key < beforeId).Reverse().Take(max).Select(r => AnchorRecord.Parse(r.Value))];
        }
    }

    /// <inheritdoc />
    public void Save(AnchorRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_lock) _records[record.Id] = record.ToJsonBytes();
    }
}
