using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Huren.Cli.Commands;

/// <summary>
/// A call that ran out of time: the node at <see cref="Endpoint"/> did not answer within <see cref="Within"/>. A stopped
/// or overloaded node still accepts connections, so this, not "unreachable", is what a hung node gives.
/// </summary>
internal sealed class NodeDidNotAnswerException(string endpoint, TimeSpan within, RpcException cause)
    : RpcException(new Status(StatusCode.DeadlineExceeded, $"the node at {endpoint} did not answer within {Seconds(within)}", cause.Status.DebugException ?? cause), cause.Trailers)
{
    public string Endpoint { get; } = endpoint;

    public TimeSpan Within { get; } = within;

    private static string Seconds(TimeSpan span) => $"{Math.Max(1, (int)Math.Round(span.TotalSeconds))} s";
}

/// <summary>
/// Turns a node's silence into <see cref="NodeDidNotAnswerException"/>, naming the node and the time it had. The gRPC
/// client reports it without either: a passed deadline as DEADLINE_EXCEEDED with no detail, and a connection the node
/// accepted but never completed (its TLS handshake, when the node is stopped) as CANCELLED with no detail at all.
/// </summary>
/// <param name="endpoint">The node's address, as the profile gives it.</param>
/// <param name="connectTimeout">How long a connection may take to be established (TCP and TLS), when the handler limits it.</param>
internal sealed class NodeTimeouts(Uri endpoint, TimeSpan? connectTimeout) : Interceptor
{
    private readonly string _endpoint = endpoint.OriginalString;

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var deadline = DeadlineOf(context.Options);
        try
        {
            return continuation(request, context);
        }
        catch (RpcException ex) when (Late(ex, deadline) is { } late)
        {
            throw late;
        }
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        var deadline = DeadlineOf(context.Options);
        var call = continuation(request, context);
        return new AsyncUnaryCall<TResponse>(WatchAsync(call.ResponseAsync, deadline), WatchAsync(call.ResponseHeadersAsync, deadline), call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var deadline = DeadlineOf(context.Options);
        var call = continuation(request, context);
        return new AsyncServerStreamingCall<TResponse>(new WatchedReader<TResponse>(call.ResponseStream, this, deadline), WatchAsync(call.ResponseHeadersAsync, deadline), call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var deadline = DeadlineOf(context.Options);
        var call = continuation(context);
        return new AsyncClientStreamingCall<TRequest, TResponse>(call.RequestStream, WatchAsync(call.ResponseAsync, deadline), WatchAsync(call.ResponseHeadersAsync, deadline), call.GetStatus, call.GetTrailers, call.Dispose);
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
    {
        var deadline = DeadlineOf(context.Options);
        var call = continuation(context);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(call.RequestStream, new WatchedReader<TResponse>(call.ResponseStream, this, deadline), WatchAsync(call.ResponseHeadersAsync, deadline), call.GetStatus, call.GetTrailers, call.Dispose);
    }

    /// <summary>How long the call was given (its deadline, taken when it starts), or null without one.</summary>
    private static TimeSpan? DeadlineOf(CallOptions options) => options.Deadline is { } at && at != DateTime.MaxValue ? at.ToUniversalTime() - DateTime.UtcNow : null;

    /// <summary>The exception to throw instead of <paramref name="ex"/> when it says the node ran out of time; else null.</summary>
    private NodeDidNotAnswerException? Late(RpcException ex, TimeSpan? deadline)
    {
        if (ex is NodeDidNotAnswerException) return null;
        // The client's own deadline gives no detail; a node passing on its peer's timeout says what it waited for.
        if (ex.StatusCode == StatusCode.DeadlineExceeded && ex.Status.Detail.Length == 0 && deadline is { } given) return new NodeDidNotAnswerException(_endpoint, given, ex);
        // CANCELLED is also what the caller's own cancellation (Ctrl-C) gives: only the connect timeout's is the node's silence.
        if (ex.StatusCode == StatusCode.Cancelled && connectTimeout is { } connect && IsConnectTimeout(ex)) return new NodeDidNotAnswerException(_endpoint, connect, ex);
        return null;
    }

    private static bool IsConnectTimeout(RpcException ex)
    {
        for (var inner = ex.Status.DebugException ?? ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is TimeoutException) return true;
        }
        return false;
    }

    private async Task<T> WatchAsync<T>(Task<T> task, TimeSpan? deadline)
    {
        try
        {
            return await task.ConfigureAwait(false);
        }
        catch (RpcException ex) when (Late(ex, deadline) is { } late)
        {
            throw late;
        }
    }

    private sealed class WatchedReader<T>(IAsyncStreamReader<T> inner, NodeTimeouts watch, TimeSpan? deadline) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                return await inner.MoveNext(cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (watch.Late(ex, deadline) is { } late)
            {
                throw late;
            }
        }
    }
}
