using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Huren.Bench;

/// <summary>Writes a run's figures as a Markdown table and a JSON file under the results folder.</summary>
internal static class BenchReport
{
    /// <summary>The load average when the run started, to judge the noise of its figures.</summary>
    public static readonly string LoadAtStart = LoadAverage();

    public static void Write(BenchOptions options, IReadOnlyList<BenchFigure> figures, TimeSpan elapsed)
    {
        Directory.CreateDirectory(options.OutDir);
        var commit = Git("rev-parse --short HEAD");
        var stamp = DateTimeOffset.UtcNow;
        var openssl = Huren.Sdk.Crypto.OpenSslSm2.IsAvailable ? Huren.Sdk.Crypto.OpenSslSm2.Version : "not loadable";
        var machine = $"{Environment.ProcessorCount} cores ({CpuModel()}), {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {Environment.OSVersion}, .NET {Environment.Version}, libcrypto {openssl}, node's SM2 verifier {(Huren.Sdk.Crypto.OpenSslSm2.IsSelected ? "OpenSSL (HUREN_SM2_VERIFIER=openssl)" : "BouncyCastle")}, "
            + $"Ed25519 verifier {(Huren.Sdk.Crypto.SigningKey.Generate(Huren.Schemas.Envelope.SignatureAlgorithm.Ed25519).PublicKey.UsesLibsodium ? "libsodium, BouncyCastle on refusal" : "BouncyCastle")}";
        var load = $"load average (1/5/15 min) at start {LoadAtStart}, at end {LoadAverage()}; run took {elapsed.TotalMinutes:0.0} min";
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Huren benchmark — {stamp:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}. Commit: {commit}. Command: `dotnet run -c Release --project bench/Huren.Bench -- {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}`");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Noise: {load}. Spread is (max − min) / median over the runs.");
        md.AppendLine();
        md.AppendLine("| figure | median | min | max | spread | runs | unit | note |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---|---|");
        foreach (var f in figures)
        {
            var spread = f.Median == 0 || f.Runs < 2 ? "" : $"{(f.Max - f.Min) / f.Median:P0}";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {f.Name} | {f.Median:0.###} | {f.Min:0.###} | {f.Max:0.###} | {spread} | {f.Runs} | {f.Unit} | {f.Note} |");
        }
        var name = $"bench-{stamp:yyyyMMdd-HHmm}";
        File.WriteAllText(Path.Combine(options.OutDir, name + ".md"), md.ToString());
        File.WriteAllText(Path.Combine(options.OutDir, name + ".json"), JsonSerializer.Serialize(new { machine, commit, date = stamp, command = string.Join(' ', Environment.GetCommandLineArgs().Skip(1)), noise = load, figures }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine(md.ToString());
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? "unknown CPU" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }

    private static string Git(string arguments)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = p.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return p.ExitCode == 0 ? output : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
