using Huren.Node.Tests.Ledger;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// The status map is keyed by record id alone. A verifier must not let another record's entry under the subject's id,
/// or a subject whose entries name another id, stand in for the subject's latest state: each trimmed bundle below
/// (a later state left out, the verdict restated) is refused.
/// </summary>
public sealed class RecordKindEvidenceTests
{
    private static DataShared ShareUnder(string id) => new()
    {
        ShareId = id, ProviderCode = LedgerBodies.ChangshaAmrCode, ProviderName = "长沙市市场监督管理局", ConsumerCode = LedgerBodies.Uscc("11430200HUREN0101"),
        ConsumerName = "株洲市市场监督管理局", ConsumerOrigin = "huren.cz-t/430200", ResourceId = "R-OPEN", Fields = ["住所"], PayloadDigest = new byte[32],
        DigestAlgorithm = "sha256", Purpose = "企业跨域经营备案", LegalBasis = "《政务数据共享条例》第十五条", SharingType = SharingType.Unconditional, ExpiresOn = "2030-12-31",
    };

    [Fact]
    public void A_share_under_a_license_id_does_not_stand_as_the_licenses_latest_state()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var (revoked, revocation) = logs.RevokedBundle();
        Assert.True(logs.Verify(revoked).IsValid);
        // A share written later under the license's id takes the map's slot; a bundle without the revocation, with the
        // share as "latest state", restated VALID:
        var share = logs.Append(EvidenceLogs.Cs, Entry.Create(EntryKinds.Share, EvidenceLogs.Cs, logs.LicenseId, "430100-amr", ShareUnder(logs.LicenseId), EvidenceLogs.At.AddMinutes(10)), logs.Amr(EvidenceLogs.Cs));
        var trimmed = logs.Bundle(EvidenceLogs.Cs, logs.LicenseId, (EvidenceLogs.Cs, 0), (EvidenceLogs.Cs, 1), (EvidenceLogs.Cs, share));
        trimmed.Verdict.Status = "VALID";
        var result = logs.Verify(trimmed);
        Assert.False(result.IsValid);
        Assert.Contains($"'{logs.LicenseId}' names a license and a share record in {EvidenceLogs.Cs}", result.Failure, StringComparison.Ordinal);
        Assert.NotEqual(0ul, revocation);
    }

    [Fact]
    public void A_license_accepted_under_a_new_id_with_its_suspension_left_out_is_refused()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var newId = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000009").LicenseId;
        var bundle = logs.TransferBundle(newId: newId, rootSuspendsAfterAccept: true);
        Assert.True(logs.Verify(bundle).IsValid, logs.Verify(bundle).Failure);
        // The suspension is the only entry under the new id; cut it out and restate VALID.
        var suspension = bundle.Entries.FindIndex(e => e.Origin == EvidenceLogs.Zz && Huren.Sdk.Entries.LeafReader.Read(Convert.FromBase64String(e.Leaf)).Entry.Kind == EntryKinds.LicenseStatus);
        Assert.True(suspension >= 0);
        bundle.Entries.RemoveAt(suspension);
        bundle.Verdict.Status = "VALID";
        var result = logs.Verify(bundle);
        Assert.False(result.IsValid);
        Assert.Contains($"proves a state of '{newId}' that the bundle does not show", result.Failure, StringComparison.Ordinal);
    }
}
