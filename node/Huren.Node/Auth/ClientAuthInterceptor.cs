using Grpc.Core;
using Grpc.Core.Interceptors;
using Huren.Sdk.Client;

namespace Huren.Node.Auth;

/// <summary>
/// Authenticates every call (except health checks and reflection) before it reaches a service, leaves the principal
/// on the call for the services' role checks, and holds one of the principal's permits (<see cref="CallsInFlight"/>)
/// until the call ends.
/// </summary>
public sealed class ClientAuthInterceptor(ClientRegistry clients, CallsInFlight inFlight) : Interceptor
{
    private const string ItemKey = "huren.principal";

    /// <summary>The authenticated principal of a call.</summary>
    public static ClientPrincipal PrincipalOf(ServerCallContext context)
        => context.GetHttpContext().Items[ItemKey] as ClientPrincipal
           ?? throw new RpcException(new Status(StatusCode.Unauthenticated, "call is not authenticated"));

    /// <inheritdoc/>
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        using var permit = Authenticate(context);
        return await continuation(request, context).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var permit = Authenticate(context);
        return await continuation(requestStream, context).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var permit = Authenticate(context);
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        using var permit = Authenticate(context);
        await continuation(requestStream, responseStream, context).ConfigureAwait(false);
    }

    /// <summary>The caller's principal, set on the call, and one of its permits (null for the open services).</summary>
    private IDisposable? Authenticate(ServerCallContext context)
    {
        // Health checks stay open so orchestrators can probe; reflection only describes the public contract.
        if (context.Method.StartsWith("/grpc.health.", StringComparison.Ordinal) || context.Method.StartsWith("/grpc.reflection.", StringComparison.Ordinal)) return null;
        var header = context.RequestHeaders.GetValue(CallCredential.Header);
        var certificate = context.GetHttpContext().Connection.ClientCertificate;
        var fingerprint = certificate is null ? null : Sdk.Client.PinnedTls.Fingerprint(certificate);
        var principal = clients.Authenticate(header, context.Method, fingerprint, out var error)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated, error!));
        context.GetHttpContext().Items[ItemKey] = principal;
        return inFlight.Admit(principal, context.Method);
    }
}
