using BenchmarkDotNet.Attributes;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Seals;
using Huren.Sdk.Xml;

namespace Huren.Bench.Micro;

/// <summary>
/// A counter checking a sealed document: parsing the SES_Signature, the whole ledger-independent check, and one raw
/// signature verification of the same key type for the ratio (a check makes two: the signer's and the maker's).
/// </summary>
[MemoryDiagnoser]
public class SealBenchmarks
{
    private SesSignature _parsed = null!;
    private byte[] _der = [];
    private byte[] _digest = [];
    private PublicKey _signerKey = null!;
    private SealVerifier _verifier = null!;

    [Params(SignatureAlgorithm.EcdsaP256Sha256, SignatureAlgorithm.Sm2Sm3)]
    public SignatureAlgorithm Algorithm { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var makerKey = SigningKey.Generate(Algorithm);
        var maker = SealCertificate.SelfSigned("CN=制章机构,C=CN", makerKey, start, start.AddYears(5), certificateAuthority: true);
        var signerKey = SigningKey.Generate(Algorithm);
        var signer = SealCertificate.Issue("CN=长沙市市场监督管理局,C=CN", signerKey.PublicKey, maker.Subject, makerKey, start, start.AddYears(5));
        // A seal image of 16 KiB, a usual size.
        var info = new SesSealInfo(new SesHeader(4, "huren-bench"), "43010020250001",
            new SesPropertyInfo(1, "行政审批专用章", SesCertListType.Certificates, [signer.Der], [], start, start, start.AddYears(2)),
            new SesPictureInfo("png", new byte[16 * 1024], 40, 40), null);
        var seal = SealMaker.Make(info, maker, makerKey);
        var document = new byte[64 * 1024];
        _digest = Digests.Sm3(document);
        _parsed = SealSigner.Sign(seal, document, signer, signerKey, start.AddMonths(6), "bench.ofd");
        _der = _parsed.Der;
        _signerKey = signerKey.PublicKey;
        _verifier = new SealVerifier();
    }

    /// <summary>Parse (DER shape, BouncyCastle, value rules, re-encoding check) of a ≈ 19 KB SES_Signature.</summary>
    [Benchmark]
    public bool Parse() => SesCodec.TryParseSignature(_der, out _, out _);

    /// <summary>The whole check from DER and the document's SM3: parse, certificates, two signatures, list, times.</summary>
    [Benchmark]
    public SealVerdict Verify() => _verifier.VerifyDigest(_digest, _der).Verdict;

    /// <summary>One signature verification over the same TBS_Sign bytes, the unit of the ratio.</summary>
    [Benchmark(Baseline = true)]
    public bool RawSignature() => _signerKey.Verify(_parsed.SignedContent, _parsed.Signature);
}

/// <summary>Writing and checking signed license XML.</summary>
[MemoryDiagnoser]
public class LicenseXmlBenchmarks
{
    private XmlSigningKey _key = null!;
    private LicenseXmlVerifier _verifier = null!;
    private LicenseMetadata _metadata = null!;
    private byte[] _xml = [];

    [Params("p256", "rsa2048")]
    public string Key { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _key = Key == "rsa2048" ? XmlSigningKey.FromRsa(System.Security.Cryptography.RSA.Create(2048))
            : XmlSigningKey.FromSigningKey(SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256));
        _verifier = new LicenseXmlVerifier(_key.PublicKey);
        _metadata = new LicenseMetadata
        {
            LicenseId = "1.2.156.3005.2.11100000HUREN0001P001.11430100HUREN01013.2024000001.001.X",
            TypeName = "营业执照", TypeCode = "11100000HUREN0001P001", Name = "营业执照", LicenseNumber = "2024000001",
            HolderName = "长沙互认科技有限公司", HolderCodeType = "001", HolderCode = "91430100HUREN0201G",
            IssuingAuthority = "长沙市市场监督管理局", IssuingAuthorityCode = "11430100HUREN01013", IssueDate = "2024-03-01",
            ValidFrom = "2024-03-01", JurisdictionCode = "430100", DocumentDigest = new byte[32], DigestAlgorithm = "sm3",
            Fields = [new() { Name = "住所", Value = "湖南省长沙市岳麓区" }, new() { Name = "经营范围", Value = "软件开发；信息技术咨询服务" }],
        };
        _xml = LicenseXmlSigner.Export(_metadata, new DateTimeOffset(2025, 7, 1, 9, 0, 0, TimeSpan.FromHours(8)), _key);
    }

    /// <summary>Write and sign one license's metadata.</summary>
    [Benchmark]
    public byte[] Export() => LicenseXmlSigner.Export(_metadata, new DateTimeOffset(2025, 7, 1, 9, 0, 0, TimeSpan.FromHours(8)), _key);

    /// <summary>Every shape check, the XSD, and the signature.</summary>
    [Benchmark]
    public bool Verify() => _verifier.Verify(_xml).IsValid;
}
