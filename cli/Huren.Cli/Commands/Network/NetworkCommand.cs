using System.CommandLine;
using System.Text.Json;
using Huren.Cli.Profiles;

namespace Huren.Cli.Commands.Network;

/// <summary><c>huren network</c>: network configurations and local networks.</summary>
internal static class NetworkCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static Command Build()
    {
        var network = new Command("network", "Create and inspect Huren network configurations (huren-network/v1).");
        network.Subcommands.Add(BuildInit());
        network.Subcommands.Add(NetworkUpCommand.Build());
        network.Subcommands.Add(NetworkDownCommand.Build());
        foreach (var command in NetworkConfigCommands.Build()) network.Subcommands.Add(command);
        return network;
    }

    private static Command BuildInit()
    {
        var dir = new Option<string>("--dir") { Description = "Folder to create the network in (created if missing; must be empty unless --force).", Required = true };
        var networkId = new Option<string>("--network") { Description = "Network id; the cities' log origins are huren.<network>/<city-code>.", DefaultValueFactory = _ => "cz-t" };
        var basePort = new Option<int>("--base-port") { Description = "gRPC port of the first city; the others use the next ports (loopback 127.0.0.1).", DefaultValueFactory = _ => 7101 };
        var threshold = new Option<int>("--threshold") { Description = "Witness threshold: cosignatures from other members that make a checkpoint final (0 to 2).", DefaultValueFactory = _ => 1 };
        var force = new Option<bool>("--force") { Description = "Use a non-empty folder: replaces genesis.json, cli.json and the city folders (with their keys and data) in it; other files are left alone." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var init = new Command("init",
            "Create a fresh local 长株潭 network (长沙 430100, 株洲 430200, 湘潭 430300) in a folder, with new keys for every city:\n" +
            "  genesis.json       the network configuration, version 1 (huren-network/v1): public keys, endpoints, witness threshold\n" +
            "  <city-code>/       one folder per city node: keys/ (log, SM2 log, witness, city root, TLS and client keys),\n" +
            "                     appsettings.json (start the node with --contentRoot=<dir>/<city-code>) and an empty data/\n" +
            "  cli.json           the CLI profile (huren-cli-profile/v1): endpoints and the local credentials of the sample\n" +
            "                     operator, auditor, counter and issuer (amr, 市场监督管理局) of each city\n" +
            "Private keys are written only into the cities' keys/ folders (mode 0600); they never go into genesis.json, which\n" +
            "holds public keys only and is meant to be shared.")
        {
            dir, networkId, basePort, threshold, force, json,
        };
        init.SetAction((parse, ct) =>
        {
            var directory = Path.GetFullPath(parse.GetValue(dir)!);
            var network = LocalNetwork.Create(parse.GetValue(networkId)!, parse.GetValue(basePort), parse.GetValue(threshold));
            PrepareDirectory(directory, parse.GetValue(force));
            network.WriteTo(directory);
            Report(parse.InvocationConfiguration.Output, directory, network, parse.GetValue(json));
            return Task.FromResult(ExitCodes.Success);
        });
        return init;
    }

    private static void PrepareDirectory(string directory, bool force)
    {
        if (File.Exists(directory)) throw new CliException($"'{directory}' is a file, not a folder");
        if (!Directory.Exists(directory) || !Directory.EnumerateFileSystemEntries(directory).Any()) return;
        if (!force) throw new CliException($"'{directory}' is not empty; choose an empty folder, or pass --force to replace the network in it");
        foreach (var path in LocalNetwork.OwnedPaths(directory))
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
            else if (File.Exists(path)) File.Delete(path);
        }
    }

    private static void Report(TextWriter output, string directory, LocalNetwork network, bool asJson)
    {
        var genesisPath = Path.Combine(directory, LocalNetwork.GenesisFileName);
        var profilePath = Path.Combine(directory, CliProfile.DefaultFileName);
        if (asJson)
        {
            output.WriteLine(JsonSerializer.Serialize(new
            {
                networkId = network.Genesis.NetworkId,
                directory,
                genesis = genesisPath,
                profile = profilePath,
                witnessThreshold = network.Genesis.WitnessThreshold,
                cities = network.Cities.Select(c => new
                {
                    cityCode = c.Code,
                    name = c.Name,
                    origin = c.Origin,
                    endpoint = c.Endpoint,
                    port = c.Port,
                    folder = Path.Combine(directory, c.Folder),
                    tlsCertificateSha256 = c.TlsCertificateSha256,
                }),
            }, Json));
            return;
        }
        output.WriteLine($"Created network {network.Genesis.NetworkId} ({network.Cities.Count} cities, witness threshold {network.Genesis.WitnessThreshold}) in {directory}");
        foreach (var city in network.Cities)
            output.WriteLine($"  {city.Code}  {city.Endpoint}  {city.Folder}/  {city.Name}");
        output.WriteLine($"genesis: {genesisPath}");
        output.WriteLine($"profile: {profilePath}");
        output.WriteLine($"Start a node: dotnet run --project node/Huren.Node -- --contentRoot={Path.Combine(directory, network.Cities[0].Folder)}");
    }
}
