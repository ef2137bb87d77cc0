using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Huren.Cli.Output;
using Huren.Sdk.Network;

namespace Huren.Cli.Commands.Network;

/// <summary>
/// <c>huren network down</c>: stops the nodes recorded in the city folders' <c>node.pid</c> files (by
/// <c>huren network up</c>), from any process, and removes the files.
/// </summary>
internal static class NetworkDownCommand
{
    /// <summary>How long a node gets to exit on SIGTERM before its process tree is killed (it bounds its own shutdown to about 4 s).</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);

    public static Command Build()
    {
        var dir = new Option<string>("--dir") { Description = "The network folder that 'huren network up' ran.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var down = new Command("down",
            "Stop the nodes of a network folder that 'huren network up --detach' left running: every <dir>/<city-code>/node.pid\n" +
            "whose process is still a dotnet/Huren process started for it gets SIGTERM (a node exits within 5 s of it; its process tree is killed after 10 s), and the pid\n" +
            "files are removed. Succeeds also when nothing was running.")
        {
            dir, json,
        };
        down.SetAction((parse, ct) => RunAsync(parse.GetValue(dir)!, parse.GetValue(json), parse.InvocationConfiguration.Output));
        return down;
    }

    private sealed record Outcome(string CityCode, string Name, int? Pid, string State);

    private static async Task<int> RunAsync(string dirArgument, bool asJson, TextWriter output)
    {
        var directory = Path.GetFullPath(dirArgument);
        if (!Directory.Exists(directory)) throw new CliException($"'{directory}' does not exist");
        var names = CityNames(directory);

        var cityDirectories = Directory.EnumerateDirectories(directory)
            .Where(d => File.Exists(Path.Combine(d, NodeLauncher.PidFileName)))
            .OrderBy(d => d, StringComparer.Ordinal)
            .ToList();
        var outcomes = await Task.WhenAll(cityDirectories.Select(async cityDirectory =>
        {
            var code = Path.GetFileName(cityDirectory);
            var name = names.GetValueOrDefault(code, "");
            var (state, pid, process) = NodeLauncher.FindRecorded(cityDirectory);
            string result;
            switch (state)
            {
                case NodeLauncher.RecordedState.Running:
                    using (process)
                    {
                        await NodeLauncher.StopAsync(process!, StopGrace).ConfigureAwait(false);
                    }
                    result = "stopped";
                    break;
                case NodeLauncher.RecordedState.Foreign:
                    result = "not running (the pid belongs to another program now)";
                    break;
                case NodeLauncher.RecordedState.Unreadable:
                    result = "not running (unreadable pid file)";
                    break;
                default:
                    result = "not running";
                    break;
            }
            NodeLauncher.RemovePidFile(cityDirectory);
            return new Outcome(code, name, pid, result);
        })).ConfigureAwait(false);

        // The local chain after the nodes, which anchor to it until they stop.
        string? chainState = null;
        if (NetworkChain.Load(directory) is { IsLocal: true } chain)
        {
            using var anvil = chain.FindRecorded();
            if (anvil is not null)
            {
                await chain.StopAsync(anvil).ConfigureAwait(false);
                chainState = "stopped";
            }
            else
            {
                chain.RemovePidFile();
                chainState = "not running";
            }
        }

        var stopped = outcomes.Count(o => o.State == "stopped");
        if (asJson)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new
            {
                directory,
                stopped,
                chain = chainState,
                nodes = outcomes.Select(o => new { cityCode = o.CityCode, name = o.Name, pid = o.Pid, state = o.State }),
            }, NetworkUpCommand.Json)).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        if (chainState is not null) await output.WriteLineAsync($"Local chain (Anvil): {chainState}.").ConfigureAwait(false);
        if (outcomes.Length == 0)
        {
            await output.WriteLineAsync($"No node of {directory} was recorded as running; nothing to stop.").ConfigureAwait(false);
            return ExitCodes.Success;
        }
        await output.WriteLineAsync($"Stopped {stopped} node{(stopped == 1 ? "" : "s")} of {directory}:").ConfigureAwait(false);
        await output.WriteAsync(ConsoleTable.Format(
            ["CITY", "NAME", "PID", "STATE"],
            outcomes.Select(o => new[] { o.CityCode, o.Name, o.Pid?.ToString(CultureInfo.InvariantCulture) ?? "-", o.State }))).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    // Names for the report; a missing or broken genesis must not keep the nodes from being stopped.
    private static Dictionary<string, string> CityNames(string directory)
    {
        try
        {
            var genesis = NetworkConfig.Parse(File.ReadAllText(Path.Combine(directory, LocalNetwork.GenesisFileName)));
            return genesis.Members.ToDictionary(m => m.CityCode, m => m.Name, StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }
    }
}
