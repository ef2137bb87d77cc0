using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;

namespace Huren.Node.Ledger;

/// <summary>
/// The effects of the entries admitted into the sequencer's current batch, not yet durable: state rows by key (the
/// latest value of each), newly registered keys, and the batch's leaves (so that a later entry of the same batch can
/// reference an earlier one). Used by the sequencer thread only.
/// </summary>
internal sealed class StagedBatch
{
    private readonly Dictionary<string, object> _rows = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly Dictionary<ulong, EntryContext> _entries = [];

    /// <summary>Keys registered in the batch: key id → (key, issuer id).</summary>
    public Dictionary<KeyId, RegisteredKey> Keys { get; } = [];

    /// <summary>The index after the batch's last entry, or null when the batch is empty.</summary>
    public ulong? NextIndex { get; private set; }

    /// <summary>Staged rows in the order they were first staged, each with its latest value.</summary>
    public IEnumerable<(string Key, object Record)> Rows
    {
        get
        {
            foreach (var key in _order) yield return (key, _rows[key]);
        }
    }

    public bool TryGetRow<T>(string key, out T? record) where T : class
    {
        if (_rows.TryGetValue(key, out var value) && value is T typed)
        {
            record = typed;
            return true;
        }
        record = null;
        return false;
    }

    /// <summary>The staged entry at <paramref name="index"/>, if any.</summary>
    public EntryContext? EntryAt(ulong index) => _entries.GetValueOrDefault(index);

    /// <summary>Adds one admitted entry and its effects.</summary>
    public void Add(EntryContext entry, List<(string Key, object Record)> rows, List<RegisteredKey> keys)
    {
        foreach (var (key, record) in rows)
        {
            if (_rows.TryAdd(key, record)) _order.Add(key);
            else _rows[key] = record;
        }
        foreach (var key in keys) Keys[key.Key.Id] = key;
        _entries[entry.Index] = entry;
        NextIndex = entry.Index + 1;
    }

    public void Clear()
    {
        _rows.Clear();
        _order.Clear();
        _entries.Clear();
        Keys.Clear();
        NextIndex = null;
    }
}

/// <summary>A registered signing key and the issuer it belongs to.</summary>
internal sealed record RegisteredKey(PublicKey Key, string IssuerId);

/// <summary>One entry under the order-dependent checks: where it goes, and its leaf hash (the decoded leaf's, computed once).</summary>
internal sealed class EntryContext(DecodedLeaf leaf, ulong index)
{
    public DecodedLeaf Leaf { get; } = leaf;

    public Entry Entry => Leaf.Entry;

    public ulong Index { get; } = index;

    /// <summary>SHA-256(0x00 ‖ leaf) of the exact bytes the entry arrived as.</summary>
    public byte[] LeafHash => Leaf.LeafHash;
}
