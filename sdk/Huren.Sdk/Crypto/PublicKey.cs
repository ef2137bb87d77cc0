using System.Formats.Asn1;
using System.Security.Cryptography;
using Huren.Schemas.Envelope;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;
using Sodium = NSec.Cryptography;

namespace Huren.Sdk.Crypto;

/// <summary>
/// A public key of one of Huren's signature algorithms, parsed once and reused for verification. Thread-safe.
/// Ed25519 goes through libsodium (NSec) first and BouncyCastle when libsodium refuses (see <see cref="Verify"/>); ECDSA P-256 through the platform (OpenSSL on Linux); SM2 through BouncyCastle,
/// or the platform's OpenSSL 3 when <see cref="OpenSslSm2.IsSelected"/> (both accept exactly the same signatures).
/// </summary>
public sealed class PublicKey
{
    /// <summary>The SM2 distinguishing identifier used by Huren: the GM/T 0009 default <c>1234567812345678</c>.</summary>
    public static ReadOnlySpan<byte> Sm2DefaultUserId => "1234567812345678"u8;

    private static readonly DerObjectIdentifier EcPublicKeyOid = X9ObjectIdentifiers.IdECPublicKey;
    private static readonly DerObjectIdentifier P256Oid = X9ObjectIdentifiers.Prime256v1;

    private readonly AsymmetricKeyParameter? _bcKey;
    private readonly ECDsa? _ecdsa;
    private OpenSslKeyHandle? _sm2OpenSsl;
    private readonly Sodium.PublicKey? _sodiumEd25519;

    private PublicKey(SignatureAlgorithm algorithm, byte[] spki, AsymmetricKeyParameter? bcKey, ECDsa? ecdsa)
    {
        Algorithm = algorithm;
        SubjectPublicKeyInfo = spki;
        Id = KeyId.FromSubjectPublicKeyInfo(spki);
        _bcKey = bcKey;
        _ecdsa = ecdsa;
        // Imported once per key: a key is parsed once and verifies many entries.
        if (algorithm == SignatureAlgorithm.Sm2Sm3 && OpenSslSm2.IsSelected) _sm2OpenSsl = OpenSslSm2.ImportPublicKey(spki);
        // A key libsodium does not import (it refuses some that BouncyCastle reads) is verified by BouncyCastle alone.
        if (bcKey is Ed25519PublicKeyParameters ed) _sodiumEd25519 = ImportSodium(ed.GetEncoded());
    }

    // Null where libsodium does not load (NSec bundles it for the usual platforms) or does not take the key.
    private static Sodium.PublicKey? ImportSodium(byte[] raw)
    {
        try
        {
            return Sodium.PublicKey.TryImport(Sodium.SignatureAlgorithm.Ed25519, raw, Sodium.KeyBlobFormat.RawPublicKey, out var key) ? key : null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or PlatformNotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The algorithm this key verifies.</summary>
    public SignatureAlgorithm Algorithm { get; }

    /// <summary>The DER SubjectPublicKeyInfo (the bytes the key id is derived from).</summary>
    public byte[] SubjectPublicKeyInfo { get; }

    /// <summary>The stable key id.</summary>
    public KeyId Id { get; }

    /// <summary>True when <see cref="Verify"/> tries libsodium first for this Ed25519 key; false for other algorithms or where libsodium does not load.</summary>
    public bool UsesLibsodium => _sodiumEd25519 is not null;

    /// <summary>Which code <see cref="Verify"/> uses for this SM2 key; null for other algorithms.</summary>
    public Sm2Implementation? Sm2Implementation => Algorithm != SignatureAlgorithm.Sm2Sm3 ? null
        : OpenSslSm2.IsSelected && _sm2OpenSsl is not null ? Crypto.Sm2Implementation.OpenSsl : Crypto.Sm2Implementation.BouncyCastle;

    /// <summary>Parses a DER SubjectPublicKeyInfo of an SM2, P-256 or Ed25519 key.</summary>
    /// <exception cref="FormatException">Not such a key; the message says why.</exception>
    public static PublicKey FromSubjectPublicKeyInfo(ReadOnlySpan<byte> der)
    {
        var bytes = der.ToArray();
        SubjectPublicKeyInfo info;
        try
        {
            info = Org.BouncyCastle.Asn1.X509.SubjectPublicKeyInfo.GetInstance(Asn1Object.FromByteArray(bytes));
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidCastException)
        {
            throw new FormatException($"not a DER SubjectPublicKeyInfo: {ex.Message}", ex);
        }
        try
        {
            return Create(info, bytes);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or CryptographicException)
        {
            // e.g. a point that is not on the curve: BouncyCastle and the platform report it in their own ways.
            throw new FormatException($"not a valid public key: {ex.Message}", ex);
        }
    }

    private static PublicKey Create(SubjectPublicKeyInfo info, byte[] bytes)
    {
        var algorithmOid = info.Algorithm.Algorithm;
        if (algorithmOid.Equals(EdECObjectIdentifiers.id_Ed25519))
        {
            return new PublicKey(SignatureAlgorithm.Ed25519, bytes, PublicKeyFactory.CreateKey(info), null);
        }
        if (algorithmOid.Equals(EcPublicKeyOid) || algorithmOid.Equals(GMObjectIdentifiers.sm2p256v1))
        {
            var curve = info.Algorithm.Parameters as DerObjectIdentifier ?? algorithmOid;
            if (curve.Equals(GMObjectIdentifiers.sm2p256v1))
            {
                return new PublicKey(SignatureAlgorithm.Sm2Sm3, bytes, PublicKeyFactory.CreateKey(info), null);
            }
            if (curve.Equals(P256Oid))
            {
                var ecdsa = ECDsa.Create();
                ecdsa.ImportSubjectPublicKeyInfo(bytes, out _);
                return new PublicKey(SignatureAlgorithm.EcdsaP256Sha256, bytes, null, ecdsa);
            }
            throw new FormatException($"unsupported elliptic curve {curve.Id} (expected SM2 1.2.156.10197.1.301 or P-256 1.2.840.10045.3.1.7)");
        }
        throw new FormatException($"unsupported public key algorithm {algorithmOid.Id} (expected SM2, P-256 or Ed25519)");
    }

    /// <summary>Parses a PEM <c>PUBLIC KEY</c> (SubjectPublicKeyInfo).</summary>
    /// <exception cref="FormatException">Not a PEM public key of a supported algorithm.</exception>
    public static PublicKey FromPem(string pem)
        => FromSubjectPublicKeyInfo(PemText.Decode(pem, "PUBLIC KEY"));

    /// <summary>Wraps a raw 32-byte Ed25519 public key (as C2SP verifier keys carry it).</summary>
    /// <exception cref="FormatException">Not 32 bytes.</exception>
    public static PublicKey FromEd25519Raw(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != BcEd25519.PublicKeySize) throw new FormatException($"an Ed25519 public key is 32 bytes, got {raw.Length}");
        var key = new Ed25519PublicKeyParameters(raw);
        var spki = SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(key).GetDerEncoded();
        return new PublicKey(SignatureAlgorithm.Ed25519, spki, key, null);
    }

    /// <summary>The raw 32-byte Ed25519 public key.</summary>
    /// <exception cref="InvalidOperationException">The key is not Ed25519.</exception>
    public byte[] GetEd25519Raw()
        => _bcKey is Ed25519PublicKeyParameters ed ? ed.GetEncoded() : throw new InvalidOperationException($"a {Algorithm} key has no raw Ed25519 form");

    /// <summary>PEM <c>PUBLIC KEY</c> text (readable by <c>openssl pkey -pubin</c>).</summary>
    public string ToPem() => PemText.Encode("PUBLIC KEY", SubjectPublicKeyInfo);

    /// <summary>
    /// Verifies <paramref name="signature"/> over <paramref name="data"/>. Malformed signatures are invalid, never an exception.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        try
        {
            switch (Algorithm)
            {
                case SignatureAlgorithm.Ed25519:
                    if (signature.Length != BcEd25519.SignatureSize) return false;
                    // libsodium is faster, takes no global lock and allocates nothing; it is also stricter than
                    // BouncyCastle (it refuses small-order and non-canonical points, both check cofactorless), so what
                    // it accepts BouncyCastle accepts too (tested in Ed25519VerifierAgreementTests). BouncyCastle
                    // decides every refusal, so the accepted set stays exactly BouncyCastle's.
                    if (_sodiumEd25519 is { } sodium && Sodium.SignatureAlgorithm.Ed25519.Verify(sodium, data, signature)) return true;
                    return ((Ed25519PublicKeyParameters)_bcKey!).Verify(BcEd25519.Algorithm.Ed25519, null,
                        data.ToArray(), 0, data.Length, signature.ToArray(), 0);
                case SignatureAlgorithm.Sm2Sm3:
                    return OpenSslSm2.IsSelected && _sm2OpenSsl is { } native ? OpenSslSm2.Verify(native, data, signature) : VerifySm2BouncyCastle(data, signature);
                case SignatureAlgorithm.EcdsaP256Sha256:
                    // The platform's DER reader accepts some BER (e.g. a negative s missing its leading zero, Wycheproof
                    // tcId 6), which would let one signature be written two ways: only strict DER is turned into (r, s).
                    Span<byte> fixedFields = stackalloc byte[2 * P256FieldSize];
                    return TryReadStrictDerSignature(signature, fixedFields)
                        && _ecdsa!.VerifyData(data, fixedFields, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
                default:
                    return false;
            }
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidCastException or CryptoException or CryptographicException)
        {
            // A signature that does not even parse is simply not a valid signature.
            return false;
        }
    }

    /// <summary>
    /// Verifies an SM2 signature with the chosen implementation, whichever <see cref="Verify"/> would use: for tests
    /// that both agree and for benchmarks that compare them.
    /// </summary>
    /// <exception cref="InvalidOperationException">The key is not SM2, or OpenSSL is asked for and not available.</exception>
    public bool VerifySm2With(Sm2Implementation implementation, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (Algorithm != SignatureAlgorithm.Sm2Sm3) throw new InvalidOperationException($"a {Algorithm} key has no SM2 implementations");
        if (implementation == Crypto.Sm2Implementation.BouncyCastle)
        {
            try
            {
                return VerifySm2BouncyCastle(data, signature);
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or InvalidCastException or CryptoException)
            {
                return false;
            }
        }
        if (!OpenSslSm2.IsAvailable) throw new InvalidOperationException("OpenSSL SM2 is not available on this machine");
        var key = _sm2OpenSsl;
        if (key is null)
        {
            // Imported on first use when OpenSSL is not selected; a thread that loses the race frees its copy.
            key = OpenSslSm2.ImportPublicKey(SubjectPublicKeyInfo) ?? throw new InvalidOperationException("OpenSSL does not read this key as SM2");
            var existing = Interlocked.CompareExchange(ref _sm2OpenSsl, key, null);
            if (existing is not null)
            {
                key.Dispose();
                key = existing;
            }
        }
        return OpenSslSm2.Verify(key, data, signature);
    }

    private const int P256FieldSize = 32;

    /// <summary>
    /// Reads a DER <c>SEQUENCE { r INTEGER, s INTEGER }</c> into r ‖ s of <see cref="P256FieldSize"/> bytes each: DER
    /// only (minimal lengths and integers, nothing after the sequence), r and s positive and at most 32 bytes.
    /// </summary>
    private static bool TryReadStrictDerSignature(ReadOnlySpan<byte> der, Span<byte> rs)
    {
        try
        {
            AsnDecoder.ReadSequence(der, AsnEncodingRules.DER, out var offset, out var length, out var consumed);
            if (consumed != der.Length) return false; // bytes after the sequence
            var values = der.Slice(offset, length);
            if (!TryReadPositive(ref values, rs[..P256FieldSize]) || !TryReadPositive(ref values, rs[P256FieldSize..])) return false;
            return values.IsEmpty;
        }
        catch (AsnContentException)
        {
            return false;
        }

        static bool TryReadPositive(ref ReadOnlySpan<byte> source, Span<byte> destination)
        {
            var value = AsnDecoder.ReadIntegerBytes(source, AsnEncodingRules.DER, out var consumed);
            source = source[consumed..];
            if (value.IsEmpty || (value[0] & 0x80) != 0) return false; // negative
            if (value[0] == 0) value = value[1..]; // the sign byte DER requires before a high bit
            if (value.IsEmpty || value.Length > destination.Length) return false; // zero, or too large
            destination.Clear();
            value.CopyTo(destination[(destination.Length - value.Length)..]);
            return true;
        }
    }

    private bool VerifySm2BouncyCastle(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var sm2 = new SM2Signer();
        sm2.Init(false, new ParametersWithID(_bcKey, Sm2DefaultUserId.ToArray()));
        sm2.BlockUpdate(data);
        return sm2.VerifySignature(signature.ToArray());
    }
}
