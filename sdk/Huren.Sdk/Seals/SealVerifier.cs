using System.Collections.Concurrent;
using System.Security.Cryptography;
using Huren.Sdk.Crypto;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.Seals;

/// <summary>
/// Checks a sealed document without the ledger: the document's SM3 equals <c>dataHash</c>, the signer's signature over
/// <c>TBS_Sign</c> verifies with the signer certificate's key, the seal maker's signature verifies with the maker
/// certificate's key, the signer's certificate is in the seal's list (by certificate or by digest), and the signing
/// time lies within the seal's validity and the signer certificate's (and the seal was made within the maker
/// certificate's). Total: every input gives a <see cref="SealVerification"/>, never an exception. The ledger's checks
/// (registered, not revoked at the signing time) come on top, for a <see cref="SealVerdict.Valid"/> result.
/// Thread-safe; keep one instance: it remembers the certificates it has parsed (a seal's maker and signers recur in
/// every use, and parsing a certificate and importing its key costs more than a signature check).
/// </summary>
/// <param name="clock">The clock for "signed in the future"; the system clock when null.</param>
public sealed class SealVerifier(TimeProvider? clock = null)
{
    /// <summary>How far in the future a signing time may lie (clock skew between the signer and this verifier).</summary>
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>How many parsed certificates an instance keeps (all are dropped when full: simple, and bounded).</summary>
    public const int CertificateCacheSize = 4096;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<Hash256, SealCertificate> _certificates = new();

    /// <summary>Checks <paramref name="sesSignature"/> (DER) over <paramref name="document"/>.</summary>
    public SealVerification Verify(ReadOnlySpan<byte> document, byte[] sesSignature) => VerifyDigest(Digests.Sm3(document), sesSignature);

    /// <summary>Checks <paramref name="sesSignature"/> (DER) over the document read from <paramref name="document"/> to its end.</summary>
    /// <exception cref="IOException">The stream cannot be read (an I/O fault, not a verdict).</exception>
    public SealVerification Verify(Stream document, byte[] sesSignature) => VerifyDigest(Digests.Sm3(document), sesSignature);

    /// <summary>Checks <paramref name="sesSignature"/> (DER) against a document's 32-byte SM3 digest (as a <c>seal.use</c> entry holds it).</summary>
    public SealVerification VerifyDigest(ReadOnlySpan<byte> documentSm3, byte[] sesSignature) => VerifyDigest(documentSm3, sesSignature, _clock.GetUtcNow());

    /// <summary>Checks <paramref name="sesSignature"/> (DER) against a document's 32-byte SM3 digest as of <paramref name="now"/> (see <see cref="Verify(SesSignature, ReadOnlySpan{byte}, DateTimeOffset)"/>).</summary>
    public SealVerification VerifyDigest(ReadOnlySpan<byte> documentSm3, byte[] sesSignature, DateTimeOffset now)
        => SesCodec.TryParseSignature(sesSignature, out var signature, out var error)
            ? Verify(signature, documentSm3, now)
            : new SealVerification(SealVerdict.Malformed, error);

    /// <summary>Checks a parsed signature against a document's 32-byte SM3 digest.</summary>
    public SealVerification Verify(SesSignature signature, ReadOnlySpan<byte> documentSm3) => Verify(signature, documentSm3, _clock.GetUtcNow());

    /// <summary>
    /// Checks a parsed signature against a document's 32-byte SM3 digest as of <paramref name="now"/>: the instant a
    /// signing time may not lie beyond (by more than <see cref="AllowedClockSkew"/>). The ledger passes an entry's own
    /// time, so that every node re-checking the entry later decides the same.
    /// </summary>
    public SealVerification Verify(SesSignature signature, ReadOnlySpan<byte> documentSm3, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(signature);
        var seal = signature.Seal;
        var result = new SealVerification(SealVerdict.Valid, null) { Signature = signature, Seal = seal };

        if (!TryCertificate(signature.SignerCertificate, signature.SignatureAlgorithm, "signer", out var signer, out var failure))
            return result with { Verdict = SealVerdict.Malformed, Reason = failure };
        result = result with { SignerCertificate = signer };
        if (!signer.PublicKey.Verify(signature.SignedContent, signature.Signature))
            return result with { Verdict = SealVerdict.BadSignature, Reason = "the signer's signature over TBS_Sign does not verify with the signer certificate's key" };
        if (documentSm3.Length != 32 || !CryptographicOperations.FixedTimeEquals(documentSm3, signature.ToSign.DataHash))
            return result with { Verdict = SealVerdict.BadSignature, Reason = "the document's SM3 digest differs from the signed dataHash: the document is not the one that was sealed" };

        var sealCheck = CheckSeal(seal);
        result = result with { MakerCertificate = sealCheck.MakerCertificate };
        if (!sealCheck.IsValid) return result with { Verdict = sealCheck.Verdict, Reason = sealCheck.Reason };
        if (FirstCritical(signature.ToSign.Extensions) is { } critical)
            return result with { Verdict = SealVerdict.Malformed, Reason = $"TBS_Sign carries critical extension {critical}, which Huren does not know" };

        if (!Lists(seal.Info.Property, signer))
            return result with { Verdict = SealVerdict.SignerNotAllowed, Reason = $"the signer certificate ({signer.Subject}) is not in the certificate list of seal {seal.EsId}" };

        var signedAt = signature.ToSign.TimeInfo;
        var property = seal.Info.Property;
        if (signedAt > now + AllowedClockSkew)
            return result with { Verdict = SealVerdict.NotYetValid, Reason = $"signed at {Show(signedAt)}, which is in the future" };
        if (signedAt < property.CreateDate)
            return result with { Verdict = SealVerdict.NotYetValid, Reason = $"signed at {Show(signedAt)}, before the seal was made ({Show(property.CreateDate)})" };
        if (signedAt < property.ValidStart)
            return result with { Verdict = SealVerdict.NotYetValid, Reason = $"signed at {Show(signedAt)}, before the seal's validity starts ({Show(property.ValidStart)})" };
        if (signedAt > property.ValidEnd)
            return result with { Verdict = SealVerdict.Expired, Reason = $"signed at {Show(signedAt)}, after the seal's validity ended ({Show(property.ValidEnd)})" };
        if (signedAt < signer.NotBefore)
            return result with { Verdict = SealVerdict.NotYetValid, Reason = $"signed at {Show(signedAt)}, before the signer certificate is valid ({Show(signer.NotBefore)})" };
        if (signedAt > signer.NotAfter)
            return result with { Verdict = SealVerdict.Expired, Reason = $"signed at {Show(signedAt)}, after the signer certificate expired ({Show(signer.NotAfter)})" };
        return result;
    }

    /// <summary>Checks a seal (DER) on its own, as when it is registered: structure, maker signature, maker certificate validity when made.</summary>
    public SealVerification VerifySeal(byte[] sesSeal)
        => SesCodec.TryParseSeal(sesSeal, out var seal, out var error) ? VerifySeal(seal) : new SealVerification(SealVerdict.Malformed, error);

    /// <summary>Checks a parsed seal on its own.</summary>
    public SealVerification VerifySeal(SesSeal seal) => CheckSeal(seal);

    private SealVerification CheckSeal(SesSeal seal)
    {
        ArgumentNullException.ThrowIfNull(seal);
        var result = new SealVerification(SealVerdict.Valid, null) { Seal = seal };
        if (!TryCertificate(seal.MakerCertificate, seal.SignatureAlgorithm, "maker", out var maker, out var failure))
            return result with { Verdict = SealVerdict.Malformed, Reason = failure };
        result = result with { MakerCertificate = maker };
        if (!maker.PublicKey.Verify(seal.SignedContent, seal.SignedValue))
            return result with { Verdict = SealVerdict.BadSignature, Reason = $"the seal maker's signature over SES_SealInfo of seal {seal.EsId} does not verify with the maker certificate's key" };
        if (FirstCritical(seal.Info.Extensions) is { } critical)
            return result with { Verdict = SealVerdict.Malformed, Reason = $"seal {seal.EsId} carries critical extension {critical}, which Huren does not know" };
        var made = seal.Info.Property.CreateDate;
        if (made < maker.NotBefore)
            return result with { Verdict = SealVerdict.NotYetValid, Reason = $"seal {seal.EsId} was made ({Show(made)}) before the maker certificate is valid ({Show(maker.NotBefore)})" };
        if (made > maker.NotAfter)
            return result with { Verdict = SealVerdict.Expired, Reason = $"seal {seal.EsId} was made ({Show(made)}) after the maker certificate expired ({Show(maker.NotAfter)})" };
        return result;
    }

    private bool TryCertificate(byte[] der, string algorithmOid, string role, out SealCertificate certificate, out string failure)
    {
        certificate = null!;
        failure = "";
        // Keyed by SHA-256 of the exact bytes: the same bytes always parse to the same certificate.
        var key = new Hash256(SHA256.HashData(der));
        if (!_certificates.TryGetValue(key, out var parsed))
        {
            if (!SealCertificate.TryParse(der, out parsed, out var error))
            {
                failure = $"{role} certificate: {error}";
                return false;
            }
            if (_certificates.Count >= CertificateCacheSize) _certificates.Clear();
            _certificates.TryAdd(key, parsed);
        }
        if (!SealAlgorithms.TryGetAlgorithm(algorithmOid, out var algorithm) || algorithm != parsed.PublicKey.Algorithm)
        {
            failure = $"{role} certificate: holds a {parsed.PublicKey.Algorithm} key, but the signature algorithm is {algorithmOid}";
            return false;
        }
        certificate = parsed;
        return true;
    }

    private static bool Lists(SesPropertyInfo property, SealCertificate signer)
    {
        if (property.CertListType == SesCertListType.Certificates)
        {
            foreach (var certificate in property.Certificates)
            {
                if (certificate.AsSpan().SequenceEqual(signer.Der)) return true;
            }
            return false;
        }
        byte[]? sm3 = null, sha256 = null;
        foreach (var digest in property.CertificateDigests)
        {
            var expected = digest.Type.ToLowerInvariant() switch
            {
                "sm3" => sm3 ??= Digests.Sm3(signer.Der),
                "sha256" or "sha-256" => sha256 ??= Digests.Sha256(signer.Der),
                _ => null, // a digest Huren cannot compute matches nothing
            };
            if (expected is not null && expected.AsSpan().SequenceEqual(digest.Value)) return true;
        }
        return false;
    }

    private static string? FirstCritical(IReadOnlyList<SesExtension>? extensions)
    {
        if (extensions is null) return null;
        foreach (var extension in extensions)
        {
            if (extension.Critical) return extension.Oid;
        }
        return null;
    }

    internal static string Show(DateTimeOffset instant)
        => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
