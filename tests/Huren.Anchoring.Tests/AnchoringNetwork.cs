using Huren.Anchoring.Chain;

namespace Huren.Anchoring.Tests;

/// <summary>An Anvil chain with the anchor contract deployed for three members, each with its own funded anchoring account.</summary>
internal sealed class AnchoringNetwork
{
    private AnchoringNetwork(AnvilNode chain, string contract, IReadOnlyList<EvmAccount> members)
    {
        Chain = chain;
        Contract = contract;
        Members = members;
    }

    public AnvilNode Chain { get; }

    public string Contract { get; }

    public IReadOnlyList<EvmAccount> Members { get; }

    public AnchorChainOptions Options => new() { RpcUrl = Chain.RpcUrl, ChainId = AnvilNode.ChainId, Contract = Contract, RpcTimeout = TimeSpan.FromSeconds(3) };

    public static async Task<AnchoringNetwork> DeployAsync(AnvilNode chain)
    {
        EvmAccount[] members = [EvmAccount.Generate(), EvmAccount.Generate(), EvmAccount.Generate()];
        return new AnchoringNetwork(chain, await chain.DeployAsync("cz-t", members), members);
    }

    public AnchorChainClient Client(EvmAccount account) => new(Options, account);

    /// <summary>Steps until the current record satisfies <paramref name="done"/>; every step's error is tolerated until the deadline.</summary>
    public static async Task<AnchorRecord> StepUntilAsync(Anchorer anchorer, Func<AnchorRecord, bool> done, TimeSpan? deadline = null)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(30));
        string? lastError = null;
        while (DateTime.UtcNow < until)
        {
            var step = await anchorer.StepAsync();
            lastError = step.Error ?? lastError;
            if (step.Record is { } record && done(record)) return record;
            await Task.Delay(step.Error is null ? 20 : 200);
        }
        throw new TimeoutException($"anchor not in the expected state in time; now {anchorer.Status.Current?.Status}; last error: {lastError}");
    }
}
