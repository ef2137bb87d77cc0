using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using static Huren.Node.Tests.Ledger.LedgerBodies;

namespace Huren.Node.Tests.Ledger;

/// <summary>
/// Succession (机构改革): the city root passes an issuer's licenses and seals to a successor department, which then
/// answers for them; and the city root's last-resort suspension and revocation.
/// </summary>
public class SuccessionTests
{
    private static readonly DateOnly Today = new(2024, 6, 1);
    private static readonly string ApprovalCode = Uscc("11430100HUREN0109");
    private static readonly string CityAdminCode = Uscc("11430100HUREN0110");

    private readonly LedgerFixture _log = new();
    private readonly TestIssuer _amr;
    private readonly TestIssuer _approval;

    public SuccessionTests()
    {
        _amr = _log.RegisterIssuer("430100-amr", ChangshaAmrCode);
        _approval = _log.RegisterIssuer("430100-approval", ApprovalCode);
    }

    private string Issue(TestIssuer issuer, string serial)
    {
        var body = BusinessLicense(issuer.AuthorityCode, serial);
        _log.Admit(issuer, EntryKinds.LicenseIssue, body.LicenseId, body);
        return body.LicenseId;
    }

    [Fact]
    public void After_its_issuer_is_revoked_a_successor_revokes_one_of_its_licenses()
    {
        var id = Issue(_amr, "2024000001");
        _log.RevokeIssuer(_amr.Id);
        // Before the succession, nobody but the city root may act: the issuer is revoked, the other did not issue it.
        _log.Refuse(_amr, EntryKinds.LicenseStatus, id, Revoke(id), RejectionKind.PermissionDenied, "issuer 430100-amr was revoked");
        _log.Refuse(_approval, EntryKinds.LicenseStatus, id, Revoke(id), RejectionKind.PermissionDenied, $"record id {id} was issued by another issuer (430100-amr), not by 430100-approval");

        var succession = _log.Succeed(_amr.Id, _approval.Id);
        var revoked = _log.Admit(_approval, EntryKinds.LicenseStatus, id, Revoke(id));

        var license = _log.License(id);
        Assert.Equal(LicenseStatus.Revoked, license.Status);
        Assert.Equal(_amr.Id, license.IssuerId);
        Assert.Equal(_approval.Id, license.StatusActor);
        Assert.Equal([succession.Index], license.StatusSuccessions);
        var (verdict, reason) = LicenseVerdicts.Evaluate(license, Today);
        Assert.Equal(LicenseVerdict.Revoked, verdict);
        Assert.Equal($"revoked (07 吊销) at index {revoked.Index} by 430100-approval, successor of 430100-amr under the succession at index {succession.Index}: 吊销营业执照", reason);
        var chain = Assert.Single(_log.Machine.SuccessionChainOf(license));
        Assert.Equal((succession.Index, _approval.Id), (chain.Index, chain.SuccessorId));
    }

    [Fact]
    public void The_successor_changes_suspends_resumes_and_transfers_what_passed_to_it()
    {
        var id = Issue(_amr, "2024000002");
        var moved = Issue(_amr, "2024000003");
        _log.Succeed(_amr.Id, _approval.Id);
        _log.Admit(_approval, EntryKinds.LicenseChange, id, Change(id, "2030-12-31"));
        _log.Admit(_approval, EntryKinds.LicenseStatus, id, Suspend(id));
        _log.Admit(_approval, EntryKinds.LicenseStatus, id, Resume(id));
        _log.Admit(_approval, EntryKinds.LicenseTransfer, moved, Transfer(moved));
        Assert.Equal("2030-12-31", _log.License(id).ValidUntil);
        Assert.Equal(LicenseStatus.Valid, _log.License(id).Status);
        Assert.Equal(LicenseStatus.Transferred, _log.License(moved).Status);
    }

    [Fact]
    public void A_predecessor_that_passed_its_licenses_on_no_longer_acts_on_them_nor_issues_new_ones()
    {
        var id = Issue(_amr, "2024000004");
        var succession = _log.Succeed(_amr.Id, _approval.Id);
        _log.Refuse(_amr, EntryKinds.LicenseStatus, id, Suspend(id), RejectionKind.PermissionDenied,
            $"record id {id} is no longer 430100-amr's: its licenses of type {BusinessLicenseType} passed to 430100-approval at index {succession.Index}");
        var fresh = BusinessLicense(ChangshaAmrCode, "2024000005");
        _log.Refuse(_amr, EntryKinds.LicenseIssue, fresh.LicenseId, fresh, RejectionKind.PermissionDenied,
            $"issuer 430100-amr passed its licenses of type {BusinessLicenseType} to 430100-approval at index {succession.Index}: it makes no new ones");
        // The succession is kept with the predecessor, listing what passed.
        Assert.True(_log.Machine.TryGetIssuer(_amr.Id, out var amr));
        var passed = Assert.Single(amr.PassedOn);
        Assert.Equal((_approval.Id, succession.Index, BusinessLicenseType), (passed.SuccessorId, passed.Index, Assert.Single(passed.LicenseTypeCodes)));
    }

    [Fact]
    public void A_third_issuer_is_told_who_answers_for_the_license()
    {
        var id = Issue(_amr, "2024000006");
        var other = _log.RegisterIssuer("430100-other", CityAdminCode);
        var succession = _log.Succeed(_amr.Id, _approval.Id);
        _log.Refuse(other, EntryKinds.LicenseStatus, id, Suspend(id), RejectionKind.PermissionDenied,
            $"record id {id} was issued by another issuer (430100-amr), not by 430100-other, and 430100-approval answers for it under the succession at index {succession.Index}");
    }

    [Fact]
    public void Successions_chain_and_the_last_successor_answers()
    {
        var id = Issue(_amr, "2024000007");
        var admin = _log.RegisterIssuer("430100-admin", CityAdminCode);
        var first = _log.Succeed(_amr.Id, _approval.Id);
        var second = _log.Succeed(_approval.Id, admin.Id);
        _log.Refuse(_approval, EntryKinds.LicenseStatus, id, Suspend(id), RejectionKind.PermissionDenied, "430100-admin answers for it");
        _log.Admit(admin, EntryKinds.LicenseStatus, id, Suspend(id));
        Assert.Equal([first.Index, second.Index], _log.License(id).StatusSuccessions);
        Assert.Equal([first.Index, second.Index], _log.Machine.SuccessionChainOf(_log.License(id)).Select(s => s.Index));
    }

    [Fact]
    public void A_succession_is_refused_with_the_reason()
    {
        var revoked = _log.RegisterIssuer("430100-gone", CityAdminCode);
        _log.RevokeIssuer(revoked.Id);
        var food = _log.RegisterIssuer("430100-food", Uscc("11430100HUREN0111"), [FoodLicenseType]);
        Refuse(Succession(_amr.Id, "430100-nobody"), RejectionKind.NotFound, "body.successorId: issuer 430100-nobody is not registered in huren.cz-t/430100");
        Refuse(Succession("430100-nobody", _approval.Id), RejectionKind.NotFound, "body.predecessorId: issuer 430100-nobody is not registered");
        Refuse(Succession(_amr.Id, revoked.Id), RejectionKind.FailedPrecondition, "body.successorId: issuer 430100-gone was revoked");
        Refuse(Succession(_amr.Id, food.Id), RejectionKind.PermissionDenied, $"body.licenseTypeCodes[0]: successor 430100-food may not issue 营业执照 ({BusinessLicenseType})");
        Refuse(Succession(_amr.Id, _approval.Id, [FoodLicenseType]), RejectionKind.InvalidArgument, "body.licenseTypeCodes[0]: issuer 430100-amr was never registered for 食品经营许可证");
        Refuse(Succession(_amr.Id, _approval.Id, sealTypes: ["9"]), RejectionKind.InvalidArgument, "body.sealTypes[0]: issuer 430100-amr was never registered for seal type 9");
        Refuse(Succession(_amr.Id, _amr.Id), RejectionKind.InvalidArgument, "body.successorId: must differ from predecessorId");

        var first = _log.Succeed(_amr.Id, _approval.Id);
        _log.RegisterIssuer("430100-admin", Uscc("11430100HUREN0112"));
        Refuse(Succession(_amr.Id, "430100-admin"), RejectionKind.AlreadyExists, $"already passed to 430100-approval at index {first.Index}; a succession of 430100-approval passes them on further");
        Refuse(Succession(_approval.Id, _amr.Id), RejectionKind.FailedPrecondition, "leads back to 430100-approval: a succession may not go in a circle");
        // Only the city root passes records on.
        _log.Refuse(_approval, EntryKinds.IssuerSucceed, _approval.Id, Succession(_approval.Id, "430100-admin"), RejectionKind.PermissionDenied, "issuer.succeed is written by the city root '430100-root', not by '430100-approval'");
    }

    private void Refuse(IssuerSucceeded body, RejectionKind kind, string message) =>
        _log.Refuse(_log.Entry(EntryKinds.IssuerSucceed, body.PredecessorId, _log.RootId, body), _log.RootKey, kind, message);

    [Fact]
    public void Seals_pass_on_like_licenses()
    {
        _log.Admit(_amr, EntryKinds.SealRegister, "SEAL-1", Seal("SEAL-1", "2"));
        _log.Succeed(_amr.Id, _approval.Id, licenseTypes: [], sealTypes: ["2"]);
        _log.Refuse(_amr, EntryKinds.SealRevoke, "SEAL-1", SealRevoke("SEAL-1"), RejectionKind.PermissionDenied, "record id SEAL-1 is no longer 430100-amr's: its seals of type 2 passed to 430100-approval");
        _log.Refuse(_amr, EntryKinds.SealRegister, "SEAL-2", Seal("SEAL-2", "2"), RejectionKind.PermissionDenied, "issuer 430100-amr passed its seals of type 2 to 430100-approval");
        _log.Admit(_amr, EntryKinds.SealRegister, "SEAL-3", Seal("SEAL-3", "1"));
        _log.Admit(_approval, EntryKinds.SealRevoke, "SEAL-1", SealRevoke("SEAL-1"));
        Assert.True(_log.Machine.TryGetSeal("SEAL-1", out var seal) && seal.Revoked);
        // The licenses did not pass: the predecessor still answers for them.
        var id = Issue(_amr, "2024000008");
        _log.Admit(_amr, EntryKinds.LicenseStatus, id, Suspend(id));
    }

    [Fact]
    public void The_city_root_suspends_and_revokes_as_a_last_resort_and_resumes_only_its_own_suspensions()
    {
        var id = Issue(_amr, "2024000009");
        var suspended = Issue(_amr, "2024000010");
        _log.RevokeIssuer(_amr.Id);
        var rootSuspend = _log.Admit(RootStatus(Suspend(id)), _log.RootKey);
        Assert.True(_log.License(id).StatusByCityRoot);
        Assert.Equal("suspended (02 暂扣) at index " + rootSuspend.Index + " by the city root 430100-root (last resort): 责令停产停业", LicenseVerdicts.Evaluate(_log.License(id), Today).Reason);

        // A successor may not lift the city root's suspension; the city root may.
        _log.Succeed(_amr.Id, _approval.Id);
        _log.Refuse(_approval, EntryKinds.LicenseStatus, id, Resume(id), RejectionKind.FailedPrecondition, $"was suspended by the city root '430100-root' at index {rootSuspend.Index}: only the city root resumes it");
        _log.Admit(RootStatus(Resume(id)), _log.RootKey);
        Assert.Equal(LicenseStatus.Valid, _log.License(id).Status);
        _log.Admit(RootStatus(Revoke(id)), _log.RootKey);
        Assert.Equal(LicenseStatus.Revoked, _log.License(id).Status);
        _log.Refuse(RootStatus(Suspend(id)), _log.RootKey, RejectionKind.FailedPrecondition, "nothing may follow a revocation");

        // The city root does not resume an issuer's suspension, changes nothing else, and signs with its own key.
        _log.Admit(_approval, EntryKinds.LicenseStatus, suspended, Suspend(suspended));
        _log.Refuse(RootStatus(Resume(suspended)), _log.RootKey, RejectionKind.FailedPrecondition, "the city root resumes only its own suspensions");
        _log.Refuse(_log.Entry(EntryKinds.LicenseChange, suspended, _log.RootId, Change(suspended, "2030-01-01")), _log.RootKey, RejectionKind.PermissionDenied, "not license.change");
        _log.Refuse(RootStatus(Revoke(suspended)), _approval.Key, RejectionKind.PermissionDenied, "signer is not a city root key");
        var ghost = LicenseId(ChangshaAmrCode, "GHOST");
        _log.Refuse(RootStatus(Revoke(ghost)), _log.RootKey, RejectionKind.NotFound, $"license {ghost} does not exist");
    }

    private Entry RootStatus(LicenseStatusChanged body) => _log.Entry(EntryKinds.LicenseStatus, body.LicenseId, _log.RootId, body);

    [Fact]
    public void Successions_survive_a_restart()
    {
        var id = Issue(_amr, "2024000011");
        _log.Succeed(_amr.Id, _approval.Id);
        _log.Reopen();
        _log.Refuse(_amr, EntryKinds.LicenseStatus, id, Suspend(id), RejectionKind.PermissionDenied, "passed to 430100-approval");
        _log.Admit(_approval, EntryKinds.LicenseStatus, id, Suspend(id));
    }
}
