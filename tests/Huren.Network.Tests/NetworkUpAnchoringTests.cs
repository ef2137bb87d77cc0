using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Huren.Anchoring.Tests;
using Huren.Cli;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// <c>huren network up --anchoring</c>: a local Anvil (the npm package's) started before the three nodes, the anchor
/// contract deployed and wired into each city's settings; an anchor lands on chain and is read back with Foundry's
/// <c>cast</c>; <c>huren network down</c> leaves no node and no Anvil running.
/// </summary>
public sealed class NetworkUpAnchoringTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "huren-up-anchor-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Network_up_with_anchoring_starts_Anvil_deploys_the_contract_anchors_and_down_stops_everything()
    {
        // The CLI finds Anvil in network-config/anchor/node_modules; the tooling fixture runs npm ci there when needed.
        Assert.True(File.Exists(AnchorTooling.Anvil));
        var basePort = Huren.TestSupport.LoopbackPorts.FreeRange(4, offset: 0);
        var chainPort = basePort + 3;
        var (code, up, upError) = await RunAsync("network", "up", "--dir", _dir, "--detach", "--json", "--anchoring",
            "--base-port", basePort.ToString(CultureInfo.InvariantCulture), "--chain-port", chainPort.ToString(CultureInfo.InvariantCulture), "--start-timeout", "300");
        Assert.True(code == 0, upError + up);
        var report = JsonNode.Parse(up)!;
        var chain = report["chain"]!;
        Assert.True(chain["local"]!.GetValue<bool>());
        var rpcUrl = chain["rpcUrl"]!.GetValue<string>();
        Assert.Equal($"http://127.0.0.1:{chainPort}/", rpcUrl);
        Assert.Equal(31337UL, chain["chainId"]!.GetValue<ulong>());
        var contract = chain["contract"]!.GetValue<string>();
        var anvilPid = chain["pid"]!.GetValue<int>();
        var nodePids = report["nodes"]!.AsArray().Select(n => n!["pid"]!.GetValue<int>()).ToList();
        Assert.Equal(3, nodePids.Count);
        Assert.True(IsRunning(anvilPid), "Anvil is not running after 'network up'");
        Assert.Equal(contract, JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "anchoring.json")))!["contract"]!.GetValue<string>());

        // Each city's settings name the chain, the contract and its own anchoring account, which the contract accepts.
        var anchorers = Cast("call", "--rpc-url", rpcUrl, contract, "anchorers()(address[])");
        foreach (var city in new[] { "430100", "430200", "430300" })
        {
            var settings = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, city, "appsettings.json")))!["Huren"]!["Anchoring"]!;
            Assert.Equal(rpcUrl, settings["RpcUrl"]!.GetValue<string>());
            Assert.Equal(contract, settings["Contract"]!.GetValue<string>());
            var account = Huren.Anchoring.Chain.EvmAccount.FromKeyFile(Path.Combine(_dir, city, settings["KeyFile"]!.GetValue<string>()));
            Assert.Contains(account.Address, anchorers, StringComparison.OrdinalIgnoreCase);
        }

        // An anchor lands: cast (not Huren's client) reads the count and the first anchor, made by one of the cities.
        var sw = Stopwatch.StartNew();
        ulong count = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(180))
        {
            count = ulong.Parse(Cast("call", "--rpc-url", rpcUrl, contract, "anchorCount()(uint256)").Split(' ')[0], CultureInfo.InvariantCulture);
            if (count > 0) break;
            await Task.Delay(500);
        }
        Assert.True(count > 0, "no anchor on chain within 180 s; node logs:\n" + Tails());
        var anchor = Cast("call", "--rpc-url", rpcUrl, contract, "getAnchor(uint256)((bytes32,uint64,uint64,uint64,address))", "0");
        var parts = anchor.Trim('(', ')').Split(", ");
        // Leaves: the logs the anchoring node held final checkpoints of then (its own at least, all three at most).
        Assert.InRange(ulong.Parse(parts[1].Split(' ')[0], CultureInfo.InvariantCulture), 1UL, 3UL);
        Assert.Contains(parts[4], anchorers, StringComparison.OrdinalIgnoreCase);
        output.WriteLine($"anchor 0: {anchor} after {sw.Elapsed.TotalSeconds:0.0} s");

        var (downCode, down, downError) = await RunAsync("network", "down", "--dir", _dir, "--json");
        Assert.True(downCode == 0, downError + down);
        var downReport = JsonNode.Parse(down)!;
        Assert.Equal(3, downReport["stopped"]!.GetValue<int>());
        Assert.Equal("stopped", downReport["chain"]!.GetValue<string>());
        Assert.False(IsRunning(anvilPid), "Anvil still runs after 'network down'");
        Assert.All(nodePids, pid => Assert.False(IsRunning(pid), $"node {pid} still runs after 'network down'"));
        Assert.False(File.Exists(Path.Combine(_dir, "anvil", "anvil.pid")));
        // SIGTERM let Anvil write its chain, which the next 'up' loads (the contract stays).
        Assert.True(File.Exists(Path.Combine(_dir, "anvil", "state.json")));
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var cliOut = new StringWriter();
        using var cliErr = new StringWriter();
        var code = await CliApp.RunAsync(args, cliOut, cliErr);
        return (code, cliOut.ToString(), cliErr.ToString());
    }

    private static string Cast(params string[] args)
    {
        var (code, text) = ProcessRunner.Run(AnchorTooling.Cast, Path.GetTempPath(), TimeSpan.FromSeconds(60), args);
        Assert.True(code == 0, $"cast {string.Join(' ', args)}: {text}");
        return text.Trim();
    }

    private string Tails() => string.Join("\n", Directory.EnumerateFiles(_dir, "node.log", SearchOption.AllDirectories)
        .Select(f => f + ":\n" + string.Join('\n', File.ReadLines(f).TakeLast(15))));

    private static bool IsRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        // A failed test must not leave processes behind: whatever the pid files still name is killed.
        foreach (var pidFile in Directory.Exists(_dir) ? Directory.EnumerateFiles(_dir, "*.pid", SearchOption.AllDirectories).ToList() : [])
        {
            if (!int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) continue;
            try
            {
                using var p = Process.GetProcessById(pid);
                p.Kill(entireProcessTree: true);
                p.WaitForExit(10_000);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // Gone.
            }
        }
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
