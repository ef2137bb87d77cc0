using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Huren.Anchoring.Chain;

/// <summary>
/// A local Anvil chain (Foundry's development EVM node) on loopback, as <c>huren network up --anchoring</c>, the tests
/// and the benchmarks run it: where its binary is (network-config/anchor/node_modules, pinned by that folder's
/// package-lock.json), its command line, readiness (it answers <c>eth_chainId</c>) and the JSON-RPC calls Huren makes to
/// it, including Anvil's test methods (<c>anvil_setBalance</c>, <c>evm_snapshot</c>, …). Starting and stopping the
/// process stays with the caller, which decides whether it outlives it.
/// </summary>
public sealed class LocalAnvil : IDisposable
{
    /// <summary>Anvil's default chain id, used for every local chain.</summary>
    public const ulong ChainId = 31337;

    /// <summary>The binary's path inside network-config/anchor once <c>npm ci</c> has run there.</summary>
    public const string PackageBinary = "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil";

    /// <summary>The balance <see cref="FundAsync"/> gives: 100 ETH in wei, far more than years of local anchors cost.</summary>
    public const string FundedBalance = "0x56BC75E2D63100000";

    private readonly HttpClient _http;

    /// <summary>A client for the Anvil listening on <paramref name="port"/> of 127.0.0.1.</summary>
    /// <param name="port">Its JSON-RPC port.</param>
    /// <param name="callTimeout">How long one call may take (default 10 s).</param>
    public LocalAnvil(int port, TimeSpan? callTimeout = null)
    {
        Port = port;
        RpcUrl = new Uri("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        _http = new HttpClient { Timeout = callTimeout ?? TimeSpan.FromSeconds(10) };
    }

    /// <summary>The JSON-RPC port.</summary>
    public int Port { get; }

    /// <summary>The JSON-RPC URL.</summary>
    public Uri RpcUrl { get; }

    /// <summary>
    /// The process's arguments: loopback, <see cref="Port"/>, chain <see cref="ChainId"/>, no banner; with
    /// <paramref name="blockTimeSeconds"/> a block that often (so confirmations keep coming without traffic) instead of one
    /// per transaction; with <paramref name="stateFile"/> the chain is loaded from there and written back on SIGTERM.
    /// </summary>
    public IReadOnlyList<string> Arguments(int? blockTimeSeconds = null, string? stateFile = null) =>
        BuildArguments(Port, silent: true, blockTimeSeconds, stateFile);

    /// <summary>
    /// Arguments for an Anvil that prints the port it bound (<c>Listening on 127.0.0.1:N</c>, read with
    /// <see cref="TryReadListeningPort"/>); <paramref name="port"/> 0 lets it choose a free one. Waiting for that line
    /// proves this process listens: a port chosen beforehand can be taken by another process before Anvil binds it, and
    /// another Anvil on it would answer the readiness probe in this one's place.
    /// </summary>
    public static IReadOnlyList<string> AnnouncingArguments(int port = 0, int? blockTimeSeconds = null, string? stateFile = null) =>
        BuildArguments(port, silent: false, blockTimeSeconds, stateFile);

    /// <summary>The port of Anvil's <c>Listening on 127.0.0.1:N</c> line, if <paramref name="line"/> is that line.</summary>
    public static bool TryReadListeningPort(string? line, out int port)
    {
        const string Prefix = "Listening on 127.0.0.1:";
        port = 0;
        return line is not null && line.StartsWith(Prefix, StringComparison.Ordinal)
            && int.TryParse(line.AsSpan(Prefix.Length).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out port) && port > 0;
    }

    private static List<string> BuildArguments(int port, bool silent, int? blockTimeSeconds, string? stateFile)
    {
        var arguments = new List<string> { "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture), "--chain-id", ChainId.ToString(CultureInfo.InvariantCulture) };
        if (silent) arguments.Add("--silent");
        if (blockTimeSeconds is { } seconds) arguments.AddRange(["--block-time", seconds.ToString(CultureInfo.InvariantCulture)]);
        if (stateFile is not null) arguments.AddRange(["--state", stateFile]);
        return arguments;
    }

    /// <summary>
    /// The Anvil binary in network-config/anchor found first walking up from each of <paramref name="startDirectories"/>,
    /// or null; <paramref name="packageFolder"/> is the first network-config/anchor seen (with or without the binary), for
    /// an error message that says where to run <c>npm ci</c>.
    /// </summary>
    public static string? FindPackageBinary(IEnumerable<string> startDirectories, out string? packageFolder)
    {
        ArgumentNullException.ThrowIfNull(startDirectories);
        packageFolder = null;
        foreach (var start in startDirectories)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var folder = Path.Combine(dir.FullName, "network-config", "anchor");
                if (!File.Exists(Path.Combine(folder, "package.json"))) continue;
                packageFolder ??= folder;
                var binary = Path.Combine(folder, PackageBinary);
                if (File.Exists(binary)) return binary;
            }
        }
        return null;
    }

    /// <summary>
    /// Waits until the Anvil of <paramref name="process"/> answers <c>eth_chainId</c>, polling every 50 ms.
    /// </summary>
    /// <exception cref="InvalidOperationException">The process exited first (the message has its exit code).</exception>
    /// <exception cref="TimeoutException">No answer within <paramref name="timeout"/>; the process is left to the caller.</exception>
    public async Task WaitUntilReadyAsync(Process process, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(process);
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"Anvil exited with code {process.ExitCode} before answering on {RpcUrl}");
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                attempt.CancelAfter(TimeSpan.FromSeconds(2));
                await CallAsync("eth_chainId", [], attempt.Token).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not listening yet.
            }
            if (clock.Elapsed > timeout) throw new TimeoutException($"Anvil did not answer on {RpcUrl} within {timeout.TotalSeconds:0} s");
            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One JSON-RPC call; the result (null for methods that return none).</summary>
    /// <exception cref="InvalidOperationException">The chain answered with an error, or not with JSON-RPC.</exception>
    /// <exception cref="HttpRequestException">Not reachable.</exception>
    public async Task<JsonNode?> CallAsync(string method, IReadOnlyList<object?> parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = new JsonArray();
        foreach (var parameter in parameters) list.Add(JsonValue.Create(parameter));
        var body = new JsonObject { ["jsonrpc"] = "2.0", ["id"] = 1, ["method"] = method, ["params"] = list };
        using var content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(RpcUrl, content, cancellationToken).ConfigureAwait(false);
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"{method} on {RpcUrl}: not a JSON-RPC answer ({ex.Message})", ex);
        }
        if (json is null) throw new InvalidOperationException($"{method} on {RpcUrl}: an empty answer");
        if (json["error"] is { } error) throw new InvalidOperationException($"{method} on {RpcUrl}: {error.ToJsonString()}");
        return json["result"];
    }

    /// <summary>Gives <paramref name="address"/> <see cref="FundedBalance"/> (Anvil's <c>anvil_setBalance</c>).</summary>
    public Task FundAsync(string address, CancellationToken cancellationToken = default) =>
        CallAsync("anvil_setBalance", [address, FundedBalance], cancellationToken);

    /// <summary>Deploys the anchor contract for <paramref name="networkId"/> from a new funded deployer, accepting the (funded) <paramref name="anchorers"/>.</summary>
    public async Task<DeployedAnchorContract> DeployAsync(string networkId, IReadOnlyList<EvmAccount> anchorers, EvmAccount? deployer = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(anchorers);
        deployer ??= EvmAccount.Generate();
        var addresses = new List<string>(anchorers.Count);
        foreach (var account in anchorers)
        {
            await FundAsync(account.Address, cancellationToken).ConfigureAwait(false);
            addresses.Add(account.Address);
        }
        await FundAsync(deployer.Address, cancellationToken).ConfigureAwait(false);
        return await AnchorChainClient.DeployAsync(new AnchorChainOptions { RpcUrl = RpcUrl, ChainId = ChainId }, deployer, networkId, addresses, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose() => _http.Dispose();
}
