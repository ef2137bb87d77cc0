using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Huren.Bench;

/// <summary>Writes a run's figures as a Markdown table and a JSON file under the results folder.</summary>
internal static class BenchReport
{
    public static void Write(BenchOptions options, IReadOnlyList<BenchFigure> figures)
    {
        Directory.CreateDirectory(options.OutDir);
        var commit = Git("rev-parse --short HEAD");
        var stamp = DateTimeOffset.UtcNow;
        var machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}";
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Huren benchmark — {stamp:yyyy-MM-dd HH:mm} UTC");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}. Commit: {commit}. Command: `dotnet run -c Release --project bench/Huren.Bench -- {string.Join(' ', Environment.GetCommandLineArgs().Skip(1))}`");
        md.AppendLine();
        md.AppendLine("| figure | median | min | max | runs | unit | note |");
        md.AppendLine("|---|---:|---:|---:|---:|---|---|");
        foreach (var f in figures)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| {f.Name} | {f.Median:0.###} | {f.Min:0.###} | {f.Max:0.###} | {f.Runs} | {f.Unit} | {f.Note} |");
        }
        var name = $"bench-{stamp:yyyyMMdd-HHmm}";
        File.WriteAllText(Path.Combine(options.OutDir, name + ".md"), md.ToString());
        File.WriteAllText(Path.Combine(options.OutDir, name + ".json"), JsonSerializer.Serialize(new { machine, commit, date = stamp, figures }, new JsonSerializerOptions { WriteIndented = true }));
        Console.WriteLine(md.ToString());
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
