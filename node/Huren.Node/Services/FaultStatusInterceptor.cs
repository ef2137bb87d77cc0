using Grpc.Core;
using Grpc.Core.Interceptors;
using Huren.Node.Logs;

namespace Huren.Node.Services;

/// <summary>
/// The last line behind the services' own error mapping: an exception a handler let through becomes a status that
/// says what failed. An entry the log did not write (<see cref="AppendFailedException"/>, already worded for the
/// client and reported by the log's health) answers UNAVAILABLE with its message. Other storage faults (I/O, RocksDB)
/// answer UNAVAILABLE too, since trying again may succeed, and anything else INTERNAL with the exception's type; both
/// are logged with the method and an incident id the status names, so that the exception's text reaches the operator
/// and not the caller. Without it the client gets UNKNOWN "Exception was thrown by handler" and
/// nothing to act on. A cancelled call stays as it is.
/// </summary>
public sealed partial class FaultStatusInterceptor(ILogger<FaultStatusInterceptor> logger) : Interceptor
{
    /// <inheritdoc/>
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnmapped(ex, context))
        {
            throw ToStatus(ex, context);
        }
    }

    /// <inheritdoc/>
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnmapped(ex, context))
        {
            throw ToStatus(ex, context);
        }
    }

    /// <inheritdoc/>
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnmapped(ex, context))
        {
            throw ToStatus(ex, context);
        }
    }

    /// <inheritdoc/>
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsUnmapped(ex, context))
        {
            throw ToStatus(ex, context);
        }
    }

    // Statuses the handler chose pass; so does whatever a call the client or its deadline ended fails with (a reset
    // request body, a write to a finished response): gRPC reports those as the cancellation they are, and no one is
    // left to read a status.
    private static bool IsUnmapped(Exception ex, ServerCallContext context)
        => ex is not RpcException && !context.CancellationToken.IsCancellationRequested;

    private RpcException ToStatus(Exception ex, ServerCallContext context)
    {
        if (ex is AppendFailedException notWritten) return RpcErrors.Unavailable(notWritten.Message);
        // The exception's text stays in the node's log: it may name the node's files and internals, which are the
        // operator's business, not the caller's. The incident joins the caller's report to the log's line.
        var incident = Convert.ToHexStringLower(BitConverter.GetBytes(Random.Shared.NextInt64()));
        LogUnmapped(logger, context.Method, incident, ex);
        return ex is IOException or RocksDbSharp.RocksDbException
            ? RpcErrors.Unavailable($"the node's storage failed (incident {incident} in the node's log); try again later")
            : new RpcException(new Status(StatusCode.Internal, $"the node failed on this call: {ex.GetType().Name} (incident {incident} in the node's log)"));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} failed with an exception its handler did not map to a status (incident {Incident})")]
    private static partial void LogUnmapped(ILogger logger, string method, string incident, Exception ex);
}
