using System.Diagnostics;
using Huren.Anchoring;
using Huren.Anchoring.Tests;
using Huren.Cli.Profiles;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Anchoring;
using Huren.Sdk.Entries;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// A reorg below K on a real Anvil chain (mined on demand, K = 3), with only Changsha anchoring so that the test mines
/// every block: the block holding Changsha's anchor is reverted away (evm_snapshot / evm_revert), and the node notices,
/// sends the kept transaction again and follows it to K.
/// </summary>
public sealed class AnchoringReorgTests(ITestOutputHelper output) : AnchoredNetwork(output)
{
    protected override IReadOnlyList<string> AnchoringCities => [Changsha];

    protected override int Confirmations => 3;

    protected override string MaxRetryDelay => "00:00:01";

    private protected override Task<AnvilNode> StartChainAsync() => AnvilNode.StartNewAsync();

    private async Task<AnchorStatusResponse> StatusAsync()
    {
        using var auditor = Client(Changsha, CliRoles.Auditor);
        return await auditor.Anchoring.GetAnchorStatusAsync(new AnchorStatusRequest(), auditor.Options());
    }

    /// <summary>Polls the status (mining a block each round when asked) until <paramref name="done"/> holds for the current record.</summary>
    private async Task<AnchorRecord> WaitAsync(Func<AnchorRecord, bool> done, bool mine, string what)
    {
        var sw = Stopwatch.StartNew();
        AnchorStatusResponse? status = null;
        while (sw.Elapsed < TimeSpan.FromSeconds(90))
        {
            status = await StatusAsync();
            if (status.Current.Length > 0 && AnchorRecord.Parse(status.Current) is var record && done(record)) return record;
            if (mine) await Chain.MineAsync(1);
            await Task.Delay(200);
        }
        throw new TimeoutException($"{what}: current {(status?.Current.Length > 0 ? System.Text.Encoding.UTF8.GetString(status.Current) : "none")}, error {status?.LastError}");
    }

    [Fact]
    public async Task A_reorg_below_K_is_noticed_and_the_anchor_sent_again_until_it_is_confirmed()
    {
        await RegisterIssuerAsync(Changsha, LedgerBodies.Issuer($"{Changsha}-amr", LedgerBodies.ChangshaAmrCode, IssuerKey(Changsha).PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: true, region: Changsha));
        var origin = OriginOf(Changsha);
        await WaitAsync(r => r.Status == AnchorStatus.Confirmed && r.CheckpointOf(origin)?.Size >= 1, mine: true, "first anchor");

        // A snapshot below the next anchor; a license, and its anchor included (1 confirmation of 3).
        var snapshot = await Chain.SnapshotAsync();
        using (var amr = Client(Changsha, CliRoles.Issuer))
        {
            var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "REORG1");
            await amr.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(MakeEntry(Changsha, EntryKinds.LicenseIssue, body.LicenseId, $"{Changsha}-amr", body), IssuerKey(Changsha)) }, amr.Options());
        }
        var included = await WaitAsync(r => r.Status == AnchorStatus.Included && r.CheckpointOf(origin)?.Size >= 2, mine: false, "second anchor included");
        Assert.Equal(0, included.Reorgs);

        // The block is reverted away: the node sees the receipt gone, sends the kept transaction again, and K follows.
        await Chain.RevertAsync(snapshot);
        var confirmed = await WaitAsync(r => r.Id == included.Id && r.Status == AnchorStatus.Confirmed, mine: true, "re-anchored after the reorg");
        Assert.True(confirmed.Reorgs >= 1, $"reorgs {confirmed.Reorgs}");
        Output.WriteLine($"anchor {confirmed.Id}: first in block {included.Inclusion!.BlockNumber} ({included.Inclusion.BlockHash}), after the reorg in {confirmed.Inclusion!.BlockNumber} ({confirmed.Inclusion.BlockHash})");
        Assert.NotEqual(included.Inclusion.BlockHash, confirmed.Inclusion.BlockHash);
        var onChain = Cast.GetAnchor(Chain, Contract, confirmed.Inclusion.Sequence);
        Assert.Equal(EvmHex.Format(Convert.FromBase64String(confirmed.Root)), onChain.Root, ignoreCase: true);
    }
}
