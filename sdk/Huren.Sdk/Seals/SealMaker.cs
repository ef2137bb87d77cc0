using Huren.Sdk.Crypto;

namespace Huren.Sdk.Seals;

/// <summary>Makes GB/T 38540 (v4) seals: the seal-making authority (制章机构) signs DER(<c>SES_SealInfo</c>).</summary>
public static class SealMaker
{
    /// <summary>Makes a seal signed by <paramref name="makerKey"/>, which must be the key of <paramref name="makerCertificate"/>.</summary>
    /// <exception cref="ArgumentException">The key does not match the certificate, is not SM2 or P-256, or <paramref name="info"/> breaks a rule (the message names the field).</exception>
    public static SesSeal Make(SesSealInfo info, SealCertificate makerCertificate, SigningKey makerKey)
    {
        ArgumentNullException.ThrowIfNull(makerCertificate);
        ArgumentNullException.ThrowIfNull(makerKey);
        if (makerKey.Id != makerCertificate.PublicKey.Id) throw new ArgumentException("the maker key is not the key of the maker certificate", nameof(makerKey));
        var algorithm = SealAlgorithms.OidOf(makerKey.Algorithm);
        var content = SesCodec.EncodeSealInfo(info);
        var signedValue = makerKey.Sign(content);
        var der = SesCodec.EncodeSeal(info, makerCertificate.Der, algorithm, signedValue);
        return new SesSeal(SesFormat.V4, info, makerCertificate.Der, algorithm, signedValue, der, content);
    }

    /// <summary>The <c>certDigestList</c> entry Huren writes for a certificate: <c>sm3</c> of its DER.</summary>
    public static SesCertDigest Sm3DigestOf(SealCertificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return new SesCertDigest(Digests.Sm3Name, Digests.Sm3(certificate.Der));
    }
}
