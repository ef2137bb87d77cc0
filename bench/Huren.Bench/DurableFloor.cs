using System.Buffers.Binary;
using System.Diagnostics;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Bench;

/// <summary>
/// The ceiling of a durable log on this machine (issue 17): how close to the raw signature-check rate a log can come
/// that does nothing but check each entry's signature and make it durable — no transport, no decoding beyond the
/// envelope, no ledger rules, no status map, no checkpoints. Same leaves, same check (<see cref="SignatureCheck"/>),
/// same shape as the node's batched write path: 4 callers × 256 entries, each caller checking its own batch, one
/// writer at a time, one synced write per batch. Six ways, from the most work to the least:
/// <list type="bullet">
/// <item>the node's write path (<see cref="Sequencer.SubmitBatchAsync"/> of a fresh node, no gRPC): decoding, ledger
/// rules, state rows, status map, a checkpoint per batch — what the floors below leave out;</item>
/// <item>the node's Merkle log and status map: a sequencer that checks signatures only (no rules, no state rows) and
/// keeps the map, with a 100-byte stand-in checkpoint per batch; and the same sequencer without the map (the
/// sequencer's own machinery: group commit, staging, the stand-in checkpoint);</item>
/// <item>the node's Merkle log (<see cref="MerkleLog"/> staging into <see cref="RocksStore"/>: leaf rows, subtree
/// hashes, the leaf-hash index, the head) — what every ledger entry's storage costs before any rule;</item>
/// <item>RocksDB with the leaf rows alone (the node's store and options, no tree, no index): the least a RocksDB log
/// can write;</item>
/// <item>an append-only file, synced per batch: the least any durable log can do, for comparison.</item>
/// </list>
/// Each store's run measures the raw rate on the same leaves just before, so the ratio holds on a noisy machine. A
/// ledger that also receives its entries over TLS, decodes and checks them against its state and keeps a status map
/// cannot do better than the floors' ratios; the distance from the write path to them is what the ledger's own work
/// costs.
/// </summary>
internal static class DurableFloor
{
    private const int Callers = 4;
    private const int BatchSize = 256;
    private const string Issuer = BenchNode.AmrIssuer;

    private enum Store
    {
        WritePath,
        MerkleLogAndMap,
        SequencerWithoutMap,
        MerkleLog,
        LeafRows,
        AppendFile,
    }

    public static List<BenchFigure> Run(BenchOptions options)
    {
        var figures = new List<BenchFigure>();
        foreach (var algorithm in new[] { SignatureAlgorithm.Ed25519, SignatureAlgorithm.EcdsaP256Sha256, SignatureAlgorithm.Sm2Sm3 })
        {
            var key = SigningKey.Generate(algorithm);
            var name = MachineLimits.Name(algorithm);
            // SM2 checks are slower: fewer entries keep each run to seconds.
            var count = algorithm == SignatureAlgorithm.Sm2Sm3 ? options.FloorEntries / 2 : options.FloorEntries;
            var leaves = MachineLimits.SignLeaves(key, Issuer, 0, count);
            // Warm-up, not measured: JIT and tier-up of the check and both stores.
            MachineLimits.VerifyRate(key, leaves[..Math.Min(count, 4000)], Environment.ProcessorCount);
            foreach (var store in Enum.GetValues<Store>()) Durable(key, leaves[..Math.Min(count, 4 * BatchSize * Callers)], store);
            var rates = new Dictionary<Store, List<double>>();
            var ratios = new Dictionary<Store, List<double>>();
            var raws = new List<double>();
            for (var run = 0; run < options.Runs; run++)
            {
                foreach (var store in Enum.GetValues<Store>())
                {
                    var raw = MachineLimits.VerifyRate(key, leaves, Environment.ProcessorCount);
                    var rate = Durable(key, leaves, store);
                    raws.Add(raw);
                    (rates.TryGetValue(store, out var r) ? r : rates[store] = []).Add(rate);
                    (ratios.TryGetValue(store, out var q) ? q : ratios[store] = []).Add(rate / raw);
                }
            }
            var note = $"{count} license issues ({Callers} callers × {BatchSize} entries, one synced write per batch)";
            figures.Add(BenchFigure.Of($"raw verify {name} (floor leaves)", "entries/s", raws, "all cores, same leaves, just before each store's run"));
            foreach (var store in Enum.GetValues<Store>())
            {
                figures.Add(BenchFigure.Of($"durable floor {name}: check + {Describe(store)}", "entries/s", rates[store], note));
                figures.Add(BenchFigure.Of($"durable floor {name}: check + {Describe(store)} / raw verify", "ratio", ratios[store], note));
            }
        }
        return figures;
    }

    private static string Describe(Store store) => store switch
    {
        Store.WritePath => "the node's write path (Sequencer.SubmitBatchAsync: decoding, ledger rules, status map, checkpoint per batch)",
        Store.MerkleLogAndMap => "the node's Merkle log and status map (sequencer, signature check only; RocksDB, synced)",
        Store.SequencerWithoutMap => "the node's Merkle log through its sequencer, no status map (signature check only; RocksDB, synced)",
        Store.MerkleLog => "the node's Merkle log (leaves, tree, leaf index; RocksDB, synced)",
        Store.LeafRows => "leaf rows alone (RocksDB, synced)",
        _ => "append-only file (fsync)",
    };

    /// <summary>Entries per second checked and made durable into a fresh <paramref name="store"/> in a temporary folder.</summary>
    private static double Durable(SigningKey key, byte[][] leaves, Store store)
    {
        var dir = Path.Combine(Path.GetTempPath(), "huren-bench-floor-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            return store switch
            {
                Store.WritePath => WritePathAsync(key, leaves, dir).GetAwaiter().GetResult(),
                Store.MerkleLogAndMap or Store.SequencerWithoutMap => SequencerAsync(key, leaves, dir, statusMap: store == Store.MerkleLogAndMap).GetAwaiter().GetResult(),
                _ => Direct(key, leaves, dir, store),
            };
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// Through a fresh node's sequencer, as the large log is built and the <c>SubmitBatch</c> RPC submits (no gRPC): the
    /// whole of what the node does with an entry between the transport and its answer.
    /// </summary>
    private static async Task<double> WritePathAsync(SigningKey key, byte[][] leaves, string dir)
    {
        var node = BenchNode.Open(dir);
        await using var app = node.Build();
        var sequencer = app.Services.GetRequiredService<Sequencer>();
        await sequencer.SubmitAsync(BenchLedger.RegisterIssuer(node.RootKey, Issuer, key.PublicKey));
        var sw = Stopwatch.StartNew();
        await LargeLog.SubmitBatchesAsync(sequencer, leaves, 1);
        return leaves.Length / sw.Elapsed.TotalSeconds;
    }

    /// <summary>Through a sequencer that checks signatures only, with or without the status map (as the <c>log</c> suite's).</summary>
    private static async Task<double> SequencerAsync(SigningKey key, byte[][] leaves, string dir, bool statusMap)
    {
        using var db = RocksStore.Open(dir);
        var log = new MerkleLog(new LogStore(db, BenchLedger.Origin));
        await using var sequencer = Sequencer.Over(log, new SignatureOnlyAdmission(MachineLimits.Check(key)), [new StandInCheckpoint(log)], new SequencerOptions(), NullLogger.Instance, statusMap);
        var sw = Stopwatch.StartNew();
        await LargeLog.SubmitBatchesAsync(sequencer, leaves, 0);
        return leaves.Length / sw.Elapsed.TotalSeconds;
    }

    /// <summary>Into the node's Merkle log, its leaf rows alone or an append-only file, with no sequencer.</summary>
    private static double Direct(SigningKey key, byte[][] leaves, string dir, Store store)
    {
        using var db = store == Store.AppendFile ? null : RocksStore.Open(Path.Combine(dir, "db"));
        using var file = store == Store.AppendFile ? new FileStream(Path.Combine(dir, "leaves"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20) : null;
        var log = db is null ? null : new MerkleLog(new LogStore(db, BenchLedger.Origin));
        var check = MachineLimits.Check(key);
        var writer = new Lock();
        var next = 0;
        var sw = Stopwatch.StartNew();
        var callers = new Task[Callers];
        for (var c = 0; c < Callers; c++)
        {
            callers[c] = Task.Run(() =>
            {
                var hashes = new byte[BatchSize][];
                var commit = new LogCommit();
                while (true)
                {
                    var start = Interlocked.Add(ref next, BatchSize) - BatchSize;
                    if (start >= leaves.Length) return;
                    var end = Math.Min(leaves.Length, start + BatchSize);
                    for (var i = start; i < end; i++)
                    {
                        check.Check(leaves[i]);
                        hashes[i - start] = MerkleLog.HashLeaf(leaves[i]);
                    }
                    lock (writer)
                    {
                        switch (store)
                        {
                            case Store.AppendFile:
                                for (var i = start; i < end; i++) file!.Write(leaves[i]);
                                file!.Flush(flushToDisk: true);
                                break;
                            case Store.LeafRows:
                                commit.Clear();
                                commit.FirstIndex = (ulong)start;
                                for (var i = start; i < end; i++) commit.Leaves.Add(leaves[i]);
                                commit.Head = new byte[8];
                                BinaryPrimitives.WriteUInt64BigEndian(commit.Head, (ulong)end);
                                using (var batch = db!.CreateBatch())
                                {
                                    log!.Store.Add(batch, commit);
                                    db.Write(batch);
                                }
                                break;
                            default:
                                commit.Clear();
                                var staging = log!.BeginStaging(commit);
                                for (var i = start; i < end; i++) staging.Append(leaves[i], hashes[i - start], "");
                                log.Commit(staging);
                                break;
                        }
                    }
                }
            });
        }
        Task.WaitAll(callers);
        return leaves.Length / sw.Elapsed.TotalSeconds;
    }
}
