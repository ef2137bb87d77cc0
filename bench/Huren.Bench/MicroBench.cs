using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Huren.Bench.Micro;

namespace Huren.Bench;

/// <summary>
/// BenchmarkDotNet micro-benchmarks of the hot paths, in-process (no generated projects: quicker, and the same JIT
/// settings as the harness), short runs; their mean, spread and allocations join the report.
/// </summary>
internal static class MicroBench
{
    public static List<BenchFigure> Run(BenchOptions options)
    {
        var artifacts = Path.GetFullPath(Path.Combine(options.DataDir, "micro"));
        var config = ManualConfig.CreateMinimumViable()
            .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance))
            .WithArtifactsPath(artifacts)
            .AddFilter(new BenchmarkDotNet.Filters.GlobFilter([options.MicroFilter]));
        var figures = new List<BenchFigure>();
        foreach (var summary in BenchmarkRunner.Run([typeof(EntryBenchmarks), typeof(ProofBenchmarks), typeof(CredentialBenchmarks), typeof(SealBenchmarks), typeof(LicenseXmlBenchmarks)], config))
        {
            foreach (var report in summary.Reports)
            {
                figures.Add(Figure(report));
            }
        }
        return figures;
    }

    private static BenchFigure Figure(BenchmarkReport report)
    {
        var name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
        var parameters = report.BenchmarkCase.Parameters.PrintInfo;
        var title = $"micro {report.BenchmarkCase.Descriptor.Type.Name}.{name}{(string.IsNullOrEmpty(parameters) ? "" : $" [{parameters}]")}";
        var stats = report.ResultStatistics;
        var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
        if (stats is null) return new BenchFigure(title, "ns", 0, 0, 0, 0, "failed: see " + report.BenchmarkCase.Config.ArtifactsPath);
        return new BenchFigure(title, "ns/op", stats.Median, stats.Min, stats.Max, stats.N, $"allocated {allocated?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} B/op");
    }
}
