using System.Buffers.Binary;
using Huren.Anchoring;
using Huren.Node.Storage;

namespace Huren.Node.Anchoring;

/// <summary>
/// The anchorer's records in the node's key-value store: key space <c>anchors</c> of the state family, key = the
/// record id big-endian (so key order is id order), value = <see cref="AnchorRecord.ToJsonBytes"/>. Each save is one
/// synced write, as <see cref="IAnchorStore"/> requires (a signed transaction is kept before it is sent).
/// </summary>
public sealed class NodeAnchorStore(IKeyValueStore store) : IAnchorStore
{
    /// <summary>The key space's name.</summary>
    public const string KeySpaceName = "anchors";

    private readonly KeySpace _space = new(store, StoreFamily.State, KeySpaceName);

    /// <inheritdoc/>
    public AnchorRecord? Latest() => _space.Last() is { } row ? AnchorRecord.Parse(row.Value) : null;

    /// <inheritdoc/>
    public AnchorRecord? Get(ulong id) => _space.Get(Key(id)) is { } bytes ? AnchorRecord.Parse(bytes) : null;

    /// <inheritdoc/>
    public IReadOnlyList<AnchorRecord> ListBefore(ulong beforeId, int max)
    {
        var records = new List<AnchorRecord>();
        var id = beforeId;
        while (records.Count < max && id > 0)
        {
            if (_space.LastAtOrBelow(Key(id - 1)) is not { } row) break;
            var record = AnchorRecord.Parse(row.Value);
            records.Add(record);
            id = BinaryPrimitives.ReadUInt64BigEndian(row.Key);
        }
        return records;
    }

    /// <inheritdoc/>
    public void Save(AnchorRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _space.PutNow(Key(record.Id), record.ToJsonBytes());
    }

    private static byte[] Key(ulong id)
    {
        var key = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, id);
        return key;
    }
}
