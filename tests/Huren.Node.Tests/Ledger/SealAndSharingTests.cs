using Huren.Node.Logs;
using Huren.Schemas.Bodies;
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
    public void A_record_id_names_one_record_a_share_cannot_take_an_issuers_or_a_licenses_id()
    {
        // The status map is keyed by record id alone: a share under the issuer's id would stand as the issuer's latest state.
        _log.Refuse(_amr, EntryKinds.Share, "430100-amr", Share("430100-amr", ChangshaAmrCode, ChangshaDataOfficeCode, LedgerFixture.Changsha),
            RejectionKind.FailedPrecondition, "recordId: '430100-amr' is already taken in this log by a record of kind 'issuer', not 'share'");
        // A license id has a form only license entries may use, issued or not.
        var licenseId = BusinessLicense(ChangshaAmrCode, "2024000777").LicenseId;
        _log.Refuse(_amr, EntryKinds.Share, licenseId, Share(licenseId, ChangshaAmrCode, ChangshaDataOfficeCode, LedgerFixture.Changsha),
            RejectionKind.InvalidArgument, "has the form of a license id (GB/T 36904), which only license entries may use");
        // A share, its decision and its receipt are one record: the same id serves them all.
        var office = _log.RegisterIssuer("430100-data", ChangshaDataOfficeCode);
        var share = _log.Admit(_amr, EntryKinds.Share, "share-7", Share("share-7", ChangshaAmrCode, ChangshaDataOfficeCode, LedgerFixture.Changsha));
        _log.Admit(office, EntryKinds.Receipt, "share-7", Receipt("share-7", LedgerFixture.Changsha, ChangshaDataOfficeCode), share.Ref("share"));
    }

    [Fact]
    public void Receipt_needs_an_existing_share()
    {
        var office = _log.RegisterIssuer("430100-data", ChangshaDataOfficeCode);
        var body = Receipt("share-404", LedgerFixture.Changsha, ChangshaDataOfficeCode);
        _log.Refuse(office, EntryKinds.Receipt, "share-404", body, RejectionKind.InvalidArgument, "must reference the share entry (relation 'share')");
        var registration = new Admitted(LedgerFixture.Changsha, office.Index, LedgerFixture.LeafHash(_log.Store.GetLeaf(office.Index)!));
        _log.Refuse(office, EntryKinds.Receipt, "share-404", body, RejectionKind.NotFound, $"references[0]: entry {office.Index} of {LedgerFixture.Changsha} has kind issuer.register, not share", registration.Ref("share"));
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

    public static TheoryData<string> MismatchCases => new(Mismatches.Keys);

    /// <summary>How a receipt is made not to match its share, and the refusal the node gives.</summary>
    private static readonly Dictionary<string, (Action<DataShared> Share, Action<DataReceived> Receipt, RejectionKind Kind, string Message)> Mismatches = new()
    {
        ["a share to another city"] = (s => s.ConsumerOrigin = LedgerFixture.Changsha, _ => { }, RejectionKind.PermissionDenied,
            $"share share-1 (entry 1 of {LedgerFixture.Changsha}) is addressed to the log {LedgerFixture.Changsha}, not to {LedgerFixture.Zhuzhou}: a receipt is written in the receiving city's log"),
        ["a share to another department"] = (s => s.ConsumerCode = ChangshaDataOfficeCode, _ => { }, RejectionKind.PermissionDenied,
            $"body.consumerCode: share share-1 (entry 1 of {LedgerFixture.Changsha}) was made to {ChangshaDataOfficeCode}, not to {ZhuzhouAmrCode}"),
        ["another payload digest"] = (_ => { }, r => r.PayloadDigest = DigestOf("other payload"), RejectionKind.FailedPrecondition, "body.payloadDigest: "),
        ["another record count"] = (_ => { }, r => r.RecordCount = 4, RejectionKind.FailedPrecondition, "body.recordCount: 4 is not the record count 1 share share-1"),
        ["another share id"] = (_ => { }, r => r.ShareId = "share-2", RejectionKind.NotFound, $"body.shareId: entry 1 of {LedgerFixture.Changsha} is share share-1, not share-2"),
    };

    [Theory]
    [MemberData(nameof(MismatchCases))]
    public void A_receipt_admitted_into_the_consumers_own_log_must_match_the_share_in_its_copy_of_the_providers_log(string name)
    {
        var (breakShare, breakReceipt, kind, message) = Mismatches[name];
        var zhuzhou = new LedgerFixture(LedgerFixture.Zhuzhou, _log.Holds, admitsOwnEntries: true, keptLogs: _log.Kept);
        var consumer = zhuzhou.RegisterIssuer("430200-amr", ZhuzhouAmrCode);
        var shareBody = Share("share-1", ChangshaAmrCode, ZhuzhouAmrCode, LedgerFixture.Zhuzhou);
        breakShare(shareBody);
        var share = _log.Admit(_amr, EntryKinds.Share, "share-1", shareBody);
        var body = Receipt("share-1", LedgerFixture.Changsha, ZhuzhouAmrCode);
        breakReceipt(body);
        zhuzhou.Refuse(consumer, EntryKinds.Receipt, body.ShareId, body, kind, "references[0]: " + message, share.Ref("share"));
        // A mirror of Zhuzhou's log judges it whatever it holds of Changsha's: it does not read the share.
        var mirror = new LedgerFixture(LedgerFixture.Zhuzhou, _log.Holds, keptLogs: _log.Kept);
        var mirrored = mirror.RegisterIssuer("430200-amr", ZhuzhouAmrCode);
        mirror.Admit(mirrored, EntryKinds.Receipt, body.ShareId, body, share.Ref("share"));
    }

    [Fact]
    public void A_receipt_for_a_share_beyond_the_copy_of_the_providers_log_is_unavailable_and_one_for_a_license_entry_not_found()
    {
        var zhuzhou = new LedgerFixture(LedgerFixture.Zhuzhou, _log.Holds, admitsOwnEntries: true, keptLogs: _log.Kept);
        var consumer = zhuzhou.RegisterIssuer("430200-amr", ZhuzhouAmrCode);
        var body = Receipt("share-1", LedgerFixture.Changsha, ZhuzhouAmrCode);
        var beyond = new EntryReference { Origin = LedgerFixture.Changsha, Index = 7, LeafHash = DigestOf("not yet"), Relation = "share" };
        zhuzhou.Refuse(consumer, EntryKinds.Receipt, "share-1", body, RejectionKind.Unavailable,
            $"references[0]: this node's copy of {LedgerFixture.Changsha} holds {_log.Size} entries and has not reached entry 7 yet; retry", beyond);

        var registration = new Admitted(LedgerFixture.Changsha, _amr.Index, LedgerFixture.LeafHash(_log.Store.GetLeaf(_amr.Index)!));
        zhuzhou.Refuse(consumer, EntryKinds.Receipt, "share-1", body, RejectionKind.NotFound,
            $"references[0]: entry {_amr.Index} of {LedgerFixture.Changsha} has kind issuer.register, not share", registration.Ref("share"));

        var share = _log.Admit(_amr, EntryKinds.Share, "share-1", Share("share-1", ChangshaAmrCode, ZhuzhouAmrCode, LedgerFixture.Zhuzhou));
        zhuzhou.Admit(consumer, EntryKinds.Receipt, "share-1", body, share.Ref("share"));
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
