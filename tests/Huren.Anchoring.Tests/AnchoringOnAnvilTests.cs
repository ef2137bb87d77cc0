using Huren.Anchoring.Chain;
using Huren.Sdk.Anchoring;
using Huren.Sdk.Merkle;
using Huren.Sdk.Tests;

namespace Huren.Anchoring.Tests;

/// <summary>The anchorer, the chain client and the proofs against a real Anvil chain, read back with Foundry's cast.</summary>
public class AnchoringOnAnvilTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly AnchorerOptions Fast = new() { Confirmations = 2, PollInterval = TimeSpan.FromMilliseconds(50), RetryDelay = TimeSpan.FromMilliseconds(50), MaxRetryDelay = TimeSpan.FromMilliseconds(200) };

    private static string Hex(string base64) => "0x" + Convert.ToHexStringLower(Convert.FromBase64String(base64));

    [Fact]
    public async Task Anchors_land_on_chain_and_are_read_back_by_cast_and_their_proofs_verify()
    {
        await using var anvil = await AnvilNode.StartNewAsync();
        var network = await AnchoringNetwork.DeployAsync(anvil);
        using var client = network.Client(network.Members[0]);
        var anchorer = new Anchorer(client, new MemoryAnchorStore(), Fast);
        var logs = new TestCheckpoints("430100", "430200", "430300");
        logs.GrowAll(5);
        anchorer.Offer(logs.Notes());

        var included = await AnchoringNetwork.StepUntilAsync(anchorer, r => r.Status == AnchorStatus.Included);
        Assert.Equal(1UL, included.Confirmations);
        await anvil.MineAsync(1);
        var record = await AnchoringNetwork.StepUntilAsync(anchorer, r => r.Status == AnchorStatus.Confirmed);
        Assert.Equal(2UL, record.Confirmations);
        var at = record.Inclusion!;
        output.WriteLine($"anchor of 3 checkpoints: {at.GasUsed} gas at {at.EffectiveGasPrice} wei/gas");

        // cast, a client that is not Huren's, reads the anchor from storage and from the event log.
        var stored = Cast.GetAnchor(anvil, network.Contract, at.Sequence);
        Assert.Equal(Hex(record.Root), stored.Root);
        Assert.Equal(3UL, stored.LeafCount);
        Assert.Equal(at.BlockNumber, stored.BlockNumber);
        Assert.Equal(network.Members[0].Address, stored.Submitter, ignoreCase: true);
        Assert.Equal(1UL, Cast.AnchorCount(anvil, network.Contract));
        var log = Assert.Single(Cast.AnchoredLogs(anvil, network.Contract))!;
        Assert.Equal(Hex(record.Root), (string?)log["topics"]![2]);
        Assert.Equal(at.Transaction, (string?)log["transactionHash"], ignoreCase: true);
        Assert.Equal(at.BlockHash, (string?)log["blockHash"], ignoreCase: true);
        // … and so does Huren's own client, from storage and from the events.
        var read = await client.GetAnchorAsync(at.Sequence);
        Assert.Equal(record.Root, read.Root.ToBase64());
        Assert.Equal(at.BlockNumber, read.BlockNumber);
        var events = await client.GetAnchoredEventsAsync(0);
        var anchoredEvent = Assert.Single(events);
        Assert.Equal((record.Root, at.Sequence, at.LogIndex, 3UL), (anchoredEvent.Root.ToBase64(), anchoredEvent.Sequence, anchoredEvent.LogIndex, anchoredEvent.LeafCount));
        Assert.Equal(at.Transaction, anchoredEvent.TransactionHash, ignoreCase: true);

        // Each log's proof verifies offline and online; a nothing-to-do step makes no second anchor.
        var offline = new AnchorProofVerifier(new AnchorContract(AnvilNode.ChainId, network.Contract));
        var online = new AnchorProofOnlineCheck(client);
        foreach (var origin in logs.Origins)
        {
            var proof = AnchorProof.Parse(record.ProofFor(origin)!.ToJson());
            var checkedOffline = offline.Verify(proof);
            Assert.True(checkedOffline.IsValid, checkedOffline.Failure);
            Assert.True(checkedOffline.NoteChecked);
            var checkedOnline = await online.CheckAsync(proof, minConfirmations: 2);
            Assert.True(checkedOnline.IsValid, checkedOnline.Failure);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds((long)at.BlockTime), checkedOnline.BlockTime);
        }
        var idle = await anchorer.StepAsync();
        Assert.Null(idle.Error);
        Assert.Equal(Timeout.InfiniteTimeSpan, idle.NextStepIn);
        Assert.Equal(1UL, Cast.AnchorCount(anvil, network.Contract));

        // Online, a proof that names another block, sequence, root or transaction, or wants more confirmations, is refused.
        var sample = record.ProofFor("huren.cz-t/430200")!;
        async Task<string?> Refused(Action<AnchorProof> tamper, ulong confirmations = 2)
        {
            var p = AnchorProof.Parse(sample.ToJson());
            tamper(p);
            var r = await online.CheckAsync(p, confirmations);
            Assert.False(r.IsValid);
            return r.Failure;
        }
        Assert.Contains($"not {at.BlockNumber + 1} (", await Refused(p => p.Chain.BlockNumber++));
        Assert.Contains("sequence", await Refused(p => p.Chain.Sequence = 7));
        Assert.Contains("root", await Refused(p => p.AnchorRoot = MerkleHash.LeafHash("x"u8).ToBase64()));
        Assert.Contains("no receipt", await Refused(p => p.Chain.Transaction = "0x" + new string('c', 64)));
        Assert.Contains("leaves", await Refused(p => p.LeafCount = 4));
        Assert.Contains("only 2 confirmations, 5 required", await Refused(_ => { }, 5));
    }

    [Fact]
    public async Task A_reorg_below_K_leads_to_re_anchoring()
    {
        await using var anvil = await AnvilNode.StartNewAsync();
        var network = await AnchoringNetwork.DeployAsync(anvil);
        using var client = network.Client(network.Members[1]);
        var anchorer = new Anchorer(client, new MemoryAnchorStore(), Fast with { Confirmations = 3 });
        var logs = new TestCheckpoints("430100", "430200", "430300");
        logs.GrowAll(4);
        var snapshot = await anvil.SnapshotAsync();
        anchorer.Offer(logs.Notes());
        var first = (await AnchoringNetwork.StepUntilAsync(anchorer, r => r.Status == AnchorStatus.Included)).Inclusion!;

        // The block with the anchor leaves the chain (below K = 3), and other blocks take its height.
        await anvil.RevertAsync(snapshot);
        await anvil.MineAsync(3);
        Assert.Equal(0UL, Cast.AnchorCount(anvil, network.Contract));

        var reanchored = await AnchoringNetwork.StepUntilAsync(anchorer, r => r.Reorgs == 1);
        Assert.Equal(AnchorStatus.Submitted, reanchored.Status);
        var again = await AnchoringNetwork.StepUntilAsync(anchorer, r => r.Status == AnchorStatus.Included);
        await anvil.MineAsync(2);
        var record = await AnchoringNetwork.StepUntilAsync(anchorer, r => r.Status == AnchorStatus.Confirmed);

        Assert.Equal(1, record.Reorgs);
        Assert.NotEqual(first.BlockHash, record.Inclusion!.BlockHash, StringComparer.OrdinalIgnoreCase);
        Assert.True(record.Inclusion.BlockNumber > first.BlockNumber);
        // The kept transaction was sent again (same bytes, same nonce): one anchor on chain, not two.
        Assert.Single(record.Transactions);
        Assert.Equal(first.Transaction, record.Inclusion.Transaction, ignoreCase: true);
        Assert.Equal(1UL, Cast.AnchorCount(anvil, network.Contract));
        Assert.Equal(Hex(record.Root), Cast.GetAnchor(anvil, network.Contract, 0).Root);
        var log = Assert.Single(Cast.AnchoredLogs(anvil, network.Contract))!;
        Assert.Equal(record.Inclusion.BlockHash, (string?)log["blockHash"], ignoreCase: true);
        var online = await new AnchorProofOnlineCheck(client).CheckAsync(record.ProofFor("huren.cz-t/430100")!, 3);
        Assert.True(online.IsValid, online.Failure);
        Assert.Equal(again.Inclusion!.BlockHash, record.Inclusion.BlockHash);
    }

    [Fact]
    public async Task With_the_chain_down_steps_fail_quietly_and_after_it_returns_the_anchorer_catches_up()
    {
        using var dir = new TempDir();
        await using var anvil = await AnvilNode.StartNewAsync(dir.File("chain.json"));
        var network = await AnchoringNetwork.DeployAsync(anvil);
        var store = new MemoryAnchorStore();
        var logs = new TestCheckpoints("430100", "430200", "430300");
        logs.GrowAll(3);
        using (var client = network.Client(network.Members[2]))
        {
            var anchorer = new Anchorer(client, store, Fast with { Confirmations = 1 });
            anchorer.Offer(logs.Notes());
            await AnchoringNetwork.StepUntilAsync(anchorer, r => r.Status == AnchorStatus.Confirmed);

            // The chain stops. The logs grow; every step reports the error and throws nothing.
            await anvil.StopAsync();
            logs.GrowAll(4);
            anchorer.Offer(logs.Notes());
            for (var i = 0; i < 4; i++)
            {
                var step = await anchorer.StepAsync();
                Assert.NotNull(step.Error);
                Assert.Contains($"127.0.0.1:{anvil.Port}", step.Error);
                Assert.True(step.NextStepIn > TimeSpan.Zero);
            }
            Assert.Equal(4, anchorer.Status.ConsecutiveFailures);
            Assert.NotNull(anchorer.Status.LastError);
            Assert.Equal(1UL, anchorer.Status.LastConfirmed!.Id);
        }

        // The chain returns with its state, and the node restarts too: a new anchorer over the same store catches up.
        await anvil.StartAsync();
        using var restarted = network.Client(network.Members[2]);
        var resumed = new Anchorer(restarted, store, Fast with { Confirmations = 1 });
        resumed.Offer(logs.Notes());
        var record = await AnchoringNetwork.StepUntilAsync(resumed, r => r.Id == 2 && r.Status == AnchorStatus.Confirmed);
        Assert.All(record.Checkpoints, c => Assert.Equal(7UL, c.Size));
        Assert.Null(resumed.Status.LastError);
        Assert.Equal(2UL, Cast.AnchorCount(anvil, network.Contract));
        Assert.Equal(Hex(store.Get(1)!.Root), Cast.GetAnchor(anvil, network.Contract, 0).Root);
        Assert.Equal(Hex(record.Root), Cast.GetAnchor(anvil, network.Contract, 1).Root);
    }

    [Fact]
    public async Task A_restarted_anchorer_sends_its_kept_transaction_again_when_the_chain_lost_it()
    {
        await using var anvil = await AnvilNode.StartNewAsync();
        var network = await AnchoringNetwork.DeployAsync(anvil);
        await anvil.SetAutomineAsync(false);
        var store = new MemoryAnchorStore();
        var logs = new TestCheckpoints("430100", "430200");
        logs.GrowAll(2);
        AnchorTransactionRecord kept;
        using (var client = network.Client(network.Members[0]))
        {
            var anchorer = new Anchorer(client, store, Fast);
            anchorer.Offer(logs.Notes());
            kept = Assert.Single((await AnchoringNetwork.StepUntilAsync(anchorer, r => r.Status == AnchorStatus.Submitted)).Transactions);
        }
        await anvil.RpcAsync("anvil_dropTransaction", kept.Hash); // the pool forgets it (a chain node restart)

        using var restarted = network.Client(network.Members[0]);
        var resumed = new Anchorer(restarted, store, Fast);
        var step = await resumed.StepAsync();
        Assert.Null(step.Error);
        Assert.True(await restarted.IsKnownAsync(kept.Hash));
        await anvil.MineAsync(2);
        var record = await AnchoringNetwork.StepUntilAsync(resumed, r => r.Status == AnchorStatus.Confirmed);
        Assert.Equal(kept.Hash, Assert.Single(record.Transactions).Hash);
        Assert.Equal(kept.Hash, record.Inclusion!.Transaction, ignoreCase: true);
        Assert.Equal(0UL, kept.Nonce);
    }

    [Fact]
    public async Task A_transaction_not_mined_in_time_is_replaced_with_the_same_nonce_and_higher_fees()
    {
        await using var anvil = await AnvilNode.StartNewAsync();
        var network = await AnchoringNetwork.DeployAsync(anvil);
        await anvil.SetAutomineAsync(false);
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var client = network.Client(network.Members[1]);
        var anchorer = new Anchorer(client, new MemoryAnchorStore(), Fast with { ReplaceAfter = TimeSpan.FromMinutes(1) }, clock);
        var logs = new TestCheckpoints("430100");
        logs.Grow("huren.cz-t/430100", 1);
        anchorer.Offer(logs.Notes());
        var first = Assert.Single((await AnchoringNetwork.StepUntilAsync(anchorer, r => r.Status == AnchorStatus.Submitted)).Transactions);

        Assert.Single((await anchorer.StepAsync()).Record!.Transactions); // not yet due
        clock.Advance(TimeSpan.FromMinutes(2));
        var replaced = (await anchorer.StepAsync()).Record!;
        Assert.Equal(2, replaced.Transactions.Count);
        var second = replaced.Transactions[1];
        Assert.Equal(first.Nonce, second.Nonce);
        Assert.True(System.Numerics.BigInteger.Parse(second.MaxFeePerGas) > System.Numerics.BigInteger.Parse(first.MaxFeePerGas));
        Assert.True(System.Numerics.BigInteger.Parse(second.MaxPriorityFeePerGas) > System.Numerics.BigInteger.Parse(first.MaxPriorityFeePerGas));

        await anvil.MineAsync(2);
        var record = await AnchoringNetwork.StepUntilAsync(anchorer, r => r.Status == AnchorStatus.Confirmed);
        Assert.Equal(second.Hash, record.Inclusion!.Transaction, ignoreCase: true);
        Assert.Equal(1UL, Cast.AnchorCount(anvil, network.Contract));
    }

    [Fact]
    public async Task Concurrent_submitters_on_one_client_get_distinct_nonces()
    {
        await using var anvil = await AnvilNode.StartNewAsync();
        var network = await AnchoringNetwork.DeployAsync(anvil);
        using var client = network.Client(network.Members[0]);
        var sent = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
        {
            var nonce = await client.AllocateNonceAsync();
            var signed = await client.SignAnchorAsync(MerkleHash.LeafHash([(byte)i]), 1, nonce);
            Assert.Equal(BroadcastOutcome.Sent, await client.BroadcastAsync(signed.Raw));
            return signed;
        }));
        Assert.Equal([0UL, 1, 2, 3, 4, 5], sent.Select(s => s.Nonce).Order().ToArray());
        var until = DateTime.UtcNow.AddSeconds(20);
        while (Cast.AnchorCount(anvil, network.Contract) < 6 && DateTime.UtcNow < until) await anvil.MineAsync(1);
        Assert.Equal(6UL, Cast.AnchorCount(anvil, network.Contract));
        foreach (var s in sent) Assert.True((await client.GetReceiptAsync(s.Hash))!.Succeeded);
    }

    [Fact]
    public async Task An_account_that_is_not_an_anchorer_is_refused_for_good_and_sends_nothing()
    {
        await using var anvil = await AnvilNode.StartNewAsync();
        var network = await AnchoringNetwork.DeployAsync(anvil);
        var stranger = EvmAccount.Generate();
        await anvil.FundAsync(stranger.Address);
        using var client = network.Client(stranger);
        var anchorer = new Anchorer(client, new MemoryAnchorStore(), Fast);
        var logs = new TestCheckpoints("430100");
        logs.Grow("huren.cz-t/430100", 1);
        anchorer.Offer(logs.Notes());
        var record = await AnchoringNetwork.StepUntilAsync(anchorer, r => r.IsSettled);
        Assert.Equal(AnchorStatus.Failed, record.Status);
        Assert.Contains("the contract refuses the transaction", record.Failure);
        Assert.Empty(record.Transactions);
        Assert.Equal(0UL, Cast.AnchorCount(anvil, network.Contract));
        // The same checkpoints are tried again after MaxRetryDelay (the account may be voted in meanwhile; AnchorerTests
        // shows the pause), and each try is refused before anything is sent: no gas is spent.
        var retried = await AnchoringNetwork.StepUntilAsync(anchorer, r => r.Id == record.Id + 1 && r.IsSettled);
        Assert.Equal(AnchorStatus.Failed, retried.Status);
        Assert.Empty(retried.Transactions);
        Assert.Equal(0UL, Cast.AnchorCount(anvil, network.Contract));
    }

    [Fact]
    public async Task A_majority_of_the_anchoring_accounts_replaces_the_list()
    {
        await using var anvil = await AnvilNode.StartNewAsync();
        var network = await AnchoringNetwork.DeployAsync(anvil);
        var (a, b, c) = (network.Members[0], network.Members[1], network.Members[2]);
        var d = EvmAccount.Generate();
        await anvil.FundAsync(d.Address);
        string[] next = [a.Address, b.Address, d.Address];
        using var ca = network.Client(a);
        using var cb = network.Client(b);
        using var cc = network.Client(c);
        using var cd = network.Client(d);

        // Each vote is read back only once mined: CI once read the old list [a, b, c] right after b's vote.
        Assert.True((await ReceiptAsync(ca, anvil, await ca.VoteAnchorersAsync(0, next))).Succeeded);
        Assert.Equal([a.Address, b.Address, c.Address], await ca.GetAnchorersAsync());
        Assert.True((await ReceiptAsync(cb, anvil, await cb.VoteAnchorersAsync(0, next))).Succeeded);
        Assert.Equal(next, await ca.GetAnchorersAsync());
        Assert.Equal(1UL, await ca.GetEpochAsync());
        Assert.Equal("true", Cast.Run("call", "--rpc-url", anvil.RpcUrl.ToString(), network.Contract, "isAnchorer(address)(bool)", d.Address));

        // A vote of the old epoch, and a vote by an account that is no longer an anchorer, are refused on chain.
        var stale = await Assert.ThrowsAsync<AnchorChainException>(() => cc.VoteAnchorersAsync(1, [c.Address]));
        Assert.True(stale.IsPermanent);
        var root = MerkleHash.LeafHash("r"u8);
        var refused = await Assert.ThrowsAsync<AnchorChainException>(() => cc.SignAnchorAsync(root, 1, 0));
        Assert.Contains("refuses", refused.Message);
        var signed = await cd.SignAnchorAsync(root, 1, await cd.AllocateNonceAsync());
        await cd.BroadcastAsync(signed.Raw);
        Assert.True((await ReceiptAsync(cd, anvil, signed.Hash)).Succeeded);
    }

    /// <summary>
    /// The receipt of a broadcast transaction, mining a block while there is none: right after the broadcast a loaded
    /// Anvil may not have mined it yet (a null receipt was seen once in a full CI run).
    /// </summary>
    private static async Task<AnchorReceipt> ReceiptAsync(AnchorChainClient client, AnvilNode anvil, string hash)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (await client.GetReceiptAsync(hash) is { } receipt) return receipt;
            if (DateTime.UtcNow > until) throw new TimeoutException($"no receipt for {hash} within 20 s");
            await anvil.MineAsync(1);
        }
    }
}
