using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Bench;

/// <summary>
/// <c>hypercore</c>: Hypercore 11.37.1 (npm, <c>bench/hypercore</c>; install with <c>npm ci</c> there) on this machine in
/// the same run: a writer appends <c>--mirror-entries</c> blocks of the size of the mirror suite's leaves in batches
/// of 100, then a second core catches up over Hypercore's replication protocol (in one Node.js process, no TLS, no
/// per-entry signatures: Merkle proofs and the writer's signature on the tree). With the <c>mirror</c> suite in the
/// same run, the ratio of Huren's mirror catch-up to Hypercore's replica catch-up is added.
/// </summary>
internal static class HypercoreBench
{
    public static async Task<List<BenchFigure>> RunAsync(BenchOptions options)
    {
        var script = Script();
        // Same size as a mirrored entry: one Ed25519-signed license issue leaf.
        var bytes = MachineLimits.SignLeaves(SigningKey.Generate(SignatureAlgorithm.Ed25519), "430100-bench", 0, 1)[0].Length;
        var append = new List<double>();
        var catchUp = new List<double>();
        for (var run = 0; run < options.Runs; run++)
        {
            var psi = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(script)! };
            foreach (var a in new[] { script, options.MirrorEntries.ToString(CultureInfo.InvariantCulture), bytes.ToString(CultureInfo.InvariantCulture), "1" }) psi.ArgumentList.Add(a);
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0) throw new InvalidOperationException($"node {script} exited {process.ExitCode}: {await stderr}");
            using var result = JsonDocument.Parse((await stdout).Trim());
            append.Add(result.RootElement.GetProperty("appendPerSecond").GetDouble());
            catchUp.Add(result.RootElement.GetProperty("catchupPerSecond").GetDouble());
            Console.Error.WriteLine($"hypercore: append {append[^1]:F0}/s, replica catch-up {catchUp[^1]:F0}/s");
        }
        var note = $"hypercore 11.37.1, {options.MirrorEntries} blocks of {bytes} bytes";
        return
        [
            BenchFigure.Of("hypercore append (batches of 100)", "entries/s", append, note),
            BenchFigure.Of("hypercore replica catch-up", "entries/s", catchUp, note + ", second core over an in-process replication stream"),
        ];
    }

    /// <summary>Huren's mirror catch-up between node processes ÷ Hypercore's replica catch-up (medians of the same run).</summary>
    public static BenchFigure? Ratio(IReadOnlyList<BenchFigure> figures)
    {
        var ours = figures.FirstOrDefault(f => f.Name == "mirror catch-up, two node processes, peer TLS");
        var theirs = figures.FirstOrDefault(f => f.Name == "hypercore replica catch-up");
        if (ours is null || theirs is null || theirs.Median <= 0) return null;
        var ratio = ours.Median / theirs.Median;
        return new BenchFigure("mirror catch-up (processes) / hypercore replica catch-up", "ratio", ratio, ratio, ratio, 1, "medians of this run");
    }

    private static string Script()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "hypercore", "catchup.mjs");
            if (File.Exists(candidate))
            {
                if (!Directory.Exists(Path.Combine(dir.FullName, "bench", "hypercore", "node_modules", "hypercore")))
                    throw new InvalidOperationException($"hypercore is not installed: run 'npm ci' in {Path.GetDirectoryName(candidate)}");
                return candidate;
            }
        }
        throw new FileNotFoundException("bench/hypercore/catchup.mjs not found above the bench's build");
    }
}
