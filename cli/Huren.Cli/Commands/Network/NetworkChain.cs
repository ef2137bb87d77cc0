using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Huren.Anchoring.Chain;

namespace Huren.Cli.Commands.Network;

/// <summary>
/// The anchoring chain of a network folder, described by <c>&lt;dir&gt;/anchoring.json</c> (docs/anchoring.md):
/// either <c>"chain": "anvil"</c> — a local Anvil that <c>network up</c> starts from network-config/anchor/node_modules
/// (pinned by its package-lock.json), deploys the anchor contract to on first use, and <c>network down</c> stops — or
/// a chain of its own named by <c>rpcUrl</c> and <c>chainId</c> with a deployed <c>contract</c> (Besu, Geth, a
/// consortium chain), which <c>network up</c> only wires into the nodes. Either way every local city's
/// <c>appsettings.json</c> gets the <c>Huren:Anchoring</c> section before its node starts.
/// </summary>
internal sealed class NetworkChain
{
    /// <summary>The file in the network folder that switches anchoring on.</summary>
    public const string FileName = "anchoring.json";

    /// <summary>Folder of the local chain: pid, log, Anvil's state file and the deployer's key.</summary>
    public const string AnvilFolder = "anvil";

    private const string KeyFile = "keys/anchor-account.key";

    private NetworkChain(string directory, JsonObject file)
    {
        Directory = directory;
        File = file;
    }

    /// <summary>The network folder.</summary>
    public string Directory { get; }

    private JsonObject File { get; }

    /// <summary>Whether <c>network up</c> runs the chain (a local Anvil) rather than naming one that runs elsewhere.</summary>
    public bool IsLocal => (string?)File["chain"] == "anvil";

    public int Port => File["port"]?.GetValue<int>() ?? 8545;

    public ulong ChainId => IsLocal ? LocalAnvil.ChainId : File["chainId"]?.GetValue<ulong>() ?? 0;

    public Uri RpcUrl => IsLocal ? new Uri($"http://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}") : new Uri((string?)File["rpcUrl"] ?? "");

    public string Contract => (string?)File["contract"] ?? "";

    public string AnvilDirectory => Path.Combine(Directory, AnvilFolder);

    public string PidFile => Path.Combine(AnvilDirectory, "anvil.pid");

    public string LogFile => Path.Combine(AnvilDirectory, "anvil.log");

    /// <summary>The chain of <paramref name="directory"/>, or null when its network does not anchor.</summary>
    public static NetworkChain? Load(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!System.IO.File.Exists(path)) return null;
        JsonObject file;
        try
        {
            file = JsonNode.Parse(System.IO.File.ReadAllText(path)) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new CliException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }
        var chain = new NetworkChain(directory, file);
        if (chain.Validate() is { } error) throw new CliException($"'{path}': {error}");
        return chain;
    }

    /// <summary>Writes <c>anchoring.json</c> for a local Anvil on <paramref name="port"/> (K = 2, an anchor every 10 s) unless the folder has one.</summary>
    public static NetworkChain CreateLocal(string directory, int port)
    {
        var file = new JsonObject
        {
            ["chain"] = "anvil",
            ["port"] = port,
            ["confirmations"] = 2,
            ["interval"] = "00:00:10",
        };
        var chain = new NetworkChain(directory, file);
        chain.Save();
        return chain;
    }

    private string? Validate()
    {
        try
        {
            var kind = (string?)File["chain"];
            if (kind is not null && kind != "anvil") return $"\"chain\" must be \"anvil\" (a local chain) or absent (a chain named by rpcUrl and chainId), got \"{kind}\"";
            if (IsLocal)
            {
                if (Port is < 1 or > 65535) return $"\"port\" must be 1–65535, got {Port}";
            }
            else
            {
                if (!Uri.TryCreate((string?)File["rpcUrl"], UriKind.Absolute, out var url) || (url.Scheme != "http" && url.Scheme != "https"))
                    return "\"rpcUrl\" must be the chain's http(s) JSON-RPC URL (or set \"chain\": \"anvil\" for a local chain)";
                if (ChainId == 0) return "\"chainId\" is required for a chain named by rpcUrl";
                if (!Sdk.Anchoring.EvmHex.TryParse(Contract, 20, out _)) return "\"contract\" (the deployed HurenAnchor address, 0x + 40 hex digits) is required for a chain named by rpcUrl";
            }
            if (Confirmations < 1) return "\"confirmations\" must be at least 1";
            if (!TimeSpan.TryParse(Interval, CultureInfo.InvariantCulture, out var interval) || interval <= TimeSpan.Zero) return $"\"interval\" must be a positive time span such as 00:10:00, got \"{Interval}\"";
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or OverflowException)
        {
            return $"a field has the wrong type ({ex.Message})";
        }
    }

    private int Confirmations => File["confirmations"]?.GetValue<int>() ?? 12;

    private string Interval => (string?)File["interval"] ?? "00:10:00";

    private void Save()
    {
        var path = Path.Combine(Directory, FileName);
        var temporary = path + ".tmp";
        System.IO.File.WriteAllText(temporary, File.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        System.IO.File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// The Anvil binary: <c>$HUREN_ANVIL</c>, else network-config/anchor/node_modules (installed by <c>npm ci</c>, versions
    /// pinned in its package-lock.json) above the CLI or the current folder.
    /// </summary>
    public static string LocateAnvil()
    {
        if (Environment.GetEnvironmentVariable("HUREN_ANVIL") is { Length: > 0 } configured)
        {
            return System.IO.File.Exists(configured) ? configured : throw new CliException($"$HUREN_ANVIL names '{configured}', which does not exist");
        }
        if (LocalAnvil.FindPackageBinary([AppContext.BaseDirectory, System.IO.Directory.GetCurrentDirectory()], out var packageFolder) is { } binary) return binary;
        throw new CliException(packageFolder is null
            ? "Anvil not found: set $HUREN_ANVIL to the anvil binary, or run from the Huren repository after 'npm ci' in network-config/anchor"
            : $"Anvil not installed: run 'npm ci' in {packageFolder} (it installs the pinned @foundry-rs/anvil-linux-amd64), or set $HUREN_ANVIL");
    }

    /// <summary>Refuses when the chain recorded in <c>anvil/anvil.pid</c> still runs (removes a stale pid file).</summary>
    public void CheckNotRunning()
    {
        if (!IsLocal) return;
        using var running = FindRecorded();
        if (running is not null)
        {
            throw new CliException($"the local chain is already running (pid {running.Id}, recorded in {PidFile}); " +
                $"stop the network first with 'huren network down --dir {NetworkUpCommand.Quote(Directory)}'");
        }
        RemovePidFile();
    }

    /// <summary>
    /// Starts Anvil detached (output to <c>anvil/anvil.log</c>, pid in <c>anvil/anvil.pid</c>, chain kept in
    /// <c>anvil/state.json</c> across stops) and waits until it answers <c>eth_chainId</c>.
    /// </summary>
    public async Task<Process> StartAnvilAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var anvil = LocateAnvil();
        NodeLauncher.EnsurePortFree(RpcUrl, "the local chain");
        System.IO.Directory.CreateDirectory(AnvilDirectory);
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = AnvilDirectory };
        // As for the nodes: sh execs Anvil (the pid is Anvil's), hang-up ignored, output to a file, so it outlives 'up --detach'.
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("log=$1; shift; trap '' HUP; exec \"$@\" </dev/null >>\"$log\" 2>&1");
        start.ArgumentList.Add("huren-anvil");
        start.ArgumentList.Add(LogFile);
        start.ArgumentList.Add(anvil);
        using var rpc = new LocalAnvil(Port, TimeSpan.FromSeconds(2));
        // A block a second, so that confirmations keep coming without traffic; the state file keeps the chain (and the contract) across 'down' and 'up'.
        foreach (var argument in rpc.Arguments(blockTimeSeconds: 1, stateFile: Path.Combine(AnvilDirectory, "state.json"))) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new CliException($"could not start Anvil ({anvil})");
        var pidTemporary = PidFile + ".tmp";
        await System.IO.File.WriteAllTextAsync(pidTemporary, process.Id.ToString(CultureInfo.InvariantCulture) + "\n", CancellationToken.None).ConfigureAwait(false);
        System.IO.File.Move(pidTemporary, PidFile, overwrite: true);

        try
        {
            await rpc.WaitUntilReadyAsync(process, timeout, cancellationToken).ConfigureAwait(false);
            return process;
        }
        catch (InvalidOperationException ex)
        {
            RemovePidFile();
            throw new CliException($"{ex.Message}; last lines of {LogFile}:\n{NodeLauncher.Tail(LogFile)}", ex);
        }
        catch (TimeoutException ex)
        {
            await StopAsync(process).ConfigureAwait(false);
            throw new CliException($"{ex.Message}; last lines of {LogFile}:\n{NodeLauncher.Tail(LogFile)}", ex);
        }
    }

    /// <summary>
    /// On a local chain, deploys the anchor contract when the chain does not hold it yet (first start, or a chain whose
    /// state file is gone): one funded anchoring account per city in <paramref name="cityDirectories"/> (its key in
    /// <c>keys/anchor-account.key</c>, kept when there), a funded deployer; the address is kept in anchoring.json.
    /// Returns whether it deployed.
    /// </summary>
    public async Task<bool> EnsureContractAsync(string networkId, IReadOnlyList<string> cityDirectories, CancellationToken cancellationToken)
    {
        if (!IsLocal) return false;
        using var anvil = new LocalAnvil(Port);
        try
        {
            if (Contract.Length > 0)
            {
                var code = (await anvil.CallAsync("eth_getCode", [Contract, "latest"], cancellationToken).ConfigureAwait(false))?.GetValue<string>();
                if (code is not (null or "0x" or "")) return false;
            }
            var accounts = new List<EvmAccount>();
            foreach (var city in cityDirectories)
            {
                var keyPath = Path.Combine(city, KeyFile);
                if (System.IO.File.Exists(keyPath))
                {
                    accounts.Add(LoadAccount(keyPath));
                    continue;
                }
                var account = EvmAccount.Generate();
                System.IO.Directory.CreateDirectory(Path.GetDirectoryName(keyPath)!);
                account.WriteKeyFile(keyPath);
                accounts.Add(account);
            }
            var deployerPath = Path.Combine(AnvilDirectory, "deployer.key");
            EvmAccount deployer;
            if (System.IO.File.Exists(deployerPath))
            {
                deployer = LoadAccount(deployerPath);
            }
            else
            {
                deployer = EvmAccount.Generate();
                deployer.WriteKeyFile(deployerPath);
            }
            var deployed = await anvil.DeployAsync(networkId, accounts, deployer, cancellationToken).ConfigureAwait(false);
            File["contract"] = deployed.Address;
        }
        catch (Exception ex) when (ex is AnchorChainException or InvalidOperationException or HttpRequestException)
        {
            throw new CliException($"deploying the anchor contract on {RpcUrl} failed: {ex.Message}", ex);
        }
        Save();
        return true;
    }

    /// <summary>Gives each city's <c>appsettings.json</c> the <c>Huren:Anchoring</c> section of this chain (replacing one there).</summary>
    public void Configure(IReadOnlyList<string> cityDirectories)
    {
        foreach (var city in cityDirectories)
        {
            if (!IsLocal && !System.IO.File.Exists(Path.Combine(city, KeyFile)))
            {
                throw new CliException($"anchoring on {RpcUrl}: {Path.Combine(city, KeyFile)} is missing; put the city's funded anchoring account's key there (hex or a keystore, see docs/anchoring.md)");
            }
            var settingsFile = Path.Combine(city, "appsettings.json");
            JsonNode settings;
            try
            {
                settings = JsonNode.Parse(System.IO.File.ReadAllText(settingsFile)) ?? new JsonObject();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
            {
                throw new CliException($"'{settingsFile}' cannot be read as JSON: {ex.Message}", ex);
            }
            if (settings["Huren"] is not JsonObject huren) settings["Huren"] = huren = new JsonObject();
            var previous = huren["Anchoring"] as JsonObject;
            var section = new JsonObject
            {
                ["RpcUrl"] = RpcUrl.ToString(),
                ["ChainId"] = ChainId,
                ["Contract"] = Contract,
                ["KeyFile"] = KeyFile,
                ["Confirmations"] = Confirmations,
                ["Interval"] = Interval,
                ["PollInterval"] = IsLocal ? "00:00:00.500" : "00:00:02",
            };
            // A key password, fee settings or M an operator added by hand stay.
            foreach (var name in new[] { "KeyPassword", "Entries", "MaxFeePerGas", "PriorityFeePerGas", "MaxRetryDelay" })
            {
                if (previous?[name] is { } value) section[name] = value.DeepClone();
            }
            huren["Anchoring"] = section;
            var temporary = settingsFile + ".tmp";
            System.IO.File.WriteAllText(temporary, settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            System.IO.File.Move(temporary, settingsFile, overwrite: true);
        }
    }

    /// <summary>The Anvil recorded in <c>anvil/anvil.pid</c> when it still runs (an <c>anvil</c> process started no later than the file was written), else null.</summary>
    public Process? FindRecorded()
    {
        if (!System.IO.File.Exists(PidFile)) return null;
        if (!int.TryParse(System.IO.File.ReadAllText(PidFile).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) return null;
        Process process;
        try
        {
            process = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return null;
        }
        try
        {
            if (!process.HasExited && process.ProcessName.StartsWith("anvil", StringComparison.Ordinal)
                && process.StartTime <= System.IO.File.GetLastWriteTime(PidFile).AddSeconds(5))
            {
                return process;
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Exited while being looked at.
        }
        process.Dispose();
        return null;
    }

    /// <summary>Stops Anvil with SIGTERM (it writes its state file), killed after 10 s, and removes the pid file.</summary>
    public async Task StopAsync(Process process)
    {
        await NodeLauncher.StopAsync(process, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        RemovePidFile();
    }

    public void RemovePidFile()
    {
        try
        {
            System.IO.File.Delete(PidFile);
        }
        catch (IOException)
        {
            // Gone already.
        }
    }

    private static EvmAccount LoadAccount(string path)
    {
        try
        {
            return EvmAccount.FromKeyFile(path);
        }
        catch (FormatException ex)
        {
            throw new CliException(ex.Message, ex);
        }
    }
}
