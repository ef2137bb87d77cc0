using System.Diagnostics;
using Grpc.Core;
using Huren.Cli.Profiles;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// The 长株潭 network as three real node processes on loopback ports: mirroring, witnessing, final checkpoints,
/// verification while the issuing city is down, catch-up after an outage, and a forked checkpoint caught.
/// </summary>
public sealed class ThreeCityNetworkTests(ITestOutputHelper output) : ThreeCityNetwork(output)
{
    private Task RegisterAmrAsync(string city)
        => RegisterIssuerAsync(city, LedgerBodies.Issuer($"{city}-amr", LedgerBodies.ChangshaAmrCode, IssuerKey(city).PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: true, region: city));

    private byte[] LicenseLeaf(string city, string serial)
    {
        var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, serial);
        return EntrySigner.SignToLeaf(MakeEntry(city, EntryKinds.LicenseIssue, body.LicenseId, $"{city}-amr", body), IssuerKey(city));
    }

    private static async Task<VerdictResponse> WaitForVerdictAsync(HurenClient client, string licenseId, Func<VerdictResponse, bool> done, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            VerdictResponse? verdict = null;
            try
            {
                verdict = await client.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = licenseId }, client.Options());
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound or StatusCode.Unavailable)
            {
                // The bundle's checkpoint may not exist yet.
            }
            if (verdict is not null && done(verdict)) return verdict;
            if (sw.Elapsed > timeout) throw new TimeoutException($"verdict for {licenseId} at {client.Endpoint}: {verdict?.Verdict} {verdict?.Reason}");
            await Task.Delay(100);
        }
    }

    private bool IsFinal(VerdictResponse v)
        => v.Verdict == LicenseVerdict.Valid && new EvidenceVerifier(Genesis).Verify(EvidenceBundle.Parse(v.EvidenceBundle), LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow)) is { IsValid: true, Final: true };

    [Fact]
    public async Task A_license_transferred_to_another_city_verifies_there_with_evidence_from_both_logs()
    {
        await RegisterAmrAsync(Changsha);
        await RegisterAmrAsync(Xiangtan);
        string changshaOrigin = $"huren.cz-t/{Changsha}", xiangtanOrigin = $"huren.cz-t/{Xiangtan}";
        using var changshaAmr = Client(Changsha, CliRoles.Issuer);
        var issue = LicenseLeaf(Changsha, "NET0100");
        var licenseId = LeafReader.Read(issue).Entry.RecordId;
        await changshaAmr.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = issue }, changshaAmr.Options());
        var transferEntry = MakeEntry(Changsha, EntryKinds.LicenseTransfer, licenseId, $"{Changsha}-amr", LedgerBodies.Transfer(licenseId, Xiangtan));
        transferEntry.References.Add(await changshaAmr.LatestLicenseEntryAsync(licenseId));
        var transferLeaf = EntrySigner.SignToLeaf(transferEntry, IssuerKey(Changsha));
        var transfer = await changshaAmr.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = transferLeaf }, changshaAmr.Options());

        // Xiangtan accepts once its mirror holds the transfer, referencing it by index and leaf hash.
        using var xiangtanAmr = Client(Xiangtan, CliRoles.Issuer);
        await WaitForVerdictAsync(xiangtanAmr, licenseId, v => v.Verdict == LicenseVerdict.Transferred, TimeSpan.FromSeconds(20));
        var accept = MakeEntry(Xiangtan, EntryKinds.LicenseTransferAccept, licenseId, $"{Xiangtan}-amr", LedgerBodies.Accept(licenseId, changshaOrigin));
        accept.References.Add(new EntryReference { Origin = changshaOrigin, Index = transfer.Index, LeafHash = transfer.LeafHash, Relation = "transfer" });
        await xiangtanAmr.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(accept, IssuerKey(Xiangtan)) }, xiangtanAmr.Options());

        // A Zhuzhou counter gets VALID from Xiangtan's log, with final evidence that carries both logs.
        using var zhuzhouCounter = Client(Zhuzhou, CliRoles.Counter);
        var atZhuzhou = await WaitForVerdictAsync(zhuzhouCounter, licenseId, v => v.Origin == xiangtanOrigin && IsFinal(v), TimeSpan.FromSeconds(30));
        var json = atZhuzhou.EvidenceBundle;
        var bundle = EvidenceBundle.Parse(json);
        Assert.Equal([changshaOrigin, xiangtanOrigin], bundle.Checkpoints.Keys.Order().ToArray());
        Assert.Contains(bundle.Entries, e => e.Origin == changshaOrigin && LeafReader.Read(Convert.FromBase64String(e.Leaf)).Entry.Kind == EntryKinds.LicenseIssue);
        var today = LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow);

        // Without the transfer entry, the accept proves nothing.
        var stripped = EvidenceBundle.Parse(json);
        stripped.Entries.RemoveAll(e => LeafReader.Read(Convert.FromBase64String(e.Leaf)).Entry.Kind == EntryKinds.LicenseTransfer);
        var noTransfer = new EvidenceVerifier(Genesis).Verify(stripped, today);
        Assert.False(noTransfer.IsValid);
        Assert.Contains("lacks the transfer entry", noTransfer.Failure, StringComparison.Ordinal);

        // Only the transferring log's part: its own entries say TRANSFERRED, so a VALID claim is refused.
        var sourceOnly = EvidenceBundle.Parse(json);
        sourceOnly.Entries.RemoveAll(e => e.Origin == xiangtanOrigin);
        sourceOnly.Checkpoints.Remove(xiangtanOrigin);
        Assert.Contains("the verdict is stated as of huren.cz-t/430300", new EvidenceVerifier(Genesis).Verify(sourceOnly, today).Failure, StringComparison.Ordinal);
        sourceOnly.Verdict.AsOf = new BundleCheckpointRef { Origin = changshaOrigin, Size = sourceOnly.Entries[0].TreeSize };
        var stale = new EvidenceVerifier(Genesis).Verify(sourceOnly, today);
        Assert.False(stale.IsValid);
        Assert.Equal(LicenseVerdict.Transferred, stale.Verdict);
    }

    [Fact]
    public async Task Licenses_verify_across_cities_with_final_checkpoints_through_outages()
    {
        await RegisterAmrAsync(Changsha);
        using var changshaAmr = Client(Changsha, CliRoles.Issuer);
        var first = LicenseLeaf(Changsha, "NET0001");
        var issuedAt = Stopwatch.StartNew();
        var submitted = await changshaAmr.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = first }, changshaAmr.Options());
        var licenseId = LeafReader.Read(first).Entry.RecordId;

        // Zhuzhou and Xiangtan counters see it, with a final (cosigned) checkpoint behind the evidence.
        using var zhuzhouCounter = Client(Zhuzhou, CliRoles.Counter);
        using var xiangtanCounter = Client(Xiangtan, CliRoles.Counter);
        var atZhuzhou = await WaitForVerdictAsync(zhuzhouCounter, licenseId, IsFinal, TimeSpan.FromSeconds(20));
        Output.WriteLine($"issue → final verdict at Zhuzhou: {issuedAt.ElapsedMilliseconds} ms");
        var atXiangtan = await WaitForVerdictAsync(xiangtanCounter, licenseId, IsFinal, TimeSpan.FromSeconds(20));
        Assert.Equal($"huren.cz-t/{Changsha}", atXiangtan.Origin);
        var finality = FinalityCheck.Evaluate(SignedNote.Parse(EvidenceBundle.Parse(atXiangtan.EvidenceBundle).Checkpoints[atXiangtan.Origin]),
            Genesis.ByCity(Changsha)!.LogKey, Genesis.WitnessesFor(Genesis.ByCity(Changsha)!.Origin), Genesis.WitnessThreshold);
        Assert.True(finality.ValidCosignatures >= Genesis.WitnessThreshold);

        // Changsha's node down: Xiangtan still answers, and its bundle verifies offline.
        Nodes[Changsha].Stop();
        var whileDown = await xiangtanCounter.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = licenseId }, xiangtanCounter.Options());
        Assert.Equal(LicenseVerdict.Valid, whileDown.Verdict);
        var offline = new EvidenceVerifier(Genesis).Verify(EvidenceBundle.Parse(whileDown.EvidenceBundle), LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow));
        Assert.True(offline.IsValid, offline.Failure);
        Assert.True(offline.Final);

        // Zhuzhou cut off while Changsha (back) issues thousands of entries; Zhuzhou catches up with the same roots.
        Nodes[Zhuzhou].Stop();
        await Nodes[Changsha].StartAsync();
        const int burst = 2000;
        using var changshaAmr2 = Client(Changsha, CliRoles.Issuer);
        var leaves = Enumerable.Range(0, burst).Select(i => LicenseLeaf(Changsha, $"B{i:D6}")).ToList();
        async IAsyncEnumerable<SubmitRequest> Requests()
        {
            foreach (var leaf in leaves)
            {
                await Task.Yield();
                yield return new SubmitRequest { SignedEntry = leaf };
            }
        }
        var count = 0;
        await foreach (var _ in changshaAmr2.Ledger.SubmitStreamAsync(Requests(), new ProtoBuf.Grpc.CallContext(new CallOptions(deadline: DateTime.UtcNow.AddMinutes(2))))) count++;
        Assert.Equal(burst, count);
        // A department registered while Zhuzhou is away, and its first license: the mirror must apply the
        // registration before it checks that issuer's entry.
        var healthKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var health = LedgerBodies.Issuer($"{Changsha}-hc", LedgerBodies.ChangshaHealthCode, healthKey.PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: false, region: Changsha);
        using (var op = Client(Changsha, CliRoles.Operator))
        {
            await RegisterIssuerAsync(Changsha, health);
            var healthLicense = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaHealthCode, "HC0001");
            await op.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(MakeEntry(Changsha, EntryKinds.LicenseIssue, healthLicense.LicenseId, health.IssuerId, healthLicense), healthKey) }, op.Options());
        }
        using var changshaAuditor = Client(Changsha, CliRoles.Auditor);
        var own = await changshaAuditor.Ledger.GetCheckpointAsync(new CheckpointRequest(), changshaAuditor.Options());
        var ownRoot = Checkpoint.FromNote(SignedNote.Parse(own.Note)).GetRootHash();

        var catchUp = Stopwatch.StartNew();
        await Nodes[Zhuzhou].StartAsync();
        using var zhuzhouAuditor = Client(Zhuzhou, CliRoles.Auditor);
        while (true)
        {
            var mirrored = await zhuzhouAuditor.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = $"huren.cz-t/{Changsha}" }, zhuzhouAuditor.Options());
            if (mirrored.Size >= own.Size)
            {
                var atSize = await zhuzhouAuditor.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = $"huren.cz-t/{Changsha}", Size = own.Size }, zhuzhouAuditor.Options());
                Assert.Equal(ownRoot, Checkpoint.FromNote(SignedNote.Parse(atSize.Note)).GetRootHash());
                break;
            }
            Assert.True(catchUp.Elapsed < TimeSpan.FromSeconds(60), $"Zhuzhou mirrored {mirrored.Size} of {own.Size}");
            await Task.Delay(100);
        }
        Output.WriteLine($"catch-up: {burst} entries in {catchUp.ElapsedMilliseconds} ms (incl. node start) = {burst / catchUp.Elapsed.TotalSeconds:F0} entries/s");
        // An operator sees the same progress in Zhuzhou's metrics, and that nothing stopped the mirror.
        Assert.True(await MetricAsync(Zhuzhou, "huren_mirror_size", $"huren.cz-t/{Changsha}") >= own.Size);
        Assert.Equal(0, await MetricAsync(Zhuzhou, "huren_mirror_stopped", $"huren.cz-t/{Changsha}"));
        var entries = await zhuzhouAuditor.Ledger.GetEntriesAsync(new GetEntriesRequest { Origin = $"huren.cz-t/{Changsha}", Start = 0, Count = 1000 }, zhuzhouAuditor.Options());
        Assert.Equal(Enumerable.Range(0, entries.Entries.Count).Select(i => (ulong)i), entries.Entries.Select(e => e.Index));
    }

    [Fact]
    public async Task While_both_witnesses_are_down_the_newest_final_checkpoint_is_still_served()
    {
        await RegisterAmrAsync(Changsha);
        using var amr = Client(Changsha, CliRoles.Issuer);
        using var auditor = Client(Changsha, CliRoles.Auditor);
        var member = Genesis.ByCity(Changsha)!;
        var first = await amr.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = LicenseLeaf(Changsha, "FIN0001") }, amr.Options());
        var deadline = Stopwatch.StartNew();
        CheckpointResponse? final = null;
        while (final is null || final.Size <= first.Index)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"no final checkpoint of Changsha covering entry {first.Index}");
            try
            {
                final = await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest { Final = true }, auditor.Options());
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                // Not cosigned yet.
            }
            await Task.Delay(50);
        }
        Assert.True(Genesis.Finality(member.VerifyCheckpoint(final.Note)).IsFinal);

        // Both witnesses of Changsha's log stop: checkpoints after that get no cosignature.
        Nodes[Zhuzhou].Stop();
        Nodes[Xiangtan].Stop();
        var second = await amr.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = LicenseLeaf(Changsha, "FIN0002") }, amr.Options());
        CheckpointResponse newest;
        while ((newest = await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options())).Size <= second.Index)
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(90), $"no checkpoint of Changsha covering entry {second.Index}");
            await Task.Delay(20);
        }
        Assert.False(Genesis.Finality(member.VerifyCheckpoint(newest.Note)).IsFinal);

        // Asked for the newest final one, the node still answers one: final, covering the first entry, not the second.
        var stillFinal = await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest { Final = true }, auditor.Options());
        Assert.True(Genesis.Finality(member.VerifyCheckpoint(stillFinal.Note)).IsFinal);
        Assert.InRange(stillFinal.Size, first.Index + 1, second.Index);
        var both = await Assert.ThrowsAsync<RpcException>(() => auditor.Ledger.GetCheckpointAsync(new CheckpointRequest { Final = true, Size = 1 }, auditor.Options()).AsTask());
        Assert.Equal(StatusCode.InvalidArgument, both.StatusCode);
    }

    [Fact]
    public async Task A_configuration_update_needs_a_majority_and_then_reaches_every_node()
    {
        var genesisBytes = await File.ReadAllBytesAsync(Path.Combine(Dir, "genesis.json"));
        var next = NetworkConfig.Parse(System.Text.Encoding.UTF8.GetString(genesisBytes));
        next.Version = 2;
        next.Previous = NetworkConfigChain.Digest(genesisBytes);
        next.WitnessThreshold = 2;
        var unsigned = next.ToJson();

        using var changshaOperator = Client(Changsha, CliRoles.Operator);
        var one = NetworkConfigChain.AddSignature(unsigned, Changsha, RootKey(Changsha));
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await changshaOperator.Network.ProposeConfigAsync(
            new ProposeNetworkConfigRequest { Document = System.Text.Encoding.UTF8.GetBytes(one) }, changshaOperator.Options()));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("majority", refused.Status.Detail);

        var two = NetworkConfigChain.AddSignature(one, Xiangtan, RootKey(Xiangtan));
        var accepted = await changshaOperator.Network.ProposeConfigAsync(new ProposeNetworkConfigRequest { Document = System.Text.Encoding.UTF8.GetBytes(two) }, changshaOperator.Options());
        Assert.Equal(2, accepted.Version);
        foreach (var city in new[] { Changsha, Zhuzhou, Xiangtan })
        {
            using var auditor = Client(city, CliRoles.Auditor);
            var sw = Stopwatch.StartNew();
            NetworkConfigResponse config;
            while ((config = await auditor.Network.GetConfigAsync(new GetNetworkConfigRequest(), auditor.Options())).Version < 2)
            {
                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"{city} still at version {config.Version}");
                await Task.Delay(100);
            }
            Assert.Equal(2, NetworkConfig.Parse(System.Text.Encoding.UTF8.GetString(config.Document)).WitnessThreshold);
        }

        // In force across a restart, re-checked from the genesis.
        Nodes[Zhuzhou].Stop();
        await Nodes[Zhuzhou].StartAsync();
        using var zhuzhouAuditor = Client(Zhuzhou, CliRoles.Auditor);
        Assert.Equal(2, (await zhuzhouAuditor.Network.GetConfigAsync(new GetNetworkConfigRequest(), zhuzhouAuditor.Options())).Version);
    }

    [Fact]
    public async Task Peers_must_present_a_certificate_of_the_configuration()
    {
        var changshaDir = Path.Combine(Dir, Changsha);
        var peerKey = SigningKey.FromPem(File.ReadAllText(Path.Combine(changshaDir, "keys", "witness-ed25519.pem")));
        var zhuzhou = new Uri(Profile.City(Zhuzhou).Endpoint);
        var request = new CheckpointRequest();

        // The right peer key but no certificate: refused.
        using (var noCertificate = new HurenClient(zhuzhou, new ClientIdentity($"node-{Changsha}", peerKey, Zhuzhou), TimeSpan.FromSeconds(5), PinnedTls.CreateHandler(Trusted)))
        {
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await noCertificate.Ledger.GetCheckpointAsync(request, noCertificate.Options()));
            Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
            Assert.Contains("certificate", ex.Status.Detail);
        }

        // A certificate outside the configuration: the TLS handshake itself is refused.
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var csr = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=intruder", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var intruder = csr.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        using var outsider = new HurenClient(zhuzhou, new ClientIdentity($"node-{Changsha}", peerKey, Zhuzhou), TimeSpan.FromSeconds(5), PinnedTls.CreateHandler(Trusted, intruder));
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await outsider.Ledger.GetCheckpointAsync(request, outsider.Options()));
        // With TLS 1.3 the server refuses the client certificate after the client has finished its side of the
        // handshake: the client sees either a failed connection (UNAVAILABLE) or its first request's stream torn down
        // (INTERNAL), depending on timing (seen about once in five runs). Either way nothing was answered.
        Assert.Contains(refused.StatusCode, new[] { StatusCode.Unavailable, StatusCode.Internal });

        // The member's own certificate and key: accepted.
        using var changshaCertificate = PinnedTls.LoadCertificate(Path.Combine(changshaDir, "keys", "tls.crt.pem"), Path.Combine(changshaDir, "keys", "tls.key.pem"));
        using var member = new HurenClient(zhuzhou, new ClientIdentity($"node-{Changsha}", peerKey, Zhuzhou), TimeSpan.FromSeconds(5), PinnedTls.CreateHandler(Trusted, changshaCertificate));
        var answer = await member.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = $"huren.cz-t/{Zhuzhou}" }, member.Options());
        Assert.Equal($"huren.cz-t/{Zhuzhou}", answer.Origin);
    }

    [Fact]
    public async Task An_empty_logs_final_size_0_checkpoint_is_served_by_its_mirrors_too()
    {
        // Nobody writes to Xiangtan's log: its node signs a size-0 checkpoint (root SHA-256 of nothing) that the other
        // members cosign; Changsha's and Zhuzhou's mirrors must serve that note, not answer NOT_FOUND.
        var origin = $"huren.cz-t/{Xiangtan}";
        var member = Genesis.ByOrigin(origin)!;
        foreach (var city in new[] { Xiangtan, Changsha, Zhuzhou })
        {
            using var auditor = Client(city, CliRoles.Auditor);
            var sw = Stopwatch.StartNew();
            CheckpointResponse? answer = null;
            string last = "";
            while (answer is null)
            {
                try
                {
                    var response = await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = origin }, auditor.Options());
                    var check = member.VerifyCheckpoint(response.Note);
                    last = check.Failure ?? $"size {check.Checkpoint!.Size}, final {Genesis.Finality(check).IsFinal}";
                    if (check.IsValid && Genesis.Finality(check).IsFinal) answer = response;
                }
                catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
                {
                    last = ex.Status.Detail;
                }
                if (answer is null)
                {
                    Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"{city} serves no final checkpoint of {origin} within 30 s: {last}");
                    await Task.Delay(100);
                }
            }
            Assert.Equal(0UL, answer.Size);
            Assert.Equal(Sdk.Merkle.MerkleHash.EmptyRoot.ToArray(), member.VerifyCheckpoint(answer.Note).Checkpoint!.RootHash.ToArray());
        }
    }

    [Fact]
    public async Task A_forked_checkpoint_is_caught_by_the_witness_and_never_cosigned()
    {
        await RegisterAmrAsync(Changsha);
        using var changshaAuditor = Client(Changsha, CliRoles.Auditor);
        CheckpointResponse latest;
        do
        {
            await Task.Delay(100);
            latest = await changshaAuditor.Ledger.GetCheckpointAsync(new CheckpointRequest(), changshaAuditor.Options());
        }
        // Both witnesses must hold this size: the collector asks each on its own, and a witness still at an older size
        // answers a fork offered from this size with a size conflict rather than catching it.
        while (!SignedNote.Parse(latest.Note).Signatures.Any(s => s.Name == CosignatureSigner.WitnessNameFor($"huren.cz-t/{Zhuzhou}"))
            || !SignedNote.Parse(latest.Note).Signatures.Any(s => s.Name == CosignatureSigner.WitnessNameFor($"huren.cz-t/{Xiangtan}")));

        // A second, different checkpoint for the same size, signed with Changsha's own log keys (Ed25519 and SM2: a
        // witness requires every line of a key the configuration lists, so a fork must carry both to be one).
        var changshaDir = Path.Combine(Dir, Changsha);
        var logKey = SigningKey.FromPem(File.ReadAllText(Path.Combine(changshaDir, "keys", "log-ed25519.pem")));
        var sm2Key = SigningKey.FromPem(File.ReadAllText(Path.Combine(changshaDir, "keys", "log-sm2.pem")));
        var forked = new CheckpointSigner($"huren.cz-t/{Changsha}", logKey, sm2Key).Sign(latest.Size, new byte[32]).ToString();
        var peerKey = SigningKey.FromPem(File.ReadAllText(Path.Combine(changshaDir, "keys", "witness-ed25519.pem")));
        using var changshaCertificate = PinnedTls.LoadCertificate(Path.Combine(changshaDir, "keys", "tls.crt.pem"), Path.Combine(changshaDir, "keys", "tls.key.pem"));
        foreach (var witnessCity in new[] { Zhuzhou, Xiangtan })
        {
            using var asChangsha = new HurenClient(new Uri(Profile.City(witnessCity).Endpoint), new ClientIdentity($"node-{Changsha}", peerKey, witnessCity), null,
                PinnedTls.CreateHandler(Trusted, changshaCertificate));
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await asChangsha.Witness.AddCheckpointAsync(
                new AddCheckpointRequest { OldSize = latest.Size, Note = forked }, asChangsha.Options()));
            Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
            using var auditor = Client(witnessCity, CliRoles.Auditor);
            var seen = await auditor.Witness.ListEquivocationsAsync(new EquivocationsRequest(), auditor.Options());
            var equivocation = Assert.Single(seen.Equivocations);
            Assert.Equal($"huren.cz-t/{Changsha}", equivocation.Origin);
            Assert.Contains(forked.Split('\n')[2], equivocation.ConflictingNote);
        }
    }
}
