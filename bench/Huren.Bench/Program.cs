using Huren.Bench;

// Usage: dotnet run -c Release --project bench/Huren.Bench -- [log|all] [--entries N] [--runs R] [--out bench/results]
var options = BenchOptions.Parse(args);
var results = new List<BenchFigure>();
if (options.Suites.Contains("log") || options.Suites.Contains("all"))
{
    results.AddRange(await LogBench.RunAsync(options));
}
BenchReport.Write(options, results);
return 0;
