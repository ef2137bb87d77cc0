using System.Security.Cryptography;
using Huren.Schemas.Services;

namespace Huren.Sdk.Seals;

/// <summary>
/// What a city log says about one seal as of a checkpoint: where and when it was registered (and the SHA-256 of the
/// exact <c>SES_Seal</c> DER registered), whether it was revoked, and whether the signature being judged was recorded
/// by a <c>seal.use</c> entry. The node reads it from its state; an offline verifier from a bundle's verified entries.
/// </summary>
/// <param name="Origin">The log that registered the seal.</param>
/// <param name="SealId">The seal's esID.</param>
/// <param name="SealSha256">SHA-256 of the registered <c>SES_Seal</c> DER.</param>
/// <param name="RegisteredAt">The <c>seal.register</c> entry's time.</param>
/// <param name="RegisteredIndex">The <c>seal.register</c> entry's index.</param>
/// <param name="RevokedIndex">The <c>seal.revoke</c> entry's index, or null when not revoked.</param>
/// <param name="RevokeReason">Why it was revoked.</param>
/// <param name="UseIndex">The index of a <c>seal.use</c> entry recording exactly the signature judged, or null.</param>
public sealed record SealLedgerFacts(
    string Origin,
    string SealId,
    byte[] SealSha256,
    DateTimeOffset RegisteredAt,
    ulong RegisteredIndex,
    ulong? RevokedIndex,
    string RevokeReason,
    ulong? UseIndex);

/// <summary>
/// The verdict on a sealed document from its cryptographic check and the ledger's facts about its seal: the one place
/// it is decided, for the node answering <c>Seals.Verify</c> and for offline verifiers recomputing it from evidence
/// (so a later status proof binds to one rule). A signature that fails its own checks keeps that verdict; otherwise
/// the seal must be registered with exactly the bytes the signature embeds, before the signing time, and not
/// revoked — unless the ledger recorded this very signature before the revocation.
/// </summary>
public static class SealVerdictRules
{
    /// <summary>
    /// The verdict on a signature (<paramref name="signature"/>, as <see cref="SealVerifier"/> found it) given what the
    /// seal's log says (<paramref name="facts"/>; null when no log registered the seal).
    /// </summary>
    /// <remarks>
    /// A revoked seal's earlier signatures stay valid only when a <c>seal.use</c> entry before the revocation recorded
    /// them: a signature's own <c>timeInfo</c> cannot show it was made earlier, since whoever holds the signer's key
    /// can write any time (the optional RFC 3161 <c>timeStamp</c> is carried, not checked).
    /// </remarks>
    public static SealVerification Decide(SealVerification signature, SealLedgerFacts? facts)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (!signature.IsValid) return signature;
        var seal = signature.Seal!;
        if (facts is null)
            return signature with { Verdict = SealVerdict.NotRegistered, Reason = $"seal {seal.EsId} is not registered: no seal.register entry for it" };
        var where = $"{facts.Origin} #{facts.RegisteredIndex}";
        if (!SHA256.HashData(seal.Der).AsSpan().SequenceEqual(facts.SealSha256))
            return signature with { Verdict = SealVerdict.NotRegistered, Reason = $"the seal inside the signature is not seal {facts.SealId} as registered at {where}: its bytes differ" };
        var signedAt = signature.Signature!.ToSign.TimeInfo;
        if (signedAt < facts.RegisteredAt - SealVerifier.AllowedClockSkew)
            return signature with { Verdict = SealVerdict.NotRegistered, Reason = $"signed at {SealVerifier.Show(signedAt)}, before seal {facts.SealId} was registered ({SealVerifier.Show(facts.RegisteredAt)}, {where})" };
        if (facts.RevokedIndex is { } revoked)
        {
            var because = facts.RevokeReason.Length > 0 ? $" ({facts.RevokeReason})" : "";
            if (facts.UseIndex is { } used && used < revoked)
                return signature with { Reason = $"sealed before seal {facts.SealId} was revoked: the use is recorded at {facts.Origin} #{used}, the revocation at #{revoked}{because}" };
            return signature with
            {
                Verdict = SealVerdict.Revoked,
                Reason = $"seal {facts.SealId} was revoked at {facts.Origin} #{revoked}{because}, and no seal.use entry before that records this signature (its own signing time {SealVerifier.Show(signedAt)} cannot show it)",
            };
        }
        var recorded = facts.UseIndex is { } use ? $"; this use is recorded at #{use}" : "";
        return signature with { Reason = $"seal {facts.SealId} registered at {where}, not revoked{recorded}" };
    }

    /// <summary>The state of a seal on its own (no signature): <see cref="SealVerdict.Valid"/> while registered and not revoked, else <see cref="SealVerdict.Revoked"/>.</summary>
    public static (SealVerdict Verdict, string Reason) DecideSeal(SealLedgerFacts facts)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return facts.RevokedIndex is { } revoked
            ? (SealVerdict.Revoked, $"seal {facts.SealId} was revoked at {facts.Origin} #{revoked}" + (facts.RevokeReason.Length > 0 ? $" ({facts.RevokeReason})" : ""))
            : (SealVerdict.Valid, $"seal {facts.SealId} registered at {facts.Origin} #{facts.RegisteredIndex}, not revoked");
    }

    /// <summary>The bundle's spelling of a verdict: <c>VALID</c>, <c>BAD_SIGNATURE</c>, <c>NOT_REGISTERED</c>, …</summary>
    public static string Name(SealVerdict verdict) => verdict switch
    {
        SealVerdict.Valid => "VALID",
        SealVerdict.Malformed => "MALFORMED",
        SealVerdict.BadSignature => "BAD_SIGNATURE",
        SealVerdict.SignerNotAllowed => "SIGNER_NOT_ALLOWED",
        SealVerdict.Expired => "EXPIRED",
        SealVerdict.NotYetValid => "NOT_YET_VALID",
        SealVerdict.Revoked => "REVOKED",
        SealVerdict.NotRegistered => "NOT_REGISTERED",
        _ => verdict.ToString().ToUpperInvariant(),
    };

    /// <summary>The wire code of a verdict.</summary>
    public static SealVerdictCode ToCode(SealVerdict verdict) => verdict switch
    {
        SealVerdict.Valid => SealVerdictCode.Valid,
        SealVerdict.Malformed => SealVerdictCode.Malformed,
        SealVerdict.BadSignature => SealVerdictCode.BadSignature,
        SealVerdict.SignerNotAllowed => SealVerdictCode.SignerNotAllowed,
        SealVerdict.Expired => SealVerdictCode.Expired,
        SealVerdict.NotYetValid => SealVerdictCode.NotYetValid,
        SealVerdict.Revoked => SealVerdictCode.Revoked,
        SealVerdict.NotRegistered => SealVerdictCode.NotRegistered,
        _ => SealVerdictCode.Unspecified,
    };

    /// <summary>The verdict a wire code stands for; false for <see cref="SealVerdictCode.Unspecified"/> or a code this version does not know.</summary>
    public static bool TryFromCode(SealVerdictCode code, out SealVerdict verdict)
    {
        foreach (var candidate in Enum.GetValues<SealVerdict>())
        {
            if (ToCode(candidate) == code && code != SealVerdictCode.Unspecified)
            {
                verdict = candidate;
                return true;
            }
        }
        verdict = default;
        return false;
    }
}
