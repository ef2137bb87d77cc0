using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Huren.Anchoring.Chain;

namespace Huren.Anchoring.Tests;

/// <summary>
/// A real Anvil process on a loopback port it chose itself (chain id 31337, automine). Ready when it has printed the port
/// it bound and answers eth_chainId there over JSON-RPC (deadline 30 s, killed if it never does): a port picked free
/// beforehand was once taken by another test's Anvil, whose chain then answered in this one's place. With a state file, <see cref="StopAsync"/> ends it with SIGTERM so
/// that it writes its chain there, and <see cref="StartAsync"/> loads it again: the same chain, down and back.
/// </summary>
internal sealed class AnvilNode : IAsyncDisposable
{
    public const ulong ChainId = LocalAnvil.ChainId;
    private readonly string? _stateFile;
    private readonly int? _blockTime;
    private LocalAnvil? _anvil;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private AnvilNode(string? stateFile, int? blockTime)
    {
        _stateFile = stateFile;
        _blockTime = blockTime;
    }

    public int Port => Anvil.Port;

    public Uri RpcUrl => Anvil.RpcUrl;

    private LocalAnvil Anvil => _anvil ?? throw new InvalidOperationException("Anvil has not started");

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
        var node = new AnvilNode(stateFile, blockTime);
        await node.StartAsync();
        return node;
    }

    /// <summary>Starts the process: on a port of its choosing the first time, on the same port again after <see cref="StopAsync"/>.</summary>
    public async Task StartAsync()
    {
        var psi = new ProcessStartInfo(AnchorTooling.Anvil) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in LocalAnvil.AnnouncingArguments(_anvil?.Port ?? 0, _blockTime, _stateFile)) psi.ArgumentList.Add(a);
        var bound = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = Process.Start(psi) ?? throw new InvalidOperationException("anvil did not start");
        process.OutputDataReceived += (_, e) =>
        {
            if (LocalAnvil.TryReadListeningPort(e.Data, out var port)) bound.TrySetResult(port);
            Append(e.Data);
        };
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.Exited += (_, _) => bound.TrySetException(new InvalidOperationException($"Anvil exited before listening"));
        process.EnableRaisingEvents = true;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        try
        {
            var port = await bound.Task.WaitAsync(TimeSpan.FromSeconds(30));
            _anvil ??= new LocalAnvil(port);
            await _anvil.WaitUntilReadyAsync(process, TimeSpan.FromSeconds(30));
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            Kill();
            throw new InvalidOperationException($"{ex.Message}: {Output}", ex);
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

    /// <summary>One JSON-RPC call; null for methods that return nothing (anvil_mine, evm_setAutomine).</summary>
    public Task<JsonNode?> RpcAsync(string method, params object?[] parameters) => Anvil.CallAsync(method, parameters);

    public async Task<string> SnapshotAsync() => (await RpcAsync("evm_snapshot"))!.GetValue<string>();

    public async Task RevertAsync(string snapshot) => Assert.True((await RpcAsync("evm_revert", snapshot))!.GetValue<bool>());

    public Task MineAsync(int blocks) => RpcAsync("anvil_mine", "0x" + blocks.ToString("x", System.Globalization.CultureInfo.InvariantCulture));

    public Task SetAutomineAsync(bool on) => RpcAsync("evm_setAutomine", on);

    public Task FundAsync(string address) => Anvil.FundAsync(address);

    /// <summary>Deploys the anchor contract for <paramref name="networkId"/> accepting the <paramref name="anchorers"/>, all funded; its address.</summary>
    public async Task<string> DeployAsync(string networkId, IReadOnlyList<EvmAccount> anchorers) => (await Anvil.DeployAsync(networkId, anchorers)).Address;

    public async Task<ulong> BlockNumberAsync() => Convert.ToUInt64((await RpcAsync("eth_blockNumber"))!.GetValue<string>(), 16);

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

    public ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        _anvil?.Dispose();
        return ValueTask.CompletedTask;
    }
}
