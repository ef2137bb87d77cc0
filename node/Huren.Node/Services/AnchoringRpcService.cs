using System.Text;
using Huren.Node.Anchoring;
using Huren.Node.Auth;
using Huren.Node.Logs;
using Huren.Schemas.Services;
using ProtoBuf.Grpc;

namespace Huren.Node.Services;

/// <summary>The Anchoring gRPC service: anchoring state, anchor now, anchor proofs and kept time-stamps.</summary>
public sealed class AnchoringRpcService(LogDirectory logs, IServiceProvider services) : IAnchoringService
{
    private static readonly ClientRole[] Readers = [ClientRole.Operator, ClientRole.Auditor, ClientRole.Counter, ClientRole.Issuer, ClientRole.Peer];

    private AnchoringService? Anchoring => services.GetService<AnchoringService>();
    private TimestampingService? Timestamping => services.GetService<TimestampingService>();
    private AnchorProofs? Proofs => services.GetService<AnchorProofs>();
    private TimestampStore Stamps => services.GetRequiredService<TimestampStore>();

    /// <inheritdoc/>
    public ValueTask<AnchorStatusResponse> GetAnchorStatusAsync(AnchorStatusRequest request, CallContext context = default)
    {
        RpcErrors.Require(context.ServerCallContext!, Readers);
        if (request.Recent is < 0 or > 100) throw RpcErrors.InvalidArgument($"recent must be 0 to 100, got {request.Recent}");
        return ValueTask.FromResult(Status(request.Recent));
    }

    /// <inheritdoc/>
    public ValueTask<AnchorStatusResponse> AnchorNowAsync(AnchorNowRequest request, CallContext context = default)
    {
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Operator);
        if (Anchoring is not { } anchoring) throw RpcErrors.FailedPrecondition("anchoring is not configured on this node (Huren:Anchoring:RpcUrl)");
        anchoring.AnchorNow();
        return ValueTask.FromResult(Status(0));
    }

    /// <inheritdoc/>
    public ValueTask<AnchorProofResponse> GetAnchorProofAsync(AnchorProofRequest request, CallContext context = default)
    {
        RpcErrors.Require(context.ServerCallContext!, Readers);
        if (Proofs is not { } proofs) throw RpcErrors.FailedPrecondition("anchoring is not configured on this node (Huren:Anchoring:RpcUrl)");
        var log = logs.Resolve(request.Origin);
        if (request.Size > log.Size) throw RpcErrors.InvalidArgument($"size {request.Size} is beyond the log {log.Origin} this node holds ({log.Size} entries)");
        if (proofs.For(log.Origin, request.Size) is not { } found)
            throw RpcErrors.NotFound(request.Size == 0 ? $"no confirmed anchor of {log.Origin} yet" : $"no confirmed anchor of {log.Origin} covers size {request.Size} yet");
        return ValueTask.FromResult(new AnchorProofResponse
        {
            Proof = Encoding.UTF8.GetBytes(found.Proof.ToJson()),
            RecordId = found.Record.Id,
            Confirmations = found.Record.Confirmations,
        });
    }

    /// <inheritdoc/>
    public ValueTask<CheckpointTimestampResponse> GetTimestampAsync(CheckpointTimestampRequest request, CallContext context = default)
    {
        RpcErrors.Require(context.ServerCallContext!, Readers);
        var origin = string.IsNullOrEmpty(request.Origin) ? logs.Own.Origin : request.Origin;
        var stamp = request.Size == 0 ? Stamps.AtOrBelow(origin) : Stamps.Get(origin, request.Size);
        if (stamp is null) throw RpcErrors.NotFound(request.Size == 0 ? $"no time-stamp of {origin} is kept" : $"no time-stamp of {origin} at size {request.Size} is kept");
        return ValueTask.FromResult(ToResponse(stamp));
    }

    private AnchorStatusResponse Status(int recent)
    {
        var response = new AnchorStatusResponse();
        if (Anchoring is { } anchoring)
        {
            var status = anchoring.Anchorer.Status;
            response.Enabled = true;
            response.ChainId = anchoring.Options.ChainId;
            response.Contract = anchoring.Options.Contract;
            response.Account = anchoring.Chain.Address ?? "";
            response.Confirmations = anchoring.Options.Confirmations;
            response.Current = status.Current?.ToJsonBytes() ?? [];
            response.LastConfirmed = status.LastConfirmed?.ToJsonBytes() ?? [];
            response.LastError = status.LastError ?? "";
            response.ConsecutiveFailures = status.ConsecutiveFailures;
            if (recent > 0 && status.Current is { } current)
            {
                foreach (var r in anchoring.Store.ListBefore(current.Id, recent)) response.Recent.Add(r.ToJsonBytes());
            }
        }
        if (Timestamping is { } timestamping)
        {
            response.Timestamping = true;
            response.TimestampError = timestamping.LastError ?? "";
            if (Stamps.AtOrBelow(logs.Own.Origin) is { } stamp) response.LatestTimestamp = ToResponse(stamp);
        }
        return response;
    }

    private static CheckpointTimestampResponse ToResponse(CheckpointTimestamp stamp) => new()
    {
        Origin = stamp.Origin,
        Size = stamp.Size,
        Note = stamp.Note,
        Token = stamp.Token,
        GenTimeUnixMs = stamp.GenTime.ToUnixTimeMilliseconds(),
    };
}
