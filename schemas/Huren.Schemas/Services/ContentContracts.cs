using ProtoBuf;
using ProtoBuf.Grpc;
using ProtoBuf.Grpc.Configuration;

namespace Huren.Schemas.Services;

/// <summary>
/// The node's content store: full record data and files kept off the ledger, encrypted at rest, addressed by SHA-256
/// and SM3, moved in chunks so that no side holds a whole file.
/// </summary>
[Service("huren.v1.Content")]
public interface IContentService
{
    /// <summary>Stores an object sent as a stream of chunks (only <c>data</c> is read); answers its addresses.</summary>
    [Operation]
    ValueTask<ContentPutResponse> PutAsync(IAsyncEnumerable<ContentChunk> chunks, CallContext context = default);

    /// <summary>Streams an object back: a first message with its length and digests, then its data in chunks.</summary>
    [Operation]
    IAsyncEnumerable<ContentChunk> GetAsync(ContentGetRequest request, CallContext context = default);

    /// <summary>Names a record's data: its fields (a JSON object already stored) and its files, for a catalogue resource.</summary>
    [Operation]
    ValueTask<RecordDataResponse> PutRecordAsync(RecordDataRequest request, CallContext context = default);
}

/// <summary>A piece of an object in transit.</summary>
[ProtoContract]
public sealed class ContentChunk
{
    /// <summary>The bytes of this piece (at most 4 MiB).</summary>
    [ProtoMember(1, Name = "data")] public byte[] Data { get; set; } = [];
    /// <summary>In the first message of a download: the object's length in bytes.</summary>
    [ProtoMember(2, Name = "length")] public long Length { get; set; }
    /// <summary>In the first message of a download: the object's SHA-256.</summary>
    [ProtoMember(3, Name = "sha256")] public byte[] Sha256 { get; set; } = [];
    /// <summary>In the first message of a download: the object's SM3.</summary>
    [ProtoMember(4, Name = "sm3")] public byte[] Sm3 { get; set; } = [];
}

/// <summary>An object stored.</summary>
[ProtoContract]
public sealed class ContentPutResponse
{
    /// <summary>SHA-256 of the object.</summary>
    [ProtoMember(1, Name = "sha256")] public byte[] Sha256 { get; set; } = [];
    /// <summary>SM3 of the object.</summary>
    [ProtoMember(2, Name = "sm3")] public byte[] Sm3 { get; set; } = [];
    /// <summary>Its length in bytes.</summary>
    [ProtoMember(3, Name = "length")] public long Length { get; set; }
    /// <summary>The caller had already stored the same content (whether anyone else has is not told).</summary>
    [ProtoMember(4, Name = "duplicate")] public bool Duplicate { get; set; }
}

/// <summary>Asks for an object by either of its digests.</summary>
[ProtoContract]
public sealed class ContentGetRequest
{
    /// <summary>SHA-256 (32 bytes), or empty when <see cref="Sm3"/> is given.</summary>
    [ProtoMember(1, Name = "sha256")] public byte[] Sha256 { get; set; } = [];
    /// <summary>SM3 (32 bytes).</summary>
    [ProtoMember(2, Name = "sm3")] public byte[] Sm3 { get; set; } = [];
}

/// <summary>A file of a record's data: a name (the field it answers) and the stored object.</summary>
[ProtoContract]
public sealed class RecordFile
{
    /// <summary>The name requests use, e.g. <c>document</c>.</summary>
    [ProtoMember(1, Name = "name")] public string Name { get; set; } = "";
    /// <summary>SHA-256 of the stored object.</summary>
    [ProtoMember(2, Name = "sha256")] public byte[] Sha256 { get; set; } = [];
    /// <summary>Media type, e.g. <c>application/ofd</c>.</summary>
    [ProtoMember(3, Name = "media_type")] public string MediaType { get; set; } = "";
}

/// <summary>Publishes a record's data in the provider's node (off the ledger).</summary>
[ProtoContract]
public sealed class RecordDataRequest
{
    /// <summary>The catalogue resource code the record belongs to.</summary>
    [ProtoMember(1, Name = "resource_code")] public string ResourceCode { get; set; } = "";
    /// <summary>The record id (e.g. a license id).</summary>
    [ProtoMember(2, Name = "record_id")] public string RecordId { get; set; } = "";
    /// <summary>SHA-256 of a stored JSON object holding the record's fields.</summary>
    [ProtoMember(3, Name = "fields_sha256")] public byte[] FieldsSha256 { get; set; } = [];
    /// <summary>The record's files.</summary>
    [ProtoMember(4, Name = "files")] public List<RecordFile> Files { get; set; } = [];
}

/// <summary>A record's data published.</summary>
[ProtoContract]
public sealed class RecordDataResponse
{
    /// <summary>The field names found in the JSON object.</summary>
    [ProtoMember(1, Name = "fields")] public List<string> Fields { get; set; } = [];
    /// <summary>Whether an earlier publication of the record was replaced.</summary>
    [ProtoMember(2, Name = "replaced")] public bool Replaced { get; set; }
}
