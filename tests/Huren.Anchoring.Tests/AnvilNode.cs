using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Huren.Anchoring.Tests;

/// <summary>
/// A real Anvil process on a free loopback port (chain id 31337, automine). Ready when it answers eth_chainId over
/// JSON-RPC (deadline 30 s, killed if it never does). With a state file, <see cref="StopAsync"/> ends it with SIGTERM so
/// that it writes its chain there, and <see cref="StartAsync"/> loads it again: the same chain, down and back.
/// </summary>
internal sealed class AnvilNode : IAsyncDisposable
{
    public const ulong ChainId = 31337;
    private readonly string? _stateFile;
    private readonly int? _blockTime;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly StringBuilder _output = new();
    private Process? _process;

    private AnvilNode(int port, string? stateFile, int? blockTime)
    {
        Port = port;
        _stateFile = stateFile;
        _blockTime = blockTime;
    }

    public int Port { get; }

    public Uri RpcUrl => new($"http://127.0.0.1:{Port}");

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>Starts Anvil; with <paramref name="blockTime"/> (seconds) it mines a block that often instead of one per transaction, so confirmations keep coming.</summary>
    public static async Task<AnvilNode> StartNewAsync(string? stateFile = null, int? blockTime = null)
    {
        var node = new AnvilNode(FreePort(), stateFile, blockTime);
        await node.StartAsync();
        return node;
    }

    public async Task StartAsync()
    {
        var psi = new ProcessStartInfo(AnchorTooling.Anvil) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--host", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--chain-id", ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent" }) psi.ArgumentList.Add(a);
        if (_blockTime is { } seconds)
        {
            psi.ArgumentList.Add("--block-time");
            psi.ArgumentList.Add(seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (_stateFile is not null)
        {
            psi.ArgumentList.Add("--state");
            psi.ArgumentList.Add(_stateFile);
        }
        var process = Process.Start(psi) ?? throw new InvalidOperationException("anvil did not start");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"anvil exited ({process.ExitCode}) before it was ready: {Output}");
            try
            {
                if ((await RpcAsync("eth_chainId")).GetValue<string>() is { Length: > 0 }) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                Kill();
                throw new TimeoutException($"anvil on port {Port} not ready within 30 s: {Output}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Ends Anvil with SIGTERM (it writes its state file) and waits for it; killed after 10 s.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process) return;
        ProcessRunner.Run("kill", Path.GetTempPath(), TimeSpan.FromSeconds(5), "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
    }

    public async Task<JsonNode> RpcAsync(string method, params object?[] parameters)
    {
        var body = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = method, ["params"] = new JsonArray([.. parameters.Select(p => JsonValue.Create(p))]) };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(RpcUrl, content);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        if (json["error"] is { } error) throw new InvalidOperationException($"{method}: {error.ToJsonString()}");
        return json["result"]!;
    }

    public async Task<string> SnapshotAsync() => (await RpcAsync("evm_snapshot")).GetValue<string>();

    public async Task RevertAsync(string snapshot) => Assert.True((await RpcAsync("evm_revert", snapshot)).GetValue<bool>());

    public Task MineAsync(int blocks) => RpcAsync("anvil_mine", "0x" + blocks.ToString("x", System.Globalization.CultureInfo.InvariantCulture));

    public Task SetAutomineAsync(bool on) => RpcAsync("evm_setAutomine", on);

    public Task FundAsync(string address) => RpcAsync("anvil_setBalance", address, "0x56BC75E2D63100000"); // 100 ETH

    public async Task<ulong> BlockNumberAsync() => Convert.ToUInt64((await RpcAsync("eth_blockNumber")).GetValue<string>(), 16);

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(5000);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
