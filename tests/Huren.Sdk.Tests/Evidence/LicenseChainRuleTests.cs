using Huren.Node.Tests.Ledger;
using Huren.Schemas.Services;
using Huren.Schemas.Envelope;
using Huren.Sdk.Evidence;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// The rules of a license's history across logs (LicenseChain) and of who may write its entries (LicenseActors) on
/// the bundles the other tests leave out: a license held elsewhere, a bundle about a license it does not hold, two
/// unjoined histories, an entry before the issue, a transfer ahead of its issue, a hop that skips an earlier transfer,
/// a log the license passes through twice, entries about other licenses, a <c>license.use</c> by another department,
/// a change by the city root, and successions that run in a circle. Three in-memory city logs built with the SDK's
/// signer, tree and cosigner; each bundle is verified end to end by <see cref="EvidenceVerifier"/>.
/// </summary>
public sealed class LicenseChainRuleTests
{
    private const string Cs = EvidenceLogs.Cs, Zz = EvidenceLogs.Zz, Xt = EvidenceLogs.Xt;

    /// <summary>Bundles of these tests are made three days after the first entries, past every transfer and accept.</summary>
    private static EvidenceLogs NewLogs(bool register = true) => new(register) { CreatedAt = EvidenceLogs.At.AddDays(3) };

    private static readonly string Id = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000001").LicenseId;

    private static readonly string OtherId = EvidenceLogs.OtherLicenseId;

    private static void AssertRefused(EvidenceResult result, string reason)
    {
        Assert.False(result.IsValid, "accepted");
        Assert.Equal(reason, result.Failure);
        Assert.Equal(LicenseVerdict.Unspecified, result.Verdict);
    }

    [Fact]
    public void A_license_renamed_on_acceptance_is_held_elsewhere_under_its_old_id()
    {
        var logs = NewLogs();
        logs.Issue(Cs);
        var transfer = logs.Transfer(Cs, "430200");
        var renamed = OtherId;
        logs.Accept(Zz, Cs, transfer, renamed);
        // About the old id: the only stretch under that name ends in a transfer the bundle shows accepted.
        var result = logs.Verify(logs.Bundle(Zz, Id, logs.All()));
        AssertRefused(result, $"every stretch of '{Id}' in the bundle ends in a transfer the bundle shows accepted: the license is held elsewhere");
        // About the new id: it verifies.
        var held = logs.Verify(logs.Bundle(Zz, renamed, logs.All()));
        Assert.True(held.IsValid, held.Failure);
        Assert.Equal((renamed, Zz), (held.Subject, held.Origin));
    }

    [Fact]
    public void A_bundle_about_a_license_it_holds_no_stretch_of_names_the_missing_issue()
    {
        var logs = NewLogs();
        logs.Issue(Cs);
        AssertRefused(logs.Verify(logs.Bundle(Cs, OtherId, logs.All())), $"the bundle has no license.issue entry for '{OtherId}'");
    }

    [Fact]
    public void Two_issues_of_one_license_in_two_logs_are_two_separate_histories()
    {
        var logs = NewLogs();
        logs.Issue(Cs);
        logs.Issue(Zz);
        AssertRefused(logs.Verify(logs.Bundle(Cs, Id, logs.All())), $"the bundle holds 2 separate histories of '{Id}' ({Cs}#1, {Zz}#1)");
    }

    [Fact]
    public void Entries_about_other_licenses_are_left_out_of_the_history()
    {
        var logs = NewLogs();
        logs.Issue(Cs);
        logs.IssueOther(Cs);
        logs.Write(Cs, EntryKinds.LicenseChange, OtherId, LedgerBodies.Change(OtherId, "2030-12-31"), 1);
        var result = logs.Verify(logs.Bundle(Cs, Id, logs.All()));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal([EntryKinds.LicenseIssue], result.History.Select(e => e.Kind));
    }

    [Fact]
    public void An_entry_before_the_issue_is_refused_as_preceding_the_issue()
    {
        var logs = NewLogs();
        logs.Write(Cs, EntryKinds.LicenseChange, Id, LedgerBodies.Change(Id, "2030-12-31"), 0);
        logs.Issue(Cs);
        AssertRefused(logs.Verify(logs.Bundle(Cs, Id, logs.All())), $"entry {Cs}#1 about '{Id}' precedes its issue at #2");
    }

    [Fact]
    public void A_transfer_logged_before_its_issue_is_refused_as_out_of_order()
    {
        var logs = NewLogs();
        var transfer = logs.Transfer(Cs, "430200");
        logs.Issue(Cs);
        logs.Accept(Zz, Cs, transfer);
        AssertRefused(logs.Verify(logs.Bundle(Zz, Id, logs.All())),
            $"the hops of '{Id}' in {Cs} are out of order: its transfer {Cs}#1 precedes its issue at #2");
    }

    [Fact]
    public void A_transfer_with_neither_issue_nor_accept_before_it_is_a_missing_hop()
    {
        var logs = NewLogs(register: false);
        logs.Register(Cs);
        var transfer = logs.Transfer(Cs, "430200");
        logs.Register(Zz);
        logs.Accept(Zz, Cs, transfer);
        AssertRefused(logs.Verify(logs.Bundle(Zz, Id, logs.All())),
            $"the bundle has neither the issue nor an accept of '{Id}' in {Cs} before its transfer {Cs}#{transfer} (a hop is missing)");
    }

    [Fact]
    public void A_transfer_as_the_first_entry_of_the_bundle_before_its_issuer_was_registered_is_refused()
    {
        // Changsha's transfer is its log's first entry (the issuer registered after it), so it sorts first in the bundle.
        // No node writes that: the registration rule refuses it before the chain's missing hop is looked at.
        var logs = NewLogs(register: false);
        var transfer = logs.Transfer(Cs, "430200");
        logs.Register(Cs);
        logs.Register(Zz);
        logs.Accept(Zz, Cs, transfer);
        Assert.Equal(0UL, transfer);
        AssertRefused(logs.Verify(logs.Bundle(Zz, Id, logs.All())),
            $"entry {Cs}#0 is signed by issuer '430100-amr', registered only at index 1");
    }

    [Fact]
    public void An_accept_of_a_later_transfer_than_the_first_after_the_issue_is_refused()
    {
        var logs = NewLogs();
        logs.Issue(Cs);
        var first = logs.Transfer(Cs, "430200");
        var second = logs.Transfer(Cs, "430200");
        logs.Accept(Zz, Cs, second);
        AssertRefused(logs.Verify(logs.Bundle(Zz, Id, logs.All())),
            $"entry {Cs}#{first} transfers '{Id}' before the transfer {Cs}#{second} that {Zz}#1 references");
    }

    [Fact]
    public void A_license_that_leaves_a_log_twice_is_joined_to_its_latest_stretch_there()
    {
        // Changsha → Zhuzhou → Changsha → Xiangtan: Xiangtan's accept names Changsha's second transfer, which ends the
        // stretch begun by Changsha's accept (#3), not the one begun by the issue (#1).
        var logs = NewLogs();
        logs.Issue(Cs);
        var toZz = logs.Transfer(Cs, "430200");
        logs.Accept(Zz, Cs, toZz);
        var back = logs.Transfer(Zz, "430100");
        logs.Accept(Cs, Zz, back);
        var toXt = logs.Transfer(Cs, "430300");
        var accept = logs.Accept(Xt, Cs, toXt);
        var result = logs.Verify(logs.Bundle(Xt, Id, logs.All()));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(LicenseVerdict.Valid, result.Verdict);
        Assert.Equal([(Cs, 2UL, Zz, 1UL), (Zz, 2UL, Cs, 3UL), (Cs, 4UL, Xt, accept)],
            result.Hops.Select(h => (h.FromOrigin, h.TransferIndex, h.ToOrigin, h.AcceptIndex)));
    }

    // ---- LicenseActors

    [Fact]
    public void A_license_use_by_another_department_is_not_a_lifecycle_entry_and_needs_no_authority()
    {
        var logs = NewLogs();
        logs.Register(Cs, "430100-other");
        logs.Issue(Cs);
        logs.Append(Cs, Entry.Create(EntryKinds.LicenseUse, Cs, Id, "430100-other", LedgerBodies.Use(Id), EvidenceLogs.At.AddDays(1)), logs.IssuerKey("430100-other", Cs));
        var result = logs.Verify(logs.Bundle(Cs, Id, logs.All()));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(("430100-amr", false), (result.ActedBy, result.ActedByCityRoot));
    }

    [Fact]
    public void A_change_under_the_city_roots_id_is_refused_even_when_an_issuer_of_that_id_is_registered()
    {
        var logs = NewLogs();
        logs.Issue(Cs);
        // The root registers an issuer under its own id, then a license.change is signed with that issuer's key: the
        // registration itself is refused (the node's rule), so the change has no signer.
        var registration = logs.Register(Cs, "430100-root");
        logs.Append(Cs, Entry.Create(EntryKinds.LicenseChange, Cs, Id, "430100-root", LedgerBodies.Change(Id, "2030-12-31"), EvidenceLogs.At.AddDays(1)), logs.IssuerKey("430100-root", Cs));
        AssertRefused(logs.Verify(logs.Bundle(Cs, Id, logs.All())),
            $"entry {Cs}#{registration} registers issuer '430100-root' under the city root's own id");
    }

    [Fact]
    public void Successions_in_a_circle_are_followed_64_steps_and_no_further()
    {
        // amr → approval → amr → …: after 64 steps (an even number) the answering issuer is amr again.
        var logs = NewLogs();
        logs.Register(Cs, "430100-approval");
        logs.Issue(Cs);
        var there = logs.Append(Cs, Entry.Create(EntryKinds.IssuerSucceed, Cs, "430100-amr", "430100-root", LedgerBodies.Succession("430100-amr", "430100-approval"), EvidenceLogs.At), logs.Root(Cs));
        var back = logs.Append(Cs, Entry.Create(EntryKinds.IssuerSucceed, Cs, "430100-approval", "430100-root", LedgerBodies.Succession("430100-approval", "430100-amr"), EvidenceLogs.At), logs.Root(Cs));
        var entries = logs.All();
        var byAmr = logs.Write(Cs, EntryKinds.LicenseChange, Id, LedgerBodies.Change(Id, "2030-12-31"), 1);
        var result = logs.Verify(logs.Bundle(Cs, Id, [.. entries, (Cs, byAmr)]));
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(("430100-amr", 64), (result.ActedBy, result.ActedUnder.Count));
        Assert.Equal(there, result.ActedUnder[0].Index);
        Assert.Equal(back, result.ActedUnder[^1].Index);

        var other = NewLogs();
        other.Register(Cs, "430100-approval");
        other.Issue(Cs);
        other.Append(Cs, Entry.Create(EntryKinds.IssuerSucceed, Cs, "430100-amr", "430100-root", LedgerBodies.Succession("430100-amr", "430100-approval"), EvidenceLogs.At), other.Root(Cs));
        other.Append(Cs, Entry.Create(EntryKinds.IssuerSucceed, Cs, "430100-approval", "430100-root", LedgerBodies.Succession("430100-approval", "430100-amr"), EvidenceLogs.At), other.Root(Cs));
        var byApproval = other.Append(Cs, Entry.Create(EntryKinds.LicenseChange, Cs, Id, "430100-approval", LedgerBodies.Change(Id, "2030-12-31"), EvidenceLogs.At.AddDays(1)), other.IssuerKey("430100-approval", Cs));
        AssertRefused(other.Verify(other.Bundle(Cs, Id, other.All())),
            $"entry {Cs}#{byApproval} ({EntryKinds.LicenseChange} of {Id}) is written by 430100-approval, who did not answer for the license then: 430100-amr did, under the succession at #{back}");
    }
}
