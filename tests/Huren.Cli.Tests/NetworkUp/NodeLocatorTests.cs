using Huren.Cli.Commands.Network;

namespace Huren.Cli.Tests.NetworkUp;

/// <summary>How <c>network up</c> finds the node: $HUREN_NODE, node/ next to the CLI, the repository's build output.</summary>
public sealed class NodeLocatorTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "huren-locate-" + Guid.NewGuid().ToString("N"));

    public NodeLocatorTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Touch(string relative)
    {
        var path = Path.Combine(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "");
        return path;
    }

    [Fact]
    public void Environment_variable_naming_the_dll_runs_it_with_dotnet_exec()
    {
        var dll = Touch("custom/Huren.Node.dll");

        var command = NodeLauncher.Locate(dll, [], [], "Debug");

        Assert.Equal(["exec", dll], command.Arguments);
        Assert.Equal("HUREN_NODE", command.Source);
        Assert.Contains("dotnet", Path.GetFileName(command.FileName), StringComparison.Ordinal);
    }

    [Fact]
    public void Environment_variable_naming_a_folder_or_an_executable()
    {
        var dll = Touch("folder/Huren.Node.dll");
        var executable = Touch("bin/Huren.Node");

        Assert.Equal(dll, NodeLauncher.Locate(Path.Combine(_dir, "folder"), [], [], null).Location);
        var direct = NodeLauncher.Locate(executable, [], [], null);
        Assert.Equal(executable, direct.FileName);
        Assert.Empty(direct.Arguments);
    }

    [Fact]
    public void Environment_variable_naming_nothing_is_an_error()
    {
        var ex = Assert.Throws<CliException>(() => NodeLauncher.Locate(Path.Combine(_dir, "missing.dll"), [], [], null));
        Assert.Contains("HUREN_NODE", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Node_folder_next_to_the_cli_comes_before_the_repository_build()
    {
        var beside = Touch("tool/node/Huren.Node.dll");
        Touch("repo/node/Huren.Node/bin/Debug/net10.0/Huren.Node.dll");

        var command = NodeLauncher.Locate(null, [Path.Combine(_dir, "tool")], [Path.Combine(_dir, "repo", "cli", "Huren.Cli", "bin", "Debug", "net10.0")], "Debug");

        Assert.Equal(beside, command.Location);
    }

    [Fact]
    public void Repository_build_output_is_found_upward_in_the_cli_configuration_first()
    {
        Touch("repo/node/Huren.Node/bin/Debug/net10.0/Huren.Node.dll");
        var release = Touch("repo/node/Huren.Node/bin/Release/net10.0/Huren.Node.dll");
        var start = Path.Combine(_dir, "repo", "cli", "Huren.Cli", "bin", "Release", "net10.0");
        Directory.CreateDirectory(start);

        var command = NodeLauncher.Locate(null, [start], [start], "Release");

        Assert.Equal(release, command.Location);
        Assert.Equal("repository build output", command.Source);
    }

    [Fact]
    public void Nothing_found_names_the_places_looked_at()
    {
        var ex = Assert.Throws<CliException>(() => NodeLauncher.Locate(null, [_dir], [_dir], "Debug"));

        Assert.Contains("HUREN_NODE", ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir, "node", "Huren.Node.dll"), ex.Message, StringComparison.Ordinal);
    }
}
