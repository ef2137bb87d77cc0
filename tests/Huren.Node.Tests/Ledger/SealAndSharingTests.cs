using Huren.Node.Logs;
using Huren.Schemas.Envelope;
using static Huren.Node.Tests.Ledger.LedgerBodies;

namespace Huren.Node.Tests.Ledger;

/// <summary>Data shares and their receipts (seals: <see cref="SealRulesTests"/>).</summary>
public class SealAndSharingTests
{
    private readonly LedgerFixture _log = new();
    private readonly TestIssuer _amr;

    public SealAndSharingTests() => _amr = _log.RegisterIssuer("430100-amr", ChangshaAmrCode, seals: ["1", "2"]);

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
