using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// A refresh whose new latest entry is a change or a resumption: it settles the verdict only when the entry names the
/// bundle's last entry as its previous one (nothing happened between), is signed by the license's issuer (or the city
/// root), changes no field or document, and its checkpoint is final; otherwise the answer is "verify online"
/// (<see cref="LicenseVerdict.Unspecified"/>).
/// </summary>
public sealed class EvidenceRefreshContinuationTests
{
    private const string Cs = EvidenceLogs.Cs;

    private static (EvidenceLogs Logs, EvidenceBundle Bundle, EvidenceResult Verified) Bundle(bool suspended)
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var entries = new List<(string, ulong)> { (Cs, 0), (Cs, logs.Issue()) };
        if (suspended) entries.Add((Cs, logs.Write(Cs, EntryKinds.LicenseStatus, logs.LicenseId, LedgerBodies.Suspend(logs.LicenseId))));
        var bundle = logs.Bundle(Cs, logs.LicenseId, [.. entries]);
        if (suspended) bundle.Verdict.Status = "SUSPENDED";
        var verified = logs.Verify(bundle);
        Assert.True(verified.IsValid, verified.Failure);
        return (logs, bundle, verified);
    }

    private static RefreshResult Refresh(EvidenceLogs logs, EvidenceBundle bundle, EvidenceResult verified)
    {
        var result = EvidenceRefresh.Check(logs.Network, bundle, verified, logs.Refresh(Cs, logs.LicenseId));
        Assert.True(result.IsValid, result.Failure);
        Assert.True(result.Changed);
        return result;
    }

    [Fact]
    public void A_resumption_right_after_the_bundles_suspension_reads_valid()
    {
        var (logs, bundle, verified) = Bundle(suspended: true);
        Assert.Equal(LicenseVerdict.Suspended, verified.Verdict);
        logs.Write(Cs, EntryKinds.LicenseStatus, logs.LicenseId, LedgerBodies.Resume(logs.LicenseId), day: 2);
        Assert.Equal(LicenseVerdict.Valid, Refresh(logs, bundle, verified).Verdict);
    }

    /// <summary>A change of the license's validity alone.</summary>
    private static Huren.Schemas.Bodies.LicenseChanged Validity(string licenseId, string until)
        => new() { LicenseId = licenseId, OperationCode = "09", NewValidUntil = until, Reason = "有效期变更" };

    [Fact]
    public void A_change_of_the_validity_right_after_the_bundle_is_applied_to_its_history()
    {
        var (logs, bundle, verified) = Bundle(suspended: false);
        logs.Write(Cs, EntryKinds.LicenseChange, logs.LicenseId, Validity(logs.LicenseId, "2024-09-30"), day: 2);
        Assert.Equal(LicenseVerdict.Expired, Refresh(logs, bundle, verified).Verdict);

        // A change while suspended keeps it suspended.
        var (held, heldBundle, heldVerified) = Bundle(suspended: true);
        held.Write(Cs, EntryKinds.LicenseChange, held.LicenseId, Validity(held.LicenseId, "2030-12-31"), day: 2);
        Assert.Equal(LicenseVerdict.Suspended, Refresh(held, heldBundle, heldVerified).Verdict);
    }

    [Fact]
    public void A_change_of_fields_or_document_needs_a_new_bundle()
    {
        // The holder's document shows the old address: VALID would let a counter act on it.
        var (logs, bundle, verified) = Bundle(suspended: false);
        logs.Write(Cs, EntryKinds.LicenseChange, logs.LicenseId, LedgerBodies.Change(logs.LicenseId, "2030-12-31"), day: 2);
        Assert.Equal(LicenseVerdict.Unspecified, Refresh(logs, bundle, verified).Verdict);

        var (other, otherBundle, otherVerified) = Bundle(suspended: false);
        var document = Validity(other.LicenseId, "");
        document.NewDocumentDigest = EvidenceLogs.NewDigest;
        document.DigestAlgorithm = "sha256";
        other.Write(Cs, EntryKinds.LicenseChange, other.LicenseId, document, day: 2);
        Assert.Equal(LicenseVerdict.Unspecified, Refresh(other, otherBundle, otherVerified).Verdict);
    }

    [Fact]
    public void A_resumption_after_entries_the_bundle_does_not_hold_needs_the_full_history()
    {
        var (logs, bundle, verified) = Bundle(suspended: false);
        logs.Write(Cs, EntryKinds.LicenseChange, logs.LicenseId, Validity(logs.LicenseId, "2024-09-30"), day: 2);
        logs.Write(Cs, EntryKinds.LicenseStatus, logs.LicenseId, LedgerBodies.Suspend(logs.LicenseId), day: 3);
        logs.Write(Cs, EntryKinds.LicenseStatus, logs.LicenseId, LedgerBodies.Resume(logs.LicenseId), day: 4);
        // Applied to the bundle alone the resumption would read VALID; the change between ended the validity.
        Assert.Equal(LicenseVerdict.Unspecified, Refresh(logs, bundle, verified).Verdict);
    }

    [Fact]
    public void A_resumption_not_signed_by_the_licenses_issuer_needs_the_full_history()
    {
        var (logs, bundle, verified) = Bundle(suspended: true);
        var previous = new EntryReference { Origin = Cs, Index = 2, LeafHash = logs.LeafHashOf(Cs, 2), Relation = Relations.Previous };
        var forged = Entry.Create(EntryKinds.LicenseStatus, Cs, logs.LicenseId, "430100-amr", LedgerBodies.Resume(logs.LicenseId), EvidenceLogs.At.AddDays(2), previous);
        logs.AppendLeaf(Cs, EntrySigner.SignToLeaf(forged, EvidenceLogs.Key("forger", Cs)));
        Assert.Equal(LicenseVerdict.Unspecified, Refresh(logs, bundle, verified).Verdict);
    }
    [Fact]
    public void A_license_accepted_under_a_new_id_refreshes_unchanged_then_follows_its_suspension()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var newId = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000009").LicenseId;
        var bundle = logs.TransferBundle(newId: newId);
        var verified = logs.Verify(bundle);
        Assert.True(verified.IsValid, verified.Failure);
        // Nothing under the new id yet: the map proves it absent, as the bundle shows it.
        var unchanged = EvidenceRefresh.Check(logs.Network, bundle, verified, logs.Refresh(EvidenceLogs.Zz, newId));
        Assert.True(unchanged.IsValid, unchanged.Failure);
        Assert.Equal((false, LicenseVerdict.Valid), (unchanged.Changed, unchanged.Verdict));

        logs.Write(EvidenceLogs.Zz, EntryKinds.LicenseStatus, newId, LedgerBodies.Suspend(newId), day: 5);
        var suspended = EvidenceRefresh.Check(logs.Network, bundle, verified, logs.Refresh(EvidenceLogs.Zz, newId));
        Assert.True(suspended.IsValid, suspended.Failure);
        Assert.Equal((true, LicenseVerdict.Suspended), (suspended.Changed, suspended.Verdict));
    }
}
