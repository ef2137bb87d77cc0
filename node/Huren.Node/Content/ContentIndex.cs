using Huren.Node.Storage;
using ProtoBuf;

namespace Huren.Node.Content;

/// <summary>
/// The rows beside the content store (key space <c>content</c>, family <c>state</c>): who put which object
/// (<c>owner/&lt;sha256 hex&gt;/&lt;owner&gt;</c>), and which record's data a department published for a catalogue
/// resource (<c>record/&lt;resource code&gt; &lt;record id&gt;</c>). Never on the ledger.
/// </summary>
public sealed class ContentIndex(IKeyValueStore store)
{
    private readonly KeySpace _rows = new(store, StoreFamily.State, "content");

    /// <summary>Records that <paramref name="owner"/> put the object <paramref name="sha256Hex"/>.</summary>
    public void AddOwner(string sha256Hex, string owner) => _rows.PutNow(System.Text.Encoding.UTF8.GetBytes($"owner/{sha256Hex}/{owner}"), []);

    /// <summary>Whether <paramref name="owner"/> put the object <paramref name="sha256Hex"/>.</summary>
    public bool IsOwner(string sha256Hex, string owner) => _rows.Get($"owner/{sha256Hex}/{owner}") is not null;

    /// <summary>The published data of a record, or null.</summary>
    public RecordData? FindRecord(string resourceCode, string recordId)
        => _rows.Get($"record/{resourceCode} {recordId}") is { } bytes ? Serializer.Deserialize<RecordData>(bytes.AsSpan()) : null;

    /// <summary>Publishes (or replaces) a record's data.</summary>
    public void PutRecord(RecordData data)
    {
        using var buffer = new MemoryStream();
        Serializer.Serialize(buffer, data);
        _rows.PutNow(System.Text.Encoding.UTF8.GetBytes($"record/{data.ResourceCode} {data.RecordId}"), buffer.ToArray());
    }
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
