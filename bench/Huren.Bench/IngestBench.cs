using System.Diagnostics;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;

namespace Huren.Bench;

/// <summary>
/// Ingest: signed license issue entries accepted and made durable by one real node (ledger rules, group commit,
/// synced RocksDB, checkpoints) over loopback gRPC from concurrent clients, per algorithm; and, in the same run on
/// the same leaves, the raw signature-check rate, so that the ratio holds on a noisy machine.
/// </summary>
internal static class IngestBench
{
    public static async Task<List<BenchFigure>> RunAsync(BenchOptions options)
    {
        var figures = new List<BenchFigure>();
        var samples = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        void Add(string name, double value)
        {
            if (!samples.TryGetValue(name, out var list)) samples[name] = list = [];
            list.Add(value);
        }

        for (var run = 0; run < options.Runs; run++)
        {
            var dir = Path.Combine(Path.GetTempPath(), "huren-bench-ingest-" + Guid.NewGuid().ToString("N"));
            var node = BenchNode.Open(dir);
            try
            {
                await node.StartAsync();
                var p256 = SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256);
                var sm2 = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
                var ed25519 = SigningKey.Generate(SignatureAlgorithm.Ed25519);
                using (var op = node.Client("operator"))
                {
                    await op.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = BenchLedger.RegisterIssuer(node.RootKey, BenchNode.P256Issuer, p256.PublicKey) }, op.Options());
                    await op.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = BenchLedger.RegisterIssuer(node.RootKey, BenchNode.Sm2Issuer, sm2.PublicKey) }, op.Options());
                    await op.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = BenchLedger.RegisterIssuer(node.RootKey, BenchNode.Ed25519Issuer, ed25519.PublicKey) }, op.Options());
                }
                long serial = 0;
                var algorithms = new[] { (p256, "p256", BenchNode.P256Issuer), (ed25519, "ed25519", BenchNode.Ed25519Issuer), (sm2, "sm2", BenchNode.Sm2Issuer) };
                // Warm-up, not measured: JIT and tier-up, connections and caches of the unary, streaming and batched
                // paths with every algorithm, in rounds until --ingest-warmup seconds have passed (one round at least).
                var warmup = Stopwatch.StartNew();
                do
                {
                    foreach (var (key, principal, issuer) in algorithms)
                    {
                        var warm = MachineLimits.SignLeaves(key, issuer, serial, 1500);
                        serial += warm.Length;
                        await UnaryAsync(node, principal, warm[..500], options.Submitters);
                        await StreamAsync(node, principal, warm[500..1000], options.Streams);
                        await BatchesAsync(node, principal, warm[1000..], options.Streams, options.BatchSize);
                    }
                }
                while (warmup.Elapsed.TotalSeconds < options.IngestWarmupSeconds);
                Console.WriteLine($"ingest: warmed up for {warmup.Elapsed.TotalSeconds:F0} s ({serial} entries)");
                foreach (var (key, principal, issuer) in algorithms)
                {
                    var name = MachineLimits.Name(key.Algorithm);
                    var count = key.Algorithm == SignatureAlgorithm.Sm2Sm3 ? options.IngestEntries / 2 : options.IngestEntries;
                    var leaves = MachineLimits.SignLeaves(key, issuer, serial, count);
                    serial += count;
                    var raw = MachineLimits.VerifyRate(key, leaves, Environment.ProcessorCount);
                    Add($"raw verify {name} (ingest leaves)", raw);
                    var third = count / 3;
                    Console.WriteLine($"ingest {name}: {third} entries over unary calls, {third} over streams, {count - 2 * third} in SubmitBatch calls");
                    var unary = await UnaryAsync(node, principal, leaves[..third], options.Submitters);
                    Add($"ingest {name} unary", unary);
                    Add($"ingest {name} unary / raw verify", unary / raw);
                    var stream = await StreamAsync(node, principal, leaves[third..(2 * third)], options.Streams);
                    Add($"ingest {name} streams", stream);
                    Add($"ingest {name} streams / raw verify", stream / raw);
                    var batched = await BatchesAsync(node, principal, leaves[(2 * third)..], options.Streams, options.BatchSize);
                    Add($"ingest {name} batches", batched);
                    Add($"ingest {name} batches / raw verify", batched / raw);
                }
            }
            finally
            {
                await node.DisposeAsync();
                Directory.Delete(dir, true);
            }
        }
        foreach (var (name, list) in samples)
        {
            var ratio = name.EndsWith("raw verify", StringComparison.Ordinal);
            var note = name.Contains("unary", StringComparison.Ordinal) ? $"{options.Submitters} concurrent unary calls over 4 channels"
                : name.Contains("streams", StringComparison.Ordinal) ? $"{options.Streams} SubmitStream calls"
                : name.Contains("batches", StringComparison.Ordinal) ? $"{options.Streams} concurrent callers of SubmitBatch ({options.BatchSize} entries per call, HurenClient.SubmitBatchAsync)"
                : "all cores, same leaves";
            figures.Add(BenchFigure.Of(name, ratio ? "ratio" : "entries/s", list, note));
        }
        return figures;
    }

    /// <summary>Concurrent unary Submit calls over a few channels; entries/s from first call to last answer.</summary>
    private static async Task<double> UnaryAsync(BenchNode node, string principal, byte[][] leaves, int concurrency)
    {
        var clients = Enumerable.Range(0, 4).Select(_ => node.Client(principal)).ToArray();
        try
        {
            var next = -1;
            var sw = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
            {
                var client = clients[w % clients.Length];
                int i;
                while ((i = Interlocked.Increment(ref next)) < leaves.Length)
                {
                    var response = await client.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaves[i] }, client.Options());
                    if (response.Duplicate) throw new InvalidOperationException("a fresh entry was answered as a duplicate");
                }
            })).ToArray();
            await Task.WhenAll(workers);
            return leaves.Length / sw.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    /// <summary>Entries sent on several SubmitStream calls at once, each answered in order; entries/s until the last answer.</summary>
    private static async Task<double> StreamAsync(BenchNode node, string principal, byte[][] leaves, int streams)
    {
        var clients = Enumerable.Range(0, streams).Select(_ => node.Client(principal)).ToArray();
        try
        {
            var sw = Stopwatch.StartNew();
            var tasks = Enumerable.Range(0, streams).Select(s => Task.Run(async () =>
            {
                var client = clients[s];
                var answered = 0;
                await foreach (var _ in client.Ledger.SubmitStreamAsync(Requests(leaves, s, streams), client.Options())) answered++;
                return answered;
            })).ToArray();
            var total = (await Task.WhenAll(tasks)).Sum();
            if (total != leaves.Length) throw new InvalidOperationException($"{total} of {leaves.Length} answered");
            return leaves.Length / sw.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    /// <summary>
    /// Atomic batches of <paramref name="batchSize"/> entries from several concurrent callers (the SDK's
    /// <c>SubmitBatchAsync</c>, which checks every answer's leaf hash); entries/s until the last batch is durable.
    /// </summary>
    private static async Task<double> BatchesAsync(BenchNode node, string principal, byte[][] leaves, int callers, int batchSize)
    {
        var clients = Enumerable.Range(0, callers).Select(_ => node.Client(principal)).ToArray();
        try
        {
            var next = -1;
            var sw = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, callers).Select(w => Task.Run(async () =>
            {
                var client = clients[w];
                int b;
                while ((b = Interlocked.Increment(ref next)) * batchSize < leaves.Length)
                {
                    var start = b * batchSize;
                    var batch = leaves[start..Math.Min(leaves.Length, start + batchSize)];
                    var results = await client.SubmitBatchAsync(batch);
                    foreach (var result in results)
                    {
                        if (result.Duplicate) throw new InvalidOperationException("a fresh entry was answered as a duplicate");
                    }
                }
            })).ToArray();
            await Task.WhenAll(workers);
            return leaves.Length / sw.Elapsed.TotalSeconds;
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    private static async IAsyncEnumerable<SubmitRequest> Requests(byte[][] leaves, int stream, int streams)
    {
        for (var i = stream; i < leaves.Length; i += streams) yield return new SubmitRequest { SignedEntry = leaves[i] };
        await Task.CompletedTask;
    }
}
