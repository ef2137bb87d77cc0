namespace Huren.Sdk.Seals;

/// <summary><c>TBS_Sign</c>: what the signer signs when applying a seal to a document.</summary>
/// <param name="Version">4 for GB/T 38540; the v1 value as read.</param>
/// <param name="Seal">The seal applied, with its exact DER.</param>
/// <param name="TimeInfo">Signing time (UTC): GeneralizedTime in v4; in v1 the time text inside the BIT STRING.</param>
/// <param name="DataHash">SM3 of the protected data (the document), 32 bytes.</param>
/// <param name="PropertyInfo">Properties of the protected data (IA5), e.g. the document's name or URI.</param>
/// <param name="Extensions">extDatas ([0] EXPLICIT in v4); null when absent.</param>
public sealed record TbsSign(int Version, SesSeal Seal, DateTimeOffset TimeInfo, byte[] DataHash, string PropertyInfo,
    IReadOnlyList<SesExtension>? Extensions);

/// <summary>
/// A seal applied to a document (电子签章): <c>SES_Signature</c> of GB/T 38540 (v4) or GM/T 0031 (v1). Made by
/// <see cref="SealSigner"/> or read by <see cref="SesCodec.TryParseSignature(byte[], out SesSignature?, out string?)"/>;
/// keeps the exact DER it came from.
/// </summary>
public sealed class SesSignature
{
    internal SesSignature(SesFormat format, TbsSign toSign, byte[] signerCertificate, string signatureAlgorithm, byte[] signature,
        byte[]? timeStamp, byte[] der, byte[] signedContent)
    {
        Format = format;
        ToSign = toSign;
        SignerCertificate = signerCertificate;
        SignatureAlgorithm = signatureAlgorithm;
        Signature = signature;
        TimeStamp = timeStamp;
        Der = der;
        SignedContent = signedContent;
    }

    /// <summary>v4 or v1.</summary>
    public SesFormat Format { get; }

    /// <summary>The signed part.</summary>
    public TbsSign ToSign { get; }

    /// <summary>The signer's X.509 certificate, DER.</summary>
    public byte[] SignerCertificate { get; }

    /// <summary>The signer's signature algorithm OID (<see cref="SealAlgorithms"/>).</summary>
    public string SignatureAlgorithm { get; }

    /// <summary>The signer's signature (DER r, s) over <see cref="SignedContent"/>.</summary>
    public byte[] Signature { get; }

    /// <summary>The optional time stamp over the signature value (v4 <c>timeStamp</c>), carried but not checked.</summary>
    public byte[]? TimeStamp { get; }

    /// <summary>The exact DER of the whole signature.</summary>
    public byte[] Der { get; }

    /// <summary>The bytes the signer signed: DER of <c>TBS_Sign</c>.</summary>
    public byte[] SignedContent { get; }

    /// <summary>The applied seal.</summary>
    public SesSeal Seal => ToSign.Seal;
}
