using System.Security.Cryptography;
using System.Xml;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Validation;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Xml.Tests;

/// <summary>Licenses as their ledger bodies hold them, keys, and a few document edits for the wrapping tests.</summary>
internal static class XmlTestData
{
    // Synthetic 统一社会信用代码 with valid check characters (HUREN marks them as made up), as in the schema tests.
    public const string ChangshaAmr = "11430100HUREN01013";
    public const string Company = "91430100HUREN0201G";
    public static readonly DateTimeOffset ExportedAt = new(2025, 7, 1, 9, 30, 0, TimeSpan.FromHours(8));

    public static readonly Lazy<SigningKey> P256 = new(() => SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256));
    public static readonly Lazy<RSA> Rsa = new(() => RSA.Create(2048));

    public static XmlSigningKey EcdsaKey => XmlSigningKey.FromSigningKey(P256.Value);

    public static XmlSigningKey RsaKey => XmlSigningKey.FromRsa(Rsa.Value);

    public static LicenseIssued Business() => new()
    {
        LicenseId = LicenseIdentifier.Create("11100000HUREN0001P001", ChangshaAmr, "2024000001", "001").ToString(),
        TypeCode = "11100000HUREN0001P001",
        Name = "营业执照",
        LicenseNumber = ChangshaAmr + "-2024000001",
        HolderName = "长沙互认科技有限公司",
        HolderCode = Company,
        HolderCodeType = HolderCodeTypes.Uscc,
        IssuingAuthority = "长沙市市场监督管理局",
        IssuingAuthorityCode = ChangshaAmr,
        IssueDate = "2024-03-01",
        ValidFrom = "2024-03-01",
        DocumentDigest = Digests.Sm3("营业执照.ofd"u8),
        DigestAlgorithm = "sm3",
        JurisdictionCode = "430100",
        Fields =
        [
            new LicenseField { Name = "类型", Value = "有限责任公司（自然人投资或控股）" },
            new LicenseField { Name = "住所", Value = "湖南省长沙市岳麓区 <麓谷> & \"园区\"" },
            new LicenseField { Name = "成立日期", Value = "2024-03-01" },
            new LicenseField { Name = "经营范围", Value = "软件开发；信息技术咨询服务" },
        ],
    };

    public static LicenseIssued Personal() => new()
    {
        LicenseId = LicenseIdentifier.Create("11100000HUREN00041001", ChangshaAmr, "P2024000007", "001").ToString(),
        TypeCode = "11100000HUREN00041001",
        Name = "货运车辆通行证",
        LicenseNumber = "湘A通2024000007",
        HolderName = "张三",
        HolderCodeType = HolderCodeTypes.CitizenId,
        HolderIdCommitment = Digests.HolderCommitment(new byte[16], "430104199001011234"),
        IssuingAuthority = "长沙市市场监督管理局",
        IssuingAuthorityCode = ChangshaAmr,
        IssueDate = "2024-05-01",
        ValidFrom = "2024-05-01",
        ValidUntil = "2024-10-31",
        DocumentDigest = Digests.Sha256("通行证.pdf"u8),
        DigestAlgorithm = "sha256",
        JurisdictionCode = "430100",
    };

    public static LicenseMetadata Metadata() => LicenseMetadata.FromIssue(Business(),
        new LedgerPosition("huren.cz-t/430100", 42, Digests.Sha256("leaf"u8)));

    public static byte[] Signed(XmlSigningKey? key = null, LicenseMetadata? metadata = null)
        => LicenseXmlSigner.Export(metadata ?? Metadata(), ExportedAt, key ?? EcdsaKey);

    /// <summary>Loads, edits and writes back a document (whitespace kept).</summary>
    public static byte[] Edit(byte[] xml, Action<XmlDocument, XmlNamespaceManager> edit)
    {
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        document.Load(new MemoryStream(xml));
        var ns = new XmlNamespaceManager(document.NameTable);
        ns.AddNamespace("l", "urn:huren:xml:license:1");
        ns.AddNamespace("ds", "http://www.w3.org/2000/09/xmldsig#");
        edit(document, ns);
        return LicenseXmlWriter.ToBytes(document);
    }

    public static XmlElement Select(XmlDocument document, XmlNamespaceManager ns, string xpath)
        => (XmlElement)(document.SelectSingleNode(xpath, ns) ?? throw new InvalidOperationException($"{xpath} not found"));
}
