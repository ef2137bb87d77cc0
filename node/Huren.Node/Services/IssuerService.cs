using Huren.Node.Ledger;
using Huren.Node.Auth;
using Huren.Schemas.Services;
using ProtoBuf.Grpc;

namespace Huren.Node.Services;

/// <summary>The Issuers gRPC service: the departments registered in the node's log, with their scopes.</summary>
public sealed class IssuerService(LedgerStates states) : IIssuerService
{
    /// <inheritdoc/>
    public ValueTask<ListIssuersResponse> ListAsync(ListIssuersRequest request, CallContext context = default)
    {
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Auditor, ClientRole.Operator, ClientRole.Counter, ClientRole.Issuer);
        var state = request.Origin.Length == 0 ? states.Own : states.Get(request.Origin) ?? throw RpcErrors.NotFound($"this node keeps no issuer registry for '{request.Origin}'");
        var response = new ListIssuersResponse();
        foreach (var issuer in state.ListIssuers())
        {
            var r = issuer.Registration;
            response.Issuers.Add(new IssuerInfo
            {
                IssuerId = r.IssuerId, Name = r.Name, AuthorityCode = r.AuthorityCode, KeyId = Convert.ToHexStringLower(issuer.KeyId),
                LicenseTypeCodes = [.. r.LicenseTypeCodes], SealPermissions = [.. r.SealPermissions], Revoked = issuer.Revoked,
                RegisteredAt = issuer.RegisteredIndex, Origin = state.Origin, MayShareData = r.MayShareData,
            });
        }
        return ValueTask.FromResult(response);
    }
}
