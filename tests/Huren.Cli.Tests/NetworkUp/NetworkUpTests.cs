using System.Text.Json;

namespace Huren.Cli.Tests.NetworkUp;

/// <summary><c>huren network up</c> and <c>down</c> over real node processes.</summary>
public sealed class NetworkUpTests : IDisposable
{
    private readonly NetworkFolder _net = new();

    public void Dispose() => _net.Dispose();

    [Fact]
    public async Task Up_detached_starts_every_node_healthy_and_down_stops_them()
    {
        await _net.InitAsync();

        var (code, output, error) = await CliRunner.RunAsync("network", "up", "--dir", _net.Dir, "--detach", "--json", "--start-timeout", "300");

        Assert.True(code == 0, error + output);
        var genesis = _net.Genesis();
        using (var report = JsonDocument.Parse(output))
        {
            Assert.Equal("cz-t", report.RootElement.GetProperty("networkId").GetString());
            Assert.False(report.RootElement.GetProperty("created").GetBoolean());
            Assert.True(report.RootElement.GetProperty("detached").GetBoolean());
            var nodes = report.RootElement.GetProperty("nodes").EnumerateArray().ToList();
            Assert.Equal(NetworkFolder.Cities, nodes.Select(n => n.GetProperty("cityCode").GetString()));
            Assert.All(nodes, n => Assert.Equal("healthy", n.GetProperty("state").GetString()));
            for (var i = 0; i < nodes.Count; i++)
            {
                Assert.Equal($"https://127.0.0.1:{_net.BasePort + i}", nodes[i].GetProperty("endpoint").GetString());
                Assert.Equal(_net.Pid(NetworkFolder.Cities[i]), nodes[i].GetProperty("pid").GetInt32());
            }
        }
        var pids = NetworkFolder.Cities.ToDictionary(c => c, _net.Pid);
        foreach (var member in genesis.Members)
        {
            Assert.True(File.Exists(_net.PidFile(member.CityCode)));
            Assert.True(NetworkFolder.IsRunning(pids[member.CityCode]), $"node of {member.CityCode} is not running");
            Assert.True(await NetworkFolder.IsServingAsync(member), $"node of {member.CityCode} does not answer the health check");
            Assert.True(new FileInfo(Path.Combine(_net.CityDir(member.CityCode), "node.log")).Length > 0);
        }

        // A second 'up' refuses: the nodes already run.
        var (again, _, againError) = await CliRunner.RunAsync("network", "up", "--dir", _net.Dir, "--detach");
        Assert.Equal(2, again);
        Assert.Contains("already running", againError, StringComparison.Ordinal);

        var (downCode, downOutput, downError) = await CliRunner.RunAsync("network", "down", "--dir", _net.Dir);

        Assert.True(downCode == 0, downError);
        Assert.Contains("Stopped 3 nodes", downOutput, StringComparison.Ordinal);
        foreach (var member in genesis.Members)
        {
            Assert.False(File.Exists(_net.PidFile(member.CityCode)));
            Assert.False(NetworkFolder.IsRunning(pids[member.CityCode]), $"node of {member.CityCode} still runs");
            Assert.False(await NetworkFolder.IsServingAsync(member));
        }

        // Nothing left to stop: still a success.
        var (idle, idleOutput, _) = await CliRunner.RunAsync("network", "down", "--dir", _net.Dir, "--json");
        Assert.Equal(0, idle);
        using var idleReport = JsonDocument.Parse(idleOutput);
        Assert.Equal(0, idleReport.RootElement.GetProperty("stopped").GetInt32());
    }

    [Fact]
    public async Task Up_with_a_corrupt_genesis_fails_with_a_message_and_starts_nothing()
    {
        await _net.InitAsync();
        await File.WriteAllTextAsync(Path.Combine(_net.Dir, "genesis.json"), "{ \"format\": \"huren-network/v1\", \"members\": [");

        var (code, output, error) = await CliRunner.RunAsync("network", "up", "--dir", _net.Dir, "--detach");

        Assert.Equal(2, code);
        Assert.Contains("genesis.json", error, StringComparison.Ordinal);
        Assert.Contains("not valid", error, StringComparison.Ordinal);
        Assert.DoesNotContain("healthy", output, StringComparison.Ordinal);
        Assert.All(NetworkFolder.Cities, c => Assert.False(File.Exists(_net.PidFile(c))));
    }

    [Fact]
    public async Task Down_clears_pid_files_of_nodes_that_are_gone()
    {
        await _net.InitAsync();
        // A process that has exited: its id is recorded but nothing runs under it.
        using var gone = System.Diagnostics.Process.Start("dotnet", "--version")!;
        await gone.WaitForExitAsync();
        await File.WriteAllTextAsync(_net.PidFile("430200"), gone.Id + "\n");
        await File.WriteAllTextAsync(_net.PidFile("430300"), "not a pid\n");

        var (code, output, error) = await CliRunner.RunAsync("network", "down", "--dir", _net.Dir);

        Assert.True(code == 0, error);
        Assert.Contains("Stopped 0 nodes", output, StringComparison.Ordinal);
        Assert.Contains("not running", output, StringComparison.Ordinal);
        Assert.All(NetworkFolder.Cities, c => Assert.False(File.Exists(_net.PidFile(c))));
    }

    [Fact]
    public async Task Down_of_a_missing_folder_is_an_error()
    {
        var (code, _, error) = await CliRunner.RunAsync("network", "down", "--dir", _net.Dir);

        Assert.Equal(2, code);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }
}

/// <summary><c>network up</c> on a folder without a network creates one first (own class: runs in parallel with the others).</summary>
public sealed class NetworkUpCreatesTests : IDisposable
{
    private readonly NetworkFolder _net = new();

    public void Dispose() => _net.Dispose();

    [Fact]
    public async Task Up_on_an_empty_folder_creates_the_network_then_runs_it()
    {
        var (code, output, error) = await CliRunner.RunAsync("network", "up", "--dir", _net.Dir, "--base-port", _net.Port, "--detach", "--start-timeout", "300");

        Assert.True(code == 0, error + output);
        Assert.Contains("Created network cz-t", output, StringComparison.Ordinal);
        Assert.Contains("Network cz-t is up (3 nodes)", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_net.Dir, "cli.json")));
        foreach (var member in _net.Genesis().Members)
        {
            Assert.True(await NetworkFolder.IsServingAsync(member), $"node of {member.CityCode} does not answer the health check");
            Assert.Contains($"{member.CityCode}  {member.Name}  healthy at {member.Endpoint}", output, StringComparison.Ordinal);
        }

        var (downCode, downOutput, _) = await CliRunner.RunAsync("network", "down", "--dir", _net.Dir);
        Assert.Equal(0, downCode);
        Assert.Contains("Stopped 3 nodes", downOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_refuses_a_folder_that_holds_something_else_and_writes_nothing_there()
    {
        Directory.CreateDirectory(_net.Dir);
        await File.WriteAllTextAsync(Path.Combine(_net.Dir, "notes.txt"), "not a network");

        var (code, output, error) = await CliRunner.RunAsync("network", "up", "--dir", _net.Dir, "--base-port", _net.Port, "--detach");

        Assert.Equal(2, code);
        Assert.Equal($"error: '{_net.Dir}' is not a Huren network (it has no genesis.json) and is not empty (notes.txt); 'network up' creates a network only in an empty or new folder: choose another --dir", error.Trim());
        Assert.Equal("", output);
        Assert.Equal(["notes.txt"], Directory.EnumerateFileSystemEntries(_net.Dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Up_refuses_a_start_timeout_out_of_range()
    {
        var (code, _, error) = await CliRunner.RunAsync("network", "up", "--dir", _net.Dir, "--start-timeout", "0");

        Assert.Equal(2, code);
        Assert.Contains("--start-timeout must be 1–3600 seconds, got 0", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_net.Dir) && Directory.EnumerateFileSystemEntries(_net.Dir).Any());
    }

    [Fact]
    public async Task Up_refuses_a_folder_with_city_folders_but_no_genesis()
    {
        Directory.CreateDirectory(Path.Combine(_net.Dir, "430100"));

        var (code, _, error) = await CliRunner.RunAsync("network", "up", "--dir", _net.Dir, "--detach");

        Assert.Equal(2, code);
        Assert.Contains("has no genesis.json", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_net.Dir, "genesis.json")));
    }
}
