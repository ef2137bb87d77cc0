using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Validation;

namespace Huren.Schemas.Tests.Validation;

/// <summary>A valid instance of every body, fresh on each call, for tests to break one field at a time.</summary>
internal static class ValidBodies
{
    // Synthetic 统一社会信用代码 with valid check characters (HUREN in the organisation-code part marks them as made up).
    public const string ChangshaAmr = "11430100HUREN01013";
    public const string ZhuzhouAmr = "11430200HUREN0102B";
    public const string Company = "91430100HUREN0201G";
    public const string BusinessLicenseType = "11100000HUREN0001P001";
    public const string FreightPassType = "11100000HUREN00041001";

    public static readonly string LicenseId = LicenseIdentifier.Create(BusinessLicenseType, ChangshaAmr, "2024000001", "001").ToString();

    public static byte[] Digest(byte fill = 0xAB) => Enumerable.Repeat(fill, 32).ToArray();

    public static LicenseIssued LicenseIssued() => new()
    {
        LicenseId = LicenseId,
        TypeCode = BusinessLicenseType,
        Name = "营业执照",
        LicenseNumber = ChangshaAmr + "-2024000001",
        HolderName = "长沙互认科技有限公司",
        HolderCode = Company,
        HolderCodeType = HolderCodeTypes.Uscc,
        IssuingAuthority = "长沙市市场监督管理局",
        IssuingAuthorityCode = ChangshaAmr,
        IssueDate = "2024-03-01",
        ValidFrom = "2024-03-01",
        ValidUntil = "",
        DocumentDigest = Digest(),
        DigestAlgorithm = "sm3",
        JurisdictionCode = "430100",
        Fields =
        [
            new LicenseField { Name = "类型", Value = "有限责任公司（自然人投资或控股）" },
            new LicenseField { Name = "住所", Value = "湖南省长沙市岳麓区" },
            new LicenseField { Name = "成立日期", Value = "2024-03-01" },
            new LicenseField { Name = "经营范围", Value = "软件开发；信息技术咨询服务" },
        ],
    };

    /// <summary>A freight vehicle pass held by a person (holder code type 111).</summary>
    public static LicenseIssued PersonalLicenseIssued() => new()
    {
        LicenseId = LicenseIdentifier.Create(FreightPassType, ChangshaAmr, "P2024000007", "001").ToString(),
        TypeCode = FreightPassType,
        Name = "货运车辆通行证",
        LicenseNumber = "湘A通2024000007",
        HolderName = "张三",
        HolderCode = "",
        HolderCodeType = HolderCodeTypes.CitizenId,
        IssuingAuthority = "长沙市市场监督管理局",
        IssuingAuthorityCode = ChangshaAmr,
        IssueDate = "2024-05-01",
        ValidFrom = "2024-05-01",
        ValidUntil = "2024-10-31",
        DocumentDigest = Digest(),
        DigestAlgorithm = "sha256",
        HolderIdCommitment = Digest(0x11),
        JurisdictionCode = "430100",
        Fields =
        [
            new LicenseField { Name = "号牌号码", Value = "湘A12345" },
            new LicenseField { Name = "通行路线", Value = "三环线以内" },
            new LicenseField { Name = "通行时段", Value = "22:00-06:00" },
        ],
    };

    public static IssuerRegistered IssuerRegistered() => new()
    {
        IssuerId = "430100-amr",
        Name = "长沙市市场监督管理局",
        AuthorityCode = ChangshaAmr,
        DepartmentKind = "market-regulation",
        RegionCode = "430100",
        PublicKey = [0x30, 0x59, 0x30, 0x13],
        Algorithm = SignatureAlgorithm.Sm2Sm3,
        LicenseTypeCodes = [BusinessLicenseType, "11100000HUREN0001P002"],
        SealPermissions = ["1", "2"],
        MayShareData = true,
    };

    public static IssuerRevoked IssuerRevoked() => new() { IssuerId = "430100-amr", Reason = "机构改革撤并" };

    public static LicenseChanged LicenseChanged() => new()
    {
        LicenseId = LicenseId,
        OperationCode = "09",
        ChangedFields = [new LicenseField { Name = "住所", Value = "湖南省长沙市天心区" }],
        NewDocumentDigest = Digest(0xCD),
        DigestAlgorithm = "sm3",
        Reason = "住所变更",
    };

    public static LicenseStatusChanged LicenseStatusChanged() => new()
    {
        LicenseId = LicenseId,
        Action = LicenseStatusAction.Suspend,
        StatusCode = "02",
        Reason = "责令停产停业",
    };

    public static LicenseTransferred LicenseTransferred() => new()
    {
        LicenseId = LicenseId,
        ToCityCode = "430200",
        ToOrigin = "huren.cz-t/430200",
        Reason = "住所迁至株洲市",
    };

    public static LicenseTransferAccepted LicenseTransferAccepted() => new()
    {
        LicenseId = LicenseId,
        FromOrigin = "huren.cz-t/430100",
        NewLicenseId = LicenseIdentifier.Create(BusinessLicenseType, ZhuzhouAmr, "2024000099", "001").ToString(),
    };

    public static LicenseUsed LicenseUsed() => new()
    {
        LicenseId = LicenseId,
        MatterCode = "430200-QT-0001",
        MatterName = "企业开办",
        Counter = "株洲市政务服务中心 12号窗口",
        Purpose = "跨域通办：核验营业执照",
        BusinessSerial = "ZZ20240601000123",
        VerdictAtUse = LicenseUseVerdicts.Valid,
    };

    public static IssuerSucceeded IssuerSucceeded() => new()
    {
        PredecessorId = "430100-amr",
        SuccessorId = "430100-approval",
        LicenseTypeCodes = [BusinessLicenseType],
        SealTypes = ["1"],
        Reason = "《长沙市机构改革方案》：市场监督管理局的营业执照审批划入行政审批服务局",
    };

    public static SealRegistered SealRegistered() => new()
    {
        SealId = "43010000000001",
        Name = "长沙互认科技有限公司合同专用章",
        SealType = "2",
        OwnerCode = Company,
        SesSeal = [0x30, 0x82, 0x01, 0x00],
        ValidFrom = "2024-03-01",
        ValidUntil = "2027-02-28",
    };

    public static SealRevoked SealRevoked() => new() { SealId = "43010000000001", Reason = "印章遗失" };

    public static SealUsed SealUsed() => new()
    {
        SealId = "43010000000001",
        DocumentDigest = Digest(0x42),
        DigestAlgorithm = "sm3",
        SesSignature = [0x30, 0x82, 0x02, 0x00],
        MatterCode = "430100-QT-0002",
    };

    public static DataShared DataShared() => new()
    {
        ShareId = "430100-share-2024-000001",
        ProviderCode = ChangshaAmr,
        ProviderName = "长沙市市场监督管理局",
        ConsumerCode = ZhuzhouAmr,
        ConsumerName = "株洲市市场监督管理局",
        ConsumerOrigin = "huren.cz-t/430200",
        SharingOfficeCode = "12430100HUREN0301B",
        ResourceId = LicenseId,
        Fields = ["holderName", "validUntil", "经营范围"],
        PayloadDigest = Digest(0x77),
        DigestAlgorithm = "sha256",
        Purpose = "跨域通办：企业迁移登记核验",
        MatterCode = "430200-QT-0001",
        LegalBasis = "《政务数据共享条例》第十五条",
        SharingType = SharingType.Conditional,
        ApprovalId = "CZT-APPROVAL-2024-0042",
        ExpiresOn = "2024-12-31",
        RecordCount = 1,
    };

    public static DataReceived DataReceived() => new()
    {
        ShareId = "430100-share-2024-000001",
        ProviderOrigin = "huren.cz-t/430100",
        ConsumerCode = ZhuzhouAmr,
        PayloadDigest = Digest(0x77),
        DigestAlgorithm = "sha256",
        RecordCount = 1,
    };

    public static CatalogResourcePublished CatalogResourcePublished() => new()
    {
        ResourceCode = "430100-R-0001",
        Name = "营业执照信息",
        ProviderCode = ChangshaAmr,
        ProviderName = "长沙市市场监督管理局",
        SharingType = SharingType.Conditional,
        Fields = ["住所", "类型", "document"],
        UpdateFrequency = "实时",
        LegalBasis = "《政务数据共享条例》第十三条",
        AllowedPurposes = ["企业跨域经营备案"],
        AllowedMatterCodes = ["430200-QT-0001"],
        AllowedConsumerCities = ["430200"],
        AllowedConsumerCodes = [ZhuzhouAmr],
    };

    public static ShareDecided ShareDecided() => new()
    {
        ShareId = "430200-request-000001",
        Decision = ShareDecision.Refused,
        ProviderCode = ChangshaAmr,
        ConsumerCode = ZhuzhouAmr,
        ConsumerOrigin = "huren.cz-t/430200",
        ResourceCode = "430100-R-0001",
        RecordId = LicenseId,
        Purpose = "企业跨域经营备案",
        MatterCode = "430200-QT-0001",
        ReasonCode = "purpose",
        Reason = "用途不在目录允许范围内",
        Fields = ["住所"],
    };

    /// <summary>Every kind with an encoded valid body and that body's record id.</summary>
    public static IEnumerable<(string Kind, byte[] Body, string RecordId)> Encoded()
    {
        yield return (EntryKinds.IssuerRegister, CanonicalCodec.Encode(IssuerRegistered()), "430100-amr");
        yield return (EntryKinds.IssuerRevoke, CanonicalCodec.Encode(IssuerRevoked()), "430100-amr");
        yield return (EntryKinds.IssuerSucceed, CanonicalCodec.Encode(IssuerSucceeded()), "430100-amr");
        yield return (EntryKinds.LicenseIssue, CanonicalCodec.Encode(LicenseIssued()), LicenseId);
        yield return (EntryKinds.LicenseChange, CanonicalCodec.Encode(LicenseChanged()), LicenseId);
        yield return (EntryKinds.LicenseStatus, CanonicalCodec.Encode(LicenseStatusChanged()), LicenseId);
        yield return (EntryKinds.LicenseTransfer, CanonicalCodec.Encode(LicenseTransferred()), LicenseId);
        yield return (EntryKinds.LicenseTransferAccept, CanonicalCodec.Encode(LicenseTransferAccepted()), LicenseId);
        yield return (EntryKinds.LicenseUse, CanonicalCodec.Encode(LicenseUsed()), LicenseId);
        yield return (EntryKinds.SealRegister, CanonicalCodec.Encode(SealRegistered()), "43010000000001");
        yield return (EntryKinds.SealRevoke, CanonicalCodec.Encode(SealRevoked()), "43010000000001");
        yield return (EntryKinds.SealUse, CanonicalCodec.Encode(SealUsed()), "43010000000001");
        yield return (EntryKinds.Share, CanonicalCodec.Encode(DataShared()), "430100-share-2024-000001");
        yield return (EntryKinds.Receipt, CanonicalCodec.Encode(DataReceived()), "430100-share-2024-000001");
        yield return (EntryKinds.CatalogPublish, CanonicalCodec.Encode(CatalogResourcePublished()), "430100-R-0001");
        yield return (EntryKinds.ShareDecision, CanonicalCodec.Encode(ShareDecided()), "430200-request-000001");
    }
}
