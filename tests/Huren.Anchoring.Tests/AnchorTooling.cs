using System.Diagnostics;

namespace Huren.Anchoring.Tests;

/// <summary>
/// The npm folder network-config/anchor (solc, Anvil, cast), found by walking up from the test binaries. When its
/// packages are not installed yet and npm is on PATH, <c>npm ci</c> runs once (.ci/run does it up front).
/// </summary>
internal static class AnchorTooling
{
    private static readonly Lazy<string> Folder = new(Locate);
    private static readonly Lock InstallLock = new();

    public static string Directory => Folder.Value;

    public static string Anvil => Installed("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");

    public static string Cast => Installed("node_modules/@foundry-rs/cast-linux-amd64/bin/cast");

    public static string SolcPackage => Installed("node_modules/solc/package.json");

    private static string Installed(string relative)
    {
        var path = Path.Combine(Directory, relative);
        lock (InstallLock)
        {
            if (!File.Exists(path))
            {
                var (code, output) = ProcessRunner.Run("npm", Directory, TimeSpan.FromMinutes(5), "ci", "--no-audit", "--no-fund");
                if (code != 0) throw new InvalidOperationException($"npm ci in {Directory} failed ({code}); install node and npm (.ci/run does): {output}");
            }
        }
        return File.Exists(path) ? path : throw new FileNotFoundException($"{relative} not found in {Directory} after npm ci");
    }

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "network-config", "anchor");
            if (File.Exists(Path.Combine(candidate, "package.json"))) return candidate;
        }
        throw new DirectoryNotFoundException("network-config/anchor not found above the test binaries");
    }
}

/// <summary>Runs a program to its end with a deadline; the process tree is killed when the deadline passes.</summary>
internal static class ProcessRunner
{
    public static (int ExitCode, string Output) Run(string program, string workDir, TimeSpan deadline, params string[] args)
    {
        var psi = new ProcessStartInfo(program) { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"{program} did not start");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(deadline))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish within {deadline}");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
