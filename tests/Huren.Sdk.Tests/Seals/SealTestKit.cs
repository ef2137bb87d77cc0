using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Seals;

namespace Huren.Sdk.Tests.Seals;

/// <summary>
/// A seal maker (whose self-signed certificate also issued the signers' certificates, as a test authority), two
/// signers and their certificates with real keys, and a seal made for the first signer. Times are
/// fixed: certificates 2024–2030 (signer until 2028), the seal made on 2025-01-01 and valid until 2026-12-31, signed
/// on 2025-06-01.
/// </summary>
internal sealed class SealTestKit
{
    public static readonly DateTimeOffset Made = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset ValidEnd = new(2026, 12, 31, 15, 59, 59, TimeSpan.Zero);
    public static readonly DateTimeOffset SignedAt = new(2025, 6, 1, 2, 30, 0, TimeSpan.Zero);
    public static readonly byte[] Document = "长沙市市场监督管理局 行政许可决定书 (2025) 第 0001 号"u8.ToArray();
    public static readonly byte[] Picture = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R'];

    public SealTestKit(SignatureAlgorithm algorithm = SignatureAlgorithm.Sm2Sm3)
    {
        Algorithm = algorithm;
        MakerKey = SigningKey.Generate(algorithm);
        MakerCertificate = SealCertificate.SelfSigned("CN=湖南省电子印章制章中心,O=湖南省数据局,C=CN", MakerKey,
            new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero),
            certificateAuthority: true);
        SignerKey = SigningKey.Generate(algorithm);
        SignerCertificate = SealCertificate.Issue("CN=长沙市市场监督管理局,O=长沙市市场监督管理局,C=CN", SignerKey.PublicKey,
            MakerCertificate.Subject, MakerKey, new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2028, 1, 1, 0, 0, 0, TimeSpan.Zero));
        OtherKey = SigningKey.Generate(algorithm);
        OtherCertificate = SealCertificate.Issue("CN=株洲市市场监督管理局,O=株洲市市场监督管理局,C=CN", OtherKey.PublicKey,
            MakerCertificate.Subject, MakerKey, new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2028, 1, 1, 0, 0, 0, TimeSpan.Zero));
    }

    public SignatureAlgorithm Algorithm { get; }
    public SigningKey MakerKey { get; }
    public SealCertificate MakerCertificate { get; }
    public SigningKey SignerKey { get; }
    public SealCertificate SignerCertificate { get; }
    public SigningKey OtherKey { get; }
    public SealCertificate OtherCertificate { get; }

    public SesSealInfo Info(SesCertListType listType = SesCertListType.Certificates, IReadOnlyList<SesExtension>? extensions = null,
        DateTimeOffset? validStart = null, DateTimeOffset? validEnd = null, byte[]? picture = null)
    {
        var property = new SesPropertyInfo(1, "长沙市市场监督管理局行政审批专用章", listType,
            listType == SesCertListType.Certificates ? [SignerCertificate.Der] : [],
            listType == SesCertListType.CertificateDigests ? [SealMaker.Sm3DigestOf(SignerCertificate)] : [],
            Made, validStart ?? Made, validEnd ?? ValidEnd);
        return new SesSealInfo(new SesHeader(4, "huren-test"), "43010020250001", property,
            new SesPictureInfo("png", picture ?? Picture, 40, 40), extensions);
    }

    public SesSeal Seal(SesCertListType listType = SesCertListType.Certificates, IReadOnlyList<SesExtension>? extensions = null)
        => SealMaker.Make(Info(listType, extensions), MakerCertificate, MakerKey);

    public SesSignature Sign(SesSeal seal, DateTimeOffset? at = null, byte[]? document = null)
        => SealSigner.Sign(seal, document ?? Document, SignerCertificate, SignerKey, at ?? SignedAt, "license-decision-2025-0001.ofd");

    /// <summary>A clock fixed at an instant after every signing time the tests use.</summary>
    public static SealVerifier Verifier(DateTimeOffset? now = null) => new(new FixedClock(now ?? new DateTimeOffset(2025, 7, 1, 0, 0, 0, TimeSpan.Zero)));

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
