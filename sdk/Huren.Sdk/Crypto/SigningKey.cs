using System.Security.Cryptography;
using Huren.Schemas.Envelope;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;

namespace Huren.Sdk.Crypto;

/// <summary>
/// A private signing key of SM2-with-SM3, ECDSA P-256/SHA-256 or Ed25519, with PKCS#8 PEM import and export.
/// Thread-safe.
/// </summary>
public sealed class SigningKey
{
    private static readonly SecureRandom Random = new();

    private readonly AsymmetricKeyParameter? _bcKey;
    private readonly ECDsa? _ecdsa;

    private SigningKey(SignatureAlgorithm algorithm, AsymmetricKeyParameter? bcKey, ECDsa? ecdsa, PublicKey publicKey)
    {
        Algorithm = algorithm;
        _bcKey = bcKey;
        _ecdsa = ecdsa;
        PublicKey = publicKey;
    }

    /// <summary>The algorithm this key signs with.</summary>
    public SignatureAlgorithm Algorithm { get; }

    /// <summary>The matching public key.</summary>
    public PublicKey PublicKey { get; }

    /// <summary>The key id (of the public key).</summary>
    public KeyId Id => PublicKey.Id;

    /// <summary>Generates a fresh key.</summary>
    /// <exception cref="ArgumentException">Unknown algorithm.</exception>
    public static SigningKey Generate(SignatureAlgorithm algorithm)
    {
        switch (algorithm)
        {
            case SignatureAlgorithm.Sm2Sm3:
                var curve = GMNamedCurves.GetByOid(GMObjectIdentifiers.sm2p256v1);
                // Named domain parameters so that PKCS#8/SPKI carry the SM2 curve OID (openssl reads them as SM2 keys).
                var domain = new ECNamedDomainParameters(GMObjectIdentifiers.sm2p256v1, curve);
                var generator = new ECKeyPairGenerator("EC");
                generator.Init(new ECKeyGenerationParameters(domain, Random));
                return FromBouncyCastle(generator.GenerateKeyPair().Private);
            case SignatureAlgorithm.Ed25519:
                return FromBouncyCastle(new Ed25519PrivateKeyParameters(Random));
            case SignatureAlgorithm.EcdsaP256Sha256:
                return FromEcdsa(ECDsa.Create(ECCurve.NamedCurves.nistP256));
            default:
                throw new ArgumentException($"cannot generate a key for algorithm {algorithm}", nameof(algorithm));
        }
    }

    /// <summary>An Ed25519 key from its 32-byte seed (the RFC 8032 private key).</summary>
    /// <exception cref="FormatException">Not 32 bytes.</exception>
    public static SigningKey FromEd25519Seed(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != BcEd25519.SecretKeySize) throw new FormatException($"an Ed25519 seed is 32 bytes, got {seed.Length}");
        return FromBouncyCastle(new Ed25519PrivateKeyParameters(seed));
    }

    /// <summary>The 32-byte seed of an Ed25519 key.</summary>
    /// <exception cref="InvalidOperationException">The key is not Ed25519.</exception>
    public byte[] GetEd25519Seed()
        => _bcKey is Ed25519PrivateKeyParameters ed ? ed.GetEncoded() : throw new InvalidOperationException($"a {Algorithm} key has no Ed25519 seed");

    /// <summary>Reads a PEM <c>PRIVATE KEY</c> (PKCS#8, unencrypted) of a supported algorithm.</summary>
    /// <exception cref="FormatException">Not such a key; the message says why.</exception>
    public static SigningKey FromPem(string pem) => FromPkcs8(PemText.Decode(pem, "PRIVATE KEY"));

    /// <summary>Reads a DER PKCS#8 PrivateKeyInfo.</summary>
    /// <exception cref="FormatException">Not such a key; the message says why.</exception>
    public static SigningKey FromPkcs8(byte[] der)
    {
        PrivateKeyInfo info;
        try
        {
            info = PrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(der));
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidCastException)
        {
            throw new FormatException($"not a DER PKCS#8 private key: {ex.Message}", ex);
        }
        var oid = info.PrivateKeyAlgorithm.Algorithm;
        if (oid.Equals(EdECObjectIdentifiers.id_Ed25519)) return FromBouncyCastle(PrivateKeyFactory.CreateKey(info));
        if (oid.Equals(X9ObjectIdentifiers.IdECPublicKey))
        {
            var curve = info.PrivateKeyAlgorithm.Parameters as DerObjectIdentifier;
            if (GMObjectIdentifiers.sm2p256v1.Equals(curve)) return FromBouncyCastle(PrivateKeyFactory.CreateKey(info));
            if (X9ObjectIdentifiers.Prime256v1.Equals(curve))
            {
                var ecdsa = ECDsa.Create();
                ecdsa.ImportPkcs8PrivateKey(der, out _);
                return FromEcdsa(ecdsa);
            }
            throw new FormatException($"unsupported elliptic curve {curve?.Id ?? "(explicit parameters)"} (expected SM2 or P-256)");
        }
        throw new FormatException($"unsupported private key algorithm {oid.Id} (expected SM2, P-256 or Ed25519)");
    }

    /// <summary>PEM <c>PRIVATE KEY</c> (PKCS#8 v1) text, readable by <c>openssl pkey</c>.</summary>
    public string ToPem() => PemText.Encode("PRIVATE KEY", ToPkcs8());

    /// <summary>
    /// DER PKCS#8 v1 <c>PrivateKeyInfo</c> (RFC 5208: version 0, no attributes, no attached public key). Reading
    /// (<see cref="FromPkcs8"/>) accepts v2 (RFC 5958 <c>OneAsymmetricKey</c>) as well.
    /// </summary>
    public byte[] ToPkcs8()
    {
        if (_ecdsa is not null) return _ecdsa.ExportPkcs8PrivateKey();
        // BouncyCastle writes Ed25519 keys as v2 with the public key attached, which OpenSSL 3.0 and Node refuse.
        var info = PrivateKeyInfoFactory.CreatePrivateKeyInfo(_bcKey);
        return new PrivateKeyInfo(info.PrivateKeyAlgorithm, info.ParsePrivateKey()).GetDerEncoded();
    }

    /// <summary>Signs <paramref name="data"/>: DER (r, s) for SM2 and ECDSA, 64 bytes for Ed25519.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        switch (Algorithm)
        {
            case SignatureAlgorithm.Ed25519:
                var signature = new byte[BcEd25519.SignatureSize];
                ((Ed25519PrivateKeyParameters)_bcKey!).Sign(BcEd25519.Algorithm.Ed25519, null, data.ToArray(), 0, data.Length, signature, 0);
                return signature;
            case SignatureAlgorithm.Sm2Sm3:
                var sm2 = new SM2Signer();
                sm2.Init(true, new ParametersWithID(new ParametersWithRandom(_bcKey, Random), PublicKey.Sm2DefaultUserId.ToArray()));
                sm2.BlockUpdate(data);
                return sm2.GenerateSignature();
            default:
                return _ecdsa!.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        }
    }

    private static SigningKey FromBouncyCastle(AsymmetricKeyParameter key)
    {
        switch (key)
        {
            case Ed25519PrivateKeyParameters ed:
                return new SigningKey(SignatureAlgorithm.Ed25519, ed, null, PublicKey.FromEd25519Raw(ed.GeneratePublicKey().GetEncoded()));
            case ECPrivateKeyParameters ec:
                var q = ec.Parameters.G.Multiply(ec.D).Normalize();
                var pub = new ECPublicKeyParameters("EC", q, ec.PublicKeyParamSet ?? GMObjectIdentifiers.sm2p256v1);
                var spki = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(pub).GetDerEncoded();
                var signingKey = ec.PublicKeyParamSet is null
                    ? new ECPrivateKeyParameters("EC", ec.D, GMObjectIdentifiers.sm2p256v1)
                    : ec;
                return new SigningKey(SignatureAlgorithm.Sm2Sm3, signingKey, null, PublicKey.FromSubjectPublicKeyInfo(spki));
            default:
                throw new FormatException($"unsupported key type {key.GetType().Name}");
        }
    }

    private static SigningKey FromEcdsa(ECDsa ecdsa)
        => new(SignatureAlgorithm.EcdsaP256Sha256, null, ecdsa, PublicKey.FromSubjectPublicKeyInfo(ecdsa.ExportSubjectPublicKeyInfo()));
}
