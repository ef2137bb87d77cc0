using Grpc.Core;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Node.Tests.Integration;

/// <summary>The whole license lifecycle and every rejection rule, over real loopback gRPC against a real node.</summary>
public sealed class LifecycleTests : IAsyncLifetime
{
    private TestNode _node = null!;
    private readonly SigningKey _amrKey = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync();
        using var op = _node.Client("operator");
        await SubmitAsync(op, RootEntry(EntryKinds.IssuerRegister, TestNode.AmrIssuer,
            LedgerBodies.Issuer(TestNode.AmrIssuer, LedgerBodies.ChangshaAmrCode, _amrKey.PublicKey, [LedgerBodies.BusinessLicenseType], ["2"], mayShare: true)));
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static Entry MakeEntry<T>(string kind, string recordId, string issuerId, T body, params EntryReference[] references) where T : class
        => Entry.Create(kind, TestNode.Origin, recordId, issuerId, body, DateTimeOffset.UtcNow, references);

    private byte[] RootEntry<T>(string kind, string recordId, T body, params EntryReference[] references) where T : class
        => EntrySigner.SignToLeaf(MakeEntry(kind, recordId, TestNode.RootId, body, references), _node.RootKey);

    /// <summary>The license's latest entry, which its next change, status change or transfer names as 'previous'.</summary>
    private async Task<EntryReference> PreviousAsync(string licenseId)
    {
        using var auditor = _node.Client("auditor");
        return await auditor.LatestLicenseEntryAsync(licenseId);
    }

    private byte[] AmrEntry<T>(string kind, string recordId, T body, params EntryReference[] references) where T : class
        => EntrySigner.SignToLeaf(MakeEntry(kind, recordId, TestNode.AmrIssuer, body, references), _amrKey);

    private static async Task<SubmitResponse> SubmitAsync(HurenClient client, byte[] leaf)
        => await client.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaf }, client.Options());

    private static async Task<RpcException> RejectedAsync(HurenClient client, byte[] leaf, StatusCode code, string messagePart)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => SubmitAsync(client, leaf));
        Assert.True(ex.StatusCode == code, $"expected {code}, got {ex.StatusCode}: {ex.Status.Detail}");
        Assert.Contains(messagePart, ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
        return ex;
    }

    private async Task<string> IssueAsync(string serial, string validFrom = "2024-03-01", string validUntil = "")
    {
        using var amr = _node.Client("amr");
        var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, serial, validFrom, validUntil);
        await SubmitAsync(amr, AmrEntry(EntryKinds.LicenseIssue, body.LicenseId, body));
        return body.LicenseId;
    }

    private async Task<VerdictResponse> VerifyAsync(string licenseId)
    {
        using var counter = _node.Client("counter");
        return await counter.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = licenseId }, counter.Options());
    }

    private NoteVerifierKey LogKey()
    {
        using var _ = new HurenClient(_node.Endpoint, null);
        var signer = (Huren.Node.Checkpoints.NodeCheckpointSigner)_node.Services.GetService(typeof(Huren.Node.Checkpoints.NodeCheckpointSigner))!;
        return signer.LogVerifierKey;
    }

    /// <summary>The network configuration of this one-node network, as an offline verifier would hold it.</summary>
    private NetworkConfig Network()
    {
        var keys = (Huren.Node.Hosting.NodeKeys)_node.Services.GetService(typeof(Huren.Node.Hosting.NodeKeys))!;
        var config = new NetworkConfig { NetworkId = "cz-t", Name = "test", WitnessThreshold = 0 };
        config.Members.Add(new NetworkMember
        {
            CityCode = TestNode.City, Name = "长沙", Origin = TestNode.Origin, LogKey = LogKey().ToString(),
            WitnessKey = NoteVerifierKey.ForCosigner(TestNode.Origin + "/witness", keys.WitnessKey.PublicKey).ToString(),
            RootKey = _node.RootKey.PublicKey.ToPem(), Endpoint = _node.Endpoint.ToString(),
        });
        return NetworkConfig.Parse(config.ToJson());
    }

    private static DateOnly Today => LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow);

    /// <summary>What a client checks before it believes a verdict: the checkpoint's signature and every inclusion proof.</summary>
    private void AssertEvidenceVerifies(VerdictResponse verdict)
    {
        var offline = new EvidenceVerifier(Network()).Verify(EvidenceBundle.Parse(verdict.EvidenceBundle), Today);
        Assert.True(offline.IsValid, offline.Failure);
        Assert.Equal(verdict.Verdict, offline.Verdict);

        var bundle = EvidenceBundle.Parse(verdict.EvidenceBundle);
        Assert.Equal(verdict.LicenseId, bundle.Subject);
        var checkpoint = new CheckpointVerifier(LogKey()).Verify(bundle.Checkpoints[TestNode.Origin]);
        Assert.True(checkpoint.IsValid, checkpoint.Failure);
        var root = new Hash256(checkpoint.Checkpoint!.RootHash);
        Assert.NotEmpty(bundle.Entries);
        foreach (var e in bundle.Entries)
        {
            var leaf = Convert.FromBase64String(e.Leaf);
            Assert.Equal(checkpoint.Checkpoint.Size, e.TreeSize);
            var proof = e.InclusionProof.Select(Convert.FromBase64String).ToList();
            Assert.True(MerkleProofVerifier.TryVerifyInclusion(e.Index, e.TreeSize, MerkleHash.LeafHash(leaf).AsSpan(), proof, root.AsSpan(), out var error), error);
        }
        Assert.Contains(bundle.Entries, e => LeafReader.Read(Convert.FromBase64String(e.Leaf)).Entry.Kind == EntryKinds.LicenseIssue);
        Assert.Contains(bundle.Entries, e => LeafReader.Read(Convert.FromBase64String(e.Leaf)).Entry.Kind == EntryKinds.IssuerRegister);
    }

    [Fact]
    public async Task License_lifecycle_gives_every_verdict_with_verifiable_evidence()
    {
        using var amr = _node.Client("amr");
        var id = await IssueAsync("LC0001");
        var valid = await VerifyAsync(id);
        Assert.Equal(LicenseVerdict.Valid, valid.Verdict);
        Assert.Equal(TestNode.AmrIssuer, valid.IssuerId);
        Assert.Equal(LedgerBodies.BusinessLicenseType, valid.TypeCode);
        AssertEvidenceVerifies(valid);

        await SubmitAsync(amr, AmrEntry(EntryKinds.LicenseStatus, id, LedgerBodies.Suspend(id), await PreviousAsync(id)));
        var suspended = await VerifyAsync(id);
        Assert.Equal(LicenseVerdict.Suspended, suspended.Verdict);
        AssertEvidenceVerifies(suspended);
        Assert.Contains(EvidenceBundle.Parse(suspended.EvidenceBundle).Entries, e => LeafReader.Read(Convert.FromBase64String(e.Leaf)).Entry.Kind == EntryKinds.LicenseStatus);

        await SubmitAsync(amr, AmrEntry(EntryKinds.LicenseStatus, id, LedgerBodies.Resume(id), await PreviousAsync(id)));
        Assert.Equal(LicenseVerdict.Valid, (await VerifyAsync(id)).Verdict);

        await SubmitAsync(amr, AmrEntry(EntryKinds.LicenseStatus, id, LedgerBodies.Revoke(id), await PreviousAsync(id)));
        var revoked = await VerifyAsync(id);
        Assert.Equal(LicenseVerdict.Revoked, revoked.Verdict);
        AssertEvidenceVerifies(revoked);
        await RejectedAsync(amr, AmrEntry(EntryKinds.LicenseStatus, id, LedgerBodies.Resume(id)), StatusCode.FailedPrecondition, "revoked");

        var expired = await IssueAsync("LC0002", "2020-01-01", "2021-12-31");
        Assert.Equal(LicenseVerdict.Expired, (await VerifyAsync(expired)).Verdict);
        var future = await IssueAsync("LC0003", "2099-01-01", "2099-12-31");
        Assert.Equal(LicenseVerdict.NotYetValid, (await VerifyAsync(future)).Verdict);

        var moved = await IssueAsync("LC0004");
        await SubmitAsync(amr, AmrEntry(EntryKinds.LicenseTransfer, moved, LedgerBodies.Transfer(moved), await PreviousAsync(moved)));
        Assert.Equal(LicenseVerdict.Transferred, (await VerifyAsync(moved)).Verdict);
        await RejectedAsync(amr, AmrEntry(EntryKinds.LicenseTransfer, moved, LedgerBodies.Transfer(moved, "430300")), StatusCode.FailedPrecondition, "transferred");

        var unknown = await VerifyAsync(LedgerBodies.LicenseId(LedgerBodies.ChangshaAmrCode, "NOSUCH1"));
        Assert.Equal(LicenseVerdict.Unknown, unknown.Verdict);

        using var auditor = _node.Client("auditor");
        var history = await auditor.Licenses.HistoryAsync(new LicenseHistoryRequest { LicenseId = id }, auditor.Options());
        Assert.Equal(4, history.Entries.Count);
        // The same read in a named log (a writer's own, before a change); a log the node does not keep is NOT_FOUND.
        var inOwnLog = await auditor.Licenses.HistoryAsync(new LicenseHistoryRequest { LicenseId = id, Origin = TestNode.Origin }, auditor.Options());
        Assert.Equal(history.Entries.Select(e => e.Index), inOwnLog.Entries.Select(e => e.Index));
        var elsewhere = await Assert.ThrowsAsync<RpcException>(() => auditor.Licenses.HistoryAsync(new LicenseHistoryRequest { LicenseId = id, Origin = "huren.cz-t/439900" }, auditor.Options()).AsTask());
        Assert.Equal((StatusCode.NotFound, "origin huren.cz-t/439900 is not a log this node keeps"), (elsewhere.StatusCode, elsewhere.Status.Detail));
        var trace = await auditor.Trace.TraceAsync(new TraceRequest { RecordId = id }, auditor.Options());
        Assert.Equal(history.Entries.Select(e => e.Index), trace.Entries.Select(e => e.Index));
        var issuers = await auditor.Issuers.ListAsync(new ListIssuersRequest(), auditor.Options());
        Assert.Contains(issuers.Issuers, i => i.IssuerId == TestNode.AmrIssuer && i.LicenseTypeCodes.Contains(LedgerBodies.BusinessLicenseType));
    }

    [Fact]
    public async Task A_successor_revokes_a_license_of_a_revoked_issuer_and_the_evidence_names_the_succession()
    {
        using var op = _node.Client("operator");
        using var other = _node.Client("other");
        var otherKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        await SubmitAsync(op, RootEntry(EntryKinds.IssuerRegister, "430100-other",
            LedgerBodies.Issuer("430100-other", LedgerBodies.Uscc("11430100HUREN0109"), otherKey.PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: false)));
        var id = await IssueAsync("SC0001");
        var kept = await IssueAsync("SC0002");
        await SubmitAsync(op, RootEntry(EntryKinds.IssuerRevoke, TestNode.AmrIssuer, new IssuerRevoked { IssuerId = TestNode.AmrIssuer, Reason = "机构改革撤并" }));
        var succession = await SubmitAsync(op, RootEntry(EntryKinds.IssuerSucceed, TestNode.AmrIssuer, LedgerBodies.Succession(TestNode.AmrIssuer, "430100-other")));
        await SubmitAsync(other, EntrySigner.SignToLeaf(MakeEntry(EntryKinds.LicenseStatus, id, "430100-other", LedgerBodies.Revoke(id), await PreviousAsync(id)), otherKey));

        var revoked = await VerifyAsync(id);
        Assert.Equal(LicenseVerdict.Revoked, revoked.Verdict);
        Assert.Contains($"by 430100-other, successor of 430100-amr under the succession at index {succession.Index}", revoked.Reason, StringComparison.Ordinal);
        var offline = new EvidenceVerifier(Network()).Verify(EvidenceBundle.Parse(revoked.EvidenceBundle), Today);
        Assert.True(offline.IsValid, offline.Failure);
        Assert.Equal("430100-other", offline.ActedBy);
        Assert.Equal((succession.Index, TestNode.AmrIssuer, "430100-other"), Assert.Single(offline.ActedUnder) is var s ? (s.Index, s.PredecessorId, s.SuccessorId) : default);

        // The city root, as a last resort, suspends the other license; the evidence says so.
        await SubmitAsync(op, RootEntry(EntryKinds.LicenseStatus, kept, LedgerBodies.Suspend(kept), await PreviousAsync(kept)));
        var suspended = await VerifyAsync(kept);
        Assert.Contains("by the city root 430100-root (last resort)", suspended.Reason, StringComparison.Ordinal);
        var rootOffline = new EvidenceVerifier(Network()).Verify(EvidenceBundle.Parse(suspended.EvidenceBundle), Today);
        Assert.True(rootOffline.IsValid, rootOffline.Failure);
        Assert.True(rootOffline.ActedByCityRoot);
    }

    [Fact]
    public async Task A_malformed_license_id_is_answered_as_a_typo_not_as_unknown()
    {
        using var counter = _node.Client("counter");
        var id = await IssueAsync("TY0001");
        var typo = id[..^1] + (id[^1] == '0' ? '1' : '0');
        var ex = await Assert.ThrowsAsync<RpcException>(() => counter.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = typo }, counter.Options()).AsTask());
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains($"check character should be {id[^1]}, not {typo[^1]}", ex.Status.Detail, StringComparison.Ordinal);
        var abc = await Assert.ThrowsAsync<RpcException>(() => counter.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = "abc" }, counter.Options()).AsTask());
        Assert.Equal("'abc' is not a well-formed 证照标识 (GB/T 36904): license id: must start with the e-license root 1.2.156.3005.2.", abc.Status.Detail);
        Assert.DoesNotContain("license_id", abc.Status.Detail, StringComparison.Ordinal);
        // A time a date holds but not once moved to China Standard Time, where the verdict's day is taken.
        var lastHours = new DateTimeOffset(9999, 12, 31, 20, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var never = await Assert.ThrowsAsync<RpcException>(() => counter.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = id, AtUnixMs = lastHours }, counter.Options()).AsTask());
        Assert.Equal(StatusCode.InvalidArgument, never.StatusCode);
        Assert.StartsWith("at_unix_ms: must be a Unix time in milliseconds no later than", never.Status.Detail, StringComparison.Ordinal);
        // At the latest valid time the license is judged (as of that day, in China Standard Time).
        var last = await counter.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = id, AtUnixMs = EntryLimits.MaxTimeUnixMs }, counter.Options());
        Assert.Equal(id, last.LicenseId);
    }

    [Fact]
    public async Task Every_rejection_rule_answers_its_status_and_leaves_the_log_unchanged()
    {
        using var amr = _node.Client("amr");
        using var op = _node.Client("operator");
        var id = await IssueAsync("RJ0001");
        using var auditor = _node.Client("auditor");
        var before = await auditor.Ledger.GetEntriesAsync(new GetEntriesRequest { Start = 0, Count = 1000 }, auditor.Options());

        // Schema: a body that fails the validators.
        var bad = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "RJ0002");
        bad.HolderCode = "not-a-code";
        await RejectedAsync(amr, AmrEntry(EntryKinds.LicenseIssue, bad.LicenseId, bad), StatusCode.InvalidArgument, "holderCode");
        // Same license twice.
        var again = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "RJ0001");
        await RejectedAsync(amr, AmrEntry(EntryKinds.LicenseIssue, again.LicenseId, again), StatusCode.AlreadyExists, id);
        // Status change of a license that does not exist.
        var ghost = LedgerBodies.LicenseId(LedgerBodies.ChangshaAmrCode, "GHOST01");
        await RejectedAsync(amr, AmrEntry(EntryKinds.LicenseStatus, ghost, LedgerBodies.Suspend(ghost)), StatusCode.NotFound, "GHOST01");
        // A reference to an entry that does not exist.
        var use = LedgerBodies.Use(id);
        await RejectedAsync(amr, AmrEntry(EntryKinds.LicenseUse, id, use, new EntryReference { Origin = TestNode.Origin, Index = 9999, LeafHash = new byte[32], Relation = "license" }),
            StatusCode.NotFound, "references[0]");
        // Unknown signer.
        var stranger = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        var strangerBody = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "RJ0003");
        await RejectedAsync(amr, EntrySigner.SignToLeaf(MakeEntry(EntryKinds.LicenseIssue, strangerBody.LicenseId, TestNode.AmrIssuer, strangerBody), stranger), StatusCode.PermissionDenied, "unknown");
        // Forged signature: valid entry, signature bytes altered.
        var forged = EntrySigner.Sign(MakeEntry(EntryKinds.LicenseIssue, strangerBody.LicenseId, TestNode.AmrIssuer, strangerBody), _amrKey);
        forged.Signature[^3] ^= 0x40;
        await RejectedAsync(amr, CanonicalCodec.Encode(forged), StatusCode.PermissionDenied, "signature");
        // Another city's entry replayed here.
        var foreign = MakeEntry(EntryKinds.LicenseIssue, strangerBody.LicenseId, TestNode.AmrIssuer, strangerBody);
        foreign.Origin = "huren.cz-t/430200";
        await RejectedAsync(amr, EntrySigner.SignToLeaf(foreign, _amrKey), StatusCode.InvalidArgument, "origin");
        // A time no date holds (it failed as UNKNOWN where the rules read it as a date).
        var late = MakeEntry(EntryKinds.LicenseIssue, strangerBody.LicenseId, TestNode.AmrIssuer, strangerBody);
        late.TimeUnixMs = long.MaxValue;
        await RejectedAsync(amr, EntrySigner.SignToLeaf(late, _amrKey), StatusCode.InvalidArgument, "timeUnixMs: must be a positive Unix time in milliseconds no later than");
        // The latest valid time gets as far as the clock check, which refuses it as too far ahead.
        late.TimeUnixMs = EntryLimits.MaxTimeUnixMs;
        await RejectedAsync(amr, EntrySigner.SignToLeaf(late, _amrKey), StatusCode.InvalidArgument, "timeUnixMs");
        // A license whose type code disagrees with its identifier's type part is refused by the schema.
        var mixed = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "RJ0004");
        var otherType = Huren.Schemas.Catalog.LicenseTypeCatalog.All.First(t => t.Code != LedgerBodies.BusinessLicenseType);
        await RejectedAsync(amr, AmrEntry(EntryKinds.LicenseIssue, mixed.LicenseId, WithType(mixed, otherType.Code)), StatusCode.InvalidArgument, "typeCode");
        // A client submitting for an issuer it does not act for.
        using var other = _node.Client("other");
        await RejectedAsync(other, AmrEntry(EntryKinds.LicenseStatus, id, LedgerBodies.Suspend(id)), StatusCode.PermissionDenied, "acts for issuer");
        // Unauthenticated and wrong-role calls.
        using var anonymous = _node.Anonymous();
        Assert.Equal(StatusCode.Unauthenticated, (await Assert.ThrowsAsync<RpcException>(() => SubmitAsync(anonymous, AmrEntry(EntryKinds.LicenseStatus, id, LedgerBodies.Suspend(id))))).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, (await Assert.ThrowsAsync<RpcException>(() => SubmitAsync(auditor, AmrEntry(EntryKinds.LicenseStatus, id, LedgerBodies.Suspend(id))))).StatusCode);

        // Revoke the issuer: its entries are refused afterwards; its configured client is no longer let in at all (the
        // ledger's own refusal of a revoked issuer's entry is IssuerRulesTests').
        await SubmitAsync(op, RootEntry(EntryKinds.IssuerRevoke, TestNode.AmrIssuer, new IssuerRevoked { IssuerId = TestNode.AmrIssuer, Reason = "机构撤并" }));
        await RejectedAsync(amr, AmrEntry(EntryKinds.LicenseStatus, id, LedgerBodies.Suspend(id)), StatusCode.Unauthenticated, "which this node's log has revoked");

        var after = await auditor.Ledger.GetEntriesAsync(new GetEntriesRequest { Start = 0, Count = 1000 }, auditor.Options());
        Assert.Equal(before.TreeSize + 1, after.TreeSize); // only the issuer revocation was appended
        for (var i = 0; i < before.Entries.Count; i++) Assert.Equal(before.Entries[i].Leaf, after.Entries[i].Leaf);
    }

    private static LicenseIssued WithType(LicenseIssued body, string typeCode)
    {
        body.TypeCode = typeCode;
        return body;
    }

    [Fact]
    public async Task Streamed_submissions_are_answered_in_order_and_counted_in_metrics()
    {
        using var amr = _node.Client("amr");
        var leaves = Enumerable.Range(0, 150).Select(i =>
        {
            var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, $"ST{i:D4}");
            return AmrEntry(EntryKinds.LicenseIssue, body.LicenseId, body);
        }).ToList();
        async IAsyncEnumerable<SubmitRequest> Requests()
        {
            foreach (var leaf in leaves)
            {
                await Task.Yield();
                yield return new SubmitRequest { SignedEntry = leaf };
            }
        }
        var answers = new List<SubmitResponse>();
        await foreach (var answer in amr.Ledger.SubmitStreamAsync(Requests(), amr.Options())) answers.Add(answer);
        Assert.Equal(leaves.Count, answers.Count);
        for (var i = 0; i < leaves.Count; i++) Assert.Equal(MerkleHash.LeafHash(leaves[i]).ToArray(), answers[i].LeafHash);
        Assert.Equal(answers.Count, answers.Select(a => a.Index).Distinct().Count());

        using var http = new HttpClient { DefaultRequestVersion = System.Net.HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var metrics = await http.GetStringAsync(new Uri(_node.Endpoint, "/metrics"));
        Assert.Contains("huren_entries_appended_total", metrics);
        Assert.Contains("huren_batch_size", metrics);
    }

    [Fact]
    public async Task Tampered_evidence_is_refused_offline_with_the_reason()
    {
        var id = await IssueAsync("EV0001");
        var verdict = await VerifyAsync(id);
        var verifier = new EvidenceVerifier(Network());
        Assert.True(verifier.Verify(EvidenceBundle.Parse(verdict.EvidenceBundle), Today).IsValid);

        var lied = EvidenceBundle.Parse(verdict.EvidenceBundle);
        lied.Verdict.Status = "REVOKED";
        Assert.Contains("states REVOKED", verifier.Verify(lied, Today).Failure);

        var flipped = EvidenceBundle.Parse(verdict.EvidenceBundle);
        var leaf = Convert.FromBase64String(flipped.Entries[^1].Leaf);
        leaf[leaf.Length / 2] ^= 1;
        flipped.Entries[^1].Leaf = Convert.ToBase64String(leaf);
        Assert.Contains("inclusion proof", verifier.Verify(flipped, Today).Failure);

        var dropped = EvidenceBundle.Parse(verdict.EvidenceBundle);
        dropped.Entries.RemoveAll(e => LeafReader.Read(Convert.FromBase64String(e.Leaf)).Entry.Kind == EntryKinds.IssuerRegister);
        Assert.Contains("no registration", verifier.Verify(dropped, Today).Failure);

        var forgedNote = EvidenceBundle.Parse(verdict.EvidenceBundle);
        forgedNote.Checkpoints[TestNode.Origin] = forgedNote.Checkpoints[TestNode.Origin].Replace("\n" + forgedNote.Entries[0].TreeSize + "\n", "\n" + (forgedNote.Entries[0].TreeSize + 1) + "\n", StringComparison.Ordinal);
        Assert.Contains("checkpoint", verifier.Verify(forgedNote, Today).Failure);

        var doubled = EvidenceBundle.Parse(verdict.EvidenceBundle);
        doubled.Entries.Add(doubled.Entries[^1]);
        Assert.Contains("appears twice", verifier.Verify(doubled, Today).Failure);

        var misdated = EvidenceBundle.Parse(verdict.EvidenceBundle);
        misdated.Verdict.AsOf.Size += 1000;
        Assert.Contains("the verdict is stated as of", verifier.Verify(misdated, Today).Failure);

        var elsewhere = EvidenceBundle.Parse(verdict.EvidenceBundle);
        elsewhere.Verdict.AsOf.Origin = "huren.cz-t/430200";
        Assert.Contains("the license's log is " + TestNode.Origin, verifier.Verify(elsewhere, Today).Failure);

        var nulls = verdict.EvidenceBundle.Replace("\"checkpoints\": {", "\"checkpoints\": null, \"unused\": {", StringComparison.Ordinal);
        Assert.Contains("checkpoints is missing or null", Assert.Throws<FormatException>(() => EvidenceBundle.Parse(nulls)).Message);
    }

    [Fact]
    public async Task Restart_keeps_verdicts_traces_and_checkpoints()
    {
        var id = await IssueAsync("RS0001");
        using (var amr = _node.Client("amr")) await SubmitAsync(amr, AmrEntry(EntryKinds.LicenseStatus, id, LedgerBodies.Suspend(id), await PreviousAsync(id)));
        var verdictBefore = await VerifyAsync(id);
        CheckpointResponse checkpointBefore;
        TraceResponse traceBefore;
        using (var auditor = _node.Client("auditor"))
        {
            checkpointBefore = await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options());
            traceBefore = await auditor.Trace.TraceAsync(new TraceRequest { RecordId = id }, auditor.Options());
        }

        await _node.RestartAsync();

        var verdictAfter = await VerifyAsync(id);
        Assert.Equal(verdictBefore.Verdict, verdictAfter.Verdict);
        Assert.Equal(verdictBefore.Reason, verdictAfter.Reason);
        using var auditorAfter = _node.Client("auditor");
        var checkpointAfter = await auditorAfter.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditorAfter.Options());
        Assert.Equal(checkpointBefore.Size, checkpointAfter.Size);
        Assert.Equal(checkpointBefore.Note, checkpointAfter.Note);
        var traceAfter = await auditorAfter.Trace.TraceAsync(new TraceRequest { RecordId = id }, auditorAfter.Options());
        Assert.Equal(traceBefore.Entries.Select(e => (e.Index, Convert.ToBase64String(e.Leaf))), traceAfter.Entries.Select(e => (e.Index, Convert.ToBase64String(e.Leaf))));
        AssertEvidenceVerifies(verdictAfter);
    }
}
