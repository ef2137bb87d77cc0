using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Evidence;
using Huren.Sdk.Seals;

namespace Huren.Sdk.Client;

/// <summary>What a counter asks about a sealed document: its <c>SES_Signature</c> and the document's SM3 (the document itself stays local).</summary>
public sealed record SealQuestion
{
    private SealQuestion(byte[] sesSignature, byte[] documentSm3)
    {
        SesSignature = sesSignature;
        DocumentSm3 = documentSm3;
    }

    /// <summary>The <c>SES_Signature</c> DER.</summary>
    public byte[] SesSignature { get; }

    /// <summary>The document's 32-byte SM3.</summary>
    public byte[] DocumentSm3 { get; }

    /// <summary>A document read from <paramref name="document"/> to its end, sealed by <paramref name="sesSignature"/>.</summary>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static SealQuestion ForDocument(Stream document, byte[] sesSignature)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(sesSignature);
        return new SealQuestion(sesSignature, Digests.Sm3(document));
    }

    /// <summary>A document given as bytes, sealed by <paramref name="sesSignature"/>.</summary>
    public static SealQuestion ForDocument(ReadOnlySpan<byte> document, byte[] sesSignature)
    {
        ArgumentNullException.ThrowIfNull(sesSignature);
        return new SealQuestion(sesSignature, Digests.Sm3(document));
    }

    /// <summary>A document given by its 32-byte SM3, sealed by <paramref name="sesSignature"/>.</summary>
    public static SealQuestion ForDigest(byte[] documentSm3, byte[] sesSignature)
    {
        ArgumentNullException.ThrowIfNull(documentSm3);
        ArgumentNullException.ThrowIfNull(sesSignature);
        if (documentSm3.Length != 32) throw new ArgumentException($"a document's SM3 is 32 bytes, got {documentSm3.Length}", nameof(documentSm3));
        return new SealQuestion(sesSignature, documentSm3);
    }
}

/// <summary>
/// A node's answer about a sealed document, believed only as far as the signature itself and the evidence go: the
/// signature is checked here, the bundle verified against the network configuration, the verdict recomputed here
/// and required to be the one the node states.
/// </summary>
public sealed class VerifiedSeal
{
    private VerifiedSeal(SealVerdictResponse response, SealEvidenceResult evidence)
    {
        Response = response;
        Evidence = evidence;
    }

    /// <summary>The node's answer as received.</summary>
    public SealVerdictResponse Response { get; }

    /// <summary>The verdict recomputed here, or the reason the answer is not to be believed.</summary>
    public SealEvidenceResult Evidence { get; }

    /// <summary>The signature was checked, the evidence verified, and the node's verdict is the one recomputed.</summary>
    public bool IsVerified => Evidence.IsValid;

    /// <summary>Verified, and every checkpoint the evidence rests on is final.</summary>
    public bool IsFinal => IsVerified && Evidence.Final;

    /// <summary>The recomputed verdict, when verified.</summary>
    public SealVerdict? Verdict => IsVerified ? Evidence.Verdict : null;

    /// <summary>Why the answer is not to be believed, or null.</summary>
    public string? Failure => IsVerified ? null : Evidence.Failure;

    /// <summary>
    /// What a counter may act on: verified, VALID, resting on ledger evidence whose checkpoints are final and whose
    /// status proof shows the seal's latest state (<see cref="SealEvidenceResult.StatusProven"/>: else a revocation could
    /// have been left out). A negative verdict needs no finality (the signature itself, or the entries shown, already
    /// decide it); NOT_REGISTERED without evidence is the node's word until status proofs prove absence.
    /// </summary>
    public bool IsAccepted => IsFinal && Evidence.FromLedger && Evidence.StatusProven && Evidence.Verdict == SealVerdict.Valid;

    /// <summary>
    /// Binds <paramref name="response"/> to <paramref name="question"/>: the verdict recomputed from the signature and
    /// the response's bundle as of <paramref name="now"/> must be the node's, about the seal the signature applies, in
    /// the log the node names. Never throws on what the node sent.
    /// </summary>
    public static VerifiedSeal Check(SealVerdictResponse response, SealQuestion question, SealEvidenceVerifier verifier, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(verifier);
        var evidence = verifier.Verify(response.EvidenceBundle, question.SesSignature, question.DocumentSm3, now);
        return new VerifiedSeal(response, Bind(response, evidence));
    }

    private static SealEvidenceResult Bind(SealVerdictResponse response, SealEvidenceResult evidence)
    {
        if (!evidence.IsValid) return evidence;
        var name = SealVerdictRules.Name(evidence.Verdict);
        if (!SealVerdictRules.TryFromCode(response.Verdict, out var stated)) return Failed($"the node answered verdict {response.Verdict}, which is not a seal verdict");
        if (stated != evidence.Verdict) return Failed($"the node says {SealVerdictRules.Name(stated)}, the signature and its evidence give {name}");
        if (evidence.FromLedger && response.Origin != evidence.Origin) return Failed($"the node names log {response.Origin}, its evidence {evidence.Origin}");
        if (evidence.Subject.Length > 0 && response.SealId != evidence.Subject) return Failed($"the node names seal {response.SealId}, the signature and its evidence {evidence.Subject}");
        return evidence;
    }

    private static SealEvidenceResult Failed(string reason) => new(false, SealVerdict.Malformed, reason, false);
}

/// <summary>A node's answer about a registered seal, believed only as far as its evidence goes.</summary>
public sealed class VerifiedSealRecord
{
    private VerifiedSealRecord(SealResponse response, SealEvidenceResult evidence, SesSeal? seal)
    {
        Response = response;
        Evidence = evidence;
        Seal = seal;
    }

    /// <summary>The node's answer as received.</summary>
    public SealResponse Response { get; }

    /// <summary>The verified registration (and revocation), or the reason it does not hold.</summary>
    public SealEvidenceResult Evidence { get; }

    /// <summary>The registered seal, read from the verified registration (null unless <see cref="IsVerified"/>).</summary>
    public SesSeal? Seal { get; }

    /// <summary>The evidence verified and is the node's answer.</summary>
    public bool IsVerified => Evidence.IsValid;

    /// <summary>Whether the seal was revoked, as verified.</summary>
    public bool IsRevoked => IsVerified && Evidence.Verdict == SealVerdict.Revoked;

    /// <summary>
    /// Binds <paramref name="response"/> to the seal asked about: its bundle must verify, be about
    /// <paramref name="sealId"/>, and carry the very <c>SES_Seal</c> bytes the node returned.
    /// </summary>
    public static VerifiedSealRecord Check(SealResponse response, string sealId, SealEvidenceVerifier verifier)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(verifier);
        var evidence = verifier.VerifySeal(response.EvidenceBundle, sealId);
        if (!evidence.IsValid) return new VerifiedSealRecord(response, evidence, null);
        if (!evidence.Registration!.SesSeal.AsSpan().SequenceEqual(response.SesSeal))
            return new VerifiedSealRecord(response, new SealEvidenceResult(false, SealVerdict.Malformed, "the SES_Seal the node returned is not the one its evidence registers", false), null);
        if (response.Seal.Revoked != (evidence.Verdict == SealVerdict.Revoked))
            return new VerifiedSealRecord(response, new SealEvidenceResult(false, SealVerdict.Malformed, $"the node says the seal is {(response.Seal.Revoked ? "" : "not ")}revoked, its evidence the opposite", false), null);
        return SesCodec.TryParseSeal(response.SesSeal, out var seal, out var error)
            ? new VerifiedSealRecord(response, evidence, seal)
            : new VerifiedSealRecord(response, new SealEvidenceResult(false, SealVerdict.Malformed, $"the registered seal cannot be read: {error}", false), null);
    }
}
