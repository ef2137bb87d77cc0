using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Huren.Node.Storage;
using Huren.Sdk.Evidence;
using Huren.Sdk.Notes;
using Huren.Sdk.Timestamps;

namespace Huren.Node.Anchoring;

/// <summary>A kept RFC 3161 time-stamp: the checkpoint note stamped (verbatim) and the token's DER.</summary>
public sealed class CheckpointTimestamp
{
    /// <summary>The log's origin.</summary>
    [JsonPropertyName("origin")] public string Origin { get; set; } = "";

    /// <summary>The checkpoint's size.</summary>
    [JsonPropertyName("size")] public ulong Size { get; set; }

    /// <summary>The note stamped, verbatim (its SHA-256 is the imprint; the stored note of that size may gain cosignatures later).</summary>
    [JsonPropertyName("note")] public string Note { get; set; } = "";

    /// <summary>The TimeStampToken's DER.</summary>
    [JsonPropertyName("token")] public byte[] Token { get; set; } = [];

    /// <summary>The TSA's time.</summary>
    [JsonPropertyName("genTime")] public DateTimeOffset GenTime { get; set; }
}

/// <summary>
/// Kept time-stamps in the node's key-value store: key space <c>timestamps</c> of the state family, key =
/// UTF-8(origin) ‖ 0x00 ‖ size big-endian, value = the <see cref="CheckpointTimestamp"/> as JSON. Thread-safe.
/// </summary>
public sealed class TimestampStore(IKeyValueStore store)
{
    /// <summary>The key space's name.</summary>
    public const string KeySpaceName = "timestamps";

    private readonly KeySpace _space = new(store, StoreFamily.State, KeySpaceName);

    /// <summary>Keeps <paramref name="stamp"/> (one synced write).</summary>
    public void Save(CheckpointTimestamp stamp)
    {
        ArgumentNullException.ThrowIfNull(stamp);
        _space.PutNow(Key(stamp.Origin, stamp.Size), JsonSerializer.SerializeToUtf8Bytes(stamp));
    }

    /// <summary>The time-stamp of <paramref name="origin"/> at exactly <paramref name="size"/>, or null.</summary>
    public CheckpointTimestamp? Get(string origin, ulong size) => _space.Get(Key(origin, size)) is { } bytes ? Parse(bytes) : null;

    /// <summary>The newest time-stamp of <paramref name="origin"/> with a size ≤ <paramref name="size"/>, or null.</summary>
    public CheckpointTimestamp? AtOrBelow(string origin, ulong size = ulong.MaxValue)
    {
        var key = Key(origin, size);
        if (_space.LastAtOrBelow(key) is not { } row) return null;
        // The row must be of this origin: same prefix up to the size.
        return row.Key.AsSpan().StartsWith(key.AsSpan(0, key.Length - 8)) && row.Key.Length == key.Length ? Parse(row.Value) : null;
    }

    /// <summary>
    /// Adds to <paramref name="bundle"/> the kept time-stamp of each of its checkpoints stamped at exactly that size
    /// (none: the field stays absent).
    /// </summary>
    public void Attach(EvidenceBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        foreach (var (origin, note) in bundle.Checkpoints)
        {
            if (!SignedNote.TryParse(note, out var parsed, out _) || !Checkpoint.TryParse(parsed.Text, origin, out var checkpoint, out _)) continue;
            if (Get(origin, checkpoint.Size) is not { } stamp) continue;
            (bundle.Timestamps ??= []).Add(new BundleTimestamp { Origin = origin, Size = stamp.Size, Note = stamp.Note, Token = stamp.Token });
        }
    }

    private static CheckpointTimestamp Parse(byte[] bytes) =>
        JsonSerializer.Deserialize<CheckpointTimestamp>(bytes) ?? throw new FormatException("a kept time-stamp is empty");

    private static byte[] Key(string origin, ulong size)
    {
        var o = Encoding.UTF8.GetBytes(origin);
        var key = new byte[o.Length + 1 + 8];
        o.CopyTo(key, 0);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(o.Length + 1), size);
        return key;
    }
}
