using System.Diagnostics.CodeAnalysis;
using Huren.Sdk.Crypto;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Huren.Sdk.Seals;

/// <summary>
/// An X.509 certificate of a seal maker (制章机构) or a seal user (签章人), with an SM2 or P-256 key: parsed (total) or
/// issued with BouncyCastle's generator (SM3withSM2 or ecdsa-with-SHA256). Huren trusts a maker because the ledger
/// registered its key, not because of a certificate chain; the certificate carries the key and its validity.
/// </summary>
public sealed class SealCertificate
{
    private static readonly SecureRandom Random = new();

    private SealCertificate(byte[] der, X509Certificate certificate, PublicKey publicKey)
    {
        Der = der;
        Subject = certificate.SubjectDN.ToString();
        Issuer = certificate.IssuerDN.ToString();
        NotBefore = new DateTimeOffset(DateTime.SpecifyKind(certificate.NotBefore, DateTimeKind.Utc));
        NotAfter = new DateTimeOffset(DateTime.SpecifyKind(certificate.NotAfter, DateTimeKind.Utc));
        SignatureAlgorithm = certificate.SigAlgOid;
        ToBeSigned = certificate.GetTbsCertificate();
        Signature = certificate.GetSignature();
        PublicKey = publicKey;
    }

    /// <summary>The certificate's DER, as given.</summary>
    public byte[] Der { get; }

    /// <summary>The subject's distinguished name.</summary>
    public string Subject { get; }

    /// <summary>The issuer's distinguished name.</summary>
    public string Issuer { get; }

    /// <summary>First instant of validity (UTC).</summary>
    public DateTimeOffset NotBefore { get; }

    /// <summary>Last instant of validity (UTC).</summary>
    public DateTimeOffset NotAfter { get; }

    /// <summary>The issuer's signature algorithm OID.</summary>
    public string SignatureAlgorithm { get; }

    /// <summary>The subject's public key (SM2 or P-256).</summary>
    public PublicKey PublicKey { get; }

    private byte[] ToBeSigned { get; }

    private byte[] Signature { get; }

    /// <summary>Reads a DER X.509 certificate holding an SM2 or P-256 key. Never throws.</summary>
    public static bool TryParse(byte[] der, [NotNullWhen(true)] out SealCertificate? certificate, [NotNullWhen(false)] out string? error)
    {
        certificate = null;
        if (der is null || der.Length == 0) { error = "empty certificate"; return false; }
        if (der.Length > SesLimits.MaxCertificateBytes) { error = $"a {der.Length}-byte certificate is more than the {SesLimits.MaxCertificateBytes}-byte limit"; return false; }
        if (DerShape.Check(der) is { } shape) { error = $"not a DER certificate: {shape}"; return false; }
        error = SesReader.Run(() => new X509Certificate(X509CertificateStructure.GetInstance(Asn1Object.FromByteArray(der))), out var parsed);
        if (error is not null) { error = $"not an X.509 certificate: {error}"; return false; }
        PublicKey key;
        try
        {
            key = PublicKey.FromSubjectPublicKeyInfo(parsed!.SubjectPublicKeyInfo.GetDerEncoded());
        }
        catch (FormatException ex)
        {
            error = $"certificate key: {ex.Message}";
            return false;
        }
        if (key.Algorithm is not (Huren.Schemas.Envelope.SignatureAlgorithm.Sm2Sm3 or Huren.Schemas.Envelope.SignatureAlgorithm.EcdsaP256Sha256))
        {
            error = $"certificate key: seals use SM2 or P-256 keys, not {key.Algorithm}";
            return false;
        }
        // Read inside the guard too: a signature BIT STRING with unused bits passes the shape checks and throws here.
        error = SesReader.Run(() => new SealCertificate(der, parsed, key), out var read);
        if (error is not null) { error = $"not an X.509 certificate: {error}"; return false; }
        certificate = read!;
        return true;
    }

    /// <summary>Whether <paramref name="issuer"/> signed this certificate (with the algorithm the certificate names).</summary>
    public bool IsSignedBy(PublicKey issuer)
        => SealAlgorithms.TryGetAlgorithm(SignatureAlgorithm, out var algorithm) && algorithm == issuer.Algorithm && issuer.Verify(ToBeSigned, Signature);

    /// <summary>
    /// Issues a certificate for <paramref name="subjectKey"/>, signed by <paramref name="issuerKey"/> (SM3withSM2 for an
    /// SM2 issuer, ecdsa-with-SHA256 for P-256), with digital-signature and non-repudiation key usage.
    /// </summary>
    /// <param name="subject">Subject DN, e.g. <c>CN=长沙市市场监督管理局,O=长沙市市场监督管理局,C=CN</c>.</param>
    /// <param name="subjectKey">The subject's public key (SM2 or P-256).</param>
    /// <param name="issuer">Issuer DN.</param>
    /// <param name="issuerKey">The issuer's key (SM2 or P-256).</param>
    /// <param name="notBefore">Start of validity.</param>
    /// <param name="notAfter">End of validity.</param>
    /// <param name="certificateAuthority">Whether the subject may issue certificates itself (basic constraints CA, key usage keyCertSign).</param>
    /// <exception cref="ArgumentException">A key that is not SM2 or P-256, a bad name, or an empty window.</exception>
    public static SealCertificate Issue(string subject, PublicKey subjectKey, string issuer, SigningKey issuerKey, DateTimeOffset notBefore,
        DateTimeOffset notAfter, bool certificateAuthority = false)
    {
        ArgumentNullException.ThrowIfNull(subjectKey);
        ArgumentNullException.ThrowIfNull(issuerKey);
        if (notAfter <= notBefore) throw new ArgumentException("notAfter must be after notBefore", nameof(notAfter));
        if (subjectKey.Algorithm is not (Huren.Schemas.Envelope.SignatureAlgorithm.Sm2Sm3 or Huren.Schemas.Envelope.SignatureAlgorithm.EcdsaP256Sha256))
            throw new ArgumentException($"seal certificates hold SM2 or P-256 keys, not {subjectKey.Algorithm}", nameof(subjectKey));
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(new BigInteger(128, Random).SetBit(127));
        generator.SetSubjectDN(new X509Name(subject));
        generator.SetIssuerDN(new X509Name(issuer));
        generator.SetNotBefore(notBefore.UtcDateTime);
        generator.SetNotAfter(notAfter.UtcDateTime);
        generator.SetSubjectPublicKeyInfo(SubjectPublicKeyInfo.GetInstance(subjectKey.SubjectPublicKeyInfo));
        var usage = KeyUsage.DigitalSignature | KeyUsage.NonRepudiation;
        if (certificateAuthority)
        {
            generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
            usage |= KeyUsage.KeyCertSign;
        }
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(usage));
        var der = generator.Generate(new SigningKeySignatureFactory(issuerKey)).GetEncoded();
        return TryParse(der, out var certificate, out var error) ? certificate : throw new InvalidOperationException($"issued certificate does not parse: {error}");
    }

    /// <summary>A self-signed certificate of <paramref name="key"/> (a maker's, a test signer's, or a test authority's).</summary>
    public static SealCertificate SelfSigned(string subject, SigningKey key, DateTimeOffset notBefore, DateTimeOffset notAfter,
        bool certificateAuthority = false)
        => Issue(subject, key.PublicKey, subject, key, notBefore, notAfter, certificateAuthority);

    /// <summary>BouncyCastle's certificate generator signing through Huren's own key, so no key is exported.</summary>
    private sealed class SigningKeySignatureFactory(SigningKey key) : ISignatureFactory
    {
        public object AlgorithmDetails { get; } = new AlgorithmIdentifier(new DerObjectIdentifier(SealAlgorithms.OidOf(key.Algorithm)));

        public IStreamCalculator<IBlockResult> CreateCalculator() => new Calculator(key);

        private sealed class Calculator(SigningKey key) : IStreamCalculator<IBlockResult>
        {
            private readonly MemoryStream _buffer = new();

            public Stream Stream => _buffer;

            public IBlockResult GetResult() => new SimpleBlockResult(key.Sign(_buffer.ToArray()));
        }
    }
}
