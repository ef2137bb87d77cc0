using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using static Huren.Node.Tests.Ledger.LedgerBodies;

namespace Huren.Node.Tests.Ledger;

/// <summary>Transfers between two city logs (转出/转入) and uses of licenses (用证), within a log and across logs.</summary>
public class TransferAndUseTests
{
    private static readonly DateOnly Today = new(2024, 6, 1);

    private readonly LedgerFixture _changsha = new();
    private readonly LedgerFixture _zhuzhou;
    private readonly TestIssuer _changshaAmr;
    private readonly TestIssuer _zhuzhouAmr;

    public TransferAndUseTests()
    {
        _zhuzhou = new LedgerFixture(
            LedgerFixture.Zhuzhou,
            _changsha.Holds,
            (origin, id) => origin == LedgerFixture.Changsha && _changsha.Machine.TryGetLicense(id, out var license) ? license : null);
        _changshaAmr = _changsha.RegisterIssuer("430100-amr", ChangshaAmrCode);
        _zhuzhouAmr = _zhuzhou.RegisterIssuer("430200-amr", ZhuzhouAmrCode);
    }

    private (string Id, Admitted Issued) IssueInChangsha(string serial, string validUntil = "2029-12-31")
    {
        var body = BusinessLicense(ChangshaAmrCode, serial, validUntil: validUntil);
        return (body.LicenseId, _changsha.Admit(_changshaAmr, EntryKinds.LicenseIssue, body.LicenseId, body));
    }

    private (string Id, Admitted Transfer) TransferToZhuzhou(string serial)
    {
        var (id, _) = IssueInChangsha(serial);
        return (id, _changsha.Admit(_changshaAmr, EntryKinds.LicenseTransfer, id, Transfer(id)));
    }

    [Fact]
    public void A_document_digest_in_force_in_two_logs_is_no_answer_and_a_transferred_license_is_one()
    {
        var (id, _) = IssueInChangsha("2024000501");
        var states = new LedgerStates(_changsha.Machine);
        states.Add(_zhuzhou.Machine);
        var digest = BusinessLicense(ChangshaAmrCode, "2024000501").DocumentDigest;
        Assert.Equal(id, states.FindLicenseByDigest(digest)!.Value.License.LicenseId);

        // Zhuzhou's department registers a license of its own carrying the same document digest.
        var copy = BusinessLicense(ZhuzhouAmrCode, "2024000502");
        copy.DocumentDigest = digest;
        _zhuzhou.Admit(_zhuzhouAmr, EntryKinds.LicenseIssue, copy.LicenseId, copy);
        var ex = Assert.Throws<AmbiguousLicenseException>(() => states.FindLicenseByDigest(digest));
        Assert.Contains($"license {id} of {LedgerFixture.Changsha} and license {copy.LicenseId} of {LedgerFixture.Zhuzhou} are both in force", ex.Message, StringComparison.Ordinal);
        // Each license by its own id is still one answer.
        Assert.Equal(LedgerFixture.Zhuzhou, states.FindLicense(copy.LicenseId)!.Value.State.Origin);
    }

    [Fact]
    public void Accepted_license_becomes_a_license_of_the_receiving_log()
    {
        var (id, transfer) = TransferToZhuzhou("2024000001");
        var newId = LicenseId(ZhuzhouAmrCode, "2024000099");
        var accepted = _zhuzhou.Admit(_zhuzhouAmr, EntryKinds.LicenseTransferAccept, id, Accept(id, LedgerFixture.Changsha, newId), transfer.Ref("transfer"));

        var license = _zhuzhou.License(newId);
        Assert.Equal(_zhuzhouAmr.Id, license.IssuerId);
        Assert.Equal(LicenseStatus.Valid, license.Status);
        Assert.Equal(accepted.Index, license.IssueIndex);
        Assert.Equal(accepted.LeafHash, license.IssueLeafHash);
        Assert.Equal(LedgerFixture.Changsha, license.FromOrigin);
        Assert.Equal(id, license.OriginalLicenseId);
        Assert.Equal("长沙互认科技有限公司", license.HolderName);
        Assert.Equal("2029-12-31", license.ValidUntil);
        Assert.Equal(ZhuzhouAmrCode, license.IssuingAuthorityCode);
        Assert.Equal(LicenseVerdict.Valid, LicenseVerdicts.Evaluate(license, Today).Verdict);
        Assert.True(_zhuzhou.Machine.TryFindAcceptedLicense(LedgerFixture.Changsha, id, out var found));
        Assert.Equal(newId, found.LicenseId);
        Assert.True(_zhuzhou.Machine.TryFindLicenseByDigest(DigestOf("document 2024000001"), out found));
        Assert.Equal(newId, found.LicenseId);
        Assert.Equal(LicenseVerdict.Transferred, LicenseVerdicts.Evaluate(_changsha.License(id), Today).Verdict);

        // The receiving issuer now owns it: it can use, suspend and change it.
        _zhuzhou.Admit(_zhuzhouAmr, EntryKinds.LicenseUse, newId, Use(newId), accepted.Ref("license"));
        _zhuzhou.Admit(_zhuzhouAmr, EntryKinds.LicenseStatus, newId, Suspend(newId));
        Assert.Equal(LicenseStatus.Suspended, _zhuzhou.License(newId).Status);
    }

    [Fact]
    public void Accepting_the_same_license_twice_is_refused()
    {
        var (id, transfer) = TransferToZhuzhou("2024000001");
        var accepted = _zhuzhou.Admit(_zhuzhouAmr, EntryKinds.LicenseTransferAccept, id, Accept(id, LedgerFixture.Changsha), transfer.Ref("transfer"));
        Assert.Equal(id, _zhuzhou.License(id).LicenseId);
        var newId = LicenseId(ZhuzhouAmrCode, "2024000099");
        _zhuzhou.Refuse(_zhuzhouAmr, EntryKinds.LicenseTransferAccept, id, Accept(id, LedgerFixture.Changsha, newId), RejectionKind.AlreadyExists,
            $"license {id} from {LedgerFixture.Changsha} was already accepted at index {accepted.Index}", transfer.Ref("transfer"));
    }

    [Fact]
    public void Accept_needs_a_reference_to_an_existing_transfer_entry()
    {
        var (id, transfer) = TransferToZhuzhou("2024000001");
        var body = Accept(id, LedgerFixture.Changsha);
        _zhuzhou.Refuse(_zhuzhouAmr, EntryKinds.LicenseTransferAccept, id, body, RejectionKind.InvalidArgument, "must reference the transfer entry (relation 'transfer')");

        var missing = transfer.Ref("transfer");
        missing.Index = 99;
        _zhuzhou.Refuse(_zhuzhouAmr, EntryKinds.LicenseTransferAccept, id, body, RejectionKind.NotFound, $"references[0]: entry 99 of {LedgerFixture.Changsha}", missing);

        var forged = transfer.Ref("transfer");
        forged.LeafHash = DigestOf("not the transfer");
        _zhuzhou.Refuse(_zhuzhouAmr, EntryKinds.LicenseTransferAccept, id, body, RejectionKind.NotFound, "does not exist in this node's copy", forged);

        var fromItself = Accept(id, LedgerFixture.Zhuzhou);
        _zhuzhou.Refuse(_zhuzhouAmr, EntryKinds.LicenseTransferAccept, id, fromItself, RejectionKind.InvalidArgument, "body.fromOrigin", transfer.Ref("transfer"));
    }

    [Fact]
    public void Accept_is_not_found_when_the_node_keeps_no_copy_of_the_transferring_log()
    {
        var (id, transfer) = TransferToZhuzhou("2024000001");
        var isolated = new LedgerFixture(LedgerFixture.Zhuzhou);
        var amr = isolated.RegisterIssuer("430200-amr", ZhuzhouAmrCode);
        isolated.Refuse(amr, EntryKinds.LicenseTransferAccept, id, Accept(id, LedgerFixture.Changsha), RejectionKind.NotFound,
            $"origin {LedgerFixture.Changsha} is not kept by this node", transfer.Ref("transfer"));
    }

    [Fact]
    public void Accept_of_a_license_that_was_not_transferred_here_is_refused()
    {
        var (id, issued) = IssueInChangsha("2024000001");
        _zhuzhou.Refuse(_zhuzhouAmr, EntryKinds.LicenseTransferAccept, id, Accept(id, LedgerFixture.Changsha), RejectionKind.FailedPrecondition,
            $"license {id} was not transferred to {LedgerFixture.Zhuzhou}", issued.Ref("transfer"));

        var (other, transfer) = TransferToZhuzhou("2024000002");
        _zhuzhou.Refuse(_zhuzhouAmr, EntryKinds.LicenseTransferAccept, other, Accept(other, LedgerFixture.Changsha), RejectionKind.InvalidArgument,
            $"is not the transfer of license {other} (that is entry {transfer.Index})", issued.Ref("transfer"));
    }

    [Fact]
    public void Accept_needs_the_type_in_scope_and_a_new_id_of_the_acceptor()
    {
        var (id, transfer) = TransferToZhuzhou("2024000001");
        var health = _zhuzhou.RegisterIssuer("430200-health", Uscc("11430200HUREN0105"), [MedicalLicenseType]);
        _zhuzhou.Refuse(health, EntryKinds.LicenseTransferAccept, id, Accept(id, LedgerFixture.Changsha), RejectionKind.PermissionDenied,
            "is out of scope for issuer 430200-health", transfer.Ref("transfer"));

        var foreignId = LicenseId(ChangshaAmrCode, "2024000077");
        _zhuzhou.Refuse(_zhuzhouAmr, EntryKinds.LicenseTransferAccept, id, Accept(id, LedgerFixture.Changsha, foreignId), RejectionKind.PermissionDenied,
            "body.newLicenseId: authority code", transfer.Ref("transfer"));
    }

    [Fact]
    public void Without_the_source_record_an_accepted_license_has_what_its_identifier_tells()
    {
        var (id, transfer) = TransferToZhuzhou("2024000001");
        var referenceOnly = new LedgerFixture(LedgerFixture.Zhuzhou, _changsha.Holds);
        var amr = referenceOnly.RegisterIssuer("430200-amr", ZhuzhouAmrCode);
        referenceOnly.Admit(amr, EntryKinds.LicenseTransferAccept, id, Accept(id, LedgerFixture.Changsha), transfer.Ref("transfer"));
        var license = referenceOnly.License(id);
        Assert.Equal(BusinessLicenseType, license.TypeCode);
        Assert.Equal("营业执照", license.Name);
        Assert.Equal("", license.ValidFrom);
        Assert.Equal(LicenseVerdict.Valid, LicenseVerdicts.Evaluate(license, Today).Verdict);
    }

    [Fact]
    public void Use_references_the_issue_entry_in_this_log()
    {
        var (id, issued) = IssueInChangsha("2024000001");
        var use = _changsha.Admit(_changshaAmr, EntryKinds.LicenseUse, id, Use(id), issued.Ref("license"));
        Assert.Equal(issued.Index + 1, use.Index);
        Assert.Equal([issued.Index], _changsha.License(id).EntryIndexes);

        _changsha.Refuse(_changshaAmr, EntryKinds.LicenseUse, id, Use(id), RejectionKind.InvalidArgument, "must reference the license's issue entry (relation 'license')");
        _changsha.Refuse(_changshaAmr, EntryKinds.LicenseUse, id, Use(id), RejectionKind.NotFound,
            $"entry {use.Index} of {LedgerFixture.Changsha} is not the issue entry of license {id}", use.Ref("license"));
        var unknown = LicenseId(ChangshaAmrCode, "2024000404");
        _changsha.Refuse(_changshaAmr, EntryKinds.LicenseUse, unknown, Use(unknown), RejectionKind.NotFound, $"license {unknown} does not exist", issued.Ref("license"));
    }

    [Fact]
    public void Use_in_another_city_references_the_issuing_log()
    {
        var (id, issued) = IssueInChangsha("2024000001");
        _zhuzhou.Admit(_zhuzhouAmr, EntryKinds.LicenseUse, id, Use(id), issued.Ref("license"));

        var wrong = issued.Ref("license");
        wrong.Index = 42;
        _zhuzhou.Refuse(_zhuzhouAmr, EntryKinds.LicenseUse, id, Use(id), RejectionKind.NotFound, "references[0]: entry 42", wrong);

        var isolated = new LedgerFixture(LedgerFixture.Zhuzhou);
        var amr = isolated.RegisterIssuer("430200-amr", ZhuzhouAmrCode);
        isolated.Refuse(amr, EntryKinds.LicenseUse, id, Use(id), RejectionKind.NotFound, "is not kept by this node", issued.Ref("license"));
    }

    [Fact]
    public void A_use_records_the_verdict_on_its_day_and_a_reason_when_that_is_not_valid()
    {
        var (id, issued) = IssueInChangsha("2024000002");
        _changsha.Admit(_changshaAmr, EntryKinds.LicenseStatus, id, Revoke(id));

        // The counter says VALID: the log says otherwise, and the use is refused with the verdict in force.
        _changsha.Refuse(_changshaAmr, EntryKinds.LicenseUse, id, Use(id), RejectionKind.FailedPrecondition,
            $"body.verdictAtUse: the use records VALID, but license {id} is REVOKED on 2024-06-01", issued.Ref("license"));
        // REVOKED without the counter's reason is a schema error.
        var noReason = Use(id);
        noReason.VerdictAtUse = "REVOKED";
        _changsha.Refuse(_changshaAmr, EntryKinds.LicenseUse, id, noReason, RejectionKind.InvalidArgument,
            "body.despiteStatusReason: is required: the license was REVOKED when used", issued.Ref("license"));
        // With it, the use is recorded.
        var despite = Use(id);
        despite.VerdictAtUse = "REVOKED";
        despite.DespiteStatusReason = "申请人持纸质原件，复议期间留痕";
        _changsha.Admit(_changshaAmr, EntryKinds.LicenseUse, id, despite, issued.Ref("license"));

        // An expired license: the verdict is judged on the entry's day (China time).
        var (expired, expiredIssue) = IssueInChangsha("2024000003", validUntil: "2024-05-31");
        _changsha.Refuse(_changshaAmr, EntryKinds.LicenseUse, expired, Use(expired), RejectionKind.FailedPrecondition, "is EXPIRED on 2024-06-01 (expired: valid until 2024-05-31)", expiredIssue.Ref("license"));
    }

    [Fact]
    public void A_use_of_another_citys_license_is_checked_against_this_nodes_copy_only_when_admitted_here()
    {
        var (id, issued) = IssueInChangsha("2024000004");
        _changsha.Admit(_changshaAmr, EntryKinds.LicenseStatus, id, Suspend(id));
        var admitting = new LedgerFixture(LedgerFixture.Zhuzhou, _changsha.Holds,
            (origin, licenseId) => origin == LedgerFixture.Changsha && _changsha.Machine.TryGetLicense(licenseId, out var license) ? license : null,
            admitsOwnEntries: true);
        var counter = admitting.RegisterIssuer("430200-window", ZhuzhouAmrCode);
        admitting.Refuse(counter, EntryKinds.LicenseUse, id, Use(id), RejectionKind.FailedPrecondition, "the use records VALID, but license", issued.Ref("license"));
        var suspended = Use(id);
        suspended.VerdictAtUse = "SUSPENDED";
        suspended.DespiteStatusReason = "暂扣期间仅查询，不办理";
        admitting.Admit(counter, EntryKinds.LicenseUse, id, suspended, issued.Ref("license"));

        // A mirror re-checking Zhuzhou's log must not judge by what it holds of a third log: the same entry passes.
        _zhuzhou.Admit(_zhuzhouAmr, EntryKinds.LicenseUse, id, Use(id), issued.Ref("license"));
    }

    [Fact]
    public void A_license_is_not_recorded_before_its_issue_date()
    {
        var body = BusinessLicense(ChangshaAmrCode, "2024000005");
        body.IssueDate = "2024-06-02";
        _changsha.Refuse(_changshaAmr, EntryKinds.LicenseIssue, body.LicenseId, body, RejectionKind.InvalidArgument,
            "body.issueDate: 2024-06-02 is after the day the entry was signed (2024-06-01, China time)");
        body.IssueDate = "2024-06-01";
        _changsha.Admit(_changshaAmr, EntryKinds.LicenseIssue, body.LicenseId, body);
    }
}
