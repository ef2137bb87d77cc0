using System.Text.Json.Nodes;
using Huren.Anchoring.Chain;
using Huren.Anchoring.Tests;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// Three node processes anchoring to a real Anvil chain: before the nodes start, the chain is started, the anchor
/// contract deployed with one funded account per anchoring city, and each of those cities' settings given the
/// <c>Huren:Anchoring</c> section (polling every 200 ms, anchoring every second); the chain is stopped after the nodes.
/// </summary>
public abstract class AnchoredNetwork(ITestOutputHelper output) : ThreeCityNetwork(output)
{
    private readonly Dictionary<string, EvmAccount> _accounts = new(StringComparer.Ordinal);

    private protected AnvilNode Chain { get; private set; } = null!;

    protected string Contract { get; private set; } = "";

    /// <summary>The anchoring account of each anchoring city.</summary>
    protected IReadOnlyDictionary<string, EvmAccount> Accounts => _accounts;

    /// <summary>The cities whose nodes anchor.</summary>
    protected abstract IReadOnlyList<string> AnchoringCities { get; }

    /// <summary>Confirmation depth K.</summary>
    protected abstract int Confirmations { get; }

    /// <summary>The longest pause between retries, as a configuration time span.</summary>
    protected abstract string MaxRetryDelay { get; }

    /// <summary>Starts the chain the way the test needs it (state file, block time).</summary>
    private protected abstract Task<AnvilNode> StartChainAsync();

    protected override async Task BeforeStartAsync()
    {
        Chain = await StartChainAsync();
        foreach (var city in AnchoringCities) _accounts[city] = EvmAccount.Generate();
        Contract = await Chain.DeployAsync("cz-t", [.. _accounts.Values]);
        foreach (var (city, account) in _accounts)
        {
            var cityDir = Path.Combine(Dir, city);
            account.WriteKeyFile(Path.Combine(cityDir, "keys", "anchor-account.key"));
            var settingsFile = Path.Combine(cityDir, "appsettings.json");
            var settings = JsonNode.Parse(File.ReadAllText(settingsFile))!;
            settings["Huren"]!["Anchoring"] = new JsonObject
            {
                ["RpcUrl"] = Chain.RpcUrl.ToString(),
                ["ChainId"] = AnvilNode.ChainId,
                ["Contract"] = Contract,
                ["KeyFile"] = "keys/anchor-account.key",
                ["Confirmations"] = Confirmations,
                ["Interval"] = "00:00:01",
                ["PollInterval"] = "00:00:00.200",
                ["MaxRetryDelay"] = MaxRetryDelay,
            };
            File.WriteAllText(settingsFile, settings.ToJsonString());
        }
    }

    protected override async ValueTask AfterStopAsync()
    {
        if (Chain is not null) await Chain.DisposeAsync();
    }
}
