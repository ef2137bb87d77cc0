using Huren.Node.Storage;
using ProtoBuf;

namespace Huren.Node.Content;

/// <summary>
/// The rows beside the content store (key space <c>content</c>, family <c>state</c>): who put which object
/// (<c>owner/&lt;sha256 hex&gt;/&lt;owner&gt;</c>), and which record's data a department published for a catalogue
/// resource (<c>record/&lt;resource code&gt; &lt;record id&gt;</c>), data held or refused for shares, and what was sent for the node's own shares. Never on the ledger.
/// </summary>
public sealed class ContentIndex(IKeyValueStore store)
{
    private readonly KeySpace _rows = new(store, StoreFamily.State, "content");

    /// <summary>A batch for rows and small objects written together (<see cref="Write"/>).</summary>
    public StoreBatch CreateBatch() => _rows.Store.CreateBatch();

    /// <summary>Writes <paramref name="batch"/> atomically and durably.</summary>
    public void Write(StoreBatch batch) => _rows.Store.Write(batch);

    /// <summary>Records, in <paramref name="batch"/>, that <paramref name="owner"/> put the object <paramref name="sha256Hex"/>.</summary>
    public void AddOwner(StoreBatch batch, string sha256Hex, string owner) => _rows.Put(batch, $"owner/{sha256Hex}/{owner}", []);

    /// <summary>Whether <paramref name="owner"/> put the object <paramref name="sha256Hex"/>.</summary>
    public bool IsOwner(string sha256Hex, string owner) => _rows.Get($"owner/{sha256Hex}/{owner}") is not null;

    /// <summary>The published data of a record, or null.</summary>
    public RecordData? FindRecord(string resourceCode, string recordId)
        => _rows.Get($"record/{resourceCode} {recordId}") is { } bytes ? Serializer.Deserialize<RecordData>(bytes.AsSpan()) : null;

    /// <summary>Publishes (or replaces) a record's data.</summary>
    public void PutRecord(RecordData data) => Put($"record/{data.ResourceCode} {data.RecordId}", data);

    /// <summary>Data received for a share and held until the consumer's receipt (row <c>held/&lt;provider origin&gt; &lt;share id&gt;</c>).</summary>
    public HeldShare? FindHeld(string providerOrigin, string shareId)
        => _rows.Get($"held/{providerOrigin} {shareId}") is { } bytes ? Serializer.Deserialize<HeldShare>(bytes.AsSpan()) : null;

    /// <summary>
    /// Data held for <paramref name="shareId"/> from any provider. Share ids are chosen by consumers, so two providers'
    /// shares may carry the same id; this reads every held row (a look-up for a person at a command line, not a hot path).
    /// </summary>
    public IEnumerable<HeldShare> HeldWithId(string shareId)
    {
        foreach (var (key, value) in _rows.Scan("held/"))
        {
            // Origins hold no space, so the share id is everything after the first one.
            var space = key.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && key.AsSpan(space + 1).SequenceEqual(shareId)) yield return Serializer.Deserialize<HeldShare>(value.AsSpan());
        }
    }

    /// <summary>Records, in <paramref name="batch"/>, data received and checked for a share.</summary>
    public void PutHeld(StoreBatch batch, HeldShare held) => _rows.Put(batch, $"held/{held.ProviderOrigin} {held.ShareId}", Encode(held));

    /// <summary>
    /// Records (durably) that the data received for a share was refused (row <c>refused/&lt;provider origin&gt; &lt;share
    /// id&gt;</c>, the reason in UTF-8): the department cannot then write a receipt saying it arrived.
    /// </summary>
    public void PutRefusedData(string providerOrigin, string shareId, string reason)
        => _rows.PutNow(System.Text.Encoding.UTF8.GetBytes($"refused/{providerOrigin} {shareId}"), System.Text.Encoding.UTF8.GetBytes(reason));

    /// <summary>Why this node refused the data of a share, or null when it did not.</summary>
    public string? RefusedData(string providerOrigin, string shareId)
        => _rows.Get($"refused/{providerOrigin} {shareId}") is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes) : null;

    /// <summary>
    /// Records, in <paramref name="batch"/> (the share entry's own write), what this node sent for a share it made (row
    /// <c>served/&lt;share id&gt;</c>): with the salt its share entry's payload digest needs, the share can be sent again
    /// after a broken transfer or a restart.
    /// </summary>
    public void PutServed(StoreBatch batch, ServedShare served) => _rows.Put(batch, $"served/{served.ShareId}", Encode(served));

    /// <summary>What this node sent for its share <paramref name="shareId"/>, or null (none made, or made by a node before rows of this kind).</summary>
    public ServedShare? FindServed(string shareId)
        => _rows.Get($"served/{shareId}") is { } bytes ? Serializer.Deserialize<ServedShare>(bytes.AsSpan()) : null;

    /// <summary>A request waiting for the provider department's decision (row <c>pending/&lt;share id&gt;</c>).</summary>
    public void PutPending(PendingRequest pending) => Put($"pending/{pending.ShareId}", pending);

    /// <summary>The request pending under <paramref name="shareId"/>, or null.</summary>
    public PendingRequest? FindPending(string shareId)
        => _rows.Get($"pending/{shareId}") is { } bytes ? Serializer.Deserialize<PendingRequest>(bytes.AsSpan()) : null;

    /// <summary>The pending requests by share id, from the first id after <paramref name="afterShareId"/> (empty: from the first).</summary>
    public IEnumerable<(string ShareId, PendingRequest Request)> PendingAfter(string afterShareId = "")
    {
        foreach (var (key, value) in _rows.Scan(PendingPrefix, afterShareId)) yield return (key[PendingPrefix.Length..], Serializer.Deserialize<PendingRequest>(value.AsSpan()));
    }

    private const string PendingPrefix = "pending/";

    /// <summary>Removes a pending request once decided.</summary>
    public void RemovePending(string shareId)
    {
        using var batch = _rows.Store.CreateBatch();
        _rows.Delete(batch, System.Text.Encoding.UTF8.GetBytes($"pending/{shareId}"));
        _rows.Store.Write(batch);
    }

    private void Put(string key, object row) => _rows.PutNow(System.Text.Encoding.UTF8.GetBytes(key), Encode(row));

    private static byte[] Encode(object row)
    {
        using var buffer = new MemoryStream();
        Serializer.NonGeneric.Serialize(buffer, row);
        return buffer.ToArray();
    }
}

/// <summary>Data a consumer's node received for a share, checked against the share entry and held until the receipt. Node-internal; field numbers append only.</summary>
[ProtoContract]
public sealed class HeldShare
{
    /// <summary>The provider's log.</summary>
    [ProtoMember(1)] public string ProviderOrigin { get; set; } = "";
    /// <summary>The share.</summary>
    [ProtoMember(2)] public string ShareId { get; set; } = "";
    /// <summary>The requesting department (issuer id); only it fetches the data.</summary>
    [ProtoMember(3)] public string ConsumerIssuerId { get; set; } = "";
    /// <summary>Index of the share entry in the provider's log.</summary>
    [ProtoMember(4)] public ulong ShareIndex { get; set; }
    /// <summary>The share entry's exact leaf bytes.</summary>
    [ProtoMember(5)] public byte[] ShareLeaf { get; set; } = [];
    /// <summary>Part names, in order.</summary>
    [ProtoMember(6)] public List<string> PartNames { get; set; } = [];
    /// <summary>SHA-256 of each part (its object in the content store).</summary>
    [ProtoMember(7)] public List<byte[]> PartSha256s { get; set; } = [];
    /// <summary>Length of each part.</summary>
    [ProtoMember(8)] public List<long> PartLengths { get; set; } = [];
    /// <summary>The payload digest's salt.</summary>
    [ProtoMember(9)] public byte[] Salt { get; set; } = [];
}

/// <summary>What a provider's node sent for a share, kept to send it again. Node-internal; field numbers append only.</summary>
[ProtoContract]
public sealed class ServedShare
{
    /// <summary>The share.</summary>
    [ProtoMember(1)] public string ShareId { get; set; } = "";
    /// <summary>The payload digest's salt.</summary>
    [ProtoMember(2)] public byte[] Salt { get; set; } = [];
    /// <summary>SHA-256 of the record's stored JSON the fields part was taken from (empty when the share has no fields part).</summary>
    [ProtoMember(3)] public byte[] FieldsSourceSha256 { get; set; } = [];
    /// <summary>The JSON fields taken, in order.</summary>
    [ProtoMember(4)] public List<string> JsonFields { get; set; } = [];
    /// <summary>Part names, in order.</summary>
    [ProtoMember(5)] public List<string> PartNames { get; set; } = [];
    /// <summary>SHA-256 of each part.</summary>
    [ProtoMember(6)] public List<byte[]> PartSha256s { get; set; } = [];
    /// <summary>Length of each part.</summary>
    [ProtoMember(7)] public List<long> PartLengths { get; set; } = [];
}

/// <summary>A request a provider's node holds for its department's decision (有条件共享). Node-internal; field numbers append only.</summary>
[ProtoContract]
public sealed class PendingRequest
{
    /// <summary>The request's share id.</summary>
    [ProtoMember(1)] public string ShareId { get; set; } = "";
    /// <summary>The department that decides (the resource's publisher).</summary>
    [ProtoMember(2)] public string ProviderIssuerId { get; set; } = "";
    /// <summary>The request's exact bytes.</summary>
    [ProtoMember(3)] public byte[] RequestBytes { get; set; } = [];
    /// <summary>The consumer's signature.</summary>
    [ProtoMember(4)] public byte[] Signature { get; set; } = [];
}

/// <summary>A record's data as its department published it: the stored JSON of its fields and its files. Node-internal; field numbers append only.</summary>
[ProtoContract]
public sealed class RecordData
{
    /// <summary>The catalogue resource.</summary>
    [ProtoMember(1)] public string ResourceCode { get; set; } = "";
    /// <summary>The record.</summary>
    [ProtoMember(2)] public string RecordId { get; set; } = "";
    /// <summary>The department that published it (issuer id).</summary>
    [ProtoMember(3)] public string OwnerIssuerId { get; set; } = "";
    /// <summary>SHA-256 of the stored JSON object of fields.</summary>
    [ProtoMember(4)] public byte[] FieldsSha256 { get; set; } = [];
    /// <summary>The JSON object's field names.</summary>
    [ProtoMember(5)] public List<string> FieldNames { get; set; } = [];
    /// <summary>File names, in the order of <see cref="FileSha256s"/>.</summary>
    [ProtoMember(6)] public List<string> FileNames { get; set; } = [];
    /// <summary>SHA-256 of each file.</summary>
    [ProtoMember(7)] public List<byte[]> FileSha256s { get; set; } = [];
}
