namespace Huren.Sdk.Seals;

/// <summary>
/// An electronic seal (电子印章): <c>SES_Seal</c> of GB/T 38540 (v4) or <c>SESeal</c> of GM/T 0031 (v1). Made by
/// <see cref="SealMaker"/> or read by <see cref="SesCodec.TryParseSeal(byte[], out SesSeal?, out string?)"/>; keeps the exact
/// DER it came from.
/// </summary>
public sealed class SesSeal
{
    internal SesSeal(SesFormat format, SesSealInfo info, byte[] makerCertificate, string signatureAlgorithm, byte[] signedValue,
        byte[] der, byte[] signedContent)
    {
        Format = format;
        Info = info;
        MakerCertificate = makerCertificate;
        SignatureAlgorithm = signatureAlgorithm;
        SignedValue = signedValue;
        Der = der;
        SignedContent = signedContent;
    }

    /// <summary>v4 or v1.</summary>
    public SesFormat Format { get; }

    /// <summary>The signed seal information.</summary>
    public SesSealInfo Info { get; }

    /// <summary>The seal-making authority's (制章机构) X.509 certificate, DER.</summary>
    public byte[] MakerCertificate { get; }

    /// <summary>The maker's signature algorithm OID (<see cref="SealAlgorithms"/>).</summary>
    public string SignatureAlgorithm { get; }

    /// <summary>The maker's signature (DER r, s).</summary>
    public byte[] SignedValue { get; }

    /// <summary>The exact DER of the whole seal.</summary>
    public byte[] Der { get; }

    /// <summary>
    /// The bytes the maker signed: DER of <c>SES_SealInfo</c> for v4 (see docs/seals.md on what the standard signs);
    /// DER of SEQUENCE { sealInfo, cert, signatureAlgorithm } for v1, as GM/T 0031 defines it.
    /// </summary>
    public byte[] SignedContent { get; }

    /// <summary>The seal id (esID).</summary>
    public string EsId => Info.EsId;
}
