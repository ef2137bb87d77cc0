using Grpc.Core;
using Huren.Node.Auth;
using Huren.Node.Logs;

namespace Huren.Node.Services;

/// <summary>The one place service errors are made: a status code and a message that names the cause.</summary>
internal static class RpcErrors
{
    public static RpcException InvalidArgument(string message) => new(new Status(StatusCode.InvalidArgument, message));

    public static RpcException NotFound(string message) => new(new Status(StatusCode.NotFound, message));

    public static RpcException PermissionDenied(string message) => new(new Status(StatusCode.PermissionDenied, message));

    public static RpcException FailedPrecondition(string message) => new(new Status(StatusCode.FailedPrecondition, message));

    public static RpcException AlreadyExists(string message) => new(new Status(StatusCode.AlreadyExists, message));

    public static RpcException DataLoss(string message) => new(new Status(StatusCode.DataLoss, message));

    public static RpcException Unavailable(string message) => new(new Status(StatusCode.Unavailable, message));

    public static RpcException From(AdmissionException ex) => new(new Status(ex.Kind switch
    {
        RejectionKind.InvalidArgument => StatusCode.InvalidArgument,
        RejectionKind.PermissionDenied => StatusCode.PermissionDenied,
        RejectionKind.AlreadyExists => StatusCode.AlreadyExists,
        RejectionKind.FailedPrecondition => StatusCode.FailedPrecondition,
        RejectionKind.Unavailable => StatusCode.Unavailable,
        _ => StatusCode.NotFound,
    }, ex.Message));

    /// <summary>Requires one of <paramref name="roles"/>; returns the principal.</summary>
    public static ClientPrincipal Require(ServerCallContext context, params ClientRole[] roles)
    {
        var principal = ClientAuthInterceptor.PrincipalOf(context);
        if (Array.IndexOf(roles, principal.Role) < 0)
            throw PermissionDenied($"role {principal.Role.ToString().ToLowerInvariant()} of '{principal.Name}' may not call {context.Method}");
        return principal;
    }

    /// <summary>The log for <paramref name="origin"/> (empty: the node's own), or a NOT_FOUND error.</summary>
    public static MerkleLog Resolve(this LogDirectory logs, string? origin)
        => logs.Find(origin) ?? throw NotFound($"this node keeps no log '{origin}'");
}
