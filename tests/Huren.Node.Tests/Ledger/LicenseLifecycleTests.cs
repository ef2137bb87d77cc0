using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using static Huren.Node.Tests.Ledger.LedgerBodies;

namespace Huren.Node.Tests.Ledger;

/// <summary>Issue, change, suspend, resume, revoke and transfer of licenses in their issuing log.</summary>
public class LicenseLifecycleTests
{
    private static readonly DateOnly Today = new(2024, 6, 1);

    private readonly LedgerFixture _log = new();
    private readonly TestIssuer _amr;

    public LicenseLifecycleTests() => _amr = _log.RegisterIssuer("430100-amr", ChangshaAmrCode, [BusinessLicenseType, FoodLicenseType]);

    private string Issue(string serial, string validUntil = "")
    {
        var body = BusinessLicense(ChangshaAmrCode, serial, validUntil: validUntil);
        _log.Admit(_amr, EntryKinds.LicenseIssue, body.LicenseId, body);
        return body.LicenseId;
    }

    /// <summary>
    /// Left alone in an earlier note: a change could carry a license past its type's term, which issuance refuses. A
    /// change (09) keeps the term counted from the first day; a renewal (02) grants a new one from the day after the
    /// current validity ends.
    /// </summary>
    [Fact]
    public void A_change_or_renewal_cannot_carry_a_license_past_its_types_term()
    {
        var food = BusinessLicense(ChangshaAmrCode, "2024000777", validUntil: "2029-02-28");
        food.TypeCode = FoodLicenseType;
        food.LicenseId = LicenseId(ChangshaAmrCode, "2024000777", FoodLicenseType);
        food.Name = "食品经营许可证";
        food.Fields = [new() { Name = "经营场所", Value = "湖南省长沙市岳麓区" }, new() { Name = "主体业态", Value = "食品销售经营者" }, new() { Name = "经营项目", Value = "预包装食品销售" }];
        _log.Admit(_amr, EntryKinds.LicenseIssue, food.LicenseId, food);

        var change = Change(food.LicenseId, newValidUntil: "2029-03-01");
        change.ChangedFields = [new() { Name = "经营场所", Value = "湖南省长沙市天心区" }];
        _log.Refuse(_amr, EntryKinds.LicenseChange, food.LicenseId, change, RejectionKind.InvalidArgument,
            "body.newValidUntil: 2029-03-01 is beyond the 5-year term of 食品经营许可证: a license valid from 2024-03-01 ends at the latest on 2029-02-28 (a renewal, operation 02, grants a new term)");

        var renewal = Change(food.LicenseId, newValidUntil: "2034-03-01");
        renewal.OperationCode = "02";
        renewal.ChangedFields = [];
        renewal.Reason = "延续";
        _log.Refuse(_amr, EntryKinds.LicenseChange, food.LicenseId, renewal, RejectionKind.InvalidArgument,
            "body.newValidUntil: 2034-03-01 is beyond the 5-year term of 食品经营许可证: a renewal counted from 2029-03-01 ends at the latest on 2034-02-28");
        renewal.NewValidUntil = "2034-02-28";
        _log.Admit(_amr, EntryKinds.LicenseChange, food.LicenseId, renewal);
        Assert.Equal("2034-02-28", _log.License(food.LicenseId).ValidUntil);

        // A type without a term (营业执照) is not limited.
        var business = Issue("2024000778", "2030-12-31");
        _log.Admit(_amr, EntryKinds.LicenseChange, business, Change(business, newValidUntil: "2099-12-31"));
    }

    [Fact]
    public void Whole_lifecycle_updates_the_record_and_the_verdict()
    {
        var body = BusinessLicense(ChangshaAmrCode, "2024000001", validUntil: "2024-12-31");
        var issued = _log.Admit(_amr, EntryKinds.LicenseIssue, body.LicenseId, body);
        var id = body.LicenseId;

        var license = _log.License(id);
        Assert.Equal(_amr.Id, license.IssuerId);
        Assert.Equal(BusinessLicenseType, license.TypeCode);
        Assert.Equal("营业执照", license.Name);
        Assert.Equal("长沙互认科技有限公司", license.HolderName);
        Assert.Equal(LicenseStatus.Valid, license.Status);
        Assert.Equal("01", license.StatusCode);
        Assert.Equal(issued.Index, license.IssueIndex);
        Assert.Equal(issued.LeafHash, license.IssueLeafHash);
        Assert.Equal(issued.LeafHash, license.StatusLeafHash);
        Assert.Equal(LicenseVerdict.Valid, LicenseVerdicts.Evaluate(license, Today).Verdict);
        Assert.True(_log.Machine.TryFindLicenseByDigest(body.DocumentDigest, out var byDigest));
        Assert.Equal(id, byDigest.LicenseId);

        var newDigest = DigestOf("renewed document");
        var changed = _log.Admit(_amr, EntryKinds.LicenseChange, id, Change(id, "2029-12-31", newDigest));
        license = _log.License(id);
        Assert.Equal("2029-12-31", license.ValidUntil);
        Assert.Equal(newDigest, license.CurrentDocumentDigest);
        Assert.Equal(2, license.DocumentDigests.Count);
        Assert.True(_log.Machine.TryFindLicenseByDigest(newDigest, out byDigest));
        Assert.Equal(id, byDigest.LicenseId);
        Assert.True(_log.Machine.TryFindLicenseByDigest(body.DocumentDigest, out _));
        Assert.Equal(LicenseVerdict.Valid, LicenseVerdicts.Evaluate(license, new DateOnly(2025, 6, 1)).Verdict);

        var suspended = _log.Admit(_amr, EntryKinds.LicenseStatus, id, Suspend(id));
        license = _log.License(id);
        Assert.Equal(LicenseStatus.Suspended, license.Status);
        Assert.Equal("02", license.StatusCode);
        Assert.Equal(suspended.Index, license.StatusIndex);
        Assert.Equal(suspended.LeafHash, license.StatusLeafHash);
        Assert.Equal(LicenseVerdict.Suspended, LicenseVerdicts.Evaluate(license, Today).Verdict);

        var resumed = _log.Admit(_amr, EntryKinds.LicenseStatus, id, Resume(id));
        license = _log.License(id);
        Assert.Equal(LicenseStatus.Valid, license.Status);
        Assert.Equal(LicenseVerdict.Valid, LicenseVerdicts.Evaluate(license, Today).Verdict);

        var revoked = _log.Admit(_amr, EntryKinds.LicenseStatus, id, Revoke(id));
        license = _log.License(id);
        Assert.Equal(LicenseStatus.Revoked, license.Status);
        Assert.Equal("07", license.StatusCode);
        Assert.Equal("吊销营业执照", license.StatusReason);
        var (verdict, reason) = LicenseVerdicts.Evaluate(license, Today);
        Assert.Equal(LicenseVerdict.Revoked, verdict);
        Assert.Contains("07 吊销", reason, StringComparison.Ordinal);
        Assert.Equal([issued.Index, changed.Index, suspended.Index, resumed.Index, revoked.Index], license.EntryIndexes);
        Assert.Single(_log.Machine.LicensesAfter());
    }

    [Fact]
    public void Type_outside_the_issuers_scope_is_refused()
    {
        var health = _log.RegisterIssuer("430100-health", ChangshaHealthCode, [MedicalLicenseType]);
        var body = BusinessLicense(ChangshaHealthCode, "2024000001");
        _log.Refuse(health, EntryKinds.LicenseIssue, body.LicenseId, body, RejectionKind.PermissionDenied, $"license type {BusinessLicenseType} is out of scope for issuer 430100-health");
    }

    [Fact]
    public void Issuing_authority_code_must_be_the_issuers()
    {
        var body = BusinessLicense(ZhuzhouAmrCode, "2024000001");
        _log.Refuse(_amr, EntryKinds.LicenseIssue, body.LicenseId, body, RejectionKind.PermissionDenied, $"is not issuer 430100-amr's authority code {ChangshaAmrCode}");
    }

    [Fact]
    public void License_id_and_document_must_be_new_even_for_another_issuer()
    {
        var id = Issue("2024000001");
        var again = BusinessLicense(ChangshaAmrCode, "2024000001");
        _log.Refuse(_amr, EntryKinds.LicenseIssue, id, again, RejectionKind.AlreadyExists, $"license {id} already exists");

        // A second issuer of the same department (same authority code) cannot reuse the identifier either.
        var branch = _log.RegisterIssuer("430100-amr-branch", ChangshaAmrCode);
        _log.Refuse(branch, EntryKinds.LicenseIssue, id, again, RejectionKind.AlreadyExists, "issued by 430100-amr");

        var sameDocument = BusinessLicense(ChangshaAmrCode, "2024000002");
        sameDocument.DocumentDigest = DigestOf("document 2024000001");
        _log.Refuse(_amr, EntryKinds.LicenseIssue, sameDocument.LicenseId, sameDocument, RejectionKind.AlreadyExists, $"is already the document of license {id}");
    }

    [Fact]
    public void Changes_to_an_unknown_license_are_not_found()
    {
        var id = LicenseId(ChangshaAmrCode, "2024009999");
        _log.Refuse(_amr, EntryKinds.LicenseChange, id, Change(id, "2030-01-01"), RejectionKind.NotFound, $"license {id} does not exist");
        _log.Refuse(_amr, EntryKinds.LicenseStatus, id, Suspend(id), RejectionKind.NotFound, "does not exist");
        _log.Refuse(_amr, EntryKinds.LicenseTransfer, id, Transfer(id), RejectionKind.NotFound, "does not exist");
    }

    [Fact]
    public void Only_the_issuing_issuer_may_change_a_license()
    {
        var id = Issue("2024000001");
        var branch = _log.RegisterIssuer("430100-amr-branch", ChangshaAmrCode);
        _log.Refuse(branch, EntryKinds.LicenseChange, id, Change(id, "2030-01-01"), RejectionKind.PermissionDenied, $"record id {id} was issued by another issuer (430100-amr)");
        _log.Refuse(branch, EntryKinds.LicenseStatus, id, Revoke(id), RejectionKind.PermissionDenied, "was issued by another issuer");
        _log.Refuse(branch, EntryKinds.LicenseTransfer, id, Transfer(id), RejectionKind.PermissionDenied, "was issued by another issuer");
    }

    [Fact]
    public void Suspend_needs_a_valid_license_and_resume_a_suspended_one()
    {
        var id = Issue("2024000001");
        _log.Refuse(_amr, EntryKinds.LicenseStatus, id, Resume(id), RejectionKind.FailedPrecondition, "only a suspended license can be resumed");
        _log.Admit(_amr, EntryKinds.LicenseStatus, id, Suspend(id));
        _log.Refuse(_amr, EntryKinds.LicenseStatus, id, Suspend(id), RejectionKind.FailedPrecondition, "is suspended: only a valid license can be suspended");
        _log.Refuse(_amr, EntryKinds.LicenseTransfer, id, Transfer(id), RejectionKind.FailedPrecondition, "only a valid license can be transferred");
    }

    [Fact]
    public void Nothing_follows_a_revocation()
    {
        var id = Issue("2024000001");
        _log.Admit(_amr, EntryKinds.LicenseStatus, id, Suspend(id));
        var revoked = _log.Admit(_amr, EntryKinds.LicenseStatus, id, Revoke(id, "04"));
        var message = $"license {id} was revoked at index {revoked.Index}";
        _log.Refuse(_amr, EntryKinds.LicenseStatus, id, Resume(id), RejectionKind.FailedPrecondition, message);
        _log.Refuse(_amr, EntryKinds.LicenseStatus, id, Revoke(id), RejectionKind.FailedPrecondition, message);
        _log.Refuse(_amr, EntryKinds.LicenseChange, id, Change(id, "2030-01-01"), RejectionKind.FailedPrecondition, message);
        _log.Refuse(_amr, EntryKinds.LicenseTransfer, id, Transfer(id), RejectionKind.FailedPrecondition, message);
        Assert.Equal("04", _log.License(id).StatusCode);
    }

    [Fact]
    public void Nothing_follows_a_transfer_out()
    {
        var id = Issue("2024000001");
        _log.Refuse(_amr, EntryKinds.LicenseTransfer, id, Transfer(id, "430100"), RejectionKind.InvalidArgument, "body.toOrigin: huren.cz-t/430100 is this log");
        var transferred = _log.Admit(_amr, EntryKinds.LicenseTransfer, id, Transfer(id));
        var license = _log.License(id);
        Assert.Equal(LicenseStatus.Transferred, license.Status);
        Assert.Equal("06", license.StatusCode);
        Assert.Equal(LedgerFixture.Zhuzhou, license.ToOrigin);
        Assert.Equal(transferred.Index, license.TransferIndex);
        Assert.Equal(transferred.LeafHash, license.TransferLeafHash);
        var (verdict, reason) = LicenseVerdicts.Evaluate(license, Today);
        Assert.Equal(LicenseVerdict.Transferred, verdict);
        Assert.Contains(LedgerFixture.Zhuzhou, reason, StringComparison.Ordinal);

        _log.Refuse(_amr, EntryKinds.LicenseTransfer, id, Transfer(id), RejectionKind.FailedPrecondition, "transferred");
        _log.Refuse(_amr, EntryKinds.LicenseTransfer, id, Transfer(id, "430300"), RejectionKind.FailedPrecondition, $"was transferred to {LedgerFixture.Zhuzhou}");
        _log.Refuse(_amr, EntryKinds.LicenseChange, id, Change(id, "2030-01-01"), RejectionKind.FailedPrecondition, "transferred");
        _log.Refuse(_amr, EntryKinds.LicenseStatus, id, Suspend(id), RejectionKind.FailedPrecondition, "transferred");
    }

    [Fact]
    public void Change_keeps_the_validity_window_in_order_and_documents_unique()
    {
        var id = Issue("2024000001");
        var other = Issue("2024000002");
        _log.Refuse(_amr, EntryKinds.LicenseChange, id, Change(id, "2024-01-01"), RejectionKind.InvalidArgument, "body.newValidUntil: 2024-01-01 is before the license's validFrom 2024-03-01");
        _log.Refuse(_amr, EntryKinds.LicenseChange, id, Change(id, newDigest: DigestOf("document 2024000002")), RejectionKind.AlreadyExists, $"is already the document of license {other}");
        Assert.Equal("", _log.License(id).ValidUntil);
    }
}
