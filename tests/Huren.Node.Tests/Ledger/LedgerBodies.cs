using System.Security.Cryptography;
using System.Text;
using Huren.Schemas.Bodies;
using Huren.Schemas.Validation;
using Huren.Sdk.Crypto;

namespace Huren.Node.Tests.Ledger;

/// <summary>Valid bodies for ledger tests, built from a few parameters (codes are synthetic: HUREN marks them as made up).</summary>
internal static class LedgerBodies
{
    /// <summary>2024-06-01 10:00 in China: the ledger tests' clock.</summary>
    public static readonly DateTimeOffset FixtureNow = new(2024, 6, 1, 10, 0, 0, TimeSpan.FromHours(8));

    public const string BusinessLicenseType = "11100000HUREN0001P001";
    public const string FoodLicenseType = "11100000HUREN0001P002";
    public const string MedicalLicenseType = "11100000HUREN00054001";

    public const string ChangshaAmrCode = "11430100HUREN01013";
    public const string ZhuzhouAmrCode = "11430200HUREN0102B";
    public const string CompanyCode = "91430100HUREN0201G";
    public const string ChangshaDataOfficeCode = "12430100HUREN0301B";
    public static readonly string ChangshaHealthCode = Uscc("11430100HUREN0105");

    /// <summary>A 统一社会信用代码 from its first 17 characters, with the GB 32100 check character.</summary>
    public static string Uscc(string first17) => first17 + UnifiedSocialCreditCode.ComputeCheckChar(first17);

    public static byte[] DigestOf(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));

    public static string LicenseId(string authorityCode, string serial, string typeCode = BusinessLicenseType) =>
        LicenseIdentifier.Create(typeCode, authorityCode, serial, "001").ToString();

    public static IssuerRegistered Issuer(string issuerId, string authorityCode, PublicKey key, string[] licenseTypes, string[] seals, bool mayShare, string region = "430100",
        PublicKey[]? sealMakerKeys = null) => new()
    {
        IssuerId = issuerId,
        Name = $"{issuerId} 部门",
        AuthorityCode = authorityCode,
        DepartmentKind = "market-regulation",
        RegionCode = region,
        PublicKey = key.SubjectPublicKeyInfo,
        Algorithm = key.Algorithm,
        LicenseTypeCodes = [.. licenseTypes],
        SealPermissions = [.. seals],
        MayShareData = mayShare,
        SealMakerKeys = [.. (sealMakerKeys ?? []).Select(k => k.SubjectPublicKeyInfo)],
    };

    /// <summary>A 营业执照 of <paramref name="authorityCode"/> with serial <paramref name="serial"/>; its document digest derives from the serial.</summary>
    public static LicenseIssued BusinessLicense(string authorityCode, string serial, string validFrom = "2024-03-01", string validUntil = "") => new()
    {
        LicenseId = LicenseId(authorityCode, serial),
        TypeCode = BusinessLicenseType,
        Name = "营业执照",
        LicenseNumber = $"{authorityCode}-{serial}",
        HolderName = "长沙互认科技有限公司",
        HolderCode = CompanyCode,
        HolderCodeType = HolderCodeTypes.Uscc,
        IssuingAuthority = "长沙市市场监督管理局",
        IssuingAuthorityCode = authorityCode,
        // Issued on the first day of validity, or on the fixture's day for a license valid from later on.
        IssueDate = string.CompareOrdinal(validFrom, "2024-06-01") <= 0 ? validFrom : "2024-06-01",
        ValidFrom = validFrom,
        ValidUntil = validUntil,
        DocumentDigest = DigestOf("document " + serial),
        DigestAlgorithm = "sha256",
        JurisdictionCode = "430100",
        Fields =
        [
            new LicenseField { Name = "类型", Value = "有限责任公司" },
            new LicenseField { Name = "住所", Value = "湖南省长沙市岳麓区" },
            new LicenseField { Name = "成立日期", Value = validFrom },
            new LicenseField { Name = "经营范围", Value = "软件开发" },
        ],
    };

    public static LicenseChanged Change(string licenseId, string newValidUntil = "", byte[]? newDigest = null) => new()
    {
        LicenseId = licenseId,
        OperationCode = "09",
        ChangedFields = [new LicenseField { Name = "住所", Value = "湖南省长沙市天心区" }],
        NewValidUntil = newValidUntil,
        NewDocumentDigest = newDigest ?? [],
        DigestAlgorithm = newDigest is null ? "" : "sha256",
        Reason = "住所变更",
    };

    public static IssuerSucceeded Succession(string predecessor, string successor, string[]? licenseTypes = null, string[]? sealTypes = null) => new()
    {
        PredecessorId = predecessor,
        SuccessorId = successor,
        LicenseTypeCodes = [.. licenseTypes ?? (sealTypes is null ? [BusinessLicenseType] : [])],
        SealTypes = [.. sealTypes ?? []],
        Reason = "《长沙市机构改革方案》（长发〔2024〕1号）：职责划入行政审批服务局",
    };

    public static LicenseStatusChanged Suspend(string licenseId) =>
        new() { LicenseId = licenseId, Action = LicenseStatusAction.Suspend, StatusCode = "02", Reason = "责令停产停业" };

    public static LicenseStatusChanged Resume(string licenseId) =>
        new() { LicenseId = licenseId, Action = LicenseStatusAction.Resume, StatusCode = "01", Reason = "整改完毕" };

    public static LicenseStatusChanged Revoke(string licenseId, string statusCode = "07") =>
        new() { LicenseId = licenseId, Action = LicenseStatusAction.Revoke, StatusCode = statusCode, Reason = "吊销营业执照" };

    public static LicenseTransferred Transfer(string licenseId, string toCityCode = "430200") =>
        new() { LicenseId = licenseId, ToCityCode = toCityCode, ToOrigin = $"huren.cz-t/{toCityCode}", Reason = "住所迁至外市" };

    public static LicenseTransferAccepted Accept(string licenseId, string fromOrigin, string newLicenseId = "") =>
        new() { LicenseId = licenseId, FromOrigin = fromOrigin, NewLicenseId = newLicenseId };

    public static LicenseUsed Use(string licenseId) => new()
    {
        LicenseId = licenseId,
        MatterCode = "430200-QT-0001",
        MatterName = "企业开办",
        Counter = "政务服务中心 12号窗口",
        Purpose = "跨域通办：核验营业执照",
        BusinessSerial = "ZZ20240601000123",
        VerdictAtUse = "VALID",
    };

    /// <summary>
    /// The registration of a real seal of <see cref="LedgerSeals.Default"/> with esID <paramref name="sealId"/>, valid from
    /// 2024-03-01 to <paramref name="validUntil"/> (China time), owned by the company.
    /// </summary>
    public static SealRegistered Seal(string sealId, string sealType = "2", string validUntil = "2027-02-28")
    {
        var china = TimeSpan.FromHours(8);
        var until = DateOnly.ParseExact(validUntil, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var seal = LedgerSeals.Default.Make(sealId, int.Parse(sealType, System.Globalization.CultureInfo.InvariantCulture), "长沙互认科技有限公司合同专用章",
            new DateTimeOffset(2024, 3, 1, 0, 0, 0, china), new DateTimeOffset(until.ToDateTime(new TimeOnly(23, 59, 59)), china));
        return LedgerSeals.Registration(seal, CompanyCode);
    }

    public static SealRevoked SealRevoke(string sealId) => new() { SealId = sealId, Reason = "印章遗失" };

    public static DataShared Share(string shareId, string providerCode, string consumerCode, string consumerOrigin) => new()
    {
        ShareId = shareId,
        ProviderCode = providerCode,
        ProviderName = "提供部门",
        ConsumerCode = consumerCode,
        ConsumerName = "使用部门",
        ConsumerOrigin = consumerOrigin,
        ResourceId = "resource-001",
        Fields = ["holderName", "validUntil"],
        PayloadDigest = DigestOf("payload " + shareId),
        DigestAlgorithm = "sha256",
        Purpose = "跨域通办：企业迁移登记核验",
        MatterCode = "430200-QT-0001",
        LegalBasis = "《政务数据共享条例》第十五条",
        SharingType = SharingType.Unconditional,
        ExpiresOn = "2024-12-31",
        RecordCount = 1,
    };

    public static DataReceived Receipt(string shareId, string providerOrigin, string consumerCode) => new()
    {
        ShareId = shareId,
        ProviderOrigin = providerOrigin,
        ConsumerCode = consumerCode,
        PayloadDigest = DigestOf("payload " + shareId),
        DigestAlgorithm = "sha256",
        RecordCount = 1,
    };
}
