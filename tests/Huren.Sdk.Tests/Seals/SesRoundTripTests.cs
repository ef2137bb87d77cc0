using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Seals;
using Org.BouncyCastle.Asn1;

namespace Huren.Sdk.Tests.Seals;

/// <summary>SES_Seal and SES_Signature: parse(DER) then build gives the same bytes; v1 is read.</summary>
public class SesRoundTripTests
{
    public static TheoryData<SignatureAlgorithm, SesCertListType, bool> Variants => new()
    {
        { SignatureAlgorithm.Sm2Sm3, SesCertListType.Certificates, false },
        { SignatureAlgorithm.Sm2Sm3, SesCertListType.CertificateDigests, true },
        { SignatureAlgorithm.EcdsaP256Sha256, SesCertListType.Certificates, true },
        { SignatureAlgorithm.EcdsaP256Sha256, SesCertListType.CertificateDigests, false },
    };

    [Theory]
    [MemberData(nameof(Variants))]
    public void Seal_parses_and_builds_back_to_the_same_bytes(SignatureAlgorithm algorithm, SesCertListType listType, bool extensions)
    {
        var kit = new SealTestKit(algorithm);
        var made = kit.Seal(listType, extensions ? [new SesExtension("1.2.156.3005.99.1", false, [1, 2, 3]), new SesExtension("1.2.156.3005.99.2", true, [])] : null);

        Assert.True(SesCodec.TryParseSeal(made.Der, out var parsed, out var error), error);
        var rebuilt = SesCodec.EncodeSeal(parsed.Info, parsed.MakerCertificate, parsed.SignatureAlgorithm, parsed.SignedValue);
        Assert.Equal(made.Der, rebuilt);
        Assert.Equal(SesFormat.V4, parsed.Format);
        Assert.Equal(made.SignedContent, parsed.SignedContent);
        Assert.Equal(SesCodec.EncodeSealInfo(parsed.Info), parsed.SignedContent);
        Assert.Equal("43010020250001", parsed.EsId);
        Assert.Equal("长沙市市场监督管理局行政审批专用章", parsed.Info.Property.Name);
        Assert.Equal(listType, parsed.Info.Property.CertListType);
        Assert.Equal(SealTestKit.Made, parsed.Info.Property.CreateDate);
        Assert.Equal(SealTestKit.ValidEnd, parsed.Info.Property.ValidEnd);
        Assert.Equal(SealTestKit.Picture, parsed.Info.Picture.Data);
        Assert.Equal((40, 40), (parsed.Info.Picture.WidthMm, parsed.Info.Picture.HeightMm));
        Assert.Equal(extensions ? 2 : null, parsed.Info.Extensions?.Count);
        Assert.Equal(SealAlgorithms.OidOf(algorithm), parsed.SignatureAlgorithm);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Signature_parses_and_builds_back_to_the_same_bytes(SignatureAlgorithm algorithm, SesCertListType listType, bool extras)
    {
        var kit = new SealTestKit(algorithm);
        var seal = kit.Seal(listType);
        var made = SealSigner.Sign(seal, SealTestKit.Document, kit.SignerCertificate, kit.SignerKey, SealTestKit.SignedAt.AddTicks(1_234_500),
            "doc.ofd", extras ? [new SesExtension("1.2.156.3005.99.3", false, "x"u8.ToArray())] : null,
            extras ? signature => Digests.Sha256(signature) : null);

        Assert.True(SesCodec.TryParseSignature(made.Der, out var parsed, out var error), error);
        var rebuilt = SesCodec.EncodeSignature(parsed.ToSign, parsed.SignerCertificate, parsed.SignatureAlgorithm, parsed.Signature, parsed.TimeStamp);
        Assert.Equal(made.Der, rebuilt);
        Assert.Equal(made.SignedContent, parsed.SignedContent);
        Assert.Equal(SesCodec.EncodeTbsSign(parsed.ToSign), parsed.SignedContent);
        Assert.Equal(seal.Der, parsed.Seal.Der);
        Assert.Equal(SealTestKit.SignedAt.AddTicks(1_234_500), parsed.ToSign.TimeInfo);
        Assert.Equal(Digests.Sm3(SealTestKit.Document), parsed.ToSign.DataHash);
        Assert.Equal("doc.ofd", parsed.ToSign.PropertyInfo);
        Assert.Equal(extras, parsed.TimeStamp is not null);
        Assert.Equal(extras ? 1 : null, parsed.ToSign.Extensions?.Count);
    }

    [Fact]
    public void A_seal_assembled_independently_with_BouncyCastle_parses_and_builds_back_to_the_same_bytes()
    {
        var raw = new RawSes(new SealTestKit())
        {
            SealExtensions = new DerSequence(new DerSequence(new DerObjectIdentifier("1.2.3.4"), new DerOctetString([9]))),
            TbsExtensions = new DerSequence(new DerSequence(new DerObjectIdentifier("1.2.3.5"), DerBoolean.True, new DerOctetString([8]))),
            TimeStamp = new DerTaggedObject(true, 0, new DerBitString([1, 2, 3, 4])),
        };
        var sealDer = raw.Seal();
        var signatureDer = raw.SignatureDer();

        Assert.True(SesCodec.TryParseSeal(sealDer, out var seal, out var error), error);
        Assert.Equal(sealDer, SesCodec.EncodeSeal(seal.Info, seal.MakerCertificate, seal.SignatureAlgorithm, seal.SignedValue));
        Assert.Equal("43010020250099", seal.EsId);
        Assert.Equal("raw-vendor", seal.Info.Header.VendorId);
        Assert.Equal(2, seal.Info.Property.Type);
        Assert.Equal("1.2.3.4", Assert.Single(seal.Info.Extensions!).Oid);

        Assert.True(SesCodec.TryParseSignature(signatureDer, out var signature, out error), error);
        Assert.Equal(signatureDer, SesCodec.EncodeSignature(signature.ToSign, signature.SignerCertificate, signature.SignatureAlgorithm,
            signature.Signature, signature.TimeStamp));
        Assert.Equal(sealDer, signature.Seal.Der);
        Assert.Equal([1, 2, 3, 4], signature.TimeStamp);
        Assert.True(Assert.Single(signature.ToSign.Extensions!).Critical);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 2, 30, 0, TimeSpan.Zero), signature.ToSign.TimeInfo);
    }

    [Fact]
    public void A_GM_T_0031_v1_seal_and_signature_are_read_and_told_apart_by_element_count()
    {
        var raw = new RawSes(new SealTestKit(), v1: true);
        var sealDer = raw.Seal();
        Assert.True(SesCodec.TryParseSeal(sealDer, out var seal, out var error), error);
        Assert.Equal(SesFormat.V1, seal.Format);
        Assert.Equal(1, seal.Info.Header.Version);
        Assert.Equal(SesCertListType.Certificates, seal.Info.Property.CertListType);
        Assert.Equal(SealTestKit.ValidEnd, seal.Info.Property.ValidEnd);

        Assert.True(SesCodec.TryParseSignature(raw.SignatureDer(), out var signature, out error), error);
        Assert.Equal(SesFormat.V1, signature.Format);
        Assert.Equal(SesFormat.V1, signature.Seal.Format);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 2, 30, 0, TimeSpan.Zero), signature.ToSign.TimeInfo);
        Assert.Equal(raw.Kit.SignerCertificate.Der, signature.SignerCertificate);
        Assert.Null(signature.TimeStamp);
    }

    [Fact]
    public void Huren_writes_only_v4_so_a_v1_seal_cannot_be_applied()
    {
        var kit = new SealTestKit();
        Assert.True(SesCodec.TryParseSeal(new RawSes(kit, v1: true).Seal(), out var v1, out _));
        var ex = Assert.Throws<ArgumentException>(() => kit.Sign(v1));
        Assert.Contains("GM/T 0031", ex.Message);
    }

    [Fact]
    public void Builders_refuse_what_the_parser_would_refuse()
    {
        var kit = new SealTestKit();
        var info = kit.Info();
        Assert.Contains("esID", Assert.Throws<ArgumentException>(() => SesCodec.EncodeSealInfo(info with { EsId = "印章" })).Message);
        Assert.Contains("header.version", Assert.Throws<ArgumentException>(() => SesCodec.EncodeSealInfo(info with { Header = new SesHeader(1, "v") })).Message);
        Assert.Contains("picture.data", Assert.Throws<ArgumentException>(() =>
            SesCodec.EncodeSealInfo(info with { Picture = info.Picture with { Data = new byte[SesLimits.MaxPictureBytes + 1] } })).Message);
        Assert.Contains("certList", Assert.Throws<ArgumentException>(() =>
            SesCodec.EncodeSealInfo(info with { Property = info.Property with { Certificates = [] } })).Message);
        Assert.Contains("maker key", Assert.Throws<ArgumentException>(() => SealMaker.Make(info, kit.MakerCertificate, kit.SignerKey)).Message);
        var ed25519 = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        Assert.Throws<ArgumentException>(() => SealCertificate.SelfSigned("CN=x", ed25519, SealTestKit.Made, SealTestKit.ValidEnd));
        Assert.Contains("dataHash", Assert.Throws<ArgumentException>(() =>
            SealSigner.SignDigest(kit.Seal(), new byte[20], kit.SignerCertificate, kit.SignerKey, SealTestKit.SignedAt, "x")).Message);
    }

    [Fact]
    public void Seal_certificates_carry_the_key_the_validity_and_the_issuer_signature()
    {
        var kit = new SealTestKit();
        Assert.True(SealCertificate.TryParse(kit.SignerCertificate.Der, out var parsed, out var error), error);
        Assert.Equal(kit.SignerKey.Id, parsed.PublicKey.Id);
        Assert.Equal(SealAlgorithms.Sm2WithSm3, parsed.SignatureAlgorithm);
        Assert.Equal(new DateTimeOffset(2028, 1, 1, 0, 0, 0, TimeSpan.Zero), parsed.NotAfter);
        Assert.True(parsed.IsSignedBy(kit.MakerKey.PublicKey));
        Assert.False(parsed.IsSignedBy(kit.SignerKey.PublicKey));
        Assert.True(kit.MakerCertificate.IsSignedBy(kit.MakerKey.PublicKey));
        Assert.Contains("长沙市市场监督管理局", parsed.Subject);
        Assert.False(SealCertificate.TryParse([0x30, 0x03, 0x02, 0x01, 0x01], out _, out error));
        Assert.StartsWith("not an X.509 certificate", error);
    }
}
