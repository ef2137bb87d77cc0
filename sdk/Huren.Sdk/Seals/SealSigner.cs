using Huren.Sdk.Crypto;

namespace Huren.Sdk.Seals;

/// <summary>Applies a seal to a document (电子签章): a GB/T 38540 (v4) <c>SES_Signature</c> over DER(<c>TBS_Sign</c>).</summary>
public static class SealSigner
{
    /// <summary>Seals <paramref name="document"/>: dataHash is its SM3.</summary>
    /// <param name="seal">The v4 seal applied.</param>
    /// <param name="document">The protected data.</param>
    /// <param name="signerCertificate">The signer's certificate; it should be in the seal's certificate list.</param>
    /// <param name="signerKey">The key of <paramref name="signerCertificate"/>.</param>
    /// <param name="time">The signing time written as <c>timeInfo</c>.</param>
    /// <param name="propertyInfo">What the document is (IA5), e.g. its file name or URI.</param>
    /// <param name="extensions">Optional <c>extDatas</c>.</param>
    /// <param name="timeStamper">Optional: given the signature value, returns a time stamp token to carry (<c>timeStamp</c>).</param>
    /// <exception cref="ArgumentException">A v1 seal, a key that is not the certificate's or not SM2/P-256, or a value that breaks a rule.</exception>
    public static SesSignature Sign(SesSeal seal, ReadOnlySpan<byte> document, SealCertificate signerCertificate, SigningKey signerKey,
        DateTimeOffset time, string propertyInfo, IReadOnlyList<SesExtension>? extensions = null, Func<byte[], byte[]>? timeStamper = null)
        => SignDigest(seal, Digests.Sm3(document), signerCertificate, signerKey, time, propertyInfo, extensions, timeStamper);

    /// <summary>Seals a document given its 32-byte SM3 digest (the same signature as <see cref="Sign"/>).</summary>
    /// <exception cref="ArgumentException">As for <see cref="Sign"/>, or a digest that is not 32 bytes.</exception>
    public static SesSignature SignDigest(SesSeal seal, byte[] documentSm3, SealCertificate signerCertificate, SigningKey signerKey,
        DateTimeOffset time, string propertyInfo, IReadOnlyList<SesExtension>? extensions = null, Func<byte[], byte[]>? timeStamper = null)
    {
        ArgumentNullException.ThrowIfNull(seal);
        ArgumentNullException.ThrowIfNull(signerCertificate);
        ArgumentNullException.ThrowIfNull(signerKey);
        if (seal.Format != SesFormat.V4) throw new ArgumentException("Huren writes GB/T 38540 signatures only; a GM/T 0031 seal is read, not applied", nameof(seal));
        if (signerKey.Id != signerCertificate.PublicKey.Id) throw new ArgumentException("the signer key is not the key of the signer certificate", nameof(signerKey));
        var algorithm = SealAlgorithms.OidOf(signerKey.Algorithm);
        var toSign = new TbsSign(4, seal, time, documentSm3, propertyInfo, extensions);
        var content = SesCodec.EncodeTbsSign(toSign);
        var signature = signerKey.Sign(content);
        var timeStamp = timeStamper?.Invoke(signature);
        var der = SesCodec.EncodeSignature(toSign, signerCertificate.Der, algorithm, signature, timeStamp);
        return new SesSignature(SesFormat.V4, toSign, signerCertificate.Der, algorithm, signature, timeStamp, der, content);
    }
}
