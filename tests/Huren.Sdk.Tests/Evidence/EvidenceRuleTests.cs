using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// Every rejection rule of <see cref="EvidenceVerifier"/>, one row each, over three in-memory city logs built with the
/// SDK's own signer, tree and cosigner: each row starts from a bundle the verifier accepts (a license issued in
/// Changsha, or transferred from Changsha to Zhuzhou), breaks exactly one rule, and must be refused with its reason.
/// </summary>
public sealed class EvidenceRuleTests
{
    private static readonly DateOnly Today = new(2025, 1, 1);

    /// <summary>The license every row is about (the one <see cref="EvidenceLogs"/> issues).</summary>
    private static readonly string Id = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000001").LicenseId;

    public static TheoryData<string> Rules()
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases.Keys) data.Add(name);
        return data;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_license_moved_through_three_cities_and_back_verifies_hop_by_hop(bool renamedOnReturn)
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var (bundle, subject) = logs.ChainBundle(renamedOnReturn);
        var result = logs.Verify(bundle);
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal((LicenseVerdict.Valid, EvidenceLogs.Cs, subject, "430100-amr"), (result.Verdict, result.Origin, result.Subject, result.IssuerId));
        Assert.Equal([EntryKinds.LicenseIssue, EntryKinds.LicenseTransfer, EntryKinds.LicenseTransferAccept, EntryKinds.LicenseTransfer,
            EntryKinds.LicenseTransferAccept, EntryKinds.LicenseTransfer, EntryKinds.LicenseTransferAccept, EntryKinds.LicenseChange], result.History.Select(e => e.Kind));
        Assert.Equal(
            [(EvidenceLogs.Cs, EvidenceLogs.Zz), (EvidenceLogs.Zz, EvidenceLogs.Xt), (EvidenceLogs.Xt, EvidenceLogs.Cs)],
            result.Hops.Select(h => (h.FromOrigin, h.ToOrigin)));
        Assert.Equal(subject, result.Hops[^1].ToLicenseId);
        Assert.Equal(result.LicenseEntry!.Index, result.Hops[^1].AcceptIndex);
        Assert.True(result.StatusProven);
    }

    [Fact]
    public void A_chain_bundle_with_a_hop_removed_is_refused_with_the_missing_transfer()
    {
        var logs = new EvidenceLogs();
        var (bundle, _) = logs.ChainBundle(renamedOnReturn: true);
        // Zhuzhou's hop (its accept and its transfer) cut out: Xiangtan's accept references a transfer the bundle lacks.
        bundle.Entries.RemoveAll(e => e.Origin == EvidenceLogs.Zz && e.Index > 0);
        var result = logs.Verify(bundle);
        Assert.False(result.IsValid);
        Assert.Equal($"the bundle lacks the transfer entry {EvidenceLogs.Zz}#2 that {EvidenceLogs.Xt}#1 references", result.Failure);
    }

    [Fact]
    public void A_chain_bundle_whose_hops_are_out_of_order_is_refused()
    {
        var logs = new EvidenceLogs();
        var (bundle, _) = logs.ChainBundle(renamedOnReturn: true, zhuzhouTransfersBeforeItAccepts: true);
        var result = logs.Verify(bundle);
        Assert.False(result.IsValid);
        Assert.Equal($"the hops of '{Id}' in {EvidenceLogs.Zz} are out of order: its transfer {EvidenceLogs.Zz}#1 precedes its acceptance at #2", result.Failure);
    }

    [Fact]
    public void A_chain_bundle_cut_before_its_last_hop_is_refused_and_reads_transferred_where_it_stops()
    {
        var logs = new EvidenceLogs();
        var (bundle, _) = logs.ChainBundle(renamedOnReturn: false);
        // Changsha's return (its accept and the change after it) cut out: the license last stands transferred out of Xiangtan.
        bundle.Entries.RemoveAll(e => e.Origin == EvidenceLogs.Cs && e.Index > 2);
        var result = logs.Verify(bundle);
        Assert.False(result.IsValid);
        Assert.Equal($"the verdict is stated as of {EvidenceLogs.Cs} size 5, but the license's log is {EvidenceLogs.Xt} with checkpoint size 3", result.Failure);
        // Stated as of Xiangtan, it is authentic evidence of a license transferred out of Xiangtan, never of a valid one.
        bundle.Verdict.AsOf = new BundleCheckpointRef { Origin = EvidenceLogs.Xt, Size = 3 };
        Assert.Equal("the bundle states VALID, its entries give TRANSFERRED as of its day 2024-06-01", logs.Verify(bundle).Failure);
        bundle.Verdict.Status = "TRANSFERRED";
        var transferred = logs.Verify(bundle);
        Assert.True(transferred.IsValid, transferred.Failure);
        Assert.Equal((LicenseVerdict.Transferred, 2), (transferred.Verdict, transferred.Hops.Count));
    }

    [Fact]
    public void The_unbroken_bundles_verify()
    {
        var logs = new EvidenceLogs();
        var local = logs.Verify(logs.LocalBundle());
        Assert.True(local.IsValid, local.Failure);
        Assert.Equal(LicenseVerdict.Valid, local.Verdict);
        Assert.True(local.Final);
        var moved = new EvidenceLogs();
        var transferred = moved.Verify(moved.TransferBundle());
        Assert.True(transferred.IsValid, transferred.Failure);
        Assert.Equal(LicenseVerdict.Valid, transferred.Verdict);
        Assert.Equal(EvidenceLogs.Zz, transferred.Origin);
    }

    [Fact]
    public void An_authentic_bundle_of_a_license_expired_since_is_valid_as_of_its_day_and_reads_expired_on_a_later_one()
    {
        // Made on 2024-06-01 (its createdAt, China time) for a license valid until 2024-12-31, checked on 2025-01-01.
        var logs = new EvidenceLogs(validUntil: "2024-12-31");
        var bundle = logs.LocalBundle();
        var now = logs.Verify(bundle);
        Assert.True(now.IsValid, now.Failure);
        Assert.Equal(LicenseVerdict.Expired, now.Verdict);
        Assert.Equal(Today, now.Day);
        Assert.Equal(LicenseVerdict.Valid, now.AsOfVerdict);
        Assert.Equal(new DateOnly(2024, 6, 1), now.AsOfDay);

        // --at a day inside the validity: both agree.
        var then = logs.Verify(bundle, new DateOnly(2024, 7, 1));
        Assert.True(then.IsValid, then.Failure);
        Assert.Equal(LicenseVerdict.Valid, then.Verdict);
        Assert.Equal(LicenseVerdict.Valid, then.AsOfVerdict);

        // Authenticity is judged on the bundle's own day: stating EXPIRED for 2024-06-01 is a lie even on 2025-01-01,
        // and a createdAt moved past the end makes the stated VALID a lie too.
        bundle.Verdict.Status = "EXPIRED";
        Assert.Equal("the bundle states EXPIRED, its entries give VALID as of its day 2024-06-01", logs.Verify(bundle).Failure);
        bundle.Verdict.Status = "VALID";
        bundle.CreatedAt = new DateTimeOffset(2025, 1, 1, 0, 30, 0, TimeSpan.FromHours(8));
        Assert.Equal("the bundle states VALID, its entries give EXPIRED as of its day 2025-01-01", logs.Verify(bundle).Failure);
    }

    [Fact]
    public void With_a_status_map_a_trimmed_bundle_a_missing_proof_and_a_tampered_proof_are_refused()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var (bundle, revocation) = logs.RevokedBundle();
        EvidenceBundle Copy() => EvidenceBundle.Parse(bundle.ToJson());
        var honest = logs.Verify(bundle);
        Assert.True(honest.IsValid, honest.Failure);
        Assert.Equal(LicenseVerdict.Revoked, honest.Verdict);
        Assert.True(honest.StatusProven);
        Assert.Equal(3UL, honest.CheckpointSize);
        Assert.Equal(EvidenceLogs.At.AddMinutes(30), honest.CosignedAt);

        // The trimmed-bundle attack: the revocation deleted, the verdict restated VALID.
        var trimmed = With(Copy(), b =>
        {
            b.Entries.RemoveAll(e => e.Index == revocation);
            b.Verdict.Status = "VALID";
        });
        var cut = logs.Verify(trimmed);
        Assert.False(cut.IsValid);
        Assert.Equal($"the status map of {EvidenceLogs.Cs} at size 3 proves that the latest state entry of '{logs.LicenseId}' is not {EvidenceLogs.Cs}#1, the latest the bundle shows: "
            + "the bundle leaves out a later entry (e.g. a revocation); ask a node for current evidence", cut.Failure);

        // Its proofs removed as well: refused for the missing proof (the issuer's record comes first).
        var bare = With(trimmed, b => b.StatusProofs.Clear());
        Assert.StartsWith($"the bundle has no status proof for '430100-amr' in {EvidenceLogs.Cs}, whose checkpoint (size 3) has a status map", logs.Verify(bare).Failure, StringComparison.Ordinal);

        // A proof with one byte changed, a proof twice, a proof for a log without a checkpoint in the bundle.
        var tampered = With(Copy(), b =>
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(b.StatusProofs[^1].GetRawText())!;
            var proof = Convert.FromBase64String(node["proof"]!.GetValue<string>());
            proof[^1] ^= 1;
            node["proof"] = Convert.ToBase64String(proof);
            b.StatusProofs[^1] = System.Text.Json.JsonSerializer.SerializeToElement(node);
        });
        // (proofs are in record id order: the license's, then the issuer's)
        Assert.StartsWith("statusProofs[1]: status proof for '430100-amr' refused:", logs.Verify(tampered).Failure, StringComparison.Ordinal);
        var twice = With(Copy(), b => b.StatusProofs.Add(b.StatusProofs[0]));
        Assert.Equal($"statusProofs[2]: a second status proof for '{logs.LicenseId}' in {EvidenceLogs.Cs}", logs.Verify(twice).Failure);
        var stranger = With(Copy(), b =>
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(b.StatusProofs[0].GetRawText())!;
            node["origin"] = EvidenceLogs.Xt;
            b.StatusProofs[0] = System.Text.Json.JsonSerializer.SerializeToElement(node);
        });
        Assert.Equal($"statusProofs[0] is for {EvidenceLogs.Xt}, which has no checkpoint in the bundle", logs.Verify(stranger).Failure);
    }

    [Fact]
    public void A_valid_result_reports_every_fact_of_a_local_license()
    {
        var logs = new EvidenceLogs();
        var result = logs.Verify(logs.LocalBundle());
        Assert.True(result.IsValid, result.Failure);
        Assert.Null(result.Failure);
        Assert.Equal((logs.LicenseId, EvidenceLogs.Cs, "430100-amr", ""), (result.Subject, result.Origin, result.IssuerId, result.ValidUntil));
        Assert.Equal(logs.License.LicenseId, result.License!.LicenseId);
        Assert.Equal(logs.License.DocumentDigest, Assert.Single(result.DocumentDigests));
        Assert.Equal((Today, new DateOnly(2024, 6, 1), LicenseVerdict.Valid), (result.Day, result.AsOfDay, result.AsOfVerdict));
        Assert.Equal(logs.Amr(EvidenceLogs.Cs).PublicKey.SubjectPublicKeyInfo, result.IssuerKey!.SubjectPublicKeyInfo);
        Assert.Equal([EntryKinds.LicenseIssue], result.History.Select(e => e.Kind));
        Assert.Equal(("430100-amr", false), (result.ActedBy, result.ActedByCityRoot));
        Assert.Empty(result.ActedUnder);
        var entry = result.LicenseEntry!;
        Assert.Equal((EvidenceLogs.Cs, 1ul, Relations.License), (entry.Origin, entry.Index, entry.Relation));
        Assert.Equal(logs.LeafHashOf(EvidenceLogs.Cs, 1), entry.LeafHash);
    }

    [Fact]
    public void A_valid_result_of_a_license_transferred_in_reports_the_accepting_log()
    {
        var logs = new EvidenceLogs();
        var result = logs.Verify(logs.TransferBundle());
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal((logs.LicenseId, EvidenceLogs.Zz, "430200-amr", "430200-amr"), (result.Subject, result.Origin, result.IssuerId, result.ActedBy));
        Assert.Equal([EntryKinds.LicenseIssue, EntryKinds.LicenseTransfer, EntryKinds.LicenseTransferAccept], result.History.Select(e => e.Kind));
        Assert.Equal(logs.Amr(EvidenceLogs.Zz).PublicKey.SubjectPublicKeyInfo, result.IssuerKey!.SubjectPublicKeyInfo);
        var entry = result.LicenseEntry!;
        Assert.Equal((EvidenceLogs.Zz, 1ul, Relations.License), (entry.Origin, entry.Index, entry.Relation));
        Assert.Equal(logs.LeafHashOf(EvidenceLogs.Zz, 1), entry.LeafHash);
    }

    [Fact]
    public void A_license_renamed_on_acceptance_is_judged_under_its_new_id_and_the_city_roots_suspension_is_reported()
    {
        var logs = new EvidenceLogs();
        var newId = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000009").LicenseId;
        var result = logs.Verify(logs.TransferBundle(newId: newId, rootSuspendsAfterAccept: true));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal((newId, EvidenceLogs.Zz, "430200-amr", LicenseVerdict.Suspended), (result.Subject, result.Origin, result.IssuerId, result.Verdict));
        Assert.Equal(("430200-root", true), (result.ActedBy, result.ActedByCityRoot));
        Assert.Empty(result.ActedUnder);
        Assert.Equal([EntryKinds.LicenseIssue, EntryKinds.LicenseTransfer, EntryKinds.LicenseTransferAccept, EntryKinds.LicenseStatus], result.History.Select(e => e.Kind));
        Assert.Equal((EvidenceLogs.Zz, 1ul), (result.LicenseEntry!.Origin, result.LicenseEntry.Index));
    }

    [Fact]
    public void Changes_suspensions_and_resumptions_replay_in_log_order()
    {
        var resumed = new EvidenceLogs(validUntil: "2024-12-31");
        var result = resumed.Verify(resumed.ChangedBundle(newValidUntil: "2030-12-31", newDigest: true, suspend: true, resume: true, stated: "VALID"));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(LicenseVerdict.Valid, result.Verdict);
        Assert.Equal("2030-12-31", result.ValidUntil);
        Assert.Equal([resumed.License.DocumentDigest, EvidenceLogs.NewDigest], result.DocumentDigests);
        Assert.Equal([EntryKinds.LicenseIssue, EntryKinds.LicenseChange, EntryKinds.LicenseStatus, EntryKinds.LicenseStatus], result.History.Select(e => e.Kind));

        // A change that sets neither a new end nor a new document keeps both; the license expires on its first end.
        var kept = new EvidenceLogs(validUntil: "2024-12-31");
        result = kept.Verify(kept.ChangedBundle(newValidUntil: "", newDigest: false, suspend: false, resume: false, stated: "VALID"));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(("2024-12-31", LicenseVerdict.Expired, LicenseVerdict.Valid), (result.ValidUntil, result.Verdict, result.AsOfVerdict));
        Assert.Single(result.DocumentDigests);

        var suspended = new EvidenceLogs();
        result = suspended.Verify(suspended.ChangedBundle(newValidUntil: "", newDigest: false, suspend: true, resume: false, stated: "SUSPENDED"));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal((LicenseVerdict.Suspended, LicenseVerdict.Suspended), (result.Verdict, result.AsOfVerdict));
    }

    [Fact]
    public void A_license_transferred_out_reads_transferred_in_the_issuing_log()
    {
        var logs = new EvidenceLogs();
        var result = logs.Verify(logs.TransferredOut());
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal((LicenseVerdict.Transferred, EvidenceLogs.Cs, "430100-amr"), (result.Verdict, result.Origin, result.ActedBy));
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_broken_rule_is_refused_with_its_reason(string rule)
    {
        var (build, reason) = Cases[rule];
        var logs = new EvidenceLogs();
        var result = logs.Verify(build(logs));
        Assert.False(result.IsValid, $"{rule}: accepted");
        // A reason ending in ": " is the verifier's words before another component's (proof, decoder, key parser); else the whole failure.
        if (reason.EndsWith(": ", StringComparison.Ordinal)) Assert.StartsWith(reason, result.Failure, StringComparison.Ordinal);
        else Assert.Equal(reason, result.Failure);
        if (rule == StatedVerdict)
        {
            // Authentic evidence whose stated verdict is wrong: refused, but the recomputed verdict is reported.
            Assert.Equal(LicenseVerdict.Valid, result.Verdict);
            Assert.True(result.Final);
            return;
        }
        Assert.Equal(LicenseVerdict.Unspecified, result.Verdict);
        Assert.False(result.Final);
    }

    private const string StatedVerdict = "stated-verdict-not-the-recomputed-one";

    private static readonly Dictionary<string, (Func<EvidenceLogs, EvidenceBundle> Build, string Reason)> Cases = new(StringComparer.Ordinal)
    {
        ["format"] = (l => With(l.LocalBundle(), b => b.Format = "huren-evidence/v0"), "format 'huren-evidence/v0' is not huren-evidence/v1"),
        ["network"] = (l => With(l.LocalBundle(), b => b.Network = "xx"), "bundle is for network 'xx', the configuration is 'cz-t'"),
        ["subject-missing"] = (l => With(l.LocalBundle(), b => b.Subject = null!), "subject is missing or null"),
        ["checkpoint-of-a-stranger"] = (l => With(l.LocalBundle(), b => b.Checkpoints["huren.cz-t/999999"] = b.Checkpoints[EvidenceLogs.Cs]),
            "checkpoint origin 'huren.cz-t/999999' is not a member of network cz-t"),
        ["checkpoint-of-another-origin"] = (l => With(l.LocalBundle(), b => b.Checkpoints[EvidenceLogs.Zz] = b.Checkpoints[EvidenceLogs.Cs]),
            $"checkpoint of {EvidenceLogs.Zz}: malformed checkpoint: checkpoint origin '{EvidenceLogs.Cs}' is not the expected '{EvidenceLogs.Zz}'"),
        ["entry-without-its-checkpoint"] = (l => With(l.LocalBundle(), b => b.Checkpoints.Remove(EvidenceLogs.Cs)),
            $"entry {EvidenceLogs.Cs}#0 has no checkpoint in the bundle"),
        ["entry-proven-to-another-size"] = (l => With(l.LocalBundle(), b => b.Entries[1].TreeSize = 1), $"entry {EvidenceLogs.Cs}#1 is proven to size 1, the checkpoint is size 2"),
        ["proof-not-base64"] = (l => With(l.LocalBundle(), b => b.Entries[1].InclusionProof[0] = "*"), $"entry {EvidenceLogs.Cs}#1: inclusion proof hash 0 is not canonical standard base64"),
        ["index-moved"] = (l => With(l.LocalBundle(), b => b.Entries[1].Index = 0), $"entry {EvidenceLogs.Cs}#0: inclusion proof does not verify: "),
        ["leaf-of-another-origin"] = (l => l.Single(EvidenceLogs.Cs, Entry.Create(EntryKinds.LicenseIssue, EvidenceLogs.Zz, l.LicenseId, "430100-amr", l.License, EvidenceLogs.At), l.Amr(EvidenceLogs.Cs)),
            $"entry {EvidenceLogs.Cs}#1 names origin '{EvidenceLogs.Zz}'"),
        ["kind-not-in-the-standard"] = (l => l.Single(EvidenceLogs.Cs, WithKind(Entry.Create(EntryKinds.LicenseIssue, EvidenceLogs.Cs, l.LicenseId, "430100-amr", l.License, EvidenceLogs.At), "license.frobnicate"), l.Amr(EvidenceLogs.Cs)),
            $"entry {EvidenceLogs.Cs}#1 is of kind 'license.frobnicate', which the standard does not have"),
        ["body-not-of-its-kind"] = (l => l.Single(EvidenceLogs.Cs, WithBody(Entry.Create(EntryKinds.LicenseIssue, EvidenceLogs.Cs, l.LicenseId, "430100-amr", l.License, EvidenceLogs.At), [0x0a, 0xff, 0xff]), l.Amr(EvidenceLogs.Cs)),
            $"entry {EvidenceLogs.Cs}#1: its license.issue body does not decode: "),
        ["entry-twice"] = (l => With(l.LocalBundle(), b => b.Entries.Add(b.Entries[1])), $"entry {EvidenceLogs.Cs}#1 appears twice"),
        ["registration-not-by-the-root"] = (l => l.Rooted(EvidenceLogs.Cs, l.Amr(EvidenceLogs.Cs), l.Registration(EvidenceLogs.Cs, "430100-amr", l.Amr(EvidenceLogs.Cs).PublicKey.SubjectPublicKeyInfo)),
            $"entry {EvidenceLogs.Cs}#0 (issuer.register): not signed by the city root: signerKeyId does not match the signer's public key"),
        ["registered-key-does-not-parse"] = (l => l.Rooted(EvidenceLogs.Cs, l.Root(EvidenceLogs.Cs), l.Registration(EvidenceLogs.Cs, "430100-amr", [0x30, 0x03, 0x02, 0x01, 0x01])),
            $"entry {EvidenceLogs.Cs}#0 registers issuer '430100-amr' with a key that does not parse: "),
        ["registration-left-out"] = (l => With(l.LocalBundle(), b => b.Entries.RemoveAt(0)), $"entry {EvidenceLogs.Cs}#1: the bundle has no registration of issuer '430100-amr' in {EvidenceLogs.Cs}"),
        ["signed-by-another-key"] = (l => l.Single(EvidenceLogs.Cs, Entry.Create(EntryKinds.LicenseIssue, EvidenceLogs.Cs, l.LicenseId, "430100-amr", l.License, EvidenceLogs.At), l.Amr(EvidenceLogs.Zz)),
            $"entry {EvidenceLogs.Cs}#1: signerKeyId does not match the signer's public key"),
        ["signed-after-its-issuer-was-revoked"] = (l => l.RevokedIssuer(), $"entry {EvidenceLogs.Cs}#2 is signed by issuer '430100-amr', revoked at index 1"),
        ["two-transfer-accepts"] = (l => l.TransferBundle(secondAccept: true), $"the transfer {EvidenceLogs.Cs}#2 is accepted twice in the bundle: by {EvidenceLogs.Zz}#1 and by {EvidenceLogs.Zz}#2"),
        ["accept-from-its-own-log"] = (l => l.TransferBundle(acceptFrom: EvidenceLogs.Zz), $"entry {EvidenceLogs.Zz}#1 accepts a transfer from its own log"),
        ["accept-without-a-transfer-reference"] = (l => l.TransferBundle(reference: false), $"entry {EvidenceLogs.Zz}#1 accepts '{Id}' without referencing the transfer in {EvidenceLogs.Cs}"),
        ["transfer-reference-of-another-relation"] = (l => l.TransferBundle(referenceRelation: Relations.License), $"entry {EvidenceLogs.Zz}#1 accepts '{Id}' without referencing the transfer in {EvidenceLogs.Cs}"),
        ["transfer-reference-to-another-log"] = (l => l.TransferBundle(referenceOrigin: EvidenceLogs.Xt), $"entry {EvidenceLogs.Zz}#1 accepts '{Id}' without referencing the transfer in {EvidenceLogs.Cs}"),
        ["transfer-reference-to-the-issue"] = (l => l.TransferBundle(referenceIndex: 1), $"the bundle lacks the transfer entry {EvidenceLogs.Cs}#1 that {EvidenceLogs.Zz}#1 references"),
        ["transfer-reference-with-another-leaf-hash"] = (l => l.TransferBundle(wrongReferenceHash: true), $"the bundle lacks the transfer entry {EvidenceLogs.Cs}#2 that {EvidenceLogs.Zz}#1 references"),
        ["transfer-reference-to-another-licenses-transfer"] = (l => l.TransferBundle(referenceOtherLicensesTransfer: true), $"the bundle lacks the transfer entry {EvidenceLogs.Cs}#3 that {EvidenceLogs.Zz}#1 references"),
        ["transfer-left-out"] = (l => l.TransferBundle(leaveOutTransfer: true), $"the bundle lacks the transfer entry {EvidenceLogs.Cs}#2 that {EvidenceLogs.Zz}#1 references"),
        ["transferred-elsewhere"] = (l => l.TransferBundle(transferTo: "430300"), $"license '{Id}' was transferred to {EvidenceLogs.Xt}, not to {EvidenceLogs.Zz}"),
        ["entry-after-the-transfer"] = (l => l.TransferBundle(changeAfterTransfer: true), $"entry {EvidenceLogs.Cs}#3 about '{Id}' follows its transfer {EvidenceLogs.Cs}#2"),
        ["entry-in-a-third-log"] = (l => l.TransferBundle(thirdLogEntry: true), $"entry {EvidenceLogs.Xt}#1 about '{Id}' is in a log that did not hold it (its history: {EvidenceLogs.Cs} as '{Id}' → {EvidenceLogs.Zz} as '{Id}')"),
        ["entry-before-the-accept"] = (l => l.TransferBundle(changeBeforeAccept: true), $"entry {EvidenceLogs.Zz}#1 about '{Id}' precedes its acceptance at #2"),
        ["two-logs-without-an-accept"] = (l => l.TwoLogsWithoutAccept(), $"entries about '{Id}' are in {EvidenceLogs.Cs} and {EvidenceLogs.Zz} without a transfer accept joining them"),
        ["issue-left-out"] = (l => With(l.LocalBundle(), b => b.Entries.RemoveAt(1)), $"the bundle has no license.issue entry for '{Id}'"),
        ["as-of-another-origin"] = (l => With(l.LocalBundle(), b => b.Verdict.AsOf.Origin = EvidenceLogs.Zz),
            $"the verdict is stated as of {EvidenceLogs.Zz} size 2, but the license's log is {EvidenceLogs.Cs} with checkpoint size 2"),
        ["as-of-another-size"] = (l => l.TransferBundle(dropAcceptingCheckpointEntries: true), $"the verdict is stated as of {EvidenceLogs.Zz} size 1, but the license's log is {EvidenceLogs.Zz} with checkpoint size 2"),
        [StatedVerdict] = (l => With(l.LocalBundle(), b => b.Verdict.Status = "REVOKED"), "the bundle states REVOKED, its entries give VALID as of its day 2024-06-01"),
    };

    private static EvidenceBundle With(EvidenceBundle bundle, Action<EvidenceBundle> change)
    {
        change(bundle);
        return bundle;
    }

    private static Entry WithKind(Entry entry, string kind)
    {
        entry.Kind = kind;
        return entry;
    }

    private static Entry WithBody(Entry entry, byte[] body)
    {
        entry.Body = body;
        return entry;
    }

    // ---- EvidenceRefresh: a verified bundle checked against a node's refresh answer (docs/status-map.md, "Refreshing evidence").

    [Fact]
    public void A_refresh_with_the_same_latest_state_keeps_the_bundles_verdict_and_reports_the_new_checkpoint()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var bundle = logs.LocalBundle();
        var verified = logs.Verify(bundle);
        Assert.True(verified.IsValid, verified.Failure);
        // Another license issued since: the log grew, the bundle's license did not change.
        logs.Append(EvidenceLogs.Cs, Entry.Create(EntryKinds.LicenseIssue, EvidenceLogs.Cs, LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000002").LicenseId,
            "430100-amr", LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000002"), EvidenceLogs.At.AddDays(1)), logs.Amr(EvidenceLogs.Cs));

        var result = EvidenceRefresh.Check(logs.Network, bundle, verified, logs.Refresh(EvidenceLogs.Cs, logs.LicenseId));

        Assert.True(result.IsValid, result.Failure);
        Assert.Equal((false, LicenseVerdict.Valid, 3UL, (DateTimeOffset?)EvidenceLogs.At.AddHours(2), true, (ulong?)null),
            (result.Changed, result.Verdict, result.CheckpointSize, result.CosignedAt, result.Final, result.EntryIndex));
        Assert.Null(result.Entry);
        Assert.Null(result.Failure);
    }

    [Fact]
    public void A_refresh_of_a_bundle_that_already_shows_the_revocation_is_unchanged()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var (bundle, _) = logs.RevokedBundle();
        var verified = logs.Verify(bundle);
        Assert.True(verified.IsValid, verified.Failure);

        var result = EvidenceRefresh.Check(logs.Network, bundle, verified, logs.Refresh(EvidenceLogs.Cs, logs.LicenseId));

        Assert.True(result.IsValid, result.Failure);
        Assert.Equal((false, LicenseVerdict.Revoked, 3UL), (result.Changed, result.Verdict, result.CheckpointSize));
    }

    public static TheoryData<string, LicenseVerdict> LaterStates() => new()
    {
        { "revoke", LicenseVerdict.Revoked },
        { "suspend", LicenseVerdict.Suspended },
        { "resume", LicenseVerdict.Unspecified },
        { "transfer", LicenseVerdict.Transferred },
        { "change", LicenseVerdict.Unspecified },
    };

    [Theory]
    [MemberData(nameof(LaterStates))]
    public void A_later_state_entry_is_proven_and_settles_the_verdict_it_can(string action, LicenseVerdict expected)
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var bundle = logs.LocalBundle();
        var verified = logs.Verify(bundle);
        Assert.True(verified.IsValid, verified.Failure);
        var id = logs.LicenseId;
        Entry Made<TBody>(string kind, TBody body) => Entry.Create(kind, EvidenceLogs.Cs, id, "430100-amr", body, EvidenceLogs.At.AddDays(1));
        var entry = action switch
        {
            "revoke" => Made(EntryKinds.LicenseStatus, LedgerBodies.Revoke(id)),
            "suspend" => Made(EntryKinds.LicenseStatus, LedgerBodies.Suspend(id)),
            "resume" => Made(EntryKinds.LicenseStatus, LedgerBodies.Resume(id)),
            "transfer" => Made(EntryKinds.LicenseTransfer, LedgerBodies.Transfer(id)),
            _ => Made(EntryKinds.LicenseChange, LedgerBodies.Change(id, "2030-12-31")),
        };
        var index = logs.Append(EvidenceLogs.Cs, entry, logs.Amr(EvidenceLogs.Cs));

        var result = EvidenceRefresh.Check(logs.Network, bundle, verified, logs.Refresh(EvidenceLogs.Cs, id));

        Assert.True(result.IsValid, result.Failure);
        Assert.Equal((true, expected, 3UL, (ulong?)index), (result.Changed, result.Verdict, result.CheckpointSize, result.EntryIndex));
        Assert.Equal((entry.Kind, id, EvidenceLogs.Cs), (result.Entry!.Kind, result.Entry.RecordId, result.Entry.Origin));
    }

    [Fact]
    public void Refresh_answers_that_do_not_hold_are_refused_with_the_reason()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var bundle = logs.LocalBundle();
        var verified = logs.Verify(bundle);
        var before = logs.Refresh(EvidenceLogs.Cs, logs.LicenseId);
        var revocation = logs.Append(EvidenceLogs.Cs, Entry.Create(EntryKinds.LicenseStatus, EvidenceLogs.Cs, logs.LicenseId, "430100-amr",
            LedgerBodies.Revoke(logs.LicenseId), EvidenceLogs.At.AddDays(1)), logs.Amr(EvidenceLogs.Cs));
        var id = logs.LicenseId;
        RefreshResponse Answer(Action<RefreshResponse> change)
        {
            var answer = logs.Refresh(EvidenceLogs.Cs, id);
            change(answer);
            return answer;
        }
        string? Failure(RefreshResponse answer, EvidenceResult? result = null, TrustedNetwork? network = null)
        {
            var refreshed = EvidenceRefresh.Check(network ?? logs.Network, bundle, result ?? verified, answer);
            Assert.False(refreshed.IsValid);
            Assert.False(refreshed.Changed);
            return refreshed.Failure;
        }

        var broken = logs.Verify(With(EvidenceBundle.Parse(bundle.ToJson()), b => b.Verdict.Status = "REVOKED"));
        Assert.Equal($"the bundle itself does not verify: {broken.Failure}", Failure(Answer(_ => { }), broken));
        Assert.Equal($"origin '{EvidenceLogs.Cs}' is not a member of network cz-t", Failure(Answer(_ => { }), network: logs.NetworkWithout(EvidenceLogs.Cs)));

        var forged = logs.Network.ByOrigin(EvidenceLogs.Cs)!.VerifyCheckpoint("not a checkpoint").Failure;
        Assert.Equal($"the refreshed checkpoint of {EvidenceLogs.Cs}: {forged}", Failure(Answer(a => a.Checkpoint = "not a checkpoint")));

        // A verified bundle of size 3 against the answer given at size 2.
        var newer = logs.Bundle(EvidenceLogs.Cs, id, (EvidenceLogs.Cs, 0), (EvidenceLogs.Cs, 1), (EvidenceLogs.Cs, revocation));
        newer.Verdict.Status = "REVOKED";
        var newerResult = logs.Verify(newer);
        Assert.True(newerResult.IsValid, newerResult.Failure);
        Assert.Equal($"the refreshed checkpoint of {EvidenceLogs.Cs} is size 2, older than the bundle's 3",
            EvidenceRefresh.Check(logs.Network, newer, newerResult, before).Failure);

        // A valid result of another bundle is not this bundle's: neither another checkpoint nor another subject.
        Assert.Equal($"the verification result given is as of {EvidenceLogs.Cs} size 3, which is not the bundle's checkpoint of {EvidenceLogs.Cs}",
            Failure(Answer(_ => { }), newerResult));
        var otherSubject = With(EvidenceBundle.Parse(bundle.ToJson()), b => b.Subject = "another-license");
        Assert.Equal($"the verification result given is about '{id}', the bundle about 'another-license'",
            EvidenceRefresh.Check(logs.Network, otherSubject, verified, before).Failure);

        Assert.StartsWith("the status proof is not valid JSON: ", Failure(Answer(a => a.StatusProof = "{")), StringComparison.Ordinal);
        Assert.False(BundleStatusProof.TryRead(System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>("{}"), out _, out var unreadable));
        Assert.Equal(unreadable, Failure(Answer(a => a.StatusProof = "{}")));
        Assert.Equal($"the status proof is about '430100-amr', the bundle about '{id}'",
            Failure(Answer(a => a.StatusProof = logs.Refresh(EvidenceLogs.Cs, "430100-amr").StatusProof)));

        // The map proof of size 2 against the checkpoint of size 3.
        Assert.True(BundleStatusProof.TryRead(System.Text.Json.JsonSerializer.Deserialize<System.Text.Json.JsonElement>(before.StatusProof), out var stale, out _));
        var now = Checkpoint.Parse(SignedNote.Parse(logs.Refresh(EvidenceLogs.Cs, id).Checkpoint).Text);
        Assert.False(stale.TryVerify(now, out _, out var staleError));
        Assert.Equal(staleError, Failure(Answer(a => a.StatusProof = before.StatusProof)));

        Assert.Equal($"the entry sent as the latest state of '{id}' is not the one the status map proves", Failure(Answer(a => a.Leaf = before.Leaf)));
        Assert.Equal($"the entry sent as the latest state of '{id}' is not the one the status map proves", Failure(Answer(a => a.Leaf = [])));
        var honest = logs.Refresh(EvidenceLogs.Cs, id);
        Assert.False(MerkleProofVerifier.TryVerifyInclusion(1, 3, MerkleHash.LeafHash(honest.Leaf).AsSpan(), honest.InclusionProof,
            Checkpoint.Parse(SignedNote.Parse(honest.Checkpoint).Text).RootHash, out var inclusionError));
        Assert.Equal($"entry {EvidenceLogs.Cs}#1: inclusion proof does not verify: {inclusionError}", Failure(Answer(a => a.Index = 1)));
    }

    [Fact]
    public void A_refresh_proving_the_license_absent_from_its_log_is_refused()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var bundle = logs.LocalBundle();
        var verified = logs.Verify(bundle);
        // The same network's keys, a log where the license was never issued (but as long): its map proves it absent.
        var other = new EvidenceLogs { WithStatusMap = true };
        var otherId = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000002").LicenseId;
        other.Append(EvidenceLogs.Cs, Entry.Create(EntryKinds.LicenseIssue, EvidenceLogs.Cs, otherId, "430100-amr",
            LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000002"), EvidenceLogs.At), other.Amr(EvidenceLogs.Cs));

        var result = EvidenceRefresh.Check(logs.Network, bundle, verified, other.Refresh(EvidenceLogs.Cs, logs.LicenseId));

        Assert.False(result.IsValid);
        Assert.Equal($"the status map of {EvidenceLogs.Cs} at size 2 proves '{logs.LicenseId}' absent, but the bundle shows it", result.Failure);
    }

    [Fact]
    public void Refresh_arguments_are_required()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var bundle = logs.LocalBundle();
        var verified = logs.Verify(bundle);
        var answer = logs.Refresh(EvidenceLogs.Cs, logs.LicenseId);
        Assert.Equal("network", Assert.Throws<ArgumentNullException>(() => EvidenceRefresh.Check(null!, bundle, verified, answer)).ParamName);
        Assert.Equal("bundle", Assert.Throws<ArgumentNullException>(() => EvidenceRefresh.Check(logs.Network, null!, verified, answer)).ParamName);
        Assert.Equal("verified", Assert.Throws<ArgumentNullException>(() => EvidenceRefresh.Check(logs.Network, bundle, null!, answer)).ParamName);
        Assert.Equal("answer", Assert.Throws<ArgumentNullException>(() => EvidenceRefresh.Check(logs.Network, bundle, verified, null!)).ParamName);
    }
}
