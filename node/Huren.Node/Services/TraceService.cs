using Huren.Node.Logs;
using Huren.Node.Auth;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using ProtoBuf.Grpc;

namespace Huren.Node.Services;

/// <summary>The Trace gRPC service: every entry naming a record id, in every log the node keeps.</summary>
public sealed class TraceService(LogDirectory logs) : ITraceService
{
    /// <inheritdoc/>
    public ValueTask<TraceResponse> TraceAsync(TraceRequest request, CallContext context = default)
    {
        var principal = RpcErrors.Require(context.ServerCallContext!, ClientRole.Auditor, ClientRole.Operator, ClientRole.Counter, ClientRole.Issuer);
        if (string.IsNullOrEmpty(request.RecordId)) throw RpcErrors.InvalidArgument("record_id is required");
        var response = new TraceResponse { RecordId = request.RecordId };
        foreach (var log in logs.All)
        {
            foreach (var index in log.Store.GetRecordIndexes(request.RecordId))
            {
                if (index >= log.Size) continue;
                var leaf = log.GetLeaf(index)!;
                // Counters and issuers see only their own entries; auditors and operators see everything.
                if (principal.Role is ClientRole.Counter or ClientRole.Issuer && LeafReader.Read(leaf).Entry.IssuerId != principal.IssuerId) continue;
                response.Entries.Add(new LogEntry { Origin = log.Origin, Index = index, Leaf = leaf });
            }
        }
        return ValueTask.FromResult(response);
    }
}
