using System.Diagnostics;

namespace Huren.Sdk.Tests.StatusMap;

/// <summary>The committed vector file is exactly what the Python reference writes (so neither drifts from the other).</summary>
public sealed class StatusMapReferenceTests
{
    [PythonFact]
    public void Committed_vectors_are_what_the_reference_writes()
    {
        var repository = RepositoryRoot();
        var script = Path.Combine(repository, "tests/Huren.Sdk.Tests/StatusMap/reference/status_map_reference.py");
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(script);
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the reference did not finish within 2 minutes");
        Assert.True(process.ExitCode == 0, stderr.Result);
        var committed = File.ReadAllText(Path.Combine(repository, "tests/Huren.Sdk.Tests/TestVectors/status-map-v1.json"));
        Assert.True(committed == output, "tests/Huren.Sdk.Tests/TestVectors/status-map-v1.json differs from the reference's output: regenerate it (see the script's header)");
        Assert.Equal(committed, File.ReadAllText(SharedTestData.Local("TestVectors/status-map-v1.json")));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Huren.slnx"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("Huren.slnx not found above the test output folder");
    }
}

/// <summary>A fact that is skipped, with a clear reason, only where python3 is not installed.</summary>
internal sealed class PythonFactAttribute : FactAttribute
{
    private static readonly bool Available = Probe();

    public PythonFactAttribute()
    {
        if (!Available) Skip = "python3 is not on PATH: the reference cross-check is skipped (apt-get install python3)";
    }

    private static bool Probe()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("python3", "--version") { RedirectStandardOutput = true, RedirectStandardError = true })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
