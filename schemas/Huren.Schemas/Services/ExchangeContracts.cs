using System.ComponentModel;
using ProtoBuf;
using ProtoBuf.Grpc;
using ProtoBuf.Grpc.Configuration;

namespace Huren.Schemas.Services;

/// <summary>
/// Cross-city data exchange (跨域数据共享): a consumer department asks its own node; that node asks the provider's node
/// over the members' mutual TLS; the provider's node checks its catalogue, records a share (or a refusal) and streams
/// the data; the consumer's node checks it against the share entry and releases it only after the department's receipt.
/// </summary>
[Service("huren.v1.Exchange")]
public interface IExchangeService
{
    /// <summary>A consumer department's signed request, to its own node: answers shared (data held), pending or refused.</summary>
    [Operation]
    ValueTask<ShareRequestResponse> RequestAsync(SignedShareRequest request, CallContext context = default);

    /// <summary>Node to node (peers only): the provider's node answers a forwarded request with a header, then the data.</summary>
    [Operation]
    IAsyncEnumerable<ProvideMessage> ProvideAsync(SignedShareRequest request, CallContext context = default);

    /// <summary>A part of received data, to the consumer department, once its receipt is in its own log.</summary>
    [Operation]
    IAsyncEnumerable<ContentChunk> FetchAsync(FetchRequest request, CallContext context = default);

    /// <summary>One page of the requests waiting for the calling department's decision (有条件共享), or the one under a share id.</summary>
    [Operation]
    ValueTask<PendingRequestsResponse> ListPendingAsync(PendingRequestsRequest request, CallContext context = default);

    /// <summary>One page of the catalogue resources (latest <c>catalog.publish</c> entry of each) of every log the node keeps, or of one; or one resource code.</summary>
    [Operation]
    ValueTask<CatalogListResponse> ListCatalogAsync(CatalogListRequest request, CallContext context = default);

    /// <summary>
    /// What this node holds for one of the calling department's shares (consumer side): the provider's share entry, the
    /// parts (names, lengths, SHA-256) and the payload digest's salt, and the department's receipt once it is in this log.
    /// Only the department that requested the share is answered.
    /// </summary>
    [Operation]
    ValueTask<HeldShareResponse> GetHeldAsync(HeldShareRequest request, CallContext context = default);
}

/// <summary>What a consumer department asks for; encoded once, signed as <c>"huren-share-request/v1\n" ‖ bytes</c>.</summary>
[ProtoContract]
public sealed class ShareRequest
{
    /// <summary>A new id for this request; the share and the receipt take it.</summary>
    [ProtoMember(1, Name = "share_id"), DefaultValue("")] public string ShareId { get; set; } = "";
    /// <summary>The requesting department's issuer id in its own city's log (whose key signs).</summary>
    [ProtoMember(2, Name = "consumer_issuer_id"), DefaultValue("")] public string ConsumerIssuerId { get; set; } = "";
    /// <summary>Its 统一社会信用代码.</summary>
    [ProtoMember(3, Name = "consumer_code"), DefaultValue("")] public string ConsumerCode { get; set; } = "";
    /// <summary>Its name.</summary>
    [ProtoMember(4, Name = "consumer_name"), DefaultValue("")] public string ConsumerName { get; set; } = "";
    /// <summary>Its city's log.</summary>
    [ProtoMember(5, Name = "consumer_origin"), DefaultValue("")] public string ConsumerOrigin { get; set; } = "";
    /// <summary>The provider city's log.</summary>
    [ProtoMember(6, Name = "provider_origin"), DefaultValue("")] public string ProviderOrigin { get; set; } = "";
    /// <summary>The catalogue resource.</summary>
    [ProtoMember(7, Name = "resource_code"), DefaultValue("")] public string ResourceCode { get; set; } = "";
    /// <summary>The record.</summary>
    [ProtoMember(8, Name = "record_id"), DefaultValue("")] public string RecordId { get; set; } = "";
    /// <summary>The data items asked for (minimisation): fields of the record and names of its files.</summary>
    [ProtoMember(9, Name = "fields")] public List<string> Fields { get; set; } = [];
    /// <summary>Purpose (用途).</summary>
    [ProtoMember(10, Name = "purpose"), DefaultValue("")] public string Purpose { get; set; } = "";
    /// <summary>Matter code (事项编码).</summary>
    [ProtoMember(11, Name = "matter_code"), DefaultValue("")] public string MatterCode { get; set; } = "";
    /// <summary>Legal basis.</summary>
    [ProtoMember(12, Name = "legal_basis"), DefaultValue("")] public string LegalBasis { get; set; } = "";
    /// <summary>When it was signed, Unix ms.</summary>
    [ProtoMember(13, Name = "time_unix_ms")] public long TimeUnixMs { get; set; }
}

/// <summary>A request's exact bytes and the department's signature over them.</summary>
[ProtoContract]
public sealed class SignedShareRequest
{
    /// <summary>The encoded <see cref="ShareRequest"/>.</summary>
    [ProtoMember(1, Name = "request_bytes")] public byte[] RequestBytes { get; set; } = [];
    /// <summary>Signature by the consumer department's registered key.</summary>
    [ProtoMember(2, Name = "signature")] public byte[] Signature { get; set; } = [];
}

/// <summary>Where an exchange stands.</summary>
public enum ExchangeStatus
{
    /// <summary>Not set.</summary>
    [ProtoEnum(Name = "EXCHANGE_STATUS_UNSPECIFIED")]
    Unspecified = 0,
    /// <summary>Shared: the share entry is written; the data is checked and held by the consumer's node.</summary>
    [ProtoEnum(Name = "EXCHANGE_STATUS_SHARED")]
    Shared = 1,
    /// <summary>Waiting for the provider department's decision (有条件共享); ask again later.</summary>
    [ProtoEnum(Name = "EXCHANGE_STATUS_PENDING")]
    Pending = 2,
    /// <summary>Refused; the refusal entry is in the provider's log.</summary>
    [ProtoEnum(Name = "EXCHANGE_STATUS_REFUSED")]
    Refused = 3,
}

/// <summary>One part of the data of a share: the minimised JSON of fields, or a file.</summary>
[ProtoContract]
public sealed class SharePart
{
    /// <summary><c>fields.json</c> for the fields, else the file's name.</summary>
    [ProtoMember(1, Name = "name")] public string Name { get; set; } = "";
    /// <summary>Length in bytes.</summary>
    [ProtoMember(2, Name = "length")] public long Length { get; set; }
    /// <summary>SHA-256 of the part.</summary>
    [ProtoMember(3, Name = "sha256")] public byte[] Sha256 { get; set; } = [];
}

/// <summary>The consumer node's answer to its department.</summary>
[ProtoContract]
public sealed class ShareRequestResponse
{
    /// <summary>Shared, pending or refused.</summary>
    [ProtoMember(1, Name = "status")] public ExchangeStatus Status { get; set; }
    /// <summary>The provider's share entry (shared) or refusal entry (refused), with its position.</summary>
    [ProtoMember(2, Name = "entry")] public LogEntry? Entry { get; set; }
    /// <summary>Refusal code, for a refusal.</summary>
    [ProtoMember(3, Name = "reason_code")] public string ReasonCode { get; set; } = "";
    /// <summary>Why refused or pending.</summary>
    [ProtoMember(4, Name = "reason")] public string Reason { get; set; } = "";
    /// <summary>The parts received and checked (shared).</summary>
    [ProtoMember(5, Name = "parts")] public List<SharePart> Parts { get; set; } = [];
    /// <summary>The salt of the payload digest (shared).</summary>
    [ProtoMember(6, Name = "salt")] public byte[] Salt { get; set; } = [];
}

/// <summary>The provider node's stream: a first message with the status (and, when shared, the entry, parts and salt), then data.</summary>
[ProtoContract]
public sealed class ProvideMessage
{
    /// <summary>In the first message: shared, pending or refused.</summary>
    [ProtoMember(1, Name = "status")] public ExchangeStatus Status { get; set; }
    /// <summary>In the first message: the share or refusal entry.</summary>
    [ProtoMember(2, Name = "entry")] public LogEntry? Entry { get; set; }
    /// <summary>In the first message: refusal code.</summary>
    [ProtoMember(3, Name = "reason_code")] public string ReasonCode { get; set; } = "";
    /// <summary>In the first message: why refused or pending.</summary>
    [ProtoMember(4, Name = "reason")] public string Reason { get; set; } = "";
    /// <summary>In the first message: the parts that follow, in order.</summary>
    [ProtoMember(5, Name = "parts")] public List<SharePart> Parts { get; set; } = [];
    /// <summary>In the first message: the salt of the payload digest.</summary>
    [ProtoMember(6, Name = "salt")] public byte[] Salt { get; set; } = [];
    /// <summary>After the first message: the next bytes of the parts, in order.</summary>
    [ProtoMember(7, Name = "data")] public byte[] Data { get; set; } = [];
}

/// <summary>Asks for a part of received data.</summary>
[ProtoContract]
public sealed class FetchRequest
{
    /// <summary>The provider's log.</summary>
    [ProtoMember(1, Name = "provider_origin")] public string ProviderOrigin { get; set; } = "";
    /// <summary>The share.</summary>
    [ProtoMember(2, Name = "share_id")] public string ShareId { get; set; } = "";
    /// <summary>The part's name.</summary>
    [ProtoMember(3, Name = "part")] public string Part { get; set; } = "";
}

/// <summary>Asks for the calling department's pending requests.</summary>
[ProtoContract]
public sealed class PendingRequestsRequest
{
    /// <summary>Only the request pending under this share id; empty for every one.</summary>
    [ProtoMember(1, Name = "share_id")] public string ShareId { get; set; } = "";
    /// <summary>The most requests to answer; 0 for the node's default (500). The node answers at most 1,000.</summary>
    [ProtoMember(2, Name = "page_size")] public uint PageSize { get; set; }
    /// <summary>Empty for the first page; then the previous answer's <see cref="PendingRequestsResponse.NextPageToken"/>, with the same filters.</summary>
    [ProtoMember(3, Name = "page_token")] public string PageToken { get; set; } = "";
}

/// <summary>One page of the pending requests, by share id.</summary>
[ProtoContract]
public sealed class PendingRequestsResponse
{
    /// <summary>The requests as the consumers signed them.</summary>
    [ProtoMember(1, Name = "requests")] public List<SignedShareRequest> Requests { get; set; } = [];
    /// <summary>
    /// Where the next page starts; empty when this is the last. A page may hold fewer requests than asked, even none,
    /// and still not be the last: the node bounds the rows it reads and the bytes it answers per call.
    /// </summary>
    [ProtoMember(2, Name = "next_page_token")] public string NextPageToken { get; set; } = "";
}

/// <summary>Asks for catalogue resources.</summary>
[ProtoContract]
public sealed class CatalogListRequest
{
    /// <summary>One log; empty for every log the node keeps.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>One resource code; empty for every resource.</summary>
    [ProtoMember(2, Name = "resource_code")] public string ResourceCode { get; set; } = "";
    /// <summary>The most entries to answer; 0 for the node's default (500). The node answers at most 1,000.</summary>
    [ProtoMember(3, Name = "page_size")] public uint PageSize { get; set; }
    /// <summary>Empty for the first page; then the previous answer's <see cref="CatalogListResponse.NextPageToken"/>, with the same filters.</summary>
    [ProtoMember(4, Name = "page_token")] public string PageToken { get; set; } = "";
}

/// <summary>One page of catalogue resources: each resource's latest <c>catalog.publish</c> entry.</summary>
[ProtoContract]
public sealed class CatalogListResponse
{
    /// <summary>The entries, by log (origin) then resource code.</summary>
    [ProtoMember(1, Name = "entries")] public List<LogEntry> Entries { get; set; } = [];
    /// <summary>
    /// Where the next page starts; empty when this is the last. A page may hold fewer entries than asked, even none,
    /// and still not be the last: the node bounds the rows it reads and the bytes it answers per call.
    /// </summary>
    [ProtoMember(2, Name = "next_page_token")] public string NextPageToken { get; set; } = "";
}

/// <summary>Asks what the consumer's node holds for a share.</summary>
[ProtoContract]
public sealed class HeldShareRequest
{
    /// <summary>The provider's log; empty to look the share id up among every provider's shares the node holds.</summary>
    [ProtoMember(1, Name = "provider_origin")] public string ProviderOrigin { get; set; } = "";
    /// <summary>The share.</summary>
    [ProtoMember(2, Name = "share_id")] public string ShareId { get; set; } = "";
}

/// <summary>Data the consumer's node received, checked and holds for a share.</summary>
[ProtoContract]
public sealed class HeldShareResponse
{
    /// <summary>The provider's share entry (origin, index, exact leaf bytes).</summary>
    [ProtoMember(1, Name = "share")] public LogEntry? Share { get; set; }
    /// <summary>The parts held, in order; each part's SHA-256 is covered by the share entry's payload digest.</summary>
    [ProtoMember(2, Name = "parts")] public List<SharePart> Parts { get; set; } = [];
    /// <summary>The salt of the payload digest.</summary>
    [ProtoMember(3, Name = "salt")] public byte[] Salt { get; set; } = [];
    /// <summary>The department's receipt entry in this node's own log; absent while none is recorded (the parts are then not released).</summary>
    [ProtoMember(4, Name = "receipt")] public LogEntry? Receipt { get; set; }
    /// <summary>The department (issuer id) that requested the share.</summary>
    [ProtoMember(5, Name = "consumer_issuer_id")] public string ConsumerIssuerId { get; set; } = "";
}
