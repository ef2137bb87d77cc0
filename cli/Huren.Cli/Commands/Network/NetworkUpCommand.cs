using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Sdk.Network;

namespace Huren.Cli.Commands.Network;

/// <summary>
/// <c>huren network up</c>: runs every city node of a network folder as a child process (creating a fresh local
/// network first when the folder has none), waits until each answers the gRPC health check, then either keeps
/// running until Ctrl-C (stopping the nodes) or, with <c>--detach</c>, leaves them running.
/// </summary>
internal static class NetworkUpCommand
{
    /// <summary>
    /// How long each node has to answer its health check unless --start-timeout says otherwise: a node starts in a few
    /// seconds, but on a shared machine under heavy load (many nodes JIT-compiling at once) it has taken over a minute.
    /// </summary>
    private static readonly TimeSpan DefaultStartTimeout = TimeSpan.FromSeconds(120);

    /// <summary>
    /// How long a node gets to exit on SIGTERM before it is killed when the command stops it: short, because
    /// System.CommandLine gives the command two seconds after Ctrl-C before it ends the process.
    /// </summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(1.2);

    internal static readonly JsonSerializerOptions Json = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Build()
    {
        var dir = new Option<string>("--dir") { Description = "The network folder (genesis.json and one folder per city); a fresh local network is created in it when it has no genesis.json.", Required = true };
        var detach = new Option<bool>("--detach") { Description = "Return once every node is healthy and leave them running (stop them with 'huren network down')." };
        var basePort = new Option<int>("--base-port") { Description = "When the network is created here: gRPC port of the first city (the others use the next ports).", DefaultValueFactory = _ => 7101 };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON (one line per document)." };
        var startTimeout = StartTimeoutOption();
        var anchoring = new Option<bool>("--anchoring") { Description = "Anchor on a local chain: writes <dir>/anchoring.json when the folder has none (a local Anvil; see docs/anchoring.md). A folder with anchoring.json anchors without this option." };
        var chainPort = new Option<int>("--chain-port") { Description = "With --anchoring, when anchoring.json is written: the local chain's JSON-RPC port.", DefaultValueFactory = _ => 8545 };
        var up = new Command("up",
            "Start every city node of a network folder and wait until each answers the gRPC health check.\n" +
            "If the folder has no genesis.json yet, a fresh local 长株潭 network is created first (as 'huren network init').\n" +
            "Each node runs as 'dotnet exec Huren.Node.dll --contentRoot=<dir>/<city-code>', writes its output to\n" +
            "<dir>/<city-code>/node.log and is recorded in <dir>/<city-code>/node.pid.\n" +
            "Without --detach the command keeps running and stops the nodes on Ctrl-C; with --detach it returns and the\n" +
            "nodes keep running until 'huren network down'.\n" +
            "The node is found through $HUREN_NODE (Huren.Node.dll, its folder, or an executable), else node/ next to the\n" +
            "CLI, else the repository's node/Huren.Node/bin/<Configuration>/net10.0/.\n" +
            "A network with <dir>/anchoring.json anchors its checkpoints on an EVM chain: \"chain\": \"anvil\" starts a local Anvil\n" +
            "(network-config/anchor/node_modules, or $HUREN_ANVIL; log and pid in <dir>/anvil/) before the nodes, deploys the\n" +
            "anchor contract on first use and gives every city's appsettings.json the Huren:Anchoring section; 'network down'\n" +
            "stops Anvil too. A chain named by rpcUrl, chainId and contract is only wired into the nodes.")
        {
            dir, detach, basePort, json, startTimeout, anchoring, chainPort,
        };
        up.SetAction((parse, ct) =>
        {
            var portResult = parse.GetResult(basePort);
            var explicitPort = portResult is { Implicit: false } ? parse.GetValue(basePort) : (int?)null;
            return RunAsync(parse.GetValue(dir)!, parse.GetValue(detach), explicitPort, parse.GetValue(json),
                parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, ct, startTimeout: TimeSpan.FromSeconds(parse.GetValue(startTimeout)),
                anchoring: parse.GetValue(anchoring), chainPort: parse.GetValue(chainPort));
        });
        return up;
    }

    /// <summary>
    /// <c>--start-timeout</c>, for every command that starts nodes: a loaded machine (a CI runner, several test runs at
    /// once) can take longer than a minute to start three nodes.
    /// </summary>
    internal static Option<int> StartTimeoutOption()
    {
        return new Option<int>("--start-timeout") { Description = "Seconds each node has to answer its health check (1–3600).", DefaultValueFactory = _ => (int)DefaultStartTimeout.TotalSeconds }
            .InRange(1, 3600, "seconds");
    }

    private sealed record City(string Code, string Name, string Directory, Uri Endpoint, IReadOnlyCollection<string> TrustedCertificates);

    private sealed class Running(City city, StartedNode node) : IDisposable
    {
        public City City { get; } = city;

        public StartedNode Node { get; } = node;

        public string State { get; set; } = "starting";

        public void Dispose() => Node.Dispose();
    }

    /// <summary>
    /// Starts the nodes of <paramref name="dirArgument"/> (creating a network there first if it has none) and waits
    /// until each is healthy; then runs <paramref name="whenHealthy"/> if given (the demo's story), stopping the nodes
    /// afterwards when it fails or <paramref name="stopAfter"/> is set; otherwise detaches or runs until Ctrl-C.
    /// </summary>
    internal static async Task<int> RunAsync(string dirArgument, bool detach, int? basePort, bool asJson, TextWriter output, TextWriter error, CancellationToken cancellationToken,
        Func<CancellationToken, Task<int>>? whenHealthy = null, bool stopAfter = false, TimeSpan? startTimeout = null, bool anchoring = false, int chainPort = 8545)
    {
        var directory = Path.GetFullPath(dirArgument);
        if (File.Exists(directory)) throw new CliException($"'{directory}' is a file, not a folder");
        var node = NodeLauncher.Locate();
        var genesisPath = Path.Combine(directory, LocalNetwork.GenesisFileName);

        var created = false;
        if (!File.Exists(genesisPath))
        {
            CreateNetwork(directory, basePort ?? 7101);
            created = true;
        }
        else if (basePort is not null)
        {
            await error.WriteLineAsync($"note: --base-port applies only when the network is created; '{directory}' already holds one").ConfigureAwait(false);
        }

        var genesis = LoadGenesis(genesisPath);
        var cities = FindCities(directory, genesis);
        foreach (var city in cities) CheckNotRunning(city, directory);
        foreach (var city in cities) NodeLauncher.EnsurePortFree(city.Endpoint, city.Code);
        var chain = NetworkChain.Load(directory);
        if (chain is null && anchoring) chain = NetworkChain.CreateLocal(directory, chainPort);
        chain?.CheckNotRunning();

        if (!asJson)
        {
            if (created)
            {
                var ports = cities.Select(c => c.Endpoint.Port).ToList();
                await output.WriteLineAsync($"Created network {genesis.NetworkId} ({cities.Count} cities, ports {ports.Min()}–{ports.Max()}) in {directory}").ConfigureAwait(false);
            }
            await output.WriteLineAsync($"Starting {cities.Count} nodes of network {genesis.NetworkId} from {directory}").ConfigureAwait(false);
            await output.WriteLineAsync($"  node: {node.Location} ({node.Source})").ConfigureAwait(false);
        }

        // Ctrl-C / SIGTERM: stop the nodes this command started, whether they are still starting or running.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signals = new List<PosixSignalRegistration>();
        try
        {
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            {
                signals.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true;
                    stop.Cancel();
                }));
            }

            var running = new List<Running>();
            Process? anvil = null;
            async Task StopChainAsync()
            {
                if (anvil is null || chain is null) return;
                await chain.StopAsync(anvil).ConfigureAwait(false);
                anvil.Dispose();
                anvil = null;
            }
            try
            {
                if (chain is not null)
                {
                    var cityDirectories = cities.Select(c => c.Directory).ToList();
                    if (chain.IsLocal)
                    {
                        anvil = await chain.StartAnvilAsync(startTimeout ?? DefaultStartTimeout, stop.Token).ConfigureAwait(false);
                        var deployed = await chain.EnsureContractAsync(genesis.NetworkId, cityDirectories, stop.Token).ConfigureAwait(false);
                        if (!asJson) await output.WriteLineAsync($"  chain: Anvil at {chain.RpcUrl} (pid {anvil.Id}), anchor contract {chain.Contract}{(deployed ? " (deployed now)" : "")}").ConfigureAwait(false);
                    }
                    else if (!asJson)
                    {
                        await output.WriteLineAsync($"  chain: {chain.RpcUrl} (chain id {chain.ChainId}), anchor contract {chain.Contract}").ConfigureAwait(false);
                    }
                    chain.Configure(cityDirectories);
                }
                foreach (var city in cities) running.Add(new Running(city, NodeLauncher.Start(node, city.Directory)));
                var failure = await WaitHealthyAsync(running, asJson ? null : output, startTimeout ?? DefaultStartTimeout, stop.Token).ConfigureAwait(false);
                if (failure is not null)
                {
                    await StopAllAsync(running).ConfigureAwait(false);
                    await StopChainAsync().ConfigureAwait(false);
                    throw new CliException(failure);
                }
                if (stop.IsCancellationRequested)
                {
                    await StopAllAsync(running).ConfigureAwait(false);
                    await StopChainAsync().ConfigureAwait(false);
                    await error.WriteLineAsync("Interrupted before every node was healthy; stopped the nodes.").ConfigureAwait(false);
                    return detach ? ExitCodes.Error : ExitCodes.Success;
                }

                foreach (var r in running) r.State = "healthy";
                await ReportAsync(output, asJson, directory, genesis, node, created, detach, running, chain, anvil).ConfigureAwait(false);
                if (whenHealthy is not null)
                {
                    var result = await whenHealthy(stop.Token).ConfigureAwait(false);
                    if (result != ExitCodes.Success || stopAfter || stop.IsCancellationRequested)
                    {
                        await StopAllAsync(running).ConfigureAwait(false);
                        await StopChainAsync().ConfigureAwait(false);
                        if (!asJson) await output.WriteLineAsync($"Stopped the {running.Count} nodes; the data stays in {directory}.").ConfigureAwait(false);
                        return result;
                    }
                }
                if (detach)
                {
                    if (!asJson) await output.WriteLineAsync($"The nodes keep running; stop them with: huren network down --dir {Quote(directory)}").ConfigureAwait(false);
                    return ExitCodes.Success;
                }

                if (!asJson) await output.WriteLineAsync("Press Ctrl-C to stop the network.").ConfigureAwait(false);
                var stopped = await RunUntilStoppedAsync(running, output, asJson, stop.Token).ConfigureAwait(false);
                await StopChainAsync().ConfigureAwait(false);
                return stopped;
            }
            catch
            {
                // An unexpected failure must not leave nodes behind that nobody watches.
                if (!detach || running.Count < cities.Count || running.Any(r => r.State != "healthy"))
                {
                    await StopAllAsync(running).ConfigureAwait(false);
                    await StopChainAsync().ConfigureAwait(false);
                }
                throw;
            }
            finally
            {
                foreach (var r in running) r.Dispose();
                anvil?.Dispose();
            }
        }
        finally
        {
            foreach (var registration in signals) registration.Dispose();
        }
    }

    private static void CreateNetwork(string directory, int basePort)
    {
        // What 'network init' refuses to overwrite without --force, 'up' refuses too.
        var existing = LocalNetwork.OwnedPaths(directory).Where(p => File.Exists(p) || Directory.Exists(p)).Select(Path.GetFileName).ToList();
        if (existing.Count > 0)
        {
            throw new CliException($"'{directory}' has no {LocalNetwork.GenesisFileName} but holds {string.Join(", ", existing)}; " +
                $"restore {LocalNetwork.GenesisFileName}, or create a fresh network with 'huren network init --dir {Quote(directory)} --force'");
        }
        // Anything else there means the folder is something else's: a network is created only in an empty folder
        // (the demo's marker file aside).
        var foreign = Directory.Exists(directory)
            ? Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).Where(n => n != Demo.DemoCommand.MarkerFileName).Take(4).ToList()
            : [];
        if (foreign.Count > 0)
        {
            throw new CliException($"'{directory}' is not a Huren network (it has no {LocalNetwork.GenesisFileName}) and is not empty ({string.Join(", ", foreign.Take(3))}{(foreign.Count > 3 ? ", …" : "")}); " +
                "'network up' creates a network only in an empty or new folder: choose another --dir");
        }
        var network = LocalNetwork.Create("cz-t", basePort, 1);
        // Fail before writing anything when the ports are taken (another network, a demo).
        foreach (var city in network.Cities) NodeLauncher.EnsurePortFree(new Uri(city.Endpoint), city.Code);
        network.WriteTo(directory);
    }

    private static NetworkConfig LoadGenesis(string path)
    {
        try
        {
            return NetworkConfig.Parse(File.ReadAllText(path));
        }
        catch (FormatException ex)
        {
            throw new CliException($"network configuration '{path}' is not valid: {ex.Message}", ex);
        }
    }

    private static List<City> FindCities(string directory, NetworkConfig genesis)
    {
        var cities = new List<City>();
        foreach (var member in genesis.Members)
        {
            // Members run elsewhere have no folder here; only local nodes are started.
            var cityDirectory = Path.Combine(directory, member.CityCode);
            if (!Directory.Exists(cityDirectory)) continue;
            var endpoint = NodeLauncher.ConfiguredEndpoint(cityDirectory)
                ?? (Uri.TryCreate(member.Endpoint, UriKind.Absolute, out var fromGenesis) ? fromGenesis : null)
                ?? throw new CliException($"city {member.CityCode}: neither '{Path.Combine(cityDirectory, "appsettings.json")}' nor the genesis names its endpoint");
            cities.Add(new City(member.CityCode, member.Name, cityDirectory, endpoint, NodeLauncher.TrustedCertificates(member.TlsCertificateSha256, cityDirectory)));
        }
        if (cities.Count == 0)
        {
            throw new CliException($"'{directory}' holds no node folder of network {genesis.NetworkId} (expected one of: {string.Join(", ", genesis.Members.Select(m => m.CityCode + "/"))})");
        }
        return cities;
    }

    private static void CheckNotRunning(City city, string directory)
    {
        var (state, pid, process) = NodeLauncher.FindRecorded(city.Directory);
        process?.Dispose();
        switch (state)
        {
            case NodeLauncher.RecordedState.Running:
                throw new CliException($"the node of {city.Code} is already running (pid {pid}, recorded in {Path.Combine(city.Directory, NodeLauncher.PidFileName)}); " +
                    $"stop the network first with 'huren network down --dir {Quote(directory)}'");
            case NodeLauncher.RecordedState.None:
                break;
            default:
                // Left behind by a node that is gone: not a reason to refuse.
                NodeLauncher.RemovePidFile(city.Directory);
                break;
        }
    }

    /// <summary>Waits until every node is healthy; prints a line per city as it becomes so. Returns a failure message, or null.</summary>
    private static async Task<string?> WaitHealthyAsync(List<Running> running, TextWriter? progress, TimeSpan startTimeout, CancellationToken stop)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var clock = Stopwatch.StartNew();
        var gate = new object();
        string? failure = null;

        async Task WaitOneAsync(Running r)
        {
            var deadline = clock.Elapsed + startTimeout;
            try
            {
                while (true)
                {
                    failed.Token.ThrowIfCancellationRequested();
                    if (r.Node.HasExited)
                    {
                        Fail(r, $"exited with code {r.Node.Process.ExitCode} before answering the health check");
                        return;
                    }
                    bool serving;
                    // A fresh channel per probe: a channel that failed to connect backs off its reconnects.
                    using (var channel = NodeLauncher.HealthChannel(r.City.Endpoint, r.City.TrustedCertificates))
                    {
                        serving = await NodeLauncher.IsServingAsync(channel, failed.Token).ConfigureAwait(false);
                    }
                    if (serving)
                    {
                        // The port could be answered by a process that took it meanwhile: the node must still be running.
                        if (r.Node.HasExited) continue;
                        r.State = "healthy";
                        if (progress is not null)
                        {
                            lock (gate) progress.WriteLine($"  {r.City.Code}  {r.City.Name}  healthy at {r.City.Endpoint.GetLeftPart(UriPartial.Authority)} (pid {r.Node.Pid}, {clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s)");
                        }
                        return;
                    }
                    if (clock.Elapsed > deadline)
                    {
                        Fail(r, $"did not answer the health check within {startTimeout.TotalSeconds:0} s");
                        return;
                    }
                    await Task.Delay(200, failed.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (failed.IsCancellationRequested)
            {
                // Another node failed, or Ctrl-C.
            }
        }

        void Fail(Running r, string reason)
        {
            lock (gate)
            {
                if (failure is not null) return;
                r.State = "failed";
                failure = $"the node of {r.City.Code} ({r.City.Name}) {reason}; the other nodes were stopped. " +
                    $"Last lines of {r.Node.LogPath}:\n{r.Node.Tail()}";
            }
            failed.Cancel();
        }

        await Task.WhenAll(running.Select(WaitOneAsync)).ConfigureAwait(false);
        return failure;
    }

    private static async Task<int> RunUntilStoppedAsync(List<Running> running, TextWriter output, bool asJson, CancellationToken stop)
    {
        var stopped = new TaskCompletionSource();
        using var onStop = stop.Register(() => stopped.TrySetResult());
        var watching = running.ToDictionary(r => r.Node.Process.WaitForExitAsync(CancellationToken.None), r => r);
        while (watching.Count > 0)
        {
            var finished = await Task.WhenAny(watching.Keys.Append(stopped.Task)).ConfigureAwait(false);
            if (finished == stopped.Task) break;
            var r = watching[finished];
            watching.Remove(finished);
            r.State = "exited";
            NodeLauncher.RemovePidFile(r.City.Directory, r.Node.Pid);
            var message = $"The node of {r.City.Code} ({r.City.Name}) exited with code {r.Node.Process.ExitCode}; last lines of {r.Node.LogPath}:\n{r.Node.Tail(10)}";
            if (asJson) await output.WriteLineAsync(JsonSerializer.Serialize(new { @event = "exited", cityCode = r.City.Code, pid = r.Node.Pid, exitCode = r.Node.Process.ExitCode, log = r.Node.LogPath }, Json)).ConfigureAwait(false);
            else await output.WriteLineAsync(message).ConfigureAwait(false);
        }
        if (watching.Count == 0 && !stop.IsCancellationRequested)
        {
            if (!asJson) await output.WriteLineAsync("Every node has exited.").ConfigureAwait(false);
            return ExitCodes.Error;
        }

        if (!asJson) await output.WriteLineAsync("Stopping the nodes…").ConfigureAwait(false);
        var toStop = watching.Values.ToList();
        await StopAllAsync(toStop).ConfigureAwait(false);
        if (asJson)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                @event = "stopped",
                nodes = toStop.Select(r => new { cityCode = r.City.Code, pid = r.Node.Pid, state = r.State }),
            }, Json)).ConfigureAwait(false);
        }
        else
        {
            foreach (var r in toStop) await output.WriteLineAsync($"  {r.City.Code}  {r.City.Name}  stopped (pid {r.Node.Pid})").ConfigureAwait(false);
            await output.WriteLineAsync($"Stopped {toStop.Count} node{(toStop.Count == 1 ? "" : "s")}.").ConfigureAwait(false);
        }
        return ExitCodes.Success;
    }

    private static async Task StopAllAsync(List<Running> running)
    {
        await Task.WhenAll(running.Select(async r =>
        {
            await NodeLauncher.StopAsync(r.Node.Process, StopGrace).ConfigureAwait(false);
            NodeLauncher.RemovePidFile(r.City.Directory, r.Node.Pid);
            if (r.State != "failed") r.State = "stopped";
        })).ConfigureAwait(false);
    }

    private static async Task ReportAsync(TextWriter output, bool asJson, string directory, NetworkConfig genesis, NodeCommand node, bool created, bool detached, List<Running> running,
        NetworkChain? chain, Process? anvil)
    {
        if (asJson)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                networkId = genesis.NetworkId,
                directory,
                genesis = Path.Combine(directory, LocalNetwork.GenesisFileName),
                created,
                detached,
                node = node.Location,
                chain = chain is null ? null : new { local = chain.IsLocal, rpcUrl = chain.RpcUrl.ToString(), chainId = chain.ChainId, contract = chain.Contract, pid = anvil?.Id },
                nodes = running.Select(r => new
                {
                    cityCode = r.City.Code,
                    name = r.City.Name,
                    endpoint = r.City.Endpoint.GetLeftPart(UriPartial.Authority),
                    pid = r.Node.Pid,
                    state = r.State,
                    folder = r.City.Directory,
                    log = r.Node.LogPath,
                }),
            }, Json)).ConfigureAwait(false);
            return;
        }
        await output.WriteLineAsync($"Network {genesis.NetworkId} is up ({running.Count} nodes):").ConfigureAwait(false);
        await output.WriteAsync(ConsoleTable.Format(
            ["CITY", "NAME", "ENDPOINT", "PID", "STATE"],
            running.Select(r => new[] { r.City.Code, r.City.Name, r.City.Endpoint.GetLeftPart(UriPartial.Authority), r.Node.Pid.ToString(CultureInfo.InvariantCulture), r.State }))).ConfigureAwait(false);
        await output.WriteLineAsync($"Logs: {Path.Combine(directory, "<city>", NodeLauncher.LogFileName)}   profile: {Path.Combine(directory, Profiles.CliProfile.DefaultFileName)}").ConfigureAwait(false);
    }

    internal static string Quote(string path) => path.Contains(' ', StringComparison.Ordinal) ? $"\"{path}\"" : path;
}
