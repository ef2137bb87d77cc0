using Xunit.Abstractions;
using Huren.Schemas.Services;

namespace Huren.Network.Tests;

/// <summary>
/// A node with peers connected (both other nodes follow its log over server streams, and it follows theirs) exits
/// soon after SIGTERM: its peer streams end at once and the host's shutdown is bounded (issue 20: it took 31–32 s).
/// </summary>
public sealed class ShutdownTests(ITestOutputHelper output) : ThreeCityNetwork(output)
{
    [Fact]
    public async Task A_node_with_peers_connected_exits_within_10_s_of_SIGTERM()
    {
        // Peers connected: both other nodes serve Changsha's log, which they can only have by following it.
        foreach (var city in new[] { Zhuzhou, Xiangtan })
        {
            using var auditor = Client(city, "auditor");
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                try
                {
                    await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = OriginOf(Changsha) }, auditor.Options());
                    break;
                }
                catch (Grpc.Core.RpcException ex) when (DateTime.UtcNow < deadline)
                {
                    Output.WriteLine($"{city} does not serve Changsha's log yet: {ex.StatusCode}");
                    await Task.Delay(200);
                }
            }
        }

        var took = await Nodes[Changsha].TerminateAsync(TimeSpan.FromSeconds(10));
        Output.WriteLine(took is { } t ? $"Changsha's node exited {t.TotalSeconds:F2} s after SIGTERM" : "Changsha's node was still running 10 s after SIGTERM");
        Assert.True(took is not null, "Changsha's node was still running 10 s after SIGTERM: " + Nodes[Changsha].Tail());
        Assert.False(Nodes[Changsha].Running);
    }
}
