using Huren.Node.Auth;
using Huren.Node.Content;
using Huren.Schemas.Services;
using ProtoBuf.Grpc;

namespace Huren.Node.Services;

public sealed partial class ExchangeService
{
    /// <inheritdoc/>
    public ValueTask<HeldShareResponse> GetHeldAsync(HeldShareRequest request, CallContext context = default)
    {
        var principal = RpcErrors.Require(context.ServerCallContext!, ClientRole.Issuer, ClientRole.Counter);
        if (ContentService.IdError(request.ShareId) is { } problem) throw RpcErrors.InvalidArgument($"share_id: {problem}");
        var held = FindHeldForCaller(request, principal);
        var answer = new HeldShareResponse
        {
            Share = new LogEntry { Origin = held.ProviderOrigin, Index = held.ShareIndex, Leaf = held.ShareLeaf },
            Salt = held.Salt, ConsumerIssuerId = held.ConsumerIssuerId,
        };
        for (var i = 0; i < held.PartNames.Count; i++) answer.Parts.Add(new SharePart { Name = held.PartNames[i], Sha256 = held.PartSha256s[i], Length = held.PartLengths[i] });
        if (states.Own.TryGetReceipt(held.ProviderOrigin, held.ShareId, out var receipt) && logs.Own.GetLeaf(receipt.Index) is { } leaf)
            answer.Receipt = new LogEntry { Origin = logs.Own.Origin, Index = receipt.Index, Leaf = leaf };
        return ValueTask.FromResult(answer);
    }

    /// <summary>
    /// The held share the caller asked for. Another department's share is PERMISSION_DENIED only when the provider is
    /// named; looked up by share id alone, only the caller's own shares are candidates, so the answer says nothing about
    /// other departments' share ids.
    /// </summary>
    private HeldShare FindHeldForCaller(HeldShareRequest request, ClientPrincipal principal)
    {
        if (request.ProviderOrigin.Length > 0)
        {
            var held = index.FindHeld(request.ProviderOrigin, request.ShareId) ?? throw RpcErrors.NotFound($"this node holds no data of share {request.ShareId} from {request.ProviderOrigin}");
            if (!string.Equals(held.ConsumerIssuerId, principal.IssuerId, StringComparison.Ordinal))
                throw RpcErrors.PermissionDenied($"share {request.ShareId} was requested by {held.ConsumerIssuerId}, not {principal.IssuerId}");
            return held;
        }
        var mine = index.HeldWithId(request.ShareId).Where(h => string.Equals(h.ConsumerIssuerId, principal.IssuerId, StringComparison.Ordinal)).ToList();
        return mine.Count switch
        {
            0 => throw RpcErrors.NotFound($"this node holds no data of share {request.ShareId} for {principal.IssuerId}"),
            1 => mine[0],
            _ => throw RpcErrors.InvalidArgument($"share id {request.ShareId} names data from {string.Join(", ", mine.Select(h => h.ProviderOrigin))}: give provider_origin"),
        };
    }
}
