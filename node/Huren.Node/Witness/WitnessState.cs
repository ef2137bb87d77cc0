using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Huren.Node.Storage;

namespace Huren.Node.Witness;

/// <summary>
/// The witness's durable state, in its own key space <c>witness</c> of the node's store (family <c>state</c>):
/// <list type="bullet">
/// <item><c>format</c> — the storage format, <see cref="FormatMarker"/>.</item>
/// <item><c>cosigned/&lt;origin&gt;</c> — the last checkpoint cosigned for the origin (<see cref="CosignedCheckpoint"/>, JSON).</item>
/// <item><c>equivocation/&lt;20-digit sequence&gt;</c> — one piece of equivocation evidence (<see cref="EquivocationRecord"/>, JSON), oldest first.</item>
/// <item><c>quarantine/&lt;origin&gt;</c> — whether the origin is refused after an equivocation (<see cref="QuarantineRecord"/>, JSON); cleared rows stay as an audit trail.</item>
/// </list>
/// Every write is one synced RocksDB batch. Writes of one origin are serialized by a per-origin lock, which makes
/// <see cref="TryAdvance"/> a compare-and-swap on the stored size. Thread-safe.
/// </summary>
public sealed class WitnessState
{
    /// <summary>The name of the witness's key space in the node's store.</summary>
    public const string KeySpaceName = "witness";

    /// <summary>The head of the key space: the storage format.</summary>
    public const string FormatMarker = "huren-witness/v1";

    private const string CosignedPrefix = "cosigned/";
    private const string EquivocationPrefix = "equivocation/";
    private const string QuarantinePrefix = "quarantine/";

    private const string FormatKey = "format";
    private static readonly byte[] Format = Encoding.UTF8.GetBytes(FormatMarker);

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly KeySpace _store;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Lock> _locks = new(StringComparer.Ordinal);
    private long _lastEquivocation;

    /// <summary>The state kept in <paramref name="store"/> (use <see cref="Open"/> for the node's store).</summary>
    /// <exception cref="InvalidOperationException">The key space holds data of another format.</exception>
    /// <param name="store">The key space.</param>
    /// <param name="time">The clock that dates operator actions (the system clock when null).</param>
    public WitnessState(KeySpace store, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var format = store.Get(FormatKey);
        if (format is not null && !format.AsSpan().SequenceEqual(Format))
            throw new InvalidOperationException($"the '{store.Name}' key space of the node's store is not in the {FormatMarker} format");
        _store = store;
        _time = time ?? TimeProvider.System;
        foreach (var (key, _) in store.Scan(EquivocationPrefix))
        {
            if (long.TryParse(key.AsSpan(EquivocationPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
                _lastEquivocation = Math.Max(_lastEquivocation, sequence);
        }
    }

    /// <summary>The witness state in <paramref name="store"/>'s <see cref="KeySpaceName"/> key space.</summary>
    public static WitnessState Open(IKeyValueStore store, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        return new WitnessState(new KeySpace(store, StoreFamily.State, KeySpaceName), time);
    }

    /// <summary>The last checkpoint cosigned for <paramref name="origin"/>, or null when none was.</summary>
    public CosignedCheckpoint? GetCosigned(string origin) => Read<CosignedCheckpoint>(CosignedPrefix + origin);

    /// <summary>Every origin's last cosigned checkpoint.</summary>
    public IReadOnlyList<CosignedCheckpoint> ListCosigned()
        => [.. _store.Scan(CosignedPrefix).Select(row => Parse<CosignedCheckpoint>(row.Key, row.Value))];

    /// <summary>The quarantine of <paramref name="origin"/> when it is in force, else null.</summary>
    public QuarantineRecord? GetQuarantine(string origin)
        => Read<QuarantineRecord>(QuarantinePrefix + origin) is { Quarantined: true } record ? record : null;

    /// <summary>Whether <paramref name="origin"/> is refused after an equivocation.</summary>
    public bool IsQuarantined(string origin) => GetQuarantine(origin) is not null;

    /// <summary>
    /// Compare-and-swap: stores <paramref name="next"/> as the origin's cosigned checkpoint only if the stored size is
    /// still <paramref name="expectedSize"/> (0 when none is stored) and the origin is not quarantined. Durable when it
    /// returns <see cref="AdvanceOutcome.Stored"/>.
    /// </summary>
    public AdvanceOutcome TryAdvance(ulong expectedSize, CosignedCheckpoint next)
    {
        ArgumentNullException.ThrowIfNull(next);
        lock (LockFor(next.Origin))
        {
            if (IsQuarantined(next.Origin)) return AdvanceOutcome.Quarantined;
            var stored = GetCosigned(next.Origin)?.Size ?? 0;
            if (stored != expectedSize) return AdvanceOutcome.SizeChanged;
            Commit((CosignedPrefix + next.Origin, Serialize(next)));
            return AdvanceOutcome.Stored;
        }
    }

    /// <summary>
    /// Keeps one piece of equivocation evidence and quarantines its origin, in one durable write. Returns the stored
    /// record, or null when the origin was already quarantined (nothing is written then).
    /// </summary>
    public EquivocationRecord? RecordEquivocation(string origin, string knownNote, string conflictingNote, long seenUnixMs, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        lock (LockFor(origin))
        {
            if (IsQuarantined(origin)) return null;
            var record = new EquivocationRecord
            {
                Sequence = Interlocked.Increment(ref _lastEquivocation),
                Origin = origin,
                KnownNote = knownNote,
                ConflictingNote = conflictingNote,
                SeenUnixMs = seenUnixMs,
                Reason = reason,
            };
            var quarantine = new QuarantineRecord
            {
                Origin = origin,
                Quarantined = true,
                SinceUnixMs = seenUnixMs,
                Equivocation = record.Sequence,
                Reason = reason,
            };
            Commit(
                (EquivocationPrefix + record.Sequence.ToString("D20", CultureInfo.InvariantCulture), Serialize(record)),
                (QuarantinePrefix + origin, Serialize(quarantine)));
            return record;
        }
    }

    /// <summary>
    /// The operator's action after investigating an equivocation: the witness accepts <paramref name="origin"/> again,
    /// from the checkpoint it last cosigned (the evidence stays). Returns false when the origin was not quarantined.
    /// </summary>
    public bool ClearQuarantine(string origin) => ClearQuarantine(origin, null, null);

    /// <summary>
    /// <see cref="ClearQuarantine(string)"/>, recording why (<paramref name="reason"/>) and by whom (<paramref name="clearedBy"/>,
    /// a principal name) in the quarantine row, which stays as the audit trail.
    /// </summary>
    public bool ClearQuarantine(string origin, string? reason, string? clearedBy)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        lock (LockFor(origin))
        {
            if (GetQuarantine(origin) is not { } current) return false;
            current.Quarantined = false;
            current.ClearedUnixMs = _time.GetUtcNow().ToUnixTimeMilliseconds();
            current.ClearedReason = reason;
            current.ClearedBy = clearedBy;
            Commit((QuarantinePrefix + origin, Serialize(current)));
            return true;
        }
    }

    /// <summary>Every origin's quarantine row, in force or cleared (the last one of each origin), in origin order.</summary>
    public IReadOnlyList<QuarantineRecord> ListQuarantines()
    {
        var result = new List<QuarantineRecord>();
        foreach (var (key, value) in _store.Scan(QuarantinePrefix)) result.Add(Parse<QuarantineRecord>(key, value));
        return result;
    }

    /// <summary>The recorded equivocations, oldest first; only <paramref name="origin"/>'s when given.</summary>
    public IReadOnlyList<EquivocationRecord> ListEquivocations(string? origin = null)
    {
        var result = new List<EquivocationRecord>();
        foreach (var (key, value) in _store.Scan(EquivocationPrefix))
        {
            var record = Parse<EquivocationRecord>(key, value);
            if (string.IsNullOrEmpty(origin) || string.Equals(record.Origin, origin, StringComparison.Ordinal)) result.Add(record);
        }
        return result;
    }

    private Lock LockFor(string origin) => _locks.GetOrAdd(origin, _ => new Lock());

    private void Commit(params ReadOnlySpan<(string Key, byte[] Value)> rows)
    {
        using var batch = _store.Store.CreateBatch();
        _store.Put(batch, FormatKey, Format);
        foreach (var (key, value) in rows) _store.Put(batch, key, value);
        _store.Store.Write(batch);
    }

    private T? Read<T>(string key) where T : class
        => _store.Get(key) is { } value ? Parse<T>(key, value) : null;

    private static T Parse<T>(string key, byte[] value)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(value, Json) ?? throw new InvalidDataException($"witness state row '{key}' is empty");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"witness state row '{key}' is not valid: {ex.Message}", ex);
        }
    }

    private static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Json);
}

/// <summary>The outcome of <see cref="WitnessState.TryAdvance"/>.</summary>
public enum AdvanceOutcome
{
    /// <summary>Stored durably.</summary>
    Stored,
    /// <summary>Another request changed the stored size first; nothing was written.</summary>
    SizeChanged,
    /// <summary>The origin is quarantined; nothing was written.</summary>
    Quarantined,
}

/// <summary>The last checkpoint a witness cosigned for one origin (row <c>cosigned/&lt;origin&gt;</c>).</summary>
public sealed class CosignedCheckpoint
{
    /// <summary>The origin.</summary>
    [JsonPropertyName("origin")] public string Origin { get; set; } = "";

    /// <summary>The tree size.</summary>
    [JsonPropertyName("size")] public ulong Size { get; set; }

    /// <summary>The root hash, standard base64.</summary>
    [JsonPropertyName("root")] public string Root { get; set; } = "";

    /// <summary>The signed checkpoint note with the origin's verified signature lines (lines of other keys are dropped).</summary>
    [JsonPropertyName("note")] public string Note { get; set; } = "";

    /// <summary>The cosignature line the witness answered with.</summary>
    [JsonPropertyName("cosignature")] public string Cosignature { get; set; } = "";

    /// <summary>When it was cosigned (Unix ms).</summary>
    [JsonPropertyName("cosignedUnixMs")] public long CosignedUnixMs { get; set; }

    /// <summary>The root hash bytes.</summary>
    public byte[] GetRoot() => Convert.FromBase64String(Root);
}

/// <summary>Evidence of an equivocation (row <c>equivocation/&lt;sequence&gt;</c>).</summary>
public sealed class EquivocationRecord
{
    /// <summary>Position in the witness's evidence list (1, 2, …).</summary>
    [JsonPropertyName("sequence")] public long Sequence { get; set; }

    /// <summary>The origin.</summary>
    [JsonPropertyName("origin")] public string Origin { get; set; } = "";

    /// <summary>The checkpoint note the witness had cosigned (with the origin's verified signature lines).</summary>
    [JsonPropertyName("knownNote")] public string KnownNote { get; set; } = "";

    /// <summary>The validly signed checkpoint note that contradicts it (with the origin's verified signature lines).</summary>
    [JsonPropertyName("conflictingNote")] public string ConflictingNote { get; set; } = "";

    /// <summary>When the witness saw it (Unix ms).</summary>
    [JsonPropertyName("seenUnixMs")] public long SeenUnixMs { get; set; }

    /// <summary>Why the two are not consistent.</summary>
    [JsonPropertyName("reason")] public string Reason { get; set; } = "";
}

/// <summary>Whether an origin is refused after an equivocation (row <c>quarantine/&lt;origin&gt;</c>).</summary>
public sealed class QuarantineRecord
{
    /// <summary>The origin.</summary>
    [JsonPropertyName("origin")] public string Origin { get; set; } = "";

    /// <summary>True while in force; false once an operator cleared it.</summary>
    [JsonPropertyName("quarantined")] public bool Quarantined { get; set; }

    /// <summary>Since when (Unix ms).</summary>
    [JsonPropertyName("sinceUnixMs")] public long SinceUnixMs { get; set; }

    /// <summary>The sequence number of the evidence that caused it.</summary>
    [JsonPropertyName("equivocation")] public long Equivocation { get; set; }

    /// <summary>The equivocation's reason.</summary>
    [JsonPropertyName("reason")] public string Reason { get; set; } = "";

    /// <summary>When an operator cleared it (Unix ms), or null.</summary>
    [JsonPropertyName("clearedUnixMs")] public long? ClearedUnixMs { get; set; }

    /// <summary>Why the operator cleared it, or null (cleared without a reason, or in force).</summary>
    [JsonPropertyName("clearedReason")] public string? ClearedReason { get; set; }

    /// <summary>The principal that cleared it, or null.</summary>
    [JsonPropertyName("clearedBy")] public string? ClearedBy { get; set; }
}
