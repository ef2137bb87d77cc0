using Huren.Node.Witness;
using Grpc.Core;
using Huren.Node.Auth;
using Huren.Schemas.Services;
using ProtoBuf.Grpc;

namespace Huren.Node.Services;

/// <summary>The <c>huren.v1.Witness</c> gRPC service: a thin wrapper over <see cref="Witness.Witness"/>.</summary>
public sealed class WitnessService(Witness.Witness witness) : IWitnessService
{
    /// <inheritdoc/>
    public async ValueTask<AddCheckpointResponse> AddCheckpointAsync(AddCheckpointRequest request, CallContext context = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Checkpoints are offered by the other members' nodes (role Peer: authenticated by the witness key the network
        // configuration lists for them) or by this node's operator. The log signature on the note is what the witness
        // trusts; the role only limits who may spend its storage. Peers also pass mutual TLS with the certificate the configuration pins.
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Operator, ClientRole.Peer);
        WitnessResult result;
        try
        {
            result = await witness.AddCheckpointAsync(request.OldSize, request.ConsistencyProof, request.Note, context.CancellationToken).ConfigureAwait(false);
        }
        catch (WitnessException ex)
        {
            throw ToRpc(ex);
        }
        return result.IsConflict
            ? new AddCheckpointResponse { Conflict = true, KnownSize = result.KnownSize }
            : new AddCheckpointResponse { Cosignature = result.Cosignature!.ToLine(), KnownSize = result.KnownSize };
    }

    /// <inheritdoc/>
    public ValueTask<EquivocationsResponse> ListEquivocationsAsync(EquivocationsRequest request, CallContext context = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Evidence is for the people who act on it: the operator and auditors.
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Operator, ClientRole.Auditor);
        var response = new EquivocationsResponse();
        foreach (var e in witness.ListEquivocations(request.Origin))
        {
            response.Equivocations.Add(new Equivocation
            {
                Origin = e.Origin, KnownNote = e.KnownNote, ConflictingNote = e.ConflictingNote, SeenUnixMs = e.SeenUnixMs, Reason = e.Reason,
            });
        }
        return ValueTask.FromResult(response);
    }

    /// <inheritdoc/>
    public ValueTask<CosignedCheckpointResponse> GetCosignedAsync(CosignedCheckpointRequest request, CallContext context = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Peers ask it at start (how far the network has seen their own log); operators and auditors may look.
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Peer, ClientRole.Operator, ClientRole.Auditor);
        if (string.IsNullOrEmpty(request.Origin)) throw RpcErrors.InvalidArgument("origin is required");
        return ValueTask.FromResult(witness.State.GetCosigned(request.Origin) is { } cosigned
            ? new CosignedCheckpointResponse { Found = true, Size = cosigned.Size, Note = cosigned.Note }
            : new CosignedCheckpointResponse());
    }

    /// <inheritdoc/>
    public ValueTask<QuarantinesResponse> ListQuarantinesAsync(QuarantinesRequest request, CallContext context = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Operator, ClientRole.Auditor);
        var response = new QuarantinesResponse();
        foreach (var q in witness.State.ListQuarantines()) response.Quarantines.Add(ToMessage(q));
        return ValueTask.FromResult(response);
    }

    /// <inheritdoc/>
    public ValueTask<Quarantine> ClearQuarantineAsync(ClearQuarantineRequest request, CallContext context = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var principal = RpcErrors.Require(context.ServerCallContext!, ClientRole.Operator);
        if (string.IsNullOrEmpty(request.Origin)) throw RpcErrors.InvalidArgument("origin is required");
        if (string.IsNullOrWhiteSpace(request.Reason)) throw RpcErrors.InvalidArgument("reason is required: say what was checked before the origin is accepted again");
        if (request.Reason.Length > MaxReasonLength) throw RpcErrors.InvalidArgument($"reason has {request.Reason.Length} characters; at most {MaxReasonLength} are allowed");
        if (!witness.ClearQuarantine(request.Origin, request.Reason, principal.Name))
            throw RpcErrors.FailedPrecondition($"origin {request.Origin} is not quarantined by this witness");
        var cleared = witness.State.ListQuarantines().First(q => q.Origin == request.Origin);
        return ValueTask.FromResult(ToMessage(cleared));
    }

    /// <summary>The longest reason a clearing may record.</summary>
    public const int MaxReasonLength = 2000;

    private static Quarantine ToMessage(QuarantineRecord q) => new()
    {
        Origin = q.Origin, InForce = q.Quarantined, SinceUnixMs = q.SinceUnixMs, Equivocation = q.Equivocation, Reason = q.Reason,
        ClearedUnixMs = q.ClearedUnixMs ?? 0, ClearedReason = q.ClearedReason ?? "", ClearedBy = q.ClearedBy ?? "",
    };

    /// <summary>The gRPC status of a refusal (checkpoints.md, "Witness answers").</summary>
    internal static RpcException ToRpc(WitnessException ex) => new(new Status(ex.Failure switch
    {
        WitnessFailure.UnknownOrigin => StatusCode.NotFound,
        WitnessFailure.BadSignature => StatusCode.PermissionDenied,
        WitnessFailure.InvalidRequest => StatusCode.InvalidArgument,
        _ => StatusCode.FailedPrecondition,
    }, ex.Message));
}
