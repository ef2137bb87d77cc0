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
        page.Fill(logs.All, log => log.Origin, (log, after) => IndexesAfter(log, request.RecordId, after), (log, index) =>
        {
            var leaf = log.GetLeaf(index)!;
            // Counters and issuers see only their own entries; auditors and operators see everything.
            if (principal.Role is ClientRole.Counter or ClientRole.Issuer && LeafReader.Read(leaf).Entry.IssuerId != principal.IssuerId) return null;
            response.Entries.Add(new LogEntry { Origin = log.Origin, Index = index, Leaf = leaf });
            return 16 + leaf.Length;
        });
        response.NextPageToken = page.NextPageToken;
        return ValueTask.FromResult(response);
    }

    /// <summary>
    /// The durable entries of <paramref name="log"/> naming <paramref name="recordId"/>, by index, after the index
    /// <paramref name="after"/> names (empty: from the first), each keyed by its index in 20 digits.
    /// </summary>
    private static IEnumerable<(string Key, ulong Index)> IndexesAfter(MerkleLog log, string recordId, string after)
    {
        ulong from = 0;
        if (after.Length > 0)
        {
            if (!ulong.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var last)) throw RpcErrors.InvalidArgument("page_token is not one this node gave: pass the next_page_token of the previous answer unchanged");
            if (last == ulong.MaxValue) yield break;
            from = last + 1;
        }
        foreach (var index in log.Store.RecordIndexesFrom(recordId, from))
        {
            if (index >= log.Size) yield break;
            yield return (index.ToString("D20", CultureInfo.InvariantCulture), index);
        }
    }
}
