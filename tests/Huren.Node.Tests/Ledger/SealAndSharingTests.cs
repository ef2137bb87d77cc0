using Huren.Node.Logs;
using Huren.Schemas.Envelope;
using static Huren.Node.Tests.Ledger.LedgerBodies;

namespace Huren.Node.Tests.Ledger;

/// <summary>Seal registration, revocation and use; data shares and their receipts.</summary>
public class SealAndSharingTests
{
    private const string SealId = "43010000000001";

    private readonly LedgerFixture _log = new();
    private readonly TestIssuer _amr;

    public SealAndSharingTests() => _amr = _log.RegisterIssuer("430100-amr", ChangshaAmrCode, seals: ["1", "2"]);

    [Fact]
    public void Seal_lifecycle()
    {
        var registered = _log.Admit(_amr, EntryKinds.SealRegister, SealId, Seal(SealId));
        Assert.True(_log.Machine.TryGetSeal(SealId, out var seal));
        Assert.Equal(_amr.Id, seal.IssuerId);
        Assert.Equal(registered.Index, seal.RegisteredIndex);
        Assert.Equal(registered.LeafHash, seal.RegisteredLeafHash);
        Assert.False(seal.Revoked);

        _log.Admit(_amr, EntryKinds.SealUse, SealId, SealUse(SealId));
        var revoked = _log.Admit(_amr, EntryKinds.SealRevoke, SealId, SealRevoke(SealId));
        Assert.True(_log.Machine.TryGetSeal(SealId, out seal));
        Assert.True(seal.Revoked);
        Assert.Equal(revoked.Index, seal.RevokedIndex);

        _log.Refuse(_amr, EntryKinds.SealUse, SealId, SealUse(SealId), RejectionKind.FailedPrecondition, $"seal {SealId} was revoked at index {revoked.Index}");
        _log.Refuse(_amr, EntryKinds.SealRevoke, SealId, SealRevoke(SealId), RejectionKind.FailedPrecondition, "was already revoked");
        _log.Refuse(_amr, EntryKinds.SealRegister, SealId, Seal(SealId), RejectionKind.AlreadyExists, $"seal {SealId} already exists");
    }

    [Fact]
    public void Seal_type_must_be_in_the_issuers_seal_permissions()
    {
        _log.Refuse(_amr, EntryKinds.SealRegister, SealId, Seal(SealId, sealType: "5"), RejectionKind.PermissionDenied, "seal type 5 is out of scope for issuer 430100-amr");
    }

    [Fact]
    public void Only_the_registering_issuer_revokes_a_seal_and_unknown_seals_are_not_found()
    {
        _log.Refuse(_amr, EntryKinds.SealRevoke, SealId, SealRevoke(SealId), RejectionKind.NotFound, $"seal {SealId} does not exist");
        _log.Refuse(_amr, EntryKinds.SealUse, SealId, SealUse(SealId), RejectionKind.NotFound, $"seal {SealId} does not exist");
        _log.Admit(_amr, EntryKinds.SealRegister, SealId, Seal(SealId));
        var other = _log.RegisterIssuer("430100-psb", ChangshaHealthCode, seals: ["2"]);
        _log.Refuse(other, EntryKinds.SealRevoke, SealId, SealRevoke(SealId), RejectionKind.PermissionDenied, $"record id {SealId} was registered by another issuer (430100-amr)");
        // Any registered issuer may record the use of a valid seal.
        _log.Admit(other, EntryKinds.SealUse, SealId, SealUse(SealId));
    }

    [Fact]
    public void Seal_use_outside_the_seals_validity_is_refused()
    {
        _log.Admit(_amr, EntryKinds.SealRegister, SealId, Seal(SealId, validUntil: "2024-05-31"));
        _log.Refuse(_amr, EntryKinds.SealUse, SealId, SealUse(SealId), RejectionKind.FailedPrecondition, $"seal {SealId} is not valid on 2024-06-01");
    }

    [Fact]
    public void Share_and_receipt_within_one_city()
    {
        var office = _log.RegisterIssuer("430100-data", ChangshaDataOfficeCode);
        var share = _log.Admit(_amr, EntryKinds.Share, "share-1", Share("share-1", ChangshaAmrCode, ChangshaDataOfficeCode, LedgerFixture.Changsha));
        Assert.True(_log.Machine.TryGetShare("share-1", out var recorded));
        Assert.Equal(share.Index, recorded.Index);
        Assert.Equal(_amr.Id, recorded.IssuerId);
        _log.Refuse(_amr, EntryKinds.Share, "share-1", Share("share-1", ChangshaAmrCode, ChangshaDataOfficeCode, LedgerFixture.Changsha), RejectionKind.AlreadyExists, "share share-1 already exists");

        var receipt = _log.Admit(office, EntryKinds.Receipt, "share-1", Receipt("share-1", LedgerFixture.Changsha, ChangshaDataOfficeCode), share.Ref("share"));
        Assert.True(_log.Machine.TryGetReceipt(LedgerFixture.Changsha, "share-1", out var received));
        Assert.Equal(receipt.Index, received.Index);
        Assert.Equal(share.Index, received.ShareIndex);
        _log.Refuse(office, EntryKinds.Receipt, "share-1", Receipt("share-1", LedgerFixture.Changsha, ChangshaDataOfficeCode), RejectionKind.AlreadyExists, "already has a receipt", share.Ref("share"));
    }

    [Fact]
    public void Receipt_needs_an_existing_share()
    {
        var office = _log.RegisterIssuer("430100-data", ChangshaDataOfficeCode);
        var body = Receipt("share-404", LedgerFixture.Changsha, ChangshaDataOfficeCode);
        _log.Refuse(office, EntryKinds.Receipt, "share-404", body, RejectionKind.InvalidArgument, "must reference the share entry (relation 'share')");
        var registration = new Admitted(LedgerFixture.Changsha, office.Index, LedgerFixture.LeafHash(_log.Store.GetLeaf(office.Index)!));
        _log.Refuse(office, EntryKinds.Receipt, "share-404", body, RejectionKind.NotFound, "share share-404 does not exist", registration.Ref("share"));
        var beyond = registration.Ref("share");
        beyond.Index = 50;
        _log.Refuse(office, EntryKinds.Receipt, "share-404", body, RejectionKind.NotFound, "references[0]: entry 50", beyond);
    }

    [Fact]
    public void Receipt_in_the_consumers_city_references_the_providers_log()
    {
        var zhuzhou = new LedgerFixture(LedgerFixture.Zhuzhou, _log.Holds);
        var consumer = zhuzhou.RegisterIssuer("430200-amr", ZhuzhouAmrCode);
        var share = _log.Admit(_amr, EntryKinds.Share, "share-1", Share("share-1", ChangshaAmrCode, ZhuzhouAmrCode, LedgerFixture.Zhuzhou));
        var body = Receipt("share-1", LedgerFixture.Changsha, ZhuzhouAmrCode);

        var forged = share.Ref("share");
        forged.LeafHash = DigestOf("forged");
        zhuzhou.Refuse(consumer, EntryKinds.Receipt, "share-1", body, RejectionKind.NotFound, "does not exist in this node's copy", forged);
        zhuzhou.Admit(consumer, EntryKinds.Receipt, "share-1", body, share.Ref("share"));
        Assert.True(zhuzhou.Machine.TryGetReceipt(LedgerFixture.Changsha, "share-1", out var receipt));
        Assert.Equal(share.LeafHash, receipt.ShareLeafHash);
    }

    [Fact]
    public void Sharing_needs_the_permission_and_the_parties_own_codes()
    {
        var health = _log.RegisterIssuer("430100-health", ChangshaHealthCode, [MedicalLicenseType], [], mayShare: false);
        _log.Refuse(health, EntryKinds.Share, "share-1", Share("share-1", ChangshaHealthCode, ZhuzhouAmrCode, LedgerFixture.Zhuzhou), RejectionKind.PermissionDenied, "may not record data shares");
        _log.Refuse(_amr, EntryKinds.Share, "share-1", Share("share-1", ChangshaHealthCode, ZhuzhouAmrCode, LedgerFixture.Zhuzhou), RejectionKind.PermissionDenied, "body.providerCode");

        var share = _log.Admit(_amr, EntryKinds.Share, "share-1", Share("share-1", ChangshaAmrCode, ChangshaDataOfficeCode, LedgerFixture.Changsha));
        _log.Refuse(health, EntryKinds.Receipt, "share-1", Receipt("share-1", LedgerFixture.Changsha, ChangshaHealthCode), RejectionKind.PermissionDenied, "may not record data shares", share.Ref("share"));
        var office = _log.RegisterIssuer("430100-data", ChangshaDataOfficeCode);
        _log.Refuse(office, EntryKinds.Receipt, "share-1", Receipt("share-1", LedgerFixture.Changsha, ChangshaHealthCode), RejectionKind.PermissionDenied, "body.consumerCode", share.Ref("share"));
    }
}
