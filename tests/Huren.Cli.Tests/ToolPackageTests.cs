using System.Diagnostics;
using System.Text.Json;
using Huren.Cli.Commands.Network;

namespace Huren.Cli.Tests;

/// <summary>
/// The CLI as users install it: <c>dotnet pack</c> makes a tool package that <c>dotnet tool install --tool-path DIR
/// --add-source PKGDIR huren</c> installs as the command <c>huren</c>, carrying the node it starts.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "huren-tool-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Pack_then_tool_install_gives_a_working_huren_command_with_the_node_inside()
    {
        var packages = Path.Combine(_root, "packages");
        var tools = Path.Combine(_root, "tools");
        var project = Path.Combine(RepositoryRoot(), "cli", "Huren.Cli", "Huren.Cli.csproj");
#if DEBUG
        const string configuration = "Debug";
#else
        const string configuration = "Release";
#endif
        // The test run built the CLI already: pack those outputs rather than building again.
        var (packCode, packOutput) = await RunAsync(NodeLauncher.DotnetHost(), "pack", project, "-c", configuration, "--no-build", "-o", packages);
        Assert.True(packCode == 0, packOutput);
        Assert.Single(Directory.GetFiles(packages, "huren.*.nupkg"));

        var (installCode, installOutput) = await RunAsync(NodeLauncher.DotnetHost(), "tool", "install", "--tool-path", tools, "--add-source", packages, "huren");
        Assert.True(installCode == 0, installOutput);
        var huren = Path.Combine(tools, OperatingSystem.IsWindows() ? "huren.exe" : "huren");
        Assert.True(File.Exists(huren), installOutput);

        var (helpCode, help) = await RunAsync(huren, "--help");
        Assert.Equal(0, helpCode);
        foreach (var command in new[] { "license", "issuer", "trace", "audit", "demo", "network" }) Assert.Contains(command, help, StringComparison.Ordinal);

        var key = Path.Combine(_root, "k.pem");
        var (keyCode, keyOutput) = await RunAsync(huren, "keys", "gen", "--alg", "sm2", "-o", key, "--json");
        Assert.True(keyCode == 0, keyOutput);
        Assert.Equal("sm2", JsonDocument.Parse(keyOutput).RootElement.GetProperty("algorithm").GetString()?.ToLowerInvariant());

        var (badCode, badOutput) = await RunAsync(huren, "license", "list", "--bogus");
        Assert.Equal(2, badCode);
        Assert.Contains("--bogus", badOutput, StringComparison.Ordinal);

        // The node that 'huren network up' starts travels inside the tool.
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(tools, ".store"), "Huren.Node.dll", SearchOption.AllDirectories));
    }

    private static async Task<(int Code, string Output)> RunAsync(string fileName, params string[] args)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Huren.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("Huren.slnx not found above " + AppContext.BaseDirectory);
    }

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }
}
