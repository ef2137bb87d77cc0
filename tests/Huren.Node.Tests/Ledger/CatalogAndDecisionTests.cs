using Huren.Node.Logs;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using static Huren.Node.Tests.Ledger.LedgerBodies;

namespace Huren.Node.Tests.Ledger;

/// <summary>Catalogue resources (<c>catalog.publish</c>) and a provider's decisions on share requests (<c>share.decision</c>).</summary>
public class CatalogAndDecisionTests
{
    private readonly LedgerFixture _log = new();
    private readonly TestIssuer _amr;

    public CatalogAndDecisionTests() => _amr = _log.RegisterIssuer("430100-amr", ChangshaAmrCode);

    private static CatalogResourcePublished Resource(string code, string provider = ChangshaAmrCode, SharingType type = SharingType.Conditional) => new()
    {
        ResourceCode = code, Name = "营业执照信息", ProviderCode = provider, ProviderName = "长沙市市场监督管理局", SharingType = type,
        Fields = ["住所", "类型"], LegalBasis = "《政务数据共享条例》", NotSharedReason = type == SharingType.NotShared ? "涉及商业秘密" : "",
    };

    private static ShareDecided Decision(string shareId, ShareDecision decision, string resource = "R-1") => new()
    {
        ShareId = shareId, Decision = decision, ProviderCode = ChangshaAmrCode, ConsumerCode = ZhuzhouAmrCode, ConsumerOrigin = LedgerFixture.Zhuzhou,
        ResourceCode = resource, RecordId = "record-1", Purpose = "企业跨域经营备案",
        ReasonCode = decision == ShareDecision.Refused ? "reviewed" : "", Reason = decision == ShareDecision.Refused ? "材料不全" : "",
    };

    private static DataShared OfRecord(DataShared share)
    {
        share.RecordId = "record-1";
        return share;
    }

    /// <summary>The approval of exactly the request <paramref name="share"/> answers.</summary>
    private static ShareDecided ApprovalOf(DataShared share) => new()
    {
        ShareId = share.ShareId, Decision = ShareDecision.Approved, ProviderCode = share.ProviderCode, ConsumerCode = share.ConsumerCode,
        ConsumerOrigin = share.ConsumerOrigin, ResourceCode = share.ResourceId, RecordId = share.RecordId, Purpose = share.Purpose,
        MatterCode = share.MatterCode, Fields = [.. share.Fields],
    };

    [Fact]
    public void A_share_under_an_approval_is_the_approved_request_made_by_the_department_that_decided()
    {
        _log.Admit(_amr, EntryKinds.CatalogPublish, "resource-001", Resource("resource-001"));
        var approved = OfRecord(Share("req-5", ChangshaAmrCode, ZhuzhouAmrCode, LedgerFixture.Zhuzhou));
        _log.Admit(_amr, EntryKinds.ShareDecision, "req-5", ApprovalOf(approved));

        // Each field the approval names, changed, is another request: refused, naming the field.
        var otherResource = OfRecord(Share("req-5", ChangshaAmrCode, ZhuzhouAmrCode, LedgerFixture.Zhuzhou));
        otherResource.ResourceId = "resource-secret";
        _log.Refuse(_amr, EntryKinds.Share, "req-5", otherResource, RejectionKind.FailedPrecondition, "is not the approved resource-001/");
        var moreFields = OfRecord(Share("req-5", ChangshaAmrCode, ZhuzhouAmrCode, LedgerFixture.Zhuzhou));
        moreFields.Fields.Add("法定代表人");
        _log.Refuse(_amr, EntryKinds.Share, "req-5", moreFields, RejectionKind.FailedPrecondition, "data item '法定代表人' was not approved");
        var otherConsumer = OfRecord(Share("req-5", ChangshaAmrCode, ZhuzhouAmrCode, "huren.cz-t/430300"));
        _log.Refuse(_amr, EntryKinds.Share, "req-5", otherConsumer, RejectionKind.FailedPrecondition, "is not the approved");
        var otherPurpose = OfRecord(Share("req-5", ChangshaAmrCode, ZhuzhouAmrCode, LedgerFixture.Zhuzhou));
        otherPurpose.Purpose = "其他用途";
        _log.Refuse(_amr, EntryKinds.Share, "req-5", otherPurpose, RejectionKind.FailedPrecondition, "purpose '其他用途' is not the approved");
        // Another department cannot share under it, even with the same request.
        var health = _log.RegisterIssuer("430100-health", ChangshaHealthCode);
        var byHealth = OfRecord(Share("req-5", ChangshaHealthCode, ZhuzhouAmrCode, LedgerFixture.Zhuzhou));
        _log.Refuse(health, EntryKinds.Share, "req-5", byHealth, RejectionKind.PermissionDenied, "only it may share under that approval");

        // Fewer data items than approved is minimisation: admitted.
        var fewer = OfRecord(Share("req-5", ChangshaAmrCode, ZhuzhouAmrCode, LedgerFixture.Zhuzhou));
        fewer.Fields.RemoveAt(1);
        _log.Admit(_amr, EntryKinds.Share, "req-5", fewer);
    }

    [Fact]
    public void A_department_publishes_and_republishes_its_resource_and_no_other_may()
    {
        var first = _log.Admit(_amr, EntryKinds.CatalogPublish, "R-1", Resource("R-1"));
        var again = _log.Admit(_amr, EntryKinds.CatalogPublish, "R-1", Resource("R-1", type: SharingType.NotShared));
        Assert.True(_log.Machine.TryGetCatalog("R-1", out var resource));
        Assert.Equal(again.Index, resource.Index);
        Assert.NotEqual(first.Index, resource.Index);
        Assert.Single(_log.Machine.CatalogAfter());

        var health = _log.RegisterIssuer("430100-health", ChangshaHealthCode);
        _log.Refuse(health, EntryKinds.CatalogPublish, "R-1", Resource("R-1", ChangshaHealthCode), RejectionKind.PermissionDenied, "was published by 430100-amr");
        _log.Refuse(health, EntryKinds.CatalogPublish, "R-2", Resource("R-2"), RejectionKind.PermissionDenied, "a department publishes its own resources");
        var noSharing = _log.RegisterIssuer("430100-noshare", Uscc("11430100HUREN0109"), mayShare: false);
        _log.Refuse(noSharing, EntryKinds.CatalogPublish, "R-3", Resource("R-3", noSharing.AuthorityCode), RejectionKind.PermissionDenied, "mayShareData is false");
    }

    [Fact]
    public void A_decision_needs_the_resource_is_made_once_and_a_refusal_stops_the_share()
    {
        _log.Refuse(_amr, EntryKinds.ShareDecision, "req-1", Decision("req-1", ShareDecision.Refused), RejectionKind.NotFound, "catalogue has no resource R-1");
        _log.Admit(_amr, EntryKinds.CatalogPublish, "R-1", Resource("R-1"));
        var refusal = _log.Admit(_amr, EntryKinds.ShareDecision, "req-1", Decision("req-1", ShareDecision.Refused));
        Assert.True(_log.Machine.TryGetDecision("req-1", out var decided));
        Assert.False(decided.Approved);
        Assert.Equal(refusal.Index, decided.Index);
        _log.Refuse(_amr, EntryKinds.ShareDecision, "req-1", Decision("req-1", ShareDecision.Approved), RejectionKind.AlreadyExists, "was already refused");
        _log.Refuse(_amr, EntryKinds.Share, "req-1", Share("req-1", ChangshaAmrCode, ZhuzhouAmrCode, LedgerFixture.Zhuzhou), RejectionKind.FailedPrecondition, "no share may follow a refusal");

        _log.Admit(_amr, EntryKinds.CatalogPublish, "resource-001", Resource("resource-001"));
        var share2 = OfRecord(Share("req-2", ChangshaAmrCode, ZhuzhouAmrCode, LedgerFixture.Zhuzhou));
        _log.Admit(_amr, EntryKinds.ShareDecision, "req-2", ApprovalOf(share2));
        _log.Admit(_amr, EntryKinds.Share, "req-2", share2);
        _log.Admit(_amr, EntryKinds.Share, "req-3", Share("req-3", ChangshaAmrCode, ZhuzhouAmrCode, LedgerFixture.Zhuzhou));
        _log.Refuse(_amr, EntryKinds.ShareDecision, "req-3", Decision("req-3", ShareDecision.Approved), RejectionKind.FailedPrecondition, "was already made");

        var health = _log.RegisterIssuer("430100-health", ChangshaHealthCode);
        var other = Decision("req-4", ShareDecision.Approved);
        other.ProviderCode = ChangshaHealthCode;
        _log.Refuse(health, EntryKinds.ShareDecision, "req-4", other, RejectionKind.PermissionDenied, "only it decides");
    }
}
