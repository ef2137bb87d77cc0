using System.Security.Cryptography;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Xml;

/// <summary>
/// A public key that XML signatures are checked against: ECDSA P-256 or RSA of at least 2048 bits. The verifier uses
/// only this key, never one named inside the document.
/// </summary>
public sealed class XmlVerificationKey
{
    private XmlVerificationKey(AsymmetricAlgorithm algorithm, byte[] subjectPublicKeyInfo)
    {
        Algorithm = algorithm;
        SubjectPublicKeyInfo = subjectPublicKeyInfo;
        SignatureMethod = algorithm is ECDsa ? XmlDsigAlgorithms.EcdsaSha256 : XmlDsigAlgorithms.RsaSha256;
    }

    /// <summary>The DER SubjectPublicKeyInfo.</summary>
    public byte[] SubjectPublicKeyInfo { get; }

    /// <summary>The XML signature method URI this key verifies (ecdsa-sha256 or rsa-sha256).</summary>
    public string SignatureMethod { get; }

    internal AsymmetricAlgorithm Algorithm { get; }

    /// <summary>A P-256 key of the SDK (SM2 and Ed25519 have no XML signature method .NET knows; see docs/seals.md).</summary>
    /// <exception cref="ArgumentException">Not a P-256 key.</exception>
    public static XmlVerificationKey FromPublicKey(PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Algorithm != SignatureAlgorithm.EcdsaP256Sha256)
            throw new ArgumentException($"XML signatures use ECDSA P-256 or RSA, not {key.Algorithm}", nameof(key));
        return FromSubjectPublicKeyInfo(key.SubjectPublicKeyInfo);
    }

    /// <summary>Reads a DER SubjectPublicKeyInfo of a P-256 or RSA (≥ 2048-bit) key.</summary>
    /// <exception cref="FormatException">Not such a key.</exception>
    public static XmlVerificationKey FromSubjectPublicKeyInfo(byte[] spki)
    {
        ArgumentNullException.ThrowIfNull(spki);
        var algorithm = XmlKeyImport.Public(spki);
        return new XmlVerificationKey(algorithm, spki);
    }

    /// <summary>Reads a PEM <c>PUBLIC KEY</c> (as <c>openssl pkey -pubout</c> writes it).</summary>
    /// <exception cref="FormatException">Not a PEM public key of P-256 or RSA ≥ 2048.</exception>
    public static XmlVerificationKey FromPem(string pem) => FromSubjectPublicKeyInfo(XmlKeyImport.Pem(pem, "PUBLIC KEY"));

    /// <summary>The public half of an RSA key (at least 2048 bits).</summary>
    /// <exception cref="FormatException">Shorter than 2048 bits.</exception>
    public static XmlVerificationKey FromRsa(RSA rsa)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        return FromSubjectPublicKeyInfo(rsa.ExportSubjectPublicKeyInfo());
    }

    /// <summary>PEM <c>PUBLIC KEY</c> text (for <c>xmlsec1 --pubkey-pem</c>).</summary>
    public string ToPem() => PemEncoding.WriteString("PUBLIC KEY", SubjectPublicKeyInfo);
}

/// <summary>A private key that signs license XML: ECDSA P-256 (ecdsa-sha256) or RSA of at least 2048 bits (rsa-sha256).</summary>
public sealed class XmlSigningKey
{
    private XmlSigningKey(AsymmetricAlgorithm algorithm)
    {
        Algorithm = algorithm;
        PublicKey = algorithm is ECDsa ecdsa ? XmlVerificationKey.FromSubjectPublicKeyInfo(ecdsa.ExportSubjectPublicKeyInfo())
            : XmlVerificationKey.FromRsa((RSA)algorithm);
    }

    /// <summary>The matching public key.</summary>
    public XmlVerificationKey PublicKey { get; }

    internal AsymmetricAlgorithm Algorithm { get; }

    /// <summary>An issuing department's or node's P-256 key of the SDK.</summary>
    /// <exception cref="ArgumentException">Not a P-256 key.</exception>
    public static XmlSigningKey FromSigningKey(SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Algorithm != SignatureAlgorithm.EcdsaP256Sha256)
            throw new ArgumentException($"XML signatures use ECDSA P-256 or RSA, not {key.Algorithm}", nameof(key));
        return FromPkcs8(key.ToPkcs8());
    }

    /// <summary>An RSA key of at least 2048 bits.</summary>
    /// <exception cref="ArgumentException">Shorter than 2048 bits.</exception>
    public static XmlSigningKey FromRsa(RSA rsa)
    {
        ArgumentNullException.ThrowIfNull(rsa);
        if (rsa.KeySize < XmlKeyImport.MinRsaBits) throw new ArgumentException($"RSA keys sign with at least {XmlKeyImport.MinRsaBits} bits, got {rsa.KeySize}", nameof(rsa));
        return new XmlSigningKey(rsa);
    }

    /// <summary>Reads a PEM <c>PRIVATE KEY</c> (PKCS#8) of P-256 or RSA ≥ 2048.</summary>
    /// <exception cref="FormatException">Not such a key.</exception>
    public static XmlSigningKey FromPem(string pem) => FromPkcs8(XmlKeyImport.Pem(pem, "PRIVATE KEY"));

    private static XmlSigningKey FromPkcs8(byte[] pkcs8) => new(XmlKeyImport.Private(pkcs8));
}

/// <summary>Imports the two key types XML signatures use here, checking curve and size.</summary>
internal static class XmlKeyImport
{
    public const int MinRsaBits = 2048;
    private const string P256Oid = "1.2.840.10045.3.1.7";

    public static AsymmetricAlgorithm Public(byte[] spki)
        => Import(ecdsa => ecdsa.ImportSubjectPublicKeyInfo(spki, out _), rsa => rsa.ImportSubjectPublicKeyInfo(spki, out _));

    public static AsymmetricAlgorithm Private(byte[] pkcs8)
        => Import(ecdsa => ecdsa.ImportPkcs8PrivateKey(pkcs8, out _), rsa => rsa.ImportPkcs8PrivateKey(pkcs8, out _));

    public static byte[] Pem(string pem, string label)
    {
        ArgumentNullException.ThrowIfNull(pem);
        if (!PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] != label)
            throw new FormatException($"not a PEM {label}");
        return Convert.FromBase64String(pem[fields.Base64Data].ToString());
    }

    private static AsymmetricAlgorithm Import(Action<ECDsa> importEcdsa, Action<RSA> importRsa)
    {
        var ecdsa = ECDsa.Create();
        try
        {
            importEcdsa(ecdsa);
            var curve = ecdsa.ExportParameters(false).Curve;
            if (curve.Oid?.Value != P256Oid && curve.Oid?.FriendlyName is not ("nistP256" or "ECDSA_P256"))
                throw new FormatException($"XML signatures use the P-256 curve, not {curve.Oid?.FriendlyName ?? curve.Oid?.Value ?? "this curve"}");
            return ecdsa;
        }
        catch (CryptographicException)
        {
            ecdsa.Dispose();
        }
        var rsa = RSA.Create();
        try
        {
            importRsa(rsa);
        }
        catch (CryptographicException ex)
        {
            rsa.Dispose();
            throw new FormatException($"not a P-256 or RSA key: {ex.Message}", ex);
        }
        if (rsa.KeySize < MinRsaBits) throw new FormatException($"RSA keys need at least {MinRsaBits} bits, got {rsa.KeySize}");
        return rsa;
    }
}
