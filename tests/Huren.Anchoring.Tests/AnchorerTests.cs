using System.Net;
using System.Net.Sockets;
using Huren.Anchoring.Chain;

namespace Huren.Anchoring.Tests;

/// <summary>The anchorer's own rules, without a chain to talk to.</summary>
public class AnchorerTests
{
    /// <summary>A store whose next save fails, as a full disk would.</summary>
    private sealed class FailingStore : IAnchorStore
    {
        public readonly MemoryAnchorStore Inner = new();
        public bool FailNextSave;

        public AnchorRecord? Latest() => Inner.Latest();

        public AnchorRecord? Get(ulong id) => Inner.Get(id);

        public IReadOnlyList<AnchorRecord> ListBefore(ulong beforeId, int max) => Inner.ListBefore(beforeId, max);

        public void Save(AnchorRecord record)
        {
            if (FailNextSave)
            {
                FailNextSave = false;
                throw new IOException("disk full");
            }
            Inner.Save(record);
        }
    }

    private static Uri ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
    }

    [Fact]
    public async Task Store_and_chain_faults_are_reported_by_the_step_never_thrown_and_nothing_half_kept()
    {
        var store = new FailingStore { FailNextSave = true };
        using var chain = new AnchorChainClient(new AnchorChainOptions { RpcUrl = ClosedPort(), ChainId = 31337, Contract = "0x" + new string('1', 40), RpcTimeout = TimeSpan.FromSeconds(2) }, EvmAccount.Generate());
        var anchorer = new Anchorer(chain, store, new AnchorerOptions { RetryDelay = TimeSpan.FromMilliseconds(10) });
        var logs = new TestCheckpoints("430100", "430200");
        logs.GrowAll(2);

        Assert.Equal(Timeout.InfiniteTimeSpan, (await anchorer.StepAsync()).NextStepIn); // nothing offered: nothing to do
        anchorer.Offer(logs.Notes());
        var failed = await anchorer.StepAsync();
        Assert.Equal("disk full", failed.Error);
        Assert.Null(store.Latest());

        var unreachable = await anchorer.StepAsync();
        Assert.Contains("eth_getTransactionCount", unreachable.Error);
        var kept = store.Latest()!;
        Assert.Equal((1UL, AnchorStatus.Pending), (kept.Id, kept.Status));
        Assert.Empty(kept.Transactions);
        Assert.Equal(2, anchorer.Status.ConsecutiveFailures);
        Assert.True(unreachable.NextStepIn > failed.NextStepIn); // backing off
    }

    [Fact]
    public void A_note_that_is_not_a_checkpoint_an_account_less_client_and_K_below_1_are_refused_at_once()
    {
        using var chain = new AnchorChainClient(new AnchorChainOptions { RpcUrl = ClosedPort(), ChainId = 31337, Contract = "0x" + new string('1', 40) }, EvmAccount.Generate());
        var anchorer = new Anchorer(chain, new MemoryAnchorStore());
        Assert.Throws<FormatException>(() => anchorer.Offer(["not a note"]));
        Assert.Throws<ArgumentException>(() => new Anchorer(new AnchorChainClient(chain.Options), new MemoryAnchorStore()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Anchorer(chain, new MemoryAnchorStore(), new AnchorerOptions { Confirmations = 0 }));
    }
}
