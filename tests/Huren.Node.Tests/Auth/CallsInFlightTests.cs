using Grpc.Core;
using Huren.Node.Auth;
using Huren.Node.Tests.Integration;
using Huren.Schemas.Services;
using Huren.Sdk.Client;

namespace Huren.Node.Tests.Auth;

/// <summary>
/// One caller cannot hold the node: a real node with a limit of two calls in flight per principal refuses the auditor's
/// third call with RESOURCE_EXHAUSTED naming the limit, lets another principal in meanwhile, and lets the auditor in
/// again once one of its calls has ended.
/// </summary>
public sealed class CallsInFlightTests
{
    [Fact]
    public async Task A_client_beyond_its_calls_in_flight_is_refused_with_the_limit_and_let_in_once_one_ends()
    {
        await using var node = await TestNode.StartAsync(null, "--Huren:Limits:CallsInFlightPerClient=2");
        using var auditor = node.Client("auditor");
        using var operatorClient = node.Client("operator");
        using var stopFirst = new CancellationTokenSource();
        using var stopSecond = new CancellationTokenSource();
        // Two follows of the log wait for entries that do not come: two calls in flight.
        var first = FollowAsync(auditor, stopFirst.Token);
        var second = FollowAsync(auditor, stopSecond.Token);
        try
        {
            // Readiness, not a sleep: the third call is refused once both follows hold their permits.
            var refused = await Eventually.ValueAsync(async () => await TryAsync(auditor) is { StatusCode: StatusCode.ResourceExhausted } ex ? ex : null, "the auditor's third call refused");
            Assert.Contains("'auditor' already has 2 calls in flight", refused.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("Huren:Limits:CallsInFlightPerClient", refused.Status.Detail, StringComparison.Ordinal);
            // Another principal has permits of its own.
            Assert.Null(await TryAsync(operatorClient));

            await stopFirst.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => first);
            // The ended follow gave its permit back.
            await Eventually.ValueAsync(async () => await TryAsync(auditor) is null ? "admitted" : null, "the auditor let in again");
        }
        finally
        {
            await stopFirst.CancelAsync();
            await stopSecond.CancelAsync();
            await Task.WhenAll(first, second).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public void A_limit_out_of_range_is_refused_at_start()
    {
        Assert.Null(new CallLimitOptions().Validate());
        Assert.Contains("Huren:Limits:CallsInFlightPerClient", new CallLimitOptions { CallsInFlightPerClient = 0 }.Validate(), StringComparison.Ordinal);
    }

    private static async Task FollowAsync(HurenClient client, CancellationToken stop)
    {
        await foreach (var _ in client.Ledger.FollowAsync(new FollowRequest { Origin = TestNode.Origin, MaxEntries = 64 }, new ProtoBuf.Grpc.CallContext(client.Options(stop))))
        {
        }
    }

    /// <summary>A unary call's refusal, or null when it was let in (answered, whatever the answer).</summary>
    private static async Task<RpcException?> TryAsync(HurenClient client)
    {
        try
        {
            await client.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = TestNode.Origin }, client.Options());
            return null;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted)
        {
            return ex;
        }
        catch (RpcException)
        {
            return null;
        }
    }
}
