using System.Globalization;
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
        var page = new ListPager(request.PageSize, request.PageToken);
        foreach (var log in page.Logs(logs.All, log => log.Origin))
        {
            var from = FirstIndex(page.StartAfter(log.Origin));
            if (from is null) continue;
            foreach (var index in log.Store.RecordIndexesFrom(request.RecordId, from.Value))
            {
                if (index >= log.Size) break;
                if (!page.Continue()) goto Full;
                page.Read(log.Origin, index.ToString("D20", CultureInfo.InvariantCulture));
                var leaf = log.GetLeaf(index)!;
                // Counters and issuers see only their own entries; auditors and operators see everything.
                if (principal.Role is ClientRole.Counter or ClientRole.Issuer && LeafReader.Read(leaf).Entry.IssuerId != principal.IssuerId) continue;
                response.Entries.Add(new LogEntry { Origin = log.Origin, Index = index, Leaf = leaf });
                page.Answered(16 + leaf.Length);
            }
        }
    Full:
        response.NextPageToken = page.NextPageToken;
        return ValueTask.FromResult(response);
    }

    /// <summary>The first index a page reads in a log whose last index read was <paramref name="after"/> (empty: 0); null when none is left.</summary>
    private static ulong? FirstIndex(string after)
    {
        if (after.Length == 0) return 0;
        if (!ulong.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var last)) throw RpcErrors.InvalidArgument("page_token is not one this node gave: pass the next_page_token of the previous answer unchanged");
        return last == ulong.MaxValue ? null : last + 1;
    }
}
