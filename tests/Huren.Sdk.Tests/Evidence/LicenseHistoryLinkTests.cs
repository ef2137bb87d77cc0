using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// A license's entries in a log are linked: each change, status change and transfer names the one before it
/// (<see cref="Relations.Previous"/>). The status map proves only the latest entry, so without the links a bundle could
/// leave out an entry in the middle of the history — a change that shortened the validity, a suspension before a
/// resumption — and still verify with a wrong verdict. Each bundle below is cut or forged that way and must be refused.
/// </summary>
public sealed class LicenseHistoryLinkTests
{
    private static readonly string Cs = EvidenceLogs.Cs;

    /// <summary>Issue (#1), a change ending the validity on 2024-09-30 (#2), a suspension (#3), a resumption (#4): VALID on its day, EXPIRED in 2025.</summary>
    private static (EvidenceLogs Logs, EvidenceBundle Bundle) Shortened()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var bundle = logs.ChangedBundle(newValidUntil: "2024-09-30", newDigest: false, suspend: true, resume: true, stated: "VALID");
        var result = logs.Verify(bundle);
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(LicenseVerdict.Expired, result.Verdict);
        return (logs, bundle);
    }

    private static void Remove(EvidenceBundle bundle, ulong index) => Assert.Equal(1, bundle.Entries.RemoveAll(e => e.Origin == Cs && e.Index == index));

    [Fact]
    public void A_bundle_that_leaves_out_the_change_in_the_middle_is_refused()
    {
        var (logs, bundle) = Shortened();
        // Without #2 the entries give a license without end: VALID in 2025 instead of EXPIRED. The latest entry (#4)
        // is still the one the status map proves, so only the links show the gap.
        Remove(bundle, 2);
        var result = logs.Verify(bundle);
        Assert.False(result.IsValid);
        Assert.Equal($"the bundle leaves out entry {Cs}#2, which {Cs}#3 names as the license's previous entry: ask a node for complete evidence", result.Failure);
    }

    [Fact]
    public void A_bundle_that_leaves_out_a_suspension_before_its_resumption_is_refused()
    {
        var (logs, bundle) = Shortened();
        Remove(bundle, 3);
        var result = logs.Verify(bundle);
        Assert.False(result.IsValid);
        Assert.Contains($"leaves out entry {Cs}#3, which {Cs}#4 names", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void A_change_left_out_in_the_releasing_city_is_refused()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        logs.Issue();
        var change = logs.Write(Cs, EntryKinds.LicenseChange, logs.LicenseId, LedgerBodies.Change(logs.LicenseId, "2024-09-30"));
        var transfer = logs.Transfer(Cs, "430200");
        var accept = logs.Accept(EvidenceLogs.Zz, Cs, transfer);
        var whole = logs.Bundle(EvidenceLogs.Zz, logs.LicenseId, (Cs, 0), (Cs, 1), (Cs, change), (Cs, transfer), (EvidenceLogs.Zz, 0), (EvidenceLogs.Zz, accept));
        Assert.True(logs.Verify(whole).IsValid, logs.Verify(whole).Failure);

        var cut = logs.Bundle(EvidenceLogs.Zz, logs.LicenseId, (Cs, 0), (Cs, 1), (Cs, transfer), (EvidenceLogs.Zz, 0), (EvidenceLogs.Zz, accept));
        var result = logs.Verify(cut);
        Assert.False(result.IsValid);
        Assert.Contains($"leaves out entry {Cs}#{change}, which {Cs}#{transfer} names", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void An_entry_that_names_no_previous_entry_is_refused()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var issue = logs.Issue();
        // Signed without the link, as only a log that broke the ledger's rule would hold it.
        var change = logs.AppendLeaf(Cs, EntrySigner.SignToLeaf(Entry.Create(EntryKinds.LicenseChange, Cs, logs.LicenseId, "430100-amr", LedgerBodies.Change(logs.LicenseId, "2030-12-31"), EvidenceLogs.At.AddDays(1)), logs.Amr(Cs)));
        var result = logs.Verify(logs.Bundle(Cs, logs.LicenseId, (Cs, 0), (Cs, issue), (Cs, change)));
        Assert.False(result.IsValid);
        Assert.Equal($"entry {Cs}#{change} (license.change) does not name the license's previous entry (relation 'previous'), as the ledger requires: its place in the history cannot be checked", result.Failure);
    }

    [Fact]
    public void An_entry_naming_another_entry_as_previous_is_refused()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var issue = logs.Issue();
        var other = new EntryReference { Origin = Cs, Index = 0, LeafHash = logs.LeafHashOf(Cs, 0), Relation = Relations.Previous };
        var change = logs.Write(Cs, EntryKinds.LicenseChange, logs.LicenseId, LedgerBodies.Change(logs.LicenseId, "2030-12-31"), 1, other);
        var result = logs.Verify(logs.Bundle(Cs, logs.LicenseId, (Cs, 0), (Cs, issue), (Cs, change)));
        Assert.False(result.IsValid);
        Assert.Equal($"entry {Cs}#{change} (license.change) names {Cs}#0 as the license's previous entry, but the entry before it in the bundle is {Cs}#{issue}", result.Failure);

        // The right index with another leaf hash is no link either.
        var forged = new EntryReference { Origin = Cs, Index = issue, LeafHash = logs.LeafHashOf(Cs, 0), Relation = Relations.Previous };
        var second = new EvidenceLogs { WithStatusMap = true };
        second.Issue();
        var forgedChange = second.Write(Cs, EntryKinds.LicenseChange, second.LicenseId, LedgerBodies.Change(second.LicenseId, "2030-12-31"), 1, forged);
        Assert.Contains("as the license's previous entry, but the entry before it", second.Verify(second.Bundle(Cs, second.LicenseId, (Cs, 0), (Cs, issue), (Cs, forgedChange))).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void An_issue_that_names_a_previous_entry_is_refused()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var previous = new EntryReference { Origin = Cs, Index = 0, LeafHash = logs.LeafHashOf(Cs, 0), Relation = Relations.Previous };
        var issue = logs.Append(Cs, Entry.Create(EntryKinds.LicenseIssue, Cs, logs.LicenseId, "430100-amr", logs.License, EvidenceLogs.At, previous), logs.Amr(Cs));
        var result = logs.Verify(logs.Bundle(Cs, logs.LicenseId, (Cs, 0), (Cs, issue)));
        Assert.False(result.IsValid);
        Assert.Equal($"entry {Cs}#{issue} (license.issue) starts the license's history in {Cs} but names a previous entry", result.Failure);
    }

    [Fact]
    public void An_entry_naming_two_previous_entries_is_refused()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var issue = logs.Issue();
        var link = new EntryReference { Origin = Cs, Index = issue, LeafHash = logs.LeafHashOf(Cs, issue), Relation = Relations.Previous };
        var change = logs.Write(Cs, EntryKinds.LicenseChange, logs.LicenseId, LedgerBodies.Change(logs.LicenseId, "2030-12-31"), 1, link, link);
        var result = logs.Verify(logs.Bundle(Cs, logs.LicenseId, (Cs, 0), (Cs, issue), (Cs, change)));
        Assert.Equal($"entry {Cs}#{change} (license.change) names 2 previous entries", result.Failure);
    }
}
