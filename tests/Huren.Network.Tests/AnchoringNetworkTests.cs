using System.Diagnostics;
using Grpc.Core;
using Huren.Anchoring;
using Huren.Anchoring.Chain;
using Huren.Anchoring.Tests;
using Huren.Cli.Profiles;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Anchoring;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// Three node processes and a real Anvil chain with the anchor contract deployed: each node anchors, with its own
/// account, the latest final checkpoints of all three logs (K = 2, every second); what lands on chain is read back with
/// Foundry's <c>cast</c>; bundles carry anchor proofs that verify offline and online; tampered proofs are refused; a
/// stopped chain does not hold up writes, and anchoring catches up when it is back.
/// </summary>
public sealed class AnchoringNetworkTests(ITestOutputHelper output) : AnchoredNetwork(output)
{
    protected override IReadOnlyList<string> AnchoringCities => [Changsha, Zhuzhou, Xiangtan];

    protected override int Confirmations => 2;

    protected override string MaxRetryDelay => "00:00:02";

    // A state file lets the chain be stopped and started again with the same blocks; a block every second brings the
    // confirmations of the last anchor (automine alone mines only when a transaction comes).
    private protected override Task<AnvilNode> StartChainAsync() => AnvilNode.StartNewAsync(Path.Combine(Dir, "anvil-state.json"), blockTime: 1);

    private Task RegisterAmrAsync(string city)
        => RegisterIssuerAsync(city, LedgerBodies.Issuer($"{city}-amr", LedgerBodies.ChangshaAmrCode, IssuerKey(city).PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: true, region: city));

    private byte[] LicenseLeaf(string city, string serial)
    {
        var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, serial);
        return EntrySigner.SignToLeaf(MakeEntry(city, EntryKinds.LicenseIssue, body.LicenseId, $"{city}-amr", body), IssuerKey(city));
    }

    /// <summary>Waits until <paramref name="city"/>'s last confirmed anchor holds every log at least at the sizes asked.</summary>
    private async Task<AnchorRecord> WaitForConfirmedAsync(string city, IReadOnlyDictionary<string, ulong> atLeast, TimeSpan timeout)
    {
        using var client = Client(city, CliRoles.Auditor);
        var sw = Stopwatch.StartNew();
        AnchorStatusResponse? status = null;
        while (sw.Elapsed < timeout)
        {
            try
            {
                status = await client.Anchoring.GetAnchorStatusAsync(new AnchorStatusRequest(), client.Options());
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                // A loaded machine: ask again.
            }
            if (status is { LastConfirmed.Length: > 0 })
            {
                var record = AnchorRecord.Parse(status.LastConfirmed);
                if (atLeast.All(want => record.CheckpointOf(want.Key) is { } c && c.Size >= want.Value)) return record;
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{city}: no confirmed anchor with {string.Join(", ", atLeast.Select(w => $"{w.Key} ≥ {w.Value}"))} within {timeout}; "
            + $"current: {(status is { Current.Length: > 0 } ? System.Text.Encoding.UTF8.GetString(status.Current) : "none")}, last error: {status?.LastError}");
    }

    private async Task<ulong> OwnSizeAsync(string city)
    {
        using var auditor = Client(city, CliRoles.Auditor);
        var cp = await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options());
        return cp.Size;
    }

    [Fact]
    public async Task Anchors_land_onChain_read_back_by_cast_and_bundles_carry_proofs_that_verify_offline_and_online()
    {
        await RegisterAmrAsync(Changsha);
        using var amr = Client(Changsha, CliRoles.Issuer);
        var leaf = LicenseLeaf(Changsha, "ANC0001");
        await amr.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaf }, amr.Options());
        var licenseId = LeafReader.Read(leaf).Entry.RecordId;
        var changshaSize = await OwnSizeAsync(Changsha);
        var want = new Dictionary<string, ulong> { [OriginOf(Changsha)] = changshaSize, [OriginOf(Zhuzhou)] = 0, [OriginOf(Xiangtan)] = 0 };

        // Every node anchors all three logs with its own account.
        var records = new Dictionary<string, AnchorRecord>();
        foreach (var city in new[] { Changsha, Zhuzhou, Xiangtan }) records[city] = await WaitForConfirmedAsync(city, want, TimeSpan.FromSeconds(90));

        // cast (not Huren's client) reads each anchor: the root, the leaf count, the block and the submitting account.
        foreach (var (city, record) in records)
        {
            var inclusion = record.Inclusion!;
            var onChain = Cast.GetAnchor(Chain, Contract, inclusion.Sequence);
            Assert.Equal(EvmHex.Format(Convert.FromBase64String(record.Root)), onChain.Root, ignoreCase: true);
            Assert.Equal((ulong)record.Checkpoints.Count, onChain.LeafCount);
            Assert.Equal(inclusion.BlockNumber, onChain.BlockNumber);
            Assert.True(EvmHex.SameAddress(Accounts[city].Address, onChain.Submitter), $"{city}: submitter {onChain.Submitter}");
        }
        var logs = Cast.AnchoredLogs(Chain, Contract);
        Assert.Contains(logs, l => string.Equals((string?)l!["transactionHash"], records[Changsha].Inclusion!.Transaction, StringComparison.OrdinalIgnoreCase));

        // A counter in Zhuzhou gets a bundle whose Changsha checkpoint carries an anchor proof.
        using var counter = Client(Zhuzhou, CliRoles.Counter);
        EvidenceBundle? bundle = null;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(60))
        {
            var verdict = await counter.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = licenseId }, counter.Options());
            bundle = EvidenceBundle.Parse(verdict.EvidenceBundle);
            if (bundle.AnchorProofs?.Any(p => p.Leaf.Origin == OriginOf(Changsha)) == true) break;
            await Task.Delay(200);
        }
        Assert.NotNull(bundle?.AnchorProofs);
        var verifier = new AnchorProofVerifier(new AnchorContract(AnvilNode.ChainId, Contract), Genesis);
        var results = verifier.VerifyBundle(bundle!);
        Assert.NotEmpty(results);
        Assert.All(results, r => Assert.True(r.IsValid, r.Failure));
        var proof = bundle!.AnchorProofs!.First(p => p.Leaf.Origin == OriginOf(Changsha));

        // Online: the chain has that transaction, block and log, with K confirmations.
        using (var reader = new AnchorChainClient(new AnchorChainOptions { RpcUrl = Chain.RpcUrl, ChainId = AnvilNode.ChainId, Contract = Contract }))
        {
            var online = await new AnchorProofOnlineCheck(reader).CheckAsync(proof, 2);
            Assert.True(online.IsValid, online.Failure);
        }

        // Tampered proofs are refused: another root, a changed audit path, another contract, a changed leaf size.
        static EvidenceBundle Copy(EvidenceBundle b) => EvidenceBundle.Parse(b.ToJson());
        var json = bundle.ToJson();
        var badRoot = EvidenceBundle.Parse(json);
        var root = Convert.FromBase64String(badRoot.AnchorProofs![0].AnchorRoot);
        root[0] ^= 1;
        badRoot.AnchorProofs[0].AnchorRoot = Convert.ToBase64String(root);
        Assert.Contains(verifier.VerifyBundle(badRoot), r => !r.IsValid);
        var badSize = Copy(bundle);
        badSize.AnchorProofs![0].Leaf.Size += 1;
        Assert.Contains(verifier.VerifyBundle(badSize), r => !r.IsValid);
        var otherContract = new AnchorProofVerifier(new AnchorContract(AnvilNode.ChainId, "0x" + new string('1', 40)), Genesis);
        Assert.All(otherContract.VerifyBundle(bundle), r => Assert.False(r.IsValid));
        if (proof.InclusionProof.Count > 0)
        {
            var badPath = Copy(bundle);
            var p = badPath.AnchorProofs!.First(x => x.Leaf.Origin == OriginOf(Changsha));
            var node = Convert.FromBase64String(p.InclusionProof[0]);
            node[5] ^= 0x80;
            p.InclusionProof[0] = Convert.ToBase64String(node);
            Assert.Contains(verifier.VerifyBundle(badPath), r => !r.IsValid);
        }

        // The CLI: huren anchor verify, offline and on chain (exit 0), a tampered bundle (exit 1); huren anchor status.
        var bundleFile = Path.Combine(Dir, "bundle.json");
        var badFile = Path.Combine(Dir, "bad-bundle.json");
        await File.WriteAllTextAsync(bundleFile, json);
        await File.WriteAllTextAsync(badFile, badRoot.ToJson());
        string[] verifyArgs = ["anchor", "verify", "--network", Path.Combine(Dir, "genesis.json"), "--chain-id", "31337", "--contract", Contract,
            "--rpc-url", Chain.RpcUrl.ToString(), "--confirmations", "2", "--bundle"];
        using (var cliOut = new StringWriter())
        using (var cliErr = new StringWriter())
        {
            Assert.True(await Huren.Cli.CliApp.RunAsync([.. verifyArgs, bundleFile], cliOut, cliErr) == 0, cliOut.ToString() + cliErr);
            Assert.True(await Huren.Cli.CliApp.RunAsync([.. verifyArgs, badFile], cliOut, cliErr) == 1, cliOut.ToString() + cliErr);
            Assert.True(await Huren.Cli.CliApp.RunAsync(["anchor", "status", "--profile", Path.Combine(Dir, "cli.json"), "--city", Zhuzhou, "--recent", "3"], cliOut, cliErr) == 0, cliErr.ToString());
            Assert.Contains("last confirmed: #", cliOut.ToString(), StringComparison.Ordinal);
            Output.WriteLine(cliOut.ToString());
        }

        // The proof RPC gives the same kind of proof for a checkpoint size.
        using var auditor = Client(Changsha, CliRoles.Auditor);
        var byRpc = await auditor.Anchoring.GetAnchorProofAsync(new AnchorProofRequest { Origin = OriginOf(Changsha), Size = changshaSize }, auditor.Options());
        var rpcProof = AnchorProof.Parse(System.Text.Encoding.UTF8.GetString(byRpc.Proof));
        Assert.True(verifier.Verify(rpcProof).IsValid);
        var missing = await Assert.ThrowsAsync<RpcException>(() => auditor.Anchoring.GetAnchorProofAsync(new AnchorProofRequest { Origin = "huren.cz-t/439999" }, auditor.Options()).AsTask());
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task TheChain_stopped_for_a_minute_writes_go_on_and_anchoring_catches_up_when_it_is_back()
    {
        await RegisterAmrAsync(Changsha);
        var first = await WaitForConfirmedAsync(Changsha, new Dictionary<string, ulong> { [OriginOf(Changsha)] = await OwnSizeAsync(Changsha) }, TimeSpan.FromSeconds(90));

        // The chain down for a minute (the issue's case), writes going on all the while; their speed is measured in
        // bench/ (anchor suite), not asserted here.
        await Chain.StopAsync();
        var down = Stopwatch.StartNew();
        using var amr = Client(Changsha, CliRoles.Issuer);
        var written = 0;
        ulong lastIndex = 0;
        while (down.Elapsed < TimeSpan.FromSeconds(60))
        {
            var response = await amr.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = LicenseLeaf(Changsha, $"DOWN{written:D5}") }, amr.Options());
            Assert.False(response.Duplicate);
            lastIndex = response.Index;
            written++;
        }
        Output.WriteLine($"{written} submits in {down.Elapsed.TotalSeconds:0} s while the chain was down");
        // Every write made while the chain was down is in the log: anchoring must catch up to all of them.
        var sizeWhileDown = lastIndex + 1;

        // The anchorer noticed and keeps retrying; the log went on.
        using var auditor = Client(Changsha, CliRoles.Auditor);
        var failing = Stopwatch.StartNew();
        AnchorStatusResponse status;
        do
        {
            status = await auditor.Anchoring.GetAnchorStatusAsync(new AnchorStatusRequest(), auditor.Options());
            if (status.ConsecutiveFailures > 0) break;
            await Task.Delay(200);
        }
        while (failing.Elapsed < TimeSpan.FromSeconds(60));
        Assert.True(status.ConsecutiveFailures > 0, "the anchorer did not notice the chain is down");
        Assert.NotEmpty(status.LastError);

        await Chain.StartAsync();
        var caughtUp = await WaitForConfirmedAsync(Changsha, new Dictionary<string, ulong> { [OriginOf(Changsha)] = sizeWhileDown }, TimeSpan.FromSeconds(120));
        Assert.True(caughtUp.Id > first.Id);
        Assert.Equal(EvmHex.Format(Convert.FromBase64String(caughtUp.Root)), Cast.GetAnchor(Chain, Contract, caughtUp.Inclusion!.Sequence).Root, ignoreCase: true);
    }
}
