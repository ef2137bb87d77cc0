using System.Diagnostics;
using System.Globalization;
using Grpc.Health.V1;
using Huren.Cli.Commands.Network;
using Huren.Sdk.Client;
using Huren.Sdk.Network;

namespace Huren.Cli.Tests.NetworkUp;

/// <summary>
/// A temporary network folder on free ports of its own (never the 7101 default of a running demo, and offset from the
/// blocks the multi-node tests use); whatever node is left running is killed at the end.
/// </summary>
internal sealed class NetworkFolder : IDisposable
{
    public static readonly string[] Cities = ["430100", "430200", "430300"];

    public NetworkFolder()
    {
        Root = Path.Combine(Path.GetTempPath(), "huren-up-" + Guid.NewGuid().ToString("N"));
        BasePort = Huren.TestSupport.LoopbackPorts.FreeRange(Cities.Length, offset: 5);
    }

    public string Root { get; }

    public string Dir => Path.Combine(Root, "net");

    public int BasePort { get; }

    public string Port => BasePort.ToString(CultureInfo.InvariantCulture);

    public string CityDir(string city) => Path.Combine(Dir, city);

    public string PidFile(string city) => Path.Combine(CityDir(city), "node.pid");

    public int Pid(string city) => int.Parse(File.ReadAllText(PidFile(city)).Trim(), CultureInfo.InvariantCulture);

    public NetworkConfig Genesis() => NetworkConfig.Parse(File.ReadAllText(Path.Combine(Dir, "genesis.json")));

    public async Task InitAsync()
    {
        var (code, _, error) = await CliRunner.RunAsync("network", "init", "--dir", Dir, "--base-port", Port);
        Assert.True(code == 0, error);
    }

    /// <summary>Whether the node of <paramref name="member"/> answers the gRPC health check (TLS pinned by the genesis).</summary>
    public static async Task<bool> IsServingAsync(NetworkMember member)
    {
        try
        {
            using var client = new HurenClient(new Uri(member.Endpoint), null, TimeSpan.FromSeconds(2), PinnedTls.CreateHandler([member.TlsCertificateSha256]));
            var answer = await new Health.HealthClient(client.Channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
            return answer.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (Grpc.Core.RpcException)
        {
            return false;
        }
    }

    public static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var city in Cities)
        {
            if (!Directory.Exists(CityDir(city))) continue;
            var (state, _, process) = NodeLauncher.FindRecorded(CityDir(city));
            if (state == NodeLauncher.RecordedState.Running && process is not null)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
            process?.Dispose();
        }
        if (Directory.Exists(Root)) Directory.Delete(Root, recursive: true);
    }
}
