using System.Security.Cryptography;
using Grpc.Core;
using Huren.Node.Logs;
using Huren.Node.Services;
using Huren.Node.Storage;
using Huren.Node.Tests.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Node.Tests.Integration;

/// <summary>
/// An exception a handler does not map still answers a status that says what failed (<see cref="FaultStatusInterceptor"/>),
/// never UNKNOWN "Exception was thrown by handler".
/// </summary>
public sealed class FaultStatusTests
{
    [Fact]
    public async Task A_storage_fault_in_an_upload_answers_UNAVAILABLE_naming_the_fault()
    {
        FaultyStore? faulty = null;
        await using var node = await TestNode.StartAsync(dir => faulty = new FaultyStore(RocksStore.Open(dir)));
        using var amr = node.Client("amr");
        // The upload's last step, the synced write of the object and its owner row, fails (the SDK's retries too).
        faulty!.FailNextWrites(int.MaxValue);
        var ex = await Assert.ThrowsAsync<RpcException>(() => amr.PutContentAsync(new MemoryStream(RandomNumberGenerator.GetBytes(1000))));
        faulty.FailNextWrites(0);
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Matches("^the node's storage failed \\(incident [0-9a-f]{16} in the node's log\\); try again later$", ex.Status.Detail);
        // Once the fault is gone the same upload succeeds.
        Assert.Equal(32, (await amr.PutContentAsync(new MemoryStream(RandomNumberGenerator.GetBytes(1000)))).Sha256.Length);
    }

    [Fact]
    public async Task Any_other_exception_answers_INTERNAL_with_its_type_and_an_incident_the_log_has_with_its_text()
    {
        var log = new Witness.ListLogger<FaultStatusInterceptor>();
        var interceptor = new FaultStatusInterceptor(log);
        var ex = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("request", new Call(), (_, _) => throw new InvalidOperationException("a bug in /var/lib/huren/x")));
        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        var match = System.Text.RegularExpressions.Regex.Match(ex.Status.Detail, "^the node failed on this call: InvalidOperationException \\(incident ([0-9a-f]{16}) in the node's log\\)$");
        Assert.True(match.Success, ex.Status.Detail);
        // The caller does not see the exception's text; the operator finds it under the same incident.
        var (level, message) = Assert.Single(log.Lines);
        Assert.Equal(LogLevel.Error, level);
        Assert.Contains("/huren.v1.Test/Call", message, StringComparison.Ordinal);
        Assert.Contains(match.Groups[1].Value, message, StringComparison.Ordinal);
        Assert.Equal("a bug in /var/lib/huren/x", Assert.Single(log.Exceptions)!.Message);
    }

    [Fact]
    public async Task An_entry_the_log_did_not_write_answers_UNAVAILABLE_with_its_own_reason()
    {
        var interceptor = new FaultStatusInterceptor(NullLogger<FaultStatusInterceptor>.Instance);
        const string reason = "huren.cz-t/430100 takes no entries: the node is shutting down; nothing of it was written, try again later";
        var ex = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("request", new Call(), (_, _) => throw new AppendFailedException(reason)));
        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal(reason, ex.Status.Detail);
    }

    [Fact]
    public async Task A_status_the_handler_chose_and_a_cancelled_call_pass_unchanged()
    {
        var interceptor = new FaultStatusInterceptor(NullLogger<FaultStatusInterceptor>.Instance);
        var chosen = new RpcException(new Status(StatusCode.NotFound, "no such license"));
        Assert.Same(chosen, await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("request", new Call(), (_, _) => throw chosen)));

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(() => interceptor.UnaryServerHandler<string, string>("request", new Call(cancelled.Token), (_, _) => throw new OperationCanceledException(cancelled.Token)));
        // A cancellation the call did not ask for is a fault like any other.
        var stray = await Assert.ThrowsAsync<RpcException>(() => interceptor.UnaryServerHandler<string, string>("request", new Call(), (_, _) => throw new OperationCanceledException()));
        Assert.Equal(StatusCode.Internal, stray.StatusCode);
    }

    /// <summary>The least of a server call the interceptor reads: its method and cancellation.</summary>
    private sealed class Call(CancellationToken cancellationToken = default) : ServerCallContext
    {
        protected override string MethodCore => "/huren.v1.Test/Call";
        protected override string HostCore => "localhost";
        protected override string PeerCore => "ipv4:127.0.0.1:1";
        protected override DateTime DeadlineCore => DateTime.MaxValue;
        protected override Metadata RequestHeadersCore { get; } = [];
        protected override CancellationToken CancellationTokenCore => cancellationToken;
        protected override Metadata ResponseTrailersCore { get; } = [];
        protected override Status StatusCore { get; set; }
        protected override WriteOptions? WriteOptionsCore { get; set; }
        protected override AuthContext AuthContextCore => new(null, []);

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
