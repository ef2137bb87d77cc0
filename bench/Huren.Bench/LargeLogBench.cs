using Huren.Node.Checkpoints;
using System.Diagnostics;
using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Mirrors;
using Huren.Node.Storage;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Evidence;
using Huren.Sdk.Notes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Huren.Bench;

/// <summary>
/// Figures on a real node opened on the cached large log: start-up to the first verdict (a fresh process each run),
/// counter verify latency with evidence, offline bundle verification, trace of a record with 1,000 entries, mirror
/// catch-up, and bytes on disk per entry after compaction.
/// </summary>
internal static class LargeLogBench
{
    public static async Task<List<BenchFigure>> RunAsync(BenchOptions options)
    {
        var manifest = await LargeLog.EnsureAsync(options);
        var dir = LargeLog.DirFor(options);
        var size = $"{manifest.Entries:N0}-entry log";
        var figures = new List<BenchFigure>
        {
            new($"build the {size} through the node's sequencer (cached)", "entries/s", manifest.Entries / manifest.BuildSeconds, manifest.Entries / manifest.BuildSeconds,
                manifest.Entries / manifest.BuildSeconds, 1, $"built {manifest.BuiltAt[..16]} in {manifest.BuildSeconds:0} s with the bench's signing; Ed25519 entries, ledger rules, group commit"),
        };
        if (manifest.WriteSeconds > 0 && manifest.RawVerifySeconds > 0)
        {
            // Issue 17's aim: the write path alone (signing excluded) against the raw check rate of the same leaves in the same build.
            var written = (manifest.Entries - 2) / manifest.WriteSeconds;
            var raw = (manifest.Entries - 2) / manifest.RawVerifySeconds;
            var how = $"built {manifest.BuiltAt[..16]}; Sequencer.SubmitBatchAsync, 4 callers x 256 entries, ledger rules, status map, synced write and checkpoint per batch";
            figures.Add(new($"build the {size}: write path alone", "entries/s", written, written, written, 1, how));
            figures.Add(new($"build the {size}: raw verify of the same leaves", "entries/s", raw, raw, raw, 1, "all cores, chunk by chunk between the submissions"));
            figures.Add(new($"build the {size}: write path / raw verify", "ratio", written / raw, written / raw, written / raw, 1, how));
        }

        figures.Add(BenchFigure.Of($"start-up: new process opens the {size} and answers its first verdict", "ms",
            MachineLimits.Repeat(options.Runs, () => StartUpMilliseconds(dir, manifest)), "wall time from process start to the verdict received; includes .NET start and JIT"));

        var node = BenchNode.Open(dir);
        try
        {
            await node.StartAsync();
            figures.AddRange(await VerifyAsync(node, manifest, options, size));
            figures.AddRange(await TraceAsync(node, manifest, options, size));
            figures.Add(BenchFigure.Of($"mirror catch-up from a node holding the {size}", "entries/s",
                await MirrorRunsAsync(node, manifest, options), $"LogMirror in-process over loopback gRPC, first {Math.Min(options.MirrorEntries, manifest.Entries):N0} entries per run"));
        }
        finally
        {
            await node.DisposeAsync();
        }
        figures.AddRange(Storage(dir, manifest, size));
        return figures;
    }

    /// <summary>Runs the bench's own executable as a child that opens the node and asks one verdict.</summary>
    private static double StartUpMilliseconds(string dir, LargeLogManifest manifest)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Started as `dotnet Huren.Bench.dll` the process is the dotnet host: the child needs the bench's assembly first.
        if (string.Equals(Path.GetFileNameWithoutExtension(Environment.ProcessPath), "dotnet", StringComparison.Ordinal)) psi.ArgumentList.Add(typeof(LargeLogBench).Assembly.Location);
        foreach (var a in new[] { "startup-child", dir, BenchLedger.LicenseId(2) }) psi.ArgumentList.Add(a);
        var sw = Stopwatch.StartNew();
        using var child = Process.Start(psi)!;
        var stderr = child.StandardError.ReadToEndAsync();
        string? line;
        while ((line = child.StandardOutput.ReadLine()) is not null && !line.StartsWith("verdict ", StringComparison.Ordinal))
        {
        }
        var elapsed = sw.Elapsed.TotalMilliseconds;
        child.WaitForExit();
        if (line is null || !line.Contains("Valid", StringComparison.Ordinal)) throw new InvalidOperationException($"start-up child failed: {line} {stderr.Result}");
        return elapsed;
    }

    /// <summary>The child side of <see cref="StartUpMilliseconds"/>: open, start, one verdict, print it, stop.</summary>
    public static async Task<int> StartUpChildAsync(string dir, string licenseId)
    {
        var node = BenchNode.Open(dir);
        await node.StartAsync();
        using (var counter = node.Client("counter"))
        {
            var verdict = await counter.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = licenseId }, counter.Options());
            Console.WriteLine($"verdict {verdict.Verdict}");
        }
        await node.DisposeAsync();
        return 0;
    }

    private static string RandomLicense(Random random, LargeLogManifest manifest)
    {
        while (true)
        {
            var k = random.NextInt64(2, manifest.Entries);
            if (!manifest.IsUse(k)) return BenchLedger.LicenseId(k);
        }
    }

    private static async Task<List<BenchFigure>> VerifyAsync(BenchNode node, LargeLogManifest manifest, BenchOptions options, string size)
    {
        using var counter = node.Client("counter");
        var random = new Random(7);
        var network = node.Network();
        var today = LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow);
        for (var i = 0; i < 100; i++) await counter.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = RandomLicense(random, manifest) }, counter.Options());
        List<double> p50 = [], p99 = [], offline = [], bundleBytes = [];
        for (var run = 0; run < options.Runs; run++)
        {
            var latencies = new double[options.VerifyCalls];
            var bundles = new List<string>();
            for (var i = 0; i < latencies.Length; i++)
            {
                var id = RandomLicense(random, manifest);
                var start = Stopwatch.GetTimestamp();
                var verdict = await counter.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = id }, counter.Options());
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (verdict.Verdict != LicenseVerdict.Valid || verdict.EvidenceBundle.Length == 0) throw new InvalidOperationException($"{id}: {verdict.Verdict} {verdict.Reason}");
                if (bundles.Count < 300) bundles.Add(verdict.EvidenceBundle);
            }
            p50.Add(Percentile(latencies, 0.50));
            p99.Add(Percentile(latencies, 0.99));
            bundleBytes.Add(bundles.Average(b => b.Length));

            var verifier = new EvidenceVerifier(network);
            var parsed = bundles.Select(EvidenceBundle.Parse).ToList();
            var sw = Stopwatch.StartNew();
            foreach (var bundle in parsed)
            {
                var result = verifier.Verify(bundle, today);
                if (!result.IsValid || result.Verdict != LicenseVerdict.Valid) throw new InvalidOperationException($"offline verification failed: {result.Failure}");
            }
            offline.Add(sw.Elapsed.TotalMilliseconds / parsed.Count);
        }
        var calls = $"{options.VerifyCalls} sequential calls per run, random licenses";
        return
        [
            BenchFigure.Of($"counter verify with evidence on the {size}, p50", "ms", p50, calls),
            BenchFigure.Of($"counter verify with evidence on the {size}, p99", "ms", p99, calls),
            BenchFigure.Of("evidence bundle size (JSON)", "bytes", bundleBytes, "issuer registration + license issue, inclusion proofs, checkpoint"),
            BenchFigure.Of("offline evidence bundle verification (EvidenceVerifier)", "ms/bundle", offline, "300 bundles per run, parsed beforehand, 1 thread"),
        ];
    }

    private static async Task<List<BenchFigure>> TraceAsync(BenchNode node, LargeLogManifest manifest, BenchOptions options, string size)
    {
        using var auditor = node.Client("auditor");
        // The whole trace as a caller reads it: every page (the node answers up to 500 entries a page by default).
        async Task<int> TraceAllAsync()
        {
            var count = 0;
            await foreach (var _ in auditor.TraceAsync(manifest.TracedLicense)) count++;
            return count;
        }
        for (var i = 0; i < 5; i++) await TraceAllAsync();
        List<double> p50 = [], p99 = [];
        for (var run = 0; run < options.Runs; run++)
        {
            var latencies = new double[options.TraceCalls];
            for (var i = 0; i < latencies.Length; i++)
            {
                var start = Stopwatch.GetTimestamp();
                var traced = await TraceAllAsync();
                latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (traced != manifest.TracedEntries) throw new InvalidOperationException($"trace gave {traced} entries, wanted {manifest.TracedEntries}");
            }
            p50.Add(Percentile(latencies, 0.50));
            p99.Add(Percentile(latencies, 0.99));
        }
        var note = $"{manifest.TracedEntries:N0} entries spread through the log, every page read (HurenClient.TraceAsync); {options.TraceCalls} sequential traces per run";
        return
        [
            BenchFigure.Of($"trace a record with {manifest.TracedEntries:N0} entries on the {size}, p50", "ms", p50, note),
            BenchFigure.Of($"trace a record with {manifest.TracedEntries:N0} entries on the {size}, p99", "ms", p99, note),
        ];
    }

    private static async Task<List<double>> MirrorRunsAsync(BenchNode source, LargeLogManifest manifest, BenchOptions options)
    {
        var rates = new List<double>();
        var target = (ulong)Math.Min(options.MirrorEntries, manifest.Entries);
        var logKey = source.Services.GetRequiredService<NodeCheckpointSigner>().LogVerifierKey;
        for (var run = 0; run < options.Runs; run++)
        {
            var dir = Path.Combine(Path.GetTempPath(), "huren-bench-mirror-" + Guid.NewGuid().ToString("N"));
            try
            {
                using var db = RocksStore.Open(dir);
                // The mirroring node's own log is another city's; the followed log is kept beside it, as MirrorSet does.
                var own = new MerkleLog(new LogStore(db, "huren.cz-t/430200"));
                var directory = new LogDirectory(own);
                var log = new MerkleLog(new LogStore(db, BenchLedger.Origin));
                var state = new LogStateMachine(BenchLedger.Origin, [source.RootKey.PublicKey], BenchLedger.RootId, log.Store, directory.ReferenceExists, TimeProvider.System)
                {
                    MaxClockSkew = null,
                };
                directory.Add(log);
                var identity = source.Identity("auditor");
                var mirror = new LogMirror(log, state, new CheckpointVerifier(logKey), () => new HurenClient(source.Endpoint, identity, TimeSpan.FromDays(1)),
                    LogMirror.EvidenceSpace(db, BenchLedger.Origin), null, null, NullLogger.Instance);
                using var stop = new CancellationTokenSource();
                var sw = Stopwatch.StartNew();
                var running = mirror.RunAsync(stop.Token);
                while (log.Size < target && mirror.Fault is null && !running.IsCompleted) await Task.Delay(50);
                var elapsed = sw.Elapsed.TotalSeconds;
                var reached = log.Size;
                await stop.CancelAsync();
                await running;
                if (mirror.Fault is not null) throw new InvalidOperationException($"mirror faulted: {mirror.Fault}");
                rates.Add(reached / elapsed);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
        return rates;
    }

    private static List<BenchFigure> Storage(string dir, LargeLogManifest manifest, string size)
    {
        var data = Path.Combine(dir, "data");
        using (var db = RocksStore.Open(data)) db.Compact();
        long bytes = 0;
        foreach (var f in Directory.EnumerateFiles(data, "*", SearchOption.AllDirectories)) bytes += new FileInfo(f).Length;
        var leaf = (double)manifest.LeafBytes / manifest.Entries;
        return
        [
            new BenchFigure($"bytes on disk per entry after compaction, {size}", "bytes", (double)bytes / manifest.Entries, (double)bytes / manifest.Entries, (double)bytes / manifest.Entries, 1,
                $"{bytes / 1e6:N0} MB: leaves, tree nodes, record index, state rows, checkpoints; mean leaf {leaf:0} bytes"),
            new BenchFigure($"bytes on disk per leaf byte after compaction, {size}", "ratio", bytes / (double)manifest.LeafBytes, bytes / (double)manifest.LeafBytes, bytes / (double)manifest.LeafBytes, 1,
                "disk bytes / signed-entry bytes"),
        ];
    }

    private static double Percentile(double[] values, double p)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        var rank = (int)Math.Ceiling(p * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
