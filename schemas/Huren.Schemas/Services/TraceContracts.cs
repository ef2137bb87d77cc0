using ProtoBuf;
using ProtoBuf.Grpc;
using ProtoBuf.Grpc.Configuration;

namespace Huren.Schemas.Services;

/// <summary>Where a record came from and where it went: every entry that names it, across every log the node keeps.</summary>
[Service("huren.v1.Trace")]
public interface ITraceService
{
    /// <summary>One page of the entries naming the record id, by log (origin) then index (page on with <c>next_page_token</c>).</summary>
    [Operation]
    ValueTask<TraceResponse> TraceAsync(TraceRequest request, CallContext context = default);
}

/// <summary>Asks for a record's trace.</summary>
[ProtoContract]
public sealed class TraceRequest
{
    /// <summary>A license id, share id, seal id or issuer id.</summary>
    [ProtoMember(1, Name = "record_id")] public string RecordId { get; set; } = "";
    /// <summary>The most entries to answer; 0 for the node's default (500). The node answers at most 1,000.</summary>
    [ProtoMember(2, Name = "page_size")] public uint PageSize { get; set; }
    /// <summary>Empty for the first page; then the previous answer's <see cref="TraceResponse.NextPageToken"/>, for the same record.</summary>
    [ProtoMember(3, Name = "page_token")] public string PageToken { get; set; } = "";
}

/// <summary>A record's trace.</summary>
[ProtoContract]
public sealed class TraceResponse
{
    /// <summary>The record.</summary>
    [ProtoMember(1, Name = "record_id")] public string RecordId { get; set; } = "";
    /// <summary>The entries, by origin then index.</summary>
    [ProtoMember(2, Name = "entries")] public List<LogEntry> Entries { get; set; } = [];
    /// <summary>
    /// Where the next page starts; empty when this is the last. A page may hold fewer entries than asked, even none, and
    /// still not be the last: the node bounds the entries it reads and the bytes it answers per call.
    /// </summary>
    [ProtoMember(3, Name = "next_page_token")] public string NextPageToken { get; set; } = "";
}
