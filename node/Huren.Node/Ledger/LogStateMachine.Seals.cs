using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Huren.Node.Logs;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Seals;

namespace Huren.Node.Ledger;

/// <summary>
/// Electronic seals (GB/T 38540): registration by a seal-making authority (制章机构), revocation, and each use. The
/// stateless part — the DER parses and agrees with the body, the signatures verify — runs on the submitter's thread
/// (<see cref="CheckSeal"/>, the SDK's <see cref="SealEntryRules"/>); the rules below need the log's state.
/// </summary>
public sealed partial class LogStateMachine
{
    /// <summary>Seal checks; it remembers the certificates it parsed (a seal's maker and signers recur in every use).</summary>
    private readonly SealVerifier _seals = new();

    /// <summary>The stateless seal rules of <paramref name="entry"/> (none for other kinds), as of the entry's own time.</summary>
    private void CheckSeal(Entry entry)
    {
        if (SealEntryRules.Check(entry, _seals) is { IsValid: false } failure) throw Refusal(failure);
    }

    /// <summary>The refusal for a seal check: unreadable or forged is invalid input, a signer not in the seal's list is not allowed, bad times are preconditions.</summary>
    private static AdmissionException Refusal(SealVerification failure) => failure.Verdict switch
    {
        SealVerdict.SignerNotAllowed => Reject.PermissionDenied(failure.Reason!),
        SealVerdict.Expired or SealVerdict.NotYetValid or SealVerdict.Revoked or SealVerdict.NotRegistered => Reject.FailedPrecondition(failure.Reason!),
        _ => Reject.InvalidArgument(failure.Reason!),
    };

    /// <summary>
    /// <c>seal.register</c> (制章备案): the seal type is in the issuer's seal scope, the id is new, and the seal's maker
    /// certificate holds a key of this issuer (its signing key or a seal maker key it was registered with).
    /// </summary>
    private void RegisterSeal(EntryContext context, IssuerRecord issuer)
    {
        var body = Body<SealRegistered>(context);
        if (!issuer.MayRegisterSeal(body.SealType))
        {
            throw Reject.PermissionDenied($"seal type {body.SealType} is out of scope for issuer {issuer.IssuerId} (seal permissions: {string.Join(", ", issuer.Registration.SealPermissions)})");
        }
        RequireNotPassedOn(issuer, RecordScope.Seal(body.SealType));
        var key = StateKeys.Seal(body.SealId);
        if (ReadRow<SealRecord>(key) is { } existing)
        {
            throw Reject.AlreadyExists($"seal {body.SealId} already exists (registered by {existing.IssuerId} at index {existing.RegisteredIndex})");
        }
        // Parsing only: the maker's signature was verified on arrival (CheckSeal), off this writer thread.
        if (!SesCodec.TryParseSeal(body.SesSeal, out var parsed, out var error) || !SealCertificate.TryParse(parsed.MakerCertificate, out var maker, out error))
            throw Reject.InvalidArgument($"body.sesSeal: {error}");
        if (!SealMakerKeys.IsRegistrars(maker.PublicKey, issuer.Registration))
        {
            throw Reject.PermissionDenied($"body.sesSeal: the maker certificate's key {maker.PublicKey.Id} is not a key of issuer {issuer.IssuerId} (its signing key or a seal maker key it was registered with)");
        }
        Stage(key, new SealRecord
        {
            SealId = body.SealId,
            IssuerId = issuer.IssuerId,
            Name = body.Name,
            SealType = body.SealType,
            OwnerCode = body.OwnerCode,
            ValidFrom = body.ValidFrom,
            ValidUntil = body.ValidUntil,
            RegisteredIndex = context.Index,
            RegisteredLeafHash = context.LeafHash,
            SealSha256 = SHA256.HashData(body.SesSeal),
            RegisteredUnixMs = context.Entry.TimeUnixMs,
            MakerKeyId = maker.PublicKey.Id.Bytes.ToArray(),
        });
    }

    /// <summary><c>seal.revoke</c> (吊销/注销): only the issuer that answers for the seal (its registrar or a successor), once.</summary>
    private void RevokeSeal(EntryContext context, IssuerRecord issuer)
    {
        var body = Body<SealRevoked>(context);
        var key = StateKeys.Seal(body.SealId);
        var seal = ReadRow<SealRecord>(key) ?? throw Reject.NotFound($"seal {body.SealId} does not exist in {_origin}");
        RequireAnswersFor(issuer, seal.IssuerId, RecordScope.Seal(seal.SealType), body.SealId);
        if (seal.Revoked)
        {
            throw Reject.FailedPrecondition($"seal {body.SealId} was already revoked at index {seal.RevokedIndex}");
        }
        var revoked = seal.Clone();
        revoked.Revoked = true;
        revoked.RevokedIndex = context.Index;
        revoked.RevokeReason = body.Reason;
        Stage(key, revoked);
    }

    /// <summary>
    /// <c>seal.use</c> (盖章留痕), written by the seal's owner or its registering issuer: the seal is registered in this
    /// log, not revoked, and the signature (already verified) embeds exactly the registered seal's bytes and was made
    /// after its registration (<see cref="SealVerdictRules"/>); each signature is recorded once.
    /// </summary>
    private void UseSeal(EntryContext context, IssuerRecord issuer)
    {
        var body = Body<SealUsed>(context);
        var seal = ReadRow<SealRecord>(StateKeys.Seal(body.SealId))
            ?? throw Reject.NotFound($"seal {body.SealId} does not exist in {_origin}");
        if (!string.Equals(issuer.AuthorityCode, seal.OwnerCode, StringComparison.Ordinal) && !string.Equals(issuer.IssuerId, seal.IssuerId, StringComparison.Ordinal))
        {
            throw Reject.PermissionDenied($"issuer {issuer.IssuerId} ({issuer.AuthorityCode}) may not record uses of seal {body.SealId}: it is neither its owner ({seal.OwnerCode}) nor its registering issuer ({seal.IssuerId})");
        }
        if (seal.Revoked)
        {
            throw Reject.FailedPrecondition($"seal {body.SealId} was revoked at index {seal.RevokedIndex}: a use is no longer recorded");
        }
        if (!SesCodec.TryParseSignature(body.SesSignature, out var signature, out var error)) throw Reject.InvalidArgument($"body.sesSignature: {error}");
        var decided = SealVerdictRules.Decide(new SealVerification(SealVerdict.Valid, null) { Signature = signature, Seal = signature.Seal }, seal.Facts(_origin, null, ulong.MaxValue));
        if (!decided.IsValid) throw Reject.FailedPrecondition($"body.sesSignature: {decided.Reason}");
        var useKey = StateKeys.SealUse(SHA256.HashData(body.SesSignature));
        if (ReadRow<SealUseRecord>(useKey) is { } recorded)
        {
            throw Reject.AlreadyExists($"this SES_Signature was already recorded at index {recorded.Index}");
        }
        Stage(useKey, new SealUseRecord { SealId = body.SealId, Index = context.Index, LeafHash = context.LeafHash, IssuerId = issuer.IssuerId });
    }

    /// <summary>The seal <paramref name="sealId"/> of this log.</summary>
    public bool TryGetSeal(string sealId, [NotNullWhen(true)] out SealRecord? seal)
    {
        seal = ReadStored<SealRecord>(StateKeys.Seal(sealId));
        return seal is not null;
    }

    /// <summary>The <c>seal.use</c> entry that recorded the <c>SES_Signature</c> with SHA-256 <paramref name="signatureSha256"/>, if this log holds one.</summary>
    public bool TryFindSealUse(ReadOnlySpan<byte> signatureSha256, [NotNullWhen(true)] out SealUseRecord? use)
    {
        use = ReadStored<SealUseRecord>(StateKeys.SealUse(signatureSha256));
        return use is not null;
    }

    /// <summary>The seals registered in this log by seal id, from the first id after <paramref name="afterId"/> (empty: from the first).</summary>
    public IEnumerable<(string SealId, SealRecord Seal)> SealsAfter(string afterId = "") => RowsAfter<SealRecord>(StateKeys.SealPrefix, afterId);
}
