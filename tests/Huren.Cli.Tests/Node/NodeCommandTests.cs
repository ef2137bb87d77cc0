using System.Diagnostics;
using Huren.Cli.Commands.Network;

namespace Huren.Cli.Tests.Node;

/// <summary>
/// <c>huren node backup --data</c> and <c>huren node restore</c> on folders (no node): a backup or data folder that is
/// not a node database is refused before anything is copied; a restore copies the backup into place and keeps the
/// folder it replaced.
/// </summary>
public sealed class NodeCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "huren-node-cli-" + Guid.NewGuid().ToString("N"));

    public NodeCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A folder shaped like a RocksDB database: CURRENT, a manifest, a table file and the lock file of an open one.</summary>
    private string FakeDatabase(string name, string marker)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "CURRENT"), "MANIFEST-000001\n");
        File.WriteAllText(Path.Combine(path, "MANIFEST-000001"), marker);
        File.WriteAllText(Path.Combine(path, "000007.sst"), marker);
        File.WriteAllText(Path.Combine(path, "LOCK"), "");
        return path;
    }

    [Fact]
    public async Task Restore_copies_the_backup_into_place_and_keeps_the_replaced_data_folder()
    {
        var backup = FakeDatabase("backup", "old");
        var data = FakeDatabase("data", "current");

        var (code, output, error) = await CliRunner.RunAsync("node", "restore", backup, "--data", data);

        Assert.True(code == 0, error);
        Assert.Equal("old", File.ReadAllText(Path.Combine(data, "000007.sst")));
        Assert.False(File.Exists(Path.Combine(data, "LOCK")));
        var kept = Assert.Single(Directory.GetDirectories(_dir, "data.replaced-*"));
        Assert.Equal("current", File.ReadAllText(Path.Combine(kept, "000007.sst")));
        Assert.Contains(kept, output, StringComparison.Ordinal);
        // The backup is copied, never moved: it can be restored again.
        Assert.Equal("old", File.ReadAllText(Path.Combine(backup, "000007.sst")));
        Assert.Empty(Directory.GetDirectories(_dir, "data.restoring-*"));
    }

    [Fact]
    public async Task Restore_and_offline_backup_refuse_folders_that_are_not_node_databases()
    {
        var notDb = Path.Combine(_dir, "photos");
        Directory.CreateDirectory(notDb);
        File.WriteAllText(Path.Combine(notDb, "a.jpg"), "x");
        var data = FakeDatabase("data", "current");

        var restore = await CliRunner.RunAsync("node", "restore", notDb, "--data", data);
        Assert.Equal(2, restore.ExitCode);
        Assert.Contains("is not a node database (no CURRENT file)", restore.Error, StringComparison.Ordinal);
        Assert.Equal("current", File.ReadAllText(Path.Combine(data, "000007.sst")));

        var missing = await CliRunner.RunAsync("node", "restore", Path.Combine(_dir, "nothing"), "--data", data);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("does not exist", missing.Error, StringComparison.Ordinal);

        var same = await CliRunner.RunAsync("node", "restore", data, "--data", data + "/");
        Assert.Equal(2, same.ExitCode);
        Assert.Contains("the same folder", same.Error, StringComparison.Ordinal);

        var noData = await CliRunner.RunAsync("node", "restore", data);
        Assert.Equal(2, noData.ExitCode);
        Assert.Contains("--data", noData.Error, StringComparison.Ordinal);

        var backup = await CliRunner.RunAsync("node", "backup", Path.Combine(_dir, "b"), "--data", notDb);
        Assert.Equal(2, backup.ExitCode);
        Assert.Contains("is not a node database", backup.Error, StringComparison.Ordinal);
        var exists = await CliRunner.RunAsync("node", "backup", notDb, "--data", data);
        Assert.Equal(2, exists.ExitCode);
        Assert.Contains("already exists", exists.Error, StringComparison.Ordinal);
        Assert.Equal(["a.jpg"], Directory.GetFiles(notDb).Select(Path.GetFileName));
        Assert.DoesNotContain(Directory.GetDirectories(_dir), d => Path.GetFileName(d).StartsWith("data.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Offline_backup_copies_a_stopped_nodes_data_folder_without_its_lock_file()
    {
        var data = FakeDatabase("data", "current");
        var target = Path.Combine(_dir, "backup");

        var (code, _, error) = await CliRunner.RunAsync("node", "backup", target, "--data", data);

        Assert.True(code == 0, error);
        Assert.Equal("current", File.ReadAllText(Path.Combine(target, "000007.sst")));
        Assert.False(File.Exists(Path.Combine(target, "LOCK")));
    }

    /// <summary>
    /// A data folder in <c>network up</c>'s layout (<c>CITY/data</c>) with <paramref name="pid"/> in <c>CITY/node.pid</c>,
    /// as <c>network up</c> records the node it starts.
    /// </summary>
    private string CityDataFolder(int pid)
    {
        var city = Path.Combine(_dir, "net", "430200");
        Directory.CreateDirectory(city);
        var data = Path.Combine(city, "data");
        Directory.CreateDirectory(data);
        File.WriteAllText(Path.Combine(data, "CURRENT"), "MANIFEST-000001\n");
        File.WriteAllText(Path.Combine(data, "000007.sst"), "current");
        File.WriteAllText(Path.Combine(city, "node.pid"), pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        return data;
    }

    /// <summary>
    /// A live process standing for the node, started as 'network up' starts one: the dotnet host running a dll (here the
    /// CLI's own, serving a local TSA until killed), before node.pid is written. Not the test's own process: what that
    /// is named depends on the test runner, and only a dotnet or Huren process is taken for the node.
    /// </summary>
    private async Task<Process> StartStandInNodeAsync()
    {
        var start = new ProcessStartInfo(NodeLauncher.DotnetHost()) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "exec", Path.Combine(AppContext.BaseDirectory, "huren.dll"), "tsa", "serve", "--dir", Path.Combine(_dir, "tsa"), "--url", "http://127.0.0.1:0" })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start)!;
        try
        {
            // Serving: it stays up until killed.
            var first = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.StartsWith("TSA serving at", first, StringComparison.Ordinal);
            return process;
        }
        catch
        {
            Stop(process);
            throw;
        }
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        process.Dispose();
    }

    [Fact]
    public async Task Restore_and_offline_backup_refuse_the_data_folder_of_a_running_node()
    {
        var node = await StartStandInNodeAsync();
        try
        {
            await AssertRefusedWhileRunningAsync(node.Id);
        }
        finally
        {
            Stop(node);
        }
    }

    private async Task AssertRefusedWhileRunningAsync(int pid)
    {
        var data = CityDataFolder(pid);
        var backup = FakeDatabase("backup", "old");

        var (code, output, error) = await CliRunner.RunAsync("node", "restore", backup, "--data", data);

        Assert.Equal(2, code);
        Assert.Contains($"is running (pid {pid}, recorded in {Path.Combine(_dir, "net", "430200", "node.pid")})", error, StringComparison.Ordinal);
        Assert.Contains($"'huren network down --dir {Path.Combine(_dir, "net")}'", error, StringComparison.Ordinal);
        Assert.Equal("", output);
        // Untouched: nothing renamed, nothing copied beside it.
        Assert.Equal("current", File.ReadAllText(Path.Combine(data, "000007.sst")));
        Assert.Equal(["data", "node.pid"], Directory.GetFileSystemEntries(Path.GetDirectoryName(data)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var copy = await CliRunner.RunAsync("node", "backup", Path.Combine(_dir, "copy"), "--data", data);
        Assert.Equal(2, copy.ExitCode);
        Assert.Contains($"is running (pid {pid}", copy.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dir, "copy")));
    }

    [Fact]
    public async Task Restore_proceeds_when_node_pid_names_a_process_that_has_exited()
    {
        using var gone = System.Diagnostics.Process.Start("dotnet", "--version")!;
        await gone.WaitForExitAsync();
        var data = CityDataFolder(gone.Id);
        var backup = FakeDatabase("backup", "old");

        var (code, _, error) = await CliRunner.RunAsync("node", "restore", backup, "--data", data);

        Assert.True(code == 0, error);
        Assert.Equal("old", File.ReadAllText(Path.Combine(data, "000007.sst")));
    }
}
