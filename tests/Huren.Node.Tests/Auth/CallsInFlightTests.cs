using Grpc.Core;
using Huren.Node.Auth;
using Huren.Node.Tests.Integration;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

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
        // Two follows of the log wait for entries that do not come: two calls in flight. On a loaded machine a probe can
        // reach the node before a follow does and take its permit: that follow is refused, and is started again.
        var first = FollowAsync(auditor, stopFirst.Token);
        var second = FollowAsync(auditor, stopSecond.Token);
        try
        {
            // Readiness, not a sleep: the third call is refused once both follows hold their permits.
            var refused = await Eventually.ValueAsync(async () =>
            {
                if (first.IsFaulted) first = FollowAsync(auditor, stopFirst.Token);
                if (second.IsFaulted) second = FollowAsync(auditor, stopSecond.Token);
                return await TryAsync(auditor) is { StatusCode: StatusCode.ResourceExhausted } ex ? ex : null;
            }, "the auditor's third call refused", state: () => $"follows {first.Status}, {second.Status}");
            Assert.Contains("'auditor' already has 2 calls in flight", refused.Status.Detail, StringComparison.Ordinal);
            Assert.Contains("Huren:Limits:CallsInFlightPerClient", refused.Status.Detail, StringComparison.Ordinal);
            Assert.False(first.IsCompleted || second.IsCompleted, "both follows should hold their permits");
            // Another principal has permits of its own.
            Assert.Null(await TryAsync(operatorClient));

            await stopFirst.CancelAsync();
            await Assert.ThrowsAnyAsync<Exception>(() => first);
            // The cancelled follow gave its permit back (the other, with no deadline, still holds its own).
            await Eventually.ValueAsync(async () => await TryAsync(auditor) is null ? "admitted" : null, "the auditor let in again", TimeSpan.FromSeconds(10));
            Assert.False(second.IsCompleted, "the second follow should still be open");
        }
        finally
        {
            await stopFirst.CancelAsync();
            await stopSecond.CancelAsync();
            await Task.WhenAll(first, second).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    [Fact]
    public void A_peers_forwarded_share_requests_cannot_take_the_permits_its_follows_and_witness_offers_need()
    {
        using var limits = new CallsInFlight(new CallLimitOptions { CallsInFlightPerClient = 2 });
        var peer = new ClientPrincipal("node-430200", ClientRole.Peer, null, SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey);
        var department = peer with { Name = "430200-amr", Role = ClientRole.Issuer, IssuerId = "430200-amr" };
        using var provide1 = limits.Admit(peer, CallsInFlight.ProvideMethod);
        using var provide2 = limits.Admit(peer, CallsInFlight.ProvideMethod);
        var full = Assert.Throws<RpcException>(() => limits.Admit(peer, CallsInFlight.ProvideMethod));
        Assert.Equal(StatusCode.ResourceExhausted, full.StatusCode);
        Assert.Contains("forwarded share requests", full.Status.Detail, StringComparison.Ordinal);
        // The peer's follows and offers still get in, up to their own limit.
        using var follow = limits.Admit(peer, "/huren.v1.Ledger/Follow");
        using var offer = limits.Admit(peer, "/huren.v1.Witness/AddCheckpoint");
        Assert.Equal(StatusCode.ResourceExhausted, Assert.Throws<RpcException>(() => limits.Admit(peer, "/huren.v1.Ledger/Follow")).StatusCode);
        // Only a peer's Provide counts apart: anyone else's calls share one count.
        using var asked = limits.Admit(department, CallsInFlight.ProvideMethod);
        using var other = limits.Admit(department, "/huren.v1.Ledger/Submit");
        Assert.Equal(StatusCode.ResourceExhausted, Assert.Throws<RpcException>(() => limits.Admit(department, "/huren.v1.Ledger/Submit")).StatusCode);
    }

    [Fact]
    public void A_limit_out_of_range_is_refused_at_start()
    {
        Assert.Null(new CallLimitOptions().Validate());
        Assert.Contains("Huren:Limits:CallsInFlightPerClient", new CallLimitOptions { CallsInFlightPerClient = 0 }.Validate(), StringComparison.Ordinal);
    }

    private static async Task FollowAsync(HurenClient client, CancellationToken stop)
    {
        // No deadline: the follow ends only when cancelled, so a permit comes back only through the cancellation.
        await foreach (var _ in client.Ledger.FollowAsync(new FollowRequest { Origin = TestNode.Origin, MaxEntries = 64 }, new ProtoBuf.Grpc.CallContext(new CallOptions(cancellationToken: stop))))
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
