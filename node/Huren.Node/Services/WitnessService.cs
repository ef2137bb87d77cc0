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

    /// <summary>The gRPC status of a refusal (checkpoints.md, "Witness answers").</summary>
    internal static RpcException ToRpc(WitnessException ex) => new(new Status(ex.Failure switch
    {
        WitnessFailure.UnknownOrigin => StatusCode.NotFound,
        WitnessFailure.BadSignature => StatusCode.PermissionDenied,
        WitnessFailure.InvalidRequest => StatusCode.InvalidArgument,
        _ => StatusCode.FailedPrecondition,
    }, ex.Message));
}
