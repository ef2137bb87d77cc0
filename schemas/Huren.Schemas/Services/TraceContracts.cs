using ProtoBuf;
using ProtoBuf.Grpc;
using ProtoBuf.Grpc.Configuration;

namespace Huren.Schemas.Services;

/// <summary>Where a record came from and where it went: every entry that names it, across every log the node keeps.</summary>
[Service("huren.v1.Trace")]
public interface ITraceService
{
    /// <summary>Entries naming the record id, grouped by log, in log order.</summary>
    [Operation]
    ValueTask<TraceResponse> TraceAsync(TraceRequest request, CallContext context = default);
}

/// <summary>Asks for a record's trace.</summary>
[ProtoContract]
public sealed class TraceRequest
{
    /// <summary>A license id, share id, seal id or issuer id.</summary>
    [ProtoMember(1, Name = "record_id")] public string RecordId { get; set; } = "";
}

/// <summary>A record's trace.</summary>
[ProtoContract]
public sealed class TraceResponse
{
    /// <summary>The record.</summary>
    [ProtoMember(1, Name = "record_id")] public string RecordId { get; set; } = "";
    /// <summary>The entries, by origin then index.</summary>
    [ProtoMember(2, Name = "entries")] public List<LogEntry> Entries { get; set; } = [];
}
