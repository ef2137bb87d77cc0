using Huren.Bench;

// Usage: dotnet run -c Release --project bench/Huren.Bench -- [all|limits|floor|log|ingest|large|network|exchange|mirror|hypercore|statusmap|micro|anchor ...] [options]; see docs/benchmarks.md.
if (args is ["startup-child", var dir, var licenseId]) return await LargeLogBench.StartUpChildAsync(dir, licenseId);

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine($"usage: dotnet run -c Release --project bench/Huren.Bench -- [{string.Join('|', BenchOptions.KnownSuites)} ...] [--runs N] [--out DIR] [suite options]; see docs/benchmarks.md");
    return 0;
}
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"bench: {ex.Message} (--help lists the suites; docs/benchmarks.md the options)");
    return 2;
}
_ = BenchReport.LoadAtStart;
var clock = System.Diagnostics.Stopwatch.StartNew();
bool Wants(string suite) => options.Suites.Contains(suite) || options.Suites.Contains("all");
var results = new List<BenchFigure>();
if (Wants("limits")) results.AddRange(MachineLimits.Run(options));
if (Wants("floor")) results.AddRange(DurableFloor.Run(options));
if (Wants("ingest")) results.AddRange(await IngestBench.RunAsync(options));
if (Wants("log")) results.AddRange(await LogBench.RunAsync(options));
if (Wants("large")) results.AddRange(await LargeLogBench.RunAsync(options));
if (Wants("network")) results.AddRange(await NetworkBench.RunAsync(options));
if (Wants("exchange")) results.AddRange(await ExchangeBench.RunAsync(options));
if (Wants("mirror")) results.AddRange(await NetworkBench.MirrorAsync(options));
if (Wants("hypercore"))
{
    results.AddRange(await HypercoreBench.RunAsync(options));
    if (HypercoreBench.Ratio(results) is { } ratio) results.Add(ratio);
}
if (Wants("statusmap")) results.AddRange(StatusMapBench.Run(options));
if (Wants("micro")) results.AddRange(MicroBench.Run(options));
// Not part of "all": it needs Anvil from network-config/anchor (npm ci there).
if (options.Suites.Contains("anchor")) results.AddRange(await AnchorBench.RunAsync(options));
BenchReport.Write(options, results, clock.Elapsed);
return 0;
