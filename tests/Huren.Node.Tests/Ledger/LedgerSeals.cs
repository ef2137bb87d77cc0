using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Seals;

namespace Huren.Node.Tests.Ledger;

/// <summary>
/// Real GB/T 38540 seals for ledger tests: a seal-making authority (制章机构) with its key and self-signed certificate
/// (also the test authority of the signers' certificates), two signers, and seals made and applied with the SDK. Times
/// are relative to <c>now</c>: the maker certificate is valid from a year before to five years after, the signers'
/// from 30 days before to two years after.
/// </summary>
internal sealed class LedgerSeals
{
    private static readonly Lazy<LedgerSeals> AtFixtureTime = new(() => new LedgerSeals(LedgerBodies.FixtureNow));

    public static readonly byte[] Picture = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R'];

    public LedgerSeals(DateTimeOffset now, SignatureAlgorithm algorithm = SignatureAlgorithm.Sm2Sm3, string makerName = "长沙市电子印章制作中心")
    {
        Now = now;
        MakerKey = SigningKey.Generate(algorithm);
        MakerCertificate = SealCertificate.SelfSigned($"CN={makerName},O={makerName},C=CN", MakerKey, now.AddYears(-1), now.AddYears(5), certificateAuthority: true);
        SignerKey = SigningKey.Generate(algorithm);
        SignerCertificate = Issue("CN=张三,O=长沙市市场监督管理局,C=CN", SignerKey, now.AddDays(-30), now.AddYears(2));
        OtherSignerKey = SigningKey.Generate(algorithm);
        OtherSignerCertificate = Issue("CN=李四,O=长沙市市场监督管理局,C=CN", OtherSignerKey, now.AddDays(-30), now.AddYears(2));
    }

    /// <summary>The kit at <see cref="LedgerBodies.FixtureNow"/>, shared by the tests of one run (its maker key is in every fixture issuer's seal maker keys).</summary>
    public static LedgerSeals Default => AtFixtureTime.Value;

    public DateTimeOffset Now { get; }

    public SigningKey MakerKey { get; }

    public SealCertificate MakerCertificate { get; }

    public SigningKey SignerKey { get; }

    public SealCertificate SignerCertificate { get; }

    public SigningKey OtherSignerKey { get; }

    public SealCertificate OtherSignerCertificate { get; }

    /// <summary>A certificate for <paramref name="key"/> issued by the maker (as the test authority).</summary>
    public SealCertificate Issue(string subject, SigningKey key, DateTimeOffset notBefore, DateTimeOffset notAfter)
        => SealCertificate.Issue(subject, key.PublicKey, MakerCertificate.Subject, MakerKey, notBefore, notAfter);

    /// <summary>
    /// A seal made now-ish (a day before <see cref="Now"/>, or at <paramref name="validStart"/> if earlier), valid from
    /// <paramref name="validStart"/> (default: a day before now) to <paramref name="validEnd"/> (default: three years on),
    /// listing <paramref name="signers"/> (default: the first signer).
    /// </summary>
    public SesSeal Make(string esId, int type = 1, string name = "长沙市市场监督管理局", DateTimeOffset? validStart = null, DateTimeOffset? validEnd = null,
        IReadOnlyList<SealCertificate>? signers = null)
    {
        var start = validStart ?? Now.AddDays(-1);
        var made = start < Now.AddDays(-1) ? start : Now.AddDays(-1);
        var listed = signers ?? [SignerCertificate];
        var property = new SesPropertyInfo(type, name, SesCertListType.Certificates, [.. listed.Select(c => c.Der)], [], made, start, validEnd ?? Now.AddYears(3));
        var info = new SesSealInfo(new SesHeader(4, "huren-test"), esId, property, new SesPictureInfo("png", Picture, 40, 40), null);
        return SealMaker.Make(info, MakerCertificate, MakerKey);
    }

    /// <summary>The <c>seal.register</c> body of <paramref name="seal"/>, owned by <paramref name="ownerCode"/>.</summary>
    public static SealRegistered Registration(SesSeal seal, string ownerCode = LedgerBodies.ChangshaAmrCode) => SealEntryRules.Registration(seal, ownerCode);

    /// <summary>Seals <paramref name="document"/> at <paramref name="at"/> (default: <see cref="Now"/>) as the first signer (or <paramref name="signerKey"/>/<paramref name="signerCertificate"/>).</summary>
    public SesSignature Sign(SesSeal seal, byte[] document, DateTimeOffset? at = null, SigningKey? signerKey = null, SealCertificate? signerCertificate = null)
        => SealSigner.Sign(seal, document, signerCertificate ?? SignerCertificate, signerKey ?? SignerKey, at ?? Now, "decision.ofd");

    /// <summary>The <c>seal.use</c> body recording <paramref name="signature"/>.</summary>
    public static SealUsed Use(SesSignature signature) => SealEntryRules.Use(signature, "430100-QT-0002");

    /// <summary>A document's bytes, distinct per <paramref name="name"/>.</summary>
    public static byte[] Document(string name) => System.Text.Encoding.UTF8.GetBytes($"长沙市市场监督管理局 准予登记通知书 {name}");
}
