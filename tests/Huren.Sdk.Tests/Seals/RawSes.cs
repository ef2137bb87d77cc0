using Org.BouncyCastle.Asn1;

namespace Huren.Sdk.Tests.Seals;

/// <summary>
/// GB/T 38540 and GM/T 0031 structures assembled element by element with BouncyCastle's classes, written here in the
/// test from the ASN.1 in ../shared/reference/e-license-and-seal.md and not with the code under test. Every element
/// can be replaced, and each SEQUENCE edited, to make the malformed corpus.
/// </summary>
internal sealed class RawSes
{
    public RawSes(SealTestKit kit, bool v1 = false)
    {
        V1 = v1;
        Kit = kit;
        Version = DerInteger.ValueOf(v1 ? 1 : 4);
        CertList = new DerSequence(new DerOctetString(kit.SignerCertificate.Der));
        MakerCert = new DerOctetString(kit.MakerCertificate.Der);
        SignerCert = new DerOctetString(kit.SignerCertificate.Der);
        Create = Time(SealTestKit.Made, v1);
        Start = Time(SealTestKit.Made, v1);
        End = Time(SealTestKit.ValidEnd, v1);
        SignAlg = new DerObjectIdentifier(kit.Algorithm == Huren.Schemas.Envelope.SignatureAlgorithm.Sm2Sm3 ? "1.2.156.10197.1.501" : "1.2.840.10045.4.3.2");
        TimeInfo = v1 ? new DerBitString(System.Text.Encoding.ASCII.GetBytes("20250601023000Z")) : new DerGeneralizedTime("20250601023000Z");
        DataHash = new DerBitString(Huren.Sdk.Crypto.Digests.Sm3(SealTestKit.Document));
    }

    public bool V1 { get; }
    public SealTestKit Kit { get; }
    public Asn1Encodable Id = new DerIA5String("ES");
    public Asn1Encodable Version;
    public Asn1Encodable Vid = new DerIA5String("raw-vendor");
    public Asn1Encodable EsId = new DerIA5String("43010020250099");
    public Asn1Encodable Type = DerInteger.ValueOf(2);
    public Asn1Encodable Name = new DerUtf8String("长沙市人民政府办公厅公章");
    public Asn1Encodable CertListType = DerInteger.ValueOf(1);
    public Asn1Encodable CertList;
    public Asn1Encodable Create, Start, End;
    public Asn1Encodable PictureType = new DerIA5String("png");
    public Asn1Encodable PictureData = new DerOctetString(SealTestKit.Picture);
    public Asn1Encodable Width = DerInteger.ValueOf(42), Height = DerInteger.ValueOf(42);
    public Asn1Encodable? SealExtensions;
    public Asn1Encodable MakerCert;
    public Asn1Encodable SignAlg;
    public Asn1Encodable? SignedValue;
    public Asn1Encodable TbsVersion = DerInteger.ValueOf(4);
    public Asn1Encodable TimeInfo;
    public Asn1Encodable DataHash;
    public Asn1Encodable PropertyInfo = new DerIA5String("raw.ofd");
    public Asn1Encodable? TbsExtensions;
    public Asn1Encodable SignerCert;
    public Asn1Encodable? TimeStamp;
    public Func<Asn1Encodable[], Asn1Encodable[]> EditHeader = e => e, EditProperty = e => e, EditPicture = e => e, EditInfo = e => e,
        EditSeal = e => e, EditTbs = e => e, EditSignature = e => e;

    public Asn1Sequence InfoElement()
    {
        var header = new DerSequence(EditHeader([Id, Version, Vid]));
        var property = new DerSequence(EditProperty(V1 ? [Type, Name, CertList, Create, Start, End] : [Type, Name, CertListType, CertList, Create, Start, End]));
        var picture = new DerSequence(EditPicture([PictureType, PictureData, Width, Height]));
        Asn1Encodable[] info = SealExtensions is null ? [header, EsId, property, picture] : [header, EsId, property, picture, SealExtensions];
        return new DerSequence(EditInfo(info));
    }

    private Asn1Sequence? _seal;

    /// <summary>The seal, made once (SM2 and ECDSA signatures are randomised, so the seal and the signature share one).</summary>
    public Asn1Sequence SealElement() => _seal ??= MakeSeal();

    private Asn1Sequence MakeSeal()
    {
        var info = InfoElement();
        if (V1)
        {
            var signed = new DerSequence(info, MakerCert, SignAlg).GetEncoded(Asn1Encodable.Der);
            var signInfo = new DerSequence(MakerCert, SignAlg, SignedValue ?? new DerBitString(Kit.MakerKey.Sign(signed)));
            return new DerSequence(EditSeal([info, signInfo]));
        }
        var value = SignedValue ?? new DerBitString(Kit.MakerKey.Sign(info.GetEncoded(Asn1Encodable.Der)));
        return new DerSequence(EditSeal([info, MakerCert, SignAlg, value]));
    }

    public byte[] Seal() => SealElement().GetEncoded(Asn1Encodable.Der);

    public byte[] SignatureDer()
    {
        var seal = SealElement();
        Asn1Encodable[] tbsItems = V1
            ? [Version, seal, TimeInfo, DataHash, PropertyInfo, SignerCert, SignAlg]
            : TbsExtensions is null ? [TbsVersion, seal, TimeInfo, DataHash, PropertyInfo]
            : [TbsVersion, seal, TimeInfo, DataHash, PropertyInfo, new DerTaggedObject(true, 0, TbsExtensions)];
        var tbs = new DerSequence(EditTbs(tbsItems));
        var value = new DerBitString(Kit.SignerKey.Sign(tbs.GetEncoded(Asn1Encodable.Der)));
        Asn1Encodable[] items = V1 ? [tbs, value]
            : TimeStamp is null ? [tbs, SignerCert, SignAlg, value]
            : [tbs, SignerCert, SignAlg, value, TimeStamp];
        return new DerSequence(EditSignature(items)).GetEncoded(Asn1Encodable.Der);
    }

    private static Asn1Encodable Time(DateTimeOffset instant, bool v1)
        => v1 ? new DerUtcTime(instant.UtcDateTime.ToString("yyMMddHHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture))
            : new DerGeneralizedTime(instant.UtcDateTime.ToString("yyyyMMddHHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture));
}
