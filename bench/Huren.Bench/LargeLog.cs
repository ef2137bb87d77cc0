using System.Diagnostics;
using System.Text.Json;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Microsoft.Extensions.DependencyInjection;

namespace Huren.Bench;

/// <summary>
/// What a built large-log folder holds; written last, so a folder without it is incomplete. WriteSeconds is the time
/// spent in the write path alone (the submissions, without signing the leaves) and RawVerifySeconds the time the
/// all-core signature checks of the same leaves took (chunk by chunk, between the submissions); both 0 in folders built
/// before they were kept.
/// </summary>
internal sealed record LargeLogManifest(long Entries, long Spacing, string TracedLicense, int TracedEntries, long LeafBytes, double BuildSeconds, string BuiltAt,
    double WriteSeconds = 0, double RawVerifySeconds = 0)
{
    /// <summary>Whether entry <paramref name="k"/> is a use of the traced license (else, from 2 on, the issue of license serial k).</summary>
    public bool IsUse(long k) => IsUse(k, Spacing);

    public static bool IsUse(long k, long spacing) => k >= 2 && k % spacing == 0 && k / spacing <= LargeLog.TracedEntries - 1;
}

/// <summary>
/// A node folder whose log holds N entries, written through the node's own composition and sequencer (ledger rules,
/// status map, synced writes, a checkpoint per batch) without gRPC, and cached under the bench data folder for later
/// runs. The log: the root's registration of one Ed25519 issuer, then license issues, with 999 uses of the first
/// license spread evenly through the log (so that license is a record with 1,000 related entries among N).
/// </summary>
/// <remarks>
/// Issue 17: leaves are signed a chunk at a time and then submitted, not both at once, so the write rate is timed
/// without the bench's own signing; they are submitted as the <c>SubmitBatch</c> RPC does
/// (<see cref="Sequencer.SubmitBatchAsync"/>, <see cref="Callers"/> concurrent callers of <see cref="BatchSize"/>
/// entries); and the raw all-core signature-check rate of the same leaves is measured chunk by chunk in the same build,
/// for the ratio.
/// </remarks>
internal static class LargeLog
{
    public const int TracedEntries = 1000;
    private const string ManifestFile = "manifest.json";
    private const int Chunk = 20_000;
    private const int BatchSize = 256;
    private const int Callers = 4;

    public static string DirFor(BenchOptions options) => Path.GetFullPath(Path.Combine(options.DataDir, $"log-{options.LogEntries}"));

    /// <summary>The manifest of the cached folder, building it first when it is missing or incomplete.</summary>
    public static async Task<LargeLogManifest> EnsureAsync(BenchOptions options)
    {
        var dir = DirFor(options);
        var manifestPath = Path.Combine(dir, ManifestFile);
        if (File.Exists(manifestPath)) return JsonSerializer.Deserialize<LargeLogManifest>(File.ReadAllText(manifestPath))!;
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        var manifest = await BuildAsync(dir, options.LogEntries);
        File.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest));
        return manifest;
    }

    /// <summary>
    /// Submits <paramref name="leaves"/> (the log's entries from <paramref name="from"/> on) as the <c>SubmitBatch</c> RPC
    /// does: <see cref="Callers"/> concurrent callers of <see cref="BatchSize"/> entries; none may be a duplicate.
    /// </summary>
    public static async Task SubmitBatchesAsync(Sequencer sequencer, byte[][] leaves, long from)
    {
        var batches = (leaves.Length + BatchSize - 1) / BatchSize;
        await Parallel.ForEachAsync(Enumerable.Range(0, batches), new ParallelOptions { MaxDegreeOfParallelism = Callers }, async (b, _) =>
        {
            var batch = leaves[(b * BatchSize)..Math.Min(leaves.Length, (b + 1) * BatchSize)];
            var results = await sequencer.SubmitBatchAsync(batch, null, CancellationToken.None);
            for (var i = 0; i < results.Length; i++)
            {
                if (results[i].Duplicate) throw new InvalidOperationException($"entry {from + b * BatchSize + i} was a duplicate");
            }
        });
    }

    private static async Task<LargeLogManifest> BuildAsync(string dir, long entries)
    {
        if (entries < TracedEntries + 2) throw new ArgumentException($"--log-entries must be at least {TracedEntries + 2}");
        Console.WriteLine($"building a {entries:N0}-entry log in {dir} (cached for later runs)...");
        var sw = Stopwatch.StartNew();
        var node = BenchNode.Open(dir);
        var issuer = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        await using var app = node.Build();
        var sequencer = app.Services.GetRequiredService<Sequencer>();
        await sequencer.SubmitAsync(BenchLedger.RegisterIssuer(node.RootKey, BenchNode.AmrIssuer, issuer.PublicKey));
        var traced = BenchLedger.IssueLicense(issuer, BenchNode.AmrIssuer, 0);
        var tracedAt = await sequencer.SubmitAsync(traced);
        var tracedId = BenchLedger.LicenseId(0);

        // Entry k (from 2) is a use of the traced license when k is a multiple of `spacing`, else the license with serial k.
        var spacing = (entries - 2) / (TracedEntries - 1);
        long leafBytes = traced.Length;
        var next = 2L;
        var uses = 0;
        Task<byte[][]> Sign(long from)
        {
            var count = (int)Math.Min(Chunk, entries - from);
            return Task.Run(() =>
            {
                var leaves = new byte[count][];
                Parallel.For(0, count, i =>
                {
                    var k = from + i;
                    leaves[i] = LargeLogManifest.IsUse(k, spacing)
                        ? BenchLedger.UseLicense(issuer, BenchNode.AmrIssuer, tracedId, tracedAt.Index, tracedAt.LeafHash, (int)(k / spacing))
                        : BenchLedger.IssueLicense(issuer, BenchNode.AmrIssuer, k);
                });
                return leaves;
            });
        }
        var writing = new Stopwatch();
        var verifying = new Stopwatch();
        while (next < entries)
        {
            var leaves = await Sign(next);
            var from = next;
            next += leaves.Length;
            verifying.Start();
            MachineLimits.VerifyRate(issuer, leaves, Environment.ProcessorCount);
            verifying.Stop();
            writing.Start();
            await SubmitBatchesAsync(sequencer, leaves, from);
            writing.Stop();
            foreach (var leaf in leaves) leafBytes += leaf.Length;
            for (var k = from; k < next; k++) if (LargeLogManifest.IsUse(k, spacing)) uses++;
            Console.WriteLine($"  {next:N0} entries, {next / sw.Elapsed.TotalSeconds:N0}/s with signing, write path {(next - 2) / writing.Elapsed.TotalSeconds:N0}/s, raw verify {(next - 2) / verifying.Elapsed.TotalSeconds:N0}/s");
        }
        var log = app.Services.GetRequiredService<MerkleLog>();
        if (log.Size != (ulong)entries) throw new InvalidOperationException($"built {log.Size} entries, wanted {entries}");
        if (uses != TracedEntries - 1) throw new InvalidOperationException($"{uses} uses of the traced license, wanted {TracedEntries - 1}");
        File.WriteAllText(Path.Combine(dir, "keys", "issuer-amr.bench.pem"), issuer.ToPem());
        ((RocksStore)app.Services.GetRequiredService<IKeyValueStore>()).Compact();
        return new LargeLogManifest(entries, spacing, tracedId, TracedEntries, leafBytes, sw.Elapsed.TotalSeconds, DateTimeOffset.UtcNow.ToString("O"),
            writing.Elapsed.TotalSeconds, verifying.Elapsed.TotalSeconds);
    }
}
