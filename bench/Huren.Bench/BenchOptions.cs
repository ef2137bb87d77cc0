using System.Globalization;

namespace Huren.Bench;

/// <summary>Command-line settings of a benchmark run.</summary>
internal sealed class BenchOptions
{
    public HashSet<string> Suites { get; } = new(StringComparer.OrdinalIgnoreCase);
    public int Entries { get; private set; } = 20_000;
    public int Runs { get; private set; } = 5;
    public int Submitters { get; private set; } = 32;
    public string OutDir { get; private set; } = "bench/results";
    public int IngestEntries { get; private set; } = 16_000;
    public int Streams { get; private set; } = 4;
    public int BatchSize { get; private set; } = 256;
    public long LogEntries { get; private set; } = 1_000_000;
    public string DataDir { get; private set; } = "bench/.data";
    public int VerifyCalls { get; private set; } = 2_000;
    public int TraceCalls { get; private set; } = 50;
    public long MirrorEntries { get; private set; } = 200_000;
    public int FloorEntries { get; private set; } = 100_000;
    public string MicroFilter { get; private set; } = "*";
    public long MapRecords { get; private set; } = 10_000_000;
    public int MapBatch { get; private set; } = 1_000;

    /// <summary>Licenses measured one after another by the <c>network</c> suite (after one warm-up).</summary>
    public int NetworkLicenses { get; private set; } = 30;

    /// <summary>Exchanges per measured run of the <c>exchange</c> suite.</summary>
    public int Exchanges { get; private set; } = 2_000;

    /// <summary>
    /// Least time the <c>exchange</c> suite's warm-up runs exchanges before the measured runs: the nodes' JIT (tier-up
    /// with dynamic PGO) was still busy a minute after start, taking a fifth of their CPU.
    /// </summary>
    public int ExchangeWarmupSeconds { get; private set; } = 60;

    /// <summary>
    /// Least time the <c>ingest</c> suite's warm-up submits entries of every algorithm over every path before the
    /// measured runs: with 1,500 warm-up entries, JIT and tier-up still took a quarter of the process's CPU while the
    /// first path was measured.
    /// </summary>
    public int IngestWarmupSeconds { get; private set; } = 20;

    /// <summary>Concurrent requesting departments' calls in the <c>exchange</c> suite.</summary>
    public int Requesters { get; private set; } = 32;

    /// <summary>Distinct 4 KB records the provider publishes for the <c>exchange</c> suite (exchanges cycle through them).</summary>
    public int ExchangeRecords { get; private set; } = 256;

    /// <summary>Size in MiB of the file the <c>exchange</c> suite sends through an exchange and through a raw TLS copy.</summary>
    public int TransferMegabytes { get; private set; } = 100;

    public static BenchOptions Parse(string[] args)
    {
        var o = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--entries": o.Entries = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--runs": o.Runs = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--submitters": o.Submitters = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--out": o.OutDir = Value(args, ref i); break;
                case "--ingest-entries": o.IngestEntries = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--streams": o.Streams = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--batch-size": o.BatchSize = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--log-entries": o.LogEntries = long.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--data": o.DataDir = Value(args, ref i); break;
                case "--verify-calls": o.VerifyCalls = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--trace-calls": o.TraceCalls = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--floor-entries": o.FloorEntries = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--mirror-entries": o.MirrorEntries = long.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--micro-filter": o.MicroFilter = Value(args, ref i); break;
                case "--map-records": o.MapRecords = long.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--map-batch": o.MapBatch = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--network-licenses": o.NetworkLicenses = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--exchanges": o.Exchanges = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--exchange-warmup": o.ExchangeWarmupSeconds = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--ingest-warmup": o.IngestWarmupSeconds = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--requesters": o.Requesters = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--exchange-records": o.ExchangeRecords = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case "--transfer-mb": o.TransferMegabytes = int.Parse(Value(args, ref i), CultureInfo.InvariantCulture); break;
                case var suite when KnownSuites.Contains(suite): o.Suites.Add(suite); break;
                // Anything else is a typo: measuring the wrong thing (or nothing) would still write a report.
                default: throw new ArgumentException($"unknown suite or option '{args[i]}'");
            }
        }
        if (o.Suites.Count == 0) o.Suites.Add("all");
        return o;
    }

    private static string Value(string[] args, ref int i)
        => ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");

    /// <summary>The suites a run may name (<c>all</c> runs every one but <c>anchor</c>).</summary>
    public static readonly string[] KnownSuites = ["all", "limits", "ingest", "log", "large", "network", "exchange", "mirror", "hypercore", "statusmap", "micro", "anchor", "floor"];
}

/// <summary>One measured figure: the median of several runs and their spread.</summary>
internal sealed record BenchFigure(string Name, string Unit, double Median, double Min, double Max, int Runs, string Note)
{
    public static BenchFigure Of(string name, string unit, IReadOnlyList<double> samples, string note = "")
    {
        var sorted = samples.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new BenchFigure(name, unit, median, sorted[0], sorted[^1], sorted.Length, note);
    }
}
