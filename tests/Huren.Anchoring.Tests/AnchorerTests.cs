using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
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
    public async Task A_receipt_the_chain_misses_once_is_asked_again_not_taken_for_a_reorg()
    {
        // An anchor included in block 5, still there; the endpoint (a lagging backend behind a balancer, say) answers
        // no receipt this once. Before, that was a reorg: counted, and the anchor sent again.
        var blockHash = "0x" + new string('a', 64);
        using var rpc = new ScriptedRpc(method => method switch
        {
            "eth_chainId" => "\"0x7a69\"",
            "eth_getTransactionReceipt" => "null",
            "eth_getBlockByNumber" => $$"""{"number":"0x5","hash":"{{blockHash}}","parentHash":"0x{{new string('0', 64)}}","timestamp":"0x1","transactions":[]}""",
            _ => null,
        });
        var contract = "0x" + new string('1', 40);
        var store = new MemoryAnchorStore();
        store.Save(new AnchorRecord
        {
            Id = 1, Status = AnchorStatus.Included, ChainId = 31337, Contract = contract, Root = "0x" + new string('2', 64),
            Transactions = { new AnchorTransactionRecord { Hash = "0x" + new string('b', 64), Raw = "0x00", Nonce = 0 } },
            Inclusion = new AnchorInclusion { Transaction = "0x" + new string('b', 64), BlockNumber = 5, BlockHash = blockHash },
            Confirmations = 1,
        });
        using var chain = new AnchorChainClient(new AnchorChainOptions { RpcUrl = rpc.Url, ChainId = 31337, Contract = contract, RpcTimeout = TimeSpan.FromSeconds(5) }, EvmAccount.Generate());
        var anchorer = new Anchorer(chain, store, new AnchorerOptions { Confirmations = 3 });

        var step = await anchorer.StepAsync();
        Assert.Null(step.Error);
        var kept = store.Latest()!;
        Assert.Equal((AnchorStatus.Included, 0, blockHash), (kept.Status, kept.Reorgs, kept.Inclusion?.BlockHash));
        Assert.Contains("eth_getBlockByNumber", rpc.Methods);
        Assert.DoesNotContain("eth_sendRawTransaction", rpc.Methods);
        Assert.DoesNotContain("eth_getTransactionCount", rpc.Methods);
    }

    [Fact]
    public async Task The_checkpoints_of_a_failed_anchor_are_anchored_again_after_a_pause_without_waiting_for_growth()
    {
        var store = new MemoryAnchorStore();
        var logs = new TestCheckpoints("430100", "430200");
        logs.GrowAll(2);
        var options = new AnchorChainOptions { RpcUrl = ClosedPort(), ChainId = 31337, Contract = "0x" + new string('1', 40), RpcTimeout = TimeSpan.FromSeconds(2) };
        var account = EvmAccount.Generate();
        using (var chain = new AnchorChainClient(options, account))
        {
            var first = new Anchorer(chain, store);
            first.Offer(logs.Notes());
            await first.StepAsync(); // record 1 kept pending; the chain is unreachable
        }
        // It failed for good (a revert, say), as the step records a permanent chain error.
        var failed = store.Latest()!;
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        failed.Status = AnchorStatus.Failed;
        failed.UpdatedAt = clock.Now;
        store.Save(failed);

        using var client = new AnchorChainClient(options, account);
        var anchorer = new Anchorer(client, store, new AnchorerOptions { MaxRetryDelay = TimeSpan.FromSeconds(30) }, clock);
        anchorer.Offer(logs.Notes()); // the same checkpoints: no log grew
        var waiting = await anchorer.StepAsync();
        Assert.Null(waiting.Record);
        Assert.Equal(TimeSpan.FromSeconds(30), waiting.NextStepIn);
        Assert.Equal(1UL, store.Latest()!.Id);

        clock.Now += TimeSpan.FromSeconds(31);
        await anchorer.StepAsync();
        var again = store.Latest()!;
        Assert.Equal((2UL, AnchorStatus.Pending), (again.Id, again.Status));
        Assert.Equal(failed.Checkpoints.Select(c => (c.Origin, c.Size)), again.Checkpoints.Select(c => (c.Origin, c.Size)));
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>A JSON-RPC endpoint answering each method as scripted (null: an error naming it), noting what was asked.</summary>
    private sealed class ScriptedRpc : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly List<string> _methods = [];

        public ScriptedRpc(Func<string, string?> answer)
        {
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Url = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/");
            }
            _listener.Prefixes.Add(Url.ToString());
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (true)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await _listener.GetContextAsync();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        return;
                    }
                    using var request = await JsonDocument.ParseAsync(context.Request.InputStream);
                    var method = request.RootElement.GetProperty("method").GetString()!;
                    var id = request.RootElement.GetProperty("id").GetRawText();
                    lock (_methods) _methods.Add(method);
                    var result = answer(method);
                    var body = result is null
                        ? $$$"""{"jsonrpc":"2.0","id":{{{id}}},"error":{"code":-32601,"message":"not scripted: {{{method}}}"}}"""
                        : $$$"""{"jsonrpc":"2.0","id":{{{id}}},"result":{{{result}}}}""";
                    var bytes = Encoding.UTF8.GetBytes(body);
                    context.Response.ContentType = "application/json";
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
            });
        }

        public Uri Url { get; }

        public List<string> Methods
        {
            get
            {
                lock (_methods) return [.. _methods];
            }
        }

        public void Dispose() => _listener.Close();
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
