using System.Security.Cryptography;
using System.Text;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Validation;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;

namespace Huren.Bench;

/// <summary>
/// Valid ledger entries for one bench city (长沙, 430100): an issuer registered by the city root, licenses that issuer
/// issues, and uses of a license. Codes are synthetic (HUREN marks them as made up) but pass the schema validators,
/// so the node admits them through its real rules.
/// </summary>
internal static class BenchLedger
{
    public const string NetworkId = "cz-t";
    public const string City = "430100";
    public const string Origin = "huren.cz-t/430100";
    public const string RootId = "430100-root";
    public const string LicenseType = "11100000HUREN0001P001";
    public const string LicenseRelation = "license";

    public static readonly string AuthorityCode = "11430100HUREN01013";
    public static readonly string CompanyCode = "91430100HUREN0201G";

    public static Entry Entry<T>(string kind, string recordId, string issuerId, T body, params EntryReference[] references) where T : class
        => Schemas.Envelope.Entry.Create(kind, Origin, recordId, issuerId, body, DateTimeOffset.UtcNow, references);

    /// <summary>The root's registration of <paramref name="issuerId"/> with key <paramref name="key"/>, signed by the root.</summary>
    public static byte[] RegisterIssuer(SigningKey rootKey, string issuerId, PublicKey key) => EntrySigner.SignToLeaf(Entry(EntryKinds.IssuerRegister, issuerId, RootId, new IssuerRegistered
    {
        IssuerId = issuerId,
        Name = $"{issuerId} 市场监督管理局",
        AuthorityCode = AuthorityCode,
        DepartmentKind = "market-regulation",
        RegionCode = City,
        PublicKey = key.SubjectPublicKeyInfo,
        Algorithm = key.Algorithm,
        LicenseTypeCodes = [LicenseType],
        SealPermissions = [],
        MayShareData = false,
    }), rootKey);

    /// <summary>The license id of serial number <paramref name="serial"/> (the n-th license of a bench log).</summary>
    public static string LicenseId(long serial) => LicenseIdentifier.Create(LicenseType, AuthorityCode, serial.ToString("D10", System.Globalization.CultureInfo.InvariantCulture), "001").ToString();

    /// <summary>A 营业执照 issue entry, signed by the issuer.</summary>
    public static byte[] IssueLicense(SigningKey issuerKey, string issuerId, long serial)
    {
        var id = LicenseId(serial);
        var body = new LicenseIssued
        {
            LicenseId = id,
            TypeCode = LicenseType,
            Name = "营业执照",
            LicenseNumber = $"{AuthorityCode}-{serial}",
            HolderName = "长沙互认科技有限公司",
            HolderCode = CompanyCode,
            HolderCodeType = HolderCodeTypes.Uscc,
            IssuingAuthority = "长沙市市场监督管理局",
            IssuingAuthorityCode = AuthorityCode,
            IssueDate = "2024-03-01",
            ValidFrom = "2024-03-01",
            ValidUntil = "",
            DocumentDigest = SHA256.HashData(Encoding.UTF8.GetBytes("document " + serial)),
            DigestAlgorithm = "sha256",
            JurisdictionCode = City,
            Fields =
            [
                new LicenseField { Name = "类型", Value = "有限责任公司" },
                new LicenseField { Name = "住所", Value = "湖南省长沙市岳麓区" },
                new LicenseField { Name = "成立日期", Value = "2024-03-01" },
                new LicenseField { Name = "经营范围", Value = "软件开发" },
            ],
        };
        return EntrySigner.SignToLeaf(Entry(EntryKinds.LicenseIssue, id, issuerId, body), issuerKey);
    }

    /// <summary>A use of license <paramref name="licenseId"/> at a counter, referencing its issue entry.</summary>
    public static byte[] UseLicense(SigningKey issuerKey, string issuerId, string licenseId, ulong issueIndex, byte[] issueLeafHash, int n) =>
        EntrySigner.SignToLeaf(Entry(EntryKinds.LicenseUse, licenseId, issuerId, new LicenseUsed
        {
            LicenseId = licenseId,
            MatterCode = "430200-QT-0001",
            MatterName = "企业开办",
            Counter = "政务服务中心 12号窗口",
            Purpose = "跨域通办：核验营业执照",
            BusinessSerial = $"ZZ{n:D12}",
            VerdictAtUse = LicenseUseVerdicts.Valid,
        }, new EntryReference { Origin = Origin, Index = issueIndex, LeafHash = issueLeafHash, Relation = LicenseRelation }), issuerKey);
}
