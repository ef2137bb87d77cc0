using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// <see cref="EvidenceRefresh.Check"/> against refresh answers whose status map points at an entry that is not a state
/// entry of the bundle's subject (a node whose map is forged), and against verified bundles whose entries are listed
/// out of log order, span two logs or hold other records' state entries: which of the bundle's entries is its latest
/// state decides whether the answer counts as unchanged.
/// </summary>
public sealed class EvidenceRefreshRefusalTests
{
    private const string Cs = EvidenceLogs.Cs, Zz = EvidenceLogs.Zz;
    private static readonly DateTimeOffset At = EvidenceLogs.At;
    private static readonly string LicenseId = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000001").LicenseId;

    /// <summary>
    /// Three cities' logs, each with its issuer <c>&lt;city&gt;-amr</c> registered at index 0; checkpoints carry a
    /// status-map line and bundles the map proofs of their records.
    /// </summary>
    private static EvidenceLogs NewLogs() => new() { WithStatusMap = true };

    /// <summary>The bundle verified, which must pass: these tests refresh only bundles the verifier accepts.</summary>
    private static EvidenceResult Verified(EvidenceLogs logs, EvidenceBundle bundle)
    {
        var verified = logs.Verify(bundle);
        Assert.True(verified.IsValid, verified.Failure);
        return verified;
    }

    /// <summary>Changsha #0 the registration, #1 the license; a bundle of both, verified; then <paramref name="forge"/> appends the entry the map will name.</summary>
    private static RefreshResult ForgedLatest(Func<EvidenceLogs, ulong> forge, out ulong forgedIndex)
    {
        var logs = NewLogs();
        var bundle = logs.Bundle(Cs, LicenseId, (Cs, 0), (Cs, logs.Issue()));
        var verified = Verified(logs, bundle);
        forgedIndex = forge(logs);
        logs.ForgeMap(Cs, LicenseId, forgedIndex);
        return EvidenceRefresh.Check(logs.Network, bundle, verified, logs.Refresh(Cs, LicenseId, forgedIndex));
    }

    private static void AssertRefused(RefreshResult result, string reason)
    {
        Assert.Equal((false, reason), (result.IsValid, result.Failure));
        Assert.Equal((false, LicenseVerdict.Unspecified, (ulong?)null), (result.Changed, result.Verdict, result.EntryIndex));
    }

    [Fact]
    public void A_latest_state_the_map_names_that_is_not_an_entry_at_all_is_refused()
    {
        byte[] garbage = [0x0a, 0x03, 0x01, 0x02];
        Assert.False(LeafReader.TryRead(garbage, out _, out var error));
        var result = ForgedLatest(logs => logs.AppendLeaf(Cs, garbage), out var index);
        AssertRefused(result, $"entry {Cs}#{index}: {error}");
    }

    public static TheoryData<string> NotStateEntriesOfTheSubject => new() { "another-license", "another-origin", "a-use-of-the-license" };

    /// <summary>Each condition on its own: another record's state entry, an entry naming another log, an entry of the license that sets no state.</summary>
    [Theory]
    [MemberData(nameof(NotStateEntriesOfTheSubject))]
    public void A_latest_state_the_map_names_that_is_not_a_state_entry_of_the_subject_in_its_log_is_refused(string forged)
    {
        var other = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000002").LicenseId;
        var (kind, recordId) = forged switch
        {
            "another-license" => (EntryKinds.LicenseIssue, other),
            "another-origin" => (EntryKinds.LicenseStatus, LicenseId),
            _ => (EntryKinds.LicenseUse, LicenseId),
        };
        var result = ForgedLatest(logs => forged switch
        {
            "another-license" => logs.IssueOther(),
            // Written as Zhuzhou's entry (signed by Zhuzhou's issuer) but appended to Changsha's log.
            "another-origin" => logs.AppendLeaf(Cs, EntrySigner.SignToLeaf(Entry.Create(EntryKinds.LicenseStatus, Zz, LicenseId, "430200-amr", LedgerBodies.Revoke(LicenseId), At.AddDays(1)), logs.Amr(Zz))),
            _ => logs.Write(Cs, EntryKinds.LicenseUse, LicenseId, LedgerBodies.Use(LicenseId)),
        }, out var index);
        AssertRefused(result, $"entry {Cs}#{index} ({kind} of '{recordId}') is not a state entry of '{LicenseId}' in {Cs}");
    }

    [Fact]
    public void An_answer_no_check_foresaw_is_refused_not_thrown()
    {
        var logs = NewLogs();
        var issue = logs.Issue();
        var bundle = logs.Bundle(Cs, LicenseId, (Cs, 0), (Cs, issue));
        var answer = logs.Refresh(Cs, LicenseId, issue);
        answer.StatusProof = null!;
        var result = EvidenceRefresh.Check(logs.Network, bundle, Verified(logs, bundle), answer);
        Assert.False(result.IsValid);
        Assert.StartsWith("the bundle cannot be checked: ", result.Failure, StringComparison.Ordinal);
        Assert.False(result.Changed);
    }

    /// <summary>
    /// A node's status proof that is not JSON is refused in plain words, not System.Text.Json's ("when isFinalBlock is
    /// true. Path: $ | LineNumber: 0 | BytePositionInLine: 0.").
    /// </summary>
    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("{\"origin\": \"huren.cz-t/430100\", ", "it ends early")]
    [InlineData("{\"origin\" 1}", "malformed at line 1, byte 11")]
    public void A_status_proof_that_is_not_json_is_refused_saying_what_is_wrong(string statusProof, string problem)
    {
        var logs = NewLogs();
        var issue = logs.Issue();
        var bundle = logs.Bundle(Cs, LicenseId, (Cs, 0), (Cs, issue));
        var answer = logs.Refresh(Cs, LicenseId, issue);
        answer.StatusProof = statusProof;
        var result = EvidenceRefresh.Check(logs.Network, bundle, Verified(logs, bundle), answer);
        AssertRefused(result, $"the status proof is not valid JSON: {problem}");
        foreach (var raw in new[] { "System.", "isFinalBlock", "LineNumber", "BytePositionInLine" }) Assert.DoesNotContain(raw, result.Failure, StringComparison.Ordinal);
    }

    /// <summary>The latest state the bundle shows, unchanged in the answer: the bundle's verdict stands and nothing is reported changed.</summary>
    private static void AssertUnchanged(EvidenceLogs logs, EvidenceBundle bundle, ulong latest, LicenseVerdict verdict)
    {
        var verified = Verified(logs, bundle);
        var result = EvidenceRefresh.Check(logs.Network, bundle, verified, logs.Refresh(verified.Origin, bundle.Subject, latest));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal((false, verdict, (ulong?)null), (result.Changed, result.Verdict, result.EntryIndex));
        Assert.Null(result.Entry);
    }

    [Fact]
    public void A_bundle_listing_its_entries_out_of_log_order_is_unchanged_by_an_answer_with_its_latest_state()
    {
        var logs = NewLogs();
        var issue = logs.Issue();
        var revocation = logs.Write(Cs, EntryKinds.LicenseStatus, LicenseId, LedgerBodies.Revoke(LicenseId));
        var bundle = logs.Bundle(Cs, LicenseId, (Cs, revocation), (Cs, issue), (Cs, 0));
        bundle.Verdict.Status = "REVOKED";
        AssertUnchanged(logs, bundle, revocation, LicenseVerdict.Revoked);
    }

    [Fact]
    public void Another_records_later_state_entry_in_the_bundle_is_not_the_subjects_latest_state()
    {
        var logs = NewLogs();
        var issue = logs.Issue();
        // A second department registered after the license: a state entry of record 430100-x, later in the log.
        var registration = logs.Append(Cs, Entry.Create(EntryKinds.IssuerRegister, Cs, "430100-x", "430100-root", logs.Registration(Cs, "430100-x"), At.AddDays(1)), logs.Root(Cs));
        var bundle = logs.Bundle(Cs, LicenseId, (Cs, 0), (Cs, issue), (Cs, registration));
        AssertUnchanged(logs, bundle, issue, LicenseVerdict.Valid);
    }

    [Fact]
    public void A_transferred_in_bundles_state_entries_in_the_old_log_are_not_its_latest_state_in_the_new_one()
    {
        var logs = NewLogs();
        var issue = logs.Issue();
        var transfer = logs.Write(Cs, EntryKinds.LicenseTransfer, LicenseId, LedgerBodies.Transfer(LicenseId));
        var reference = new EntryReference { Origin = Cs, Index = transfer, LeafHash = logs.LeafHashOf(Cs, transfer), Relation = Relations.Transfer };
        var accept = logs.Write(Zz, EntryKinds.LicenseTransferAccept, LicenseId, LedgerBodies.Accept(LicenseId, Cs), 2, reference);
        // Zhuzhou's accept (#1) has a lower index than Changsha's transfer (#2).
        var bundle = logs.Bundle(Zz, LicenseId, (Cs, 0), (Cs, issue), (Cs, transfer), (Zz, 0), (Zz, accept));
        Assert.Equal(Zz, Verified(logs, bundle).Origin);
        AssertUnchanged(logs, bundle, accept, LicenseVerdict.Valid);
    }
}
