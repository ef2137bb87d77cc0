using System.Security.Cryptography;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Entries;
using Huren.Sdk.Network;
using Huren.Sdk.Seals;

namespace Huren.Sdk.Evidence;

/// <summary>The outcome of checking a sealed document, or a seal, against its evidence offline.</summary>
/// <param name="IsValid">The signature was checked and the bundle (when there is one) verified, with the verdict recomputed equal to the bundle's.</param>
/// <param name="Verdict">The verdict recomputed (meaningful only when <paramref name="IsValid"/>).</param>
/// <param name="Failure">Why the evidence does not hold, or null.</param>
/// <param name="Final">Whether every checkpoint of the bundle is final (false without a bundle).</param>
public sealed record SealEvidenceResult(bool IsValid, SealVerdict Verdict, string? Failure, bool Final)
{
    /// <summary>Why the verdict is what it is (from the recomputation, not the node's words).</summary>
    public string Reason { get; init; } = "";

    /// <summary>Whether the verdict rests on verified ledger entries (a bundle); false when it rests on the signature alone.</summary>
    public bool FromLedger { get; init; }

    /// <summary>The seal id the bundle is about.</summary>
    public string Subject { get; init; } = "";

    /// <summary>The log that registered the seal.</summary>
    public string Origin { get; init; } = "";

    /// <summary>The verified registration body (with the <c>SES_Seal</c> DER), when the bundle holds it.</summary>
    public SealRegistered? Registration { get; init; }

    /// <summary>The issuer (seal-making authority) that registered the seal.</summary>
    public string IssuerId { get; init; } = "";

    /// <summary>The verified revocation, when the seal was revoked.</summary>
    public SealRevoked? Revocation { get; init; }

    /// <summary>The signature check, when a signature was judged.</summary>
    public SealVerification? Signature { get; init; }

    /// <summary>The ledger facts the verdict rests on.</summary>
    public SealLedgerFacts? Facts { get; init; }

    /// <summary>
    /// Whether the seal's log's checkpoint carries a status-map line, so that its proof shows the bundle holds the seal's
    /// latest state. Without the line nothing shows that a later entry (a revocation) was not left out: such evidence
    /// proves what it shows, not that the seal is still in force.
    /// </summary>
    public bool StatusProven { get; init; }
}

/// <summary>
/// Checks a sealed document against a <c>huren-evidence/v1</c> bundle about its seal, with nothing but the network
/// configuration: the bundle gets <see cref="EvidenceVerifier"/>'s checkpoint, proof and signature checks; then the
/// seal's entries are read (registration, revocation, the <c>seal.use</c> recording this signature) and checked
/// against the ledger's rules (the registering issuer's seal scope and maker keys, the revoking issuer), and the
/// verdict is recomputed with <see cref="SealVerdictRules"/> from them and the signature, never taken from the node.
/// Total: whatever the input, a result, never an exception.
/// </summary>
public sealed class SealEvidenceVerifier
{
    private readonly EvidenceVerifier _bundles;
    private readonly SealVerifier _signatures;

    /// <summary>A verifier against <paramref name="network"/>; <paramref name="signatures"/> checks the seals (a new one when null).</summary>
    public SealEvidenceVerifier(TrustedNetwork network, SealVerifier? signatures = null)
        : this(new EvidenceVerifier(network), signatures)
    {
    }

    /// <summary>A verifier sharing <paramref name="bundles"/>' network.</summary>
    public SealEvidenceVerifier(EvidenceVerifier bundles, SealVerifier? signatures = null)
    {
        ArgumentNullException.ThrowIfNull(bundles);
        _bundles = bundles;
        _signatures = signatures ?? new SealVerifier();
    }

    /// <summary>The network bundles are checked against.</summary>
    public TrustedNetwork Network => _bundles.Network;

    /// <summary>The seal verifier (for checking a signature alone).</summary>
    public SealVerifier Signatures => _signatures;

    /// <summary>
    /// Judges <paramref name="sesSignature"/> over a document with SM3 <paramref name="documentSm3"/> as of
    /// <paramref name="now"/>, with <paramref name="bundleJson"/> (null or empty: no ledger evidence, so a signature
    /// that checks out is <see cref="SealVerdict.NotRegistered"/> as far as this verifier can tell).
    /// </summary>
    public SealEvidenceResult Verify(string? bundleJson, byte[] sesSignature, ReadOnlySpan<byte> documentSm3, DateTimeOffset now)
    {
        var signature = sesSignature is null ? new SealVerification(SealVerdict.Malformed, "there is no SES_Signature") : _signatures.VerifyDigest(documentSm3, sesSignature, now);
        if (string.IsNullOrEmpty(bundleJson))
        {
            var alone = SealVerdictRules.Decide(signature, null);
            return new SealEvidenceResult(true, alone.Verdict, null, false) { Reason = alone.Reason ?? "", Signature = signature, Subject = signature.Seal?.EsId ?? "" };
        }
        if (!TryParse(bundleJson, out var bundle, out var parseFailure)) return parseFailure;
        return EvidenceVerifier.Total(() => Check(bundle, signature), Fail);
    }

    /// <summary>Checks a bundle about seal <paramref name="sealId"/> on its own (what <c>Seals.Get</c> answers): registered, and revoked or not.</summary>
    public SealEvidenceResult VerifySeal(string? bundleJson, string sealId)
    {
        if (string.IsNullOrEmpty(bundleJson)) return Fail("there is no evidence bundle");
        if (!TryParse(bundleJson, out var bundle, out var parseFailure)) return parseFailure;
        if (bundle.Subject != sealId) return Fail($"the evidence is about {bundle.Subject}, not seal {sealId}");
        return EvidenceVerifier.Total(() => Check(bundle, null), Fail);
    }

    private static bool TryParse(string json, out EvidenceBundle bundle, out SealEvidenceResult failure)
    {
        bundle = null!;
        failure = null!;
        try
        {
            bundle = EvidenceBundle.Parse(json);
            return true;
        }
        catch (FormatException ex)
        {
            failure = Fail($"not a valid evidence bundle: {ex.Message}");
            return false;
        }
    }

    private SealEvidenceResult Check(EvidenceBundle bundle, SealVerification? signature)
    {
        if (_bundles.Prove(bundle, out var proven) is { } failure) return Fail(failure);
        var sealId = bundle.Subject;
        if (signature?.Seal is { } applied && applied.EsId != sealId) return Fail($"the evidence is about seal {sealId}, the signature applies seal {applied.EsId}");

        // The seal's entries: one registration, at most one revocation, in one log; uses only of this signature.
        (BundleEntry Entry, DecodedLeaf Leaf, SealRegistered Body)? registration = null;
        (BundleEntry Entry, DecodedLeaf Leaf, SealRevoked Body)? revocation = null;
        ulong? useIndex = null;
        var signatureHash = signature?.Signature is { } signed ? SHA256.HashData(signed.Der) : null;
        foreach (var (e, read) in proven.Entries)
        {
            if (read.Entry.RecordId != sealId || EntryKinds.IsRootKind(read.Entry.Kind)) continue;
            switch (read.Entry.Kind)
            {
                case EntryKinds.SealRegister:
                    if (registration is not null) return Fail($"the bundle registers seal {sealId} twice ({registration.Value.Entry.Origin}#{registration.Value.Entry.Index} and {e.Origin}#{e.Index})");
                    registration = (e, read, EntryKinds.Of<SealRegistered>().Decode(read.Entry.Body));
                    break;
                case EntryKinds.SealRevoke:
                    if (revocation is not null) return Fail($"the bundle revokes seal {sealId} twice");
                    revocation = (e, read, EntryKinds.Of<SealRevoked>().Decode(read.Entry.Body));
                    break;
                case EntryKinds.SealUse:
                    var use = EntryKinds.Of<SealUsed>().Decode(read.Entry.Body);
                    if (signatureHash is null || !SHA256.HashData(use.SesSignature).AsSpan().SequenceEqual(signatureHash))
                        return Fail($"entry {e.Origin}#{e.Index} records another use of seal {sealId} than the signature judged");
                    if (useIndex is not null) return Fail($"the bundle records this signature twice");
                    useIndex = e.Index;
                    break;
                default:
                    return Fail($"entry {e.Origin}#{e.Index} ({read.Entry.Kind}) is not about a seal");
            }
        }
        if (registration is not { } reg) return Fail($"the bundle has no seal.register entry for seal {sealId}");
        var origin = reg.Entry.Origin;
        foreach (var (e, read) in proven.Entries)
        {
            if (read.Entry.RecordId == sealId && e.Origin != origin) return Fail($"entry {e.Origin}#{e.Index} about seal {sealId} is not in the log that registered it ({origin})");
        }
        if (revocation is { } rev && rev.Entry.Index < reg.Entry.Index) return Fail($"entry {origin}#{rev.Entry.Index} revokes seal {sealId} before its registration at #{reg.Entry.Index}");
        if (useIndex is { } u && u < reg.Entry.Index) return Fail($"entry {origin}#{u} uses seal {sealId} before its registration at #{reg.Entry.Index}");

        // The ledger's rules, replayed: the registering issuer's seal scope and maker keys; only it revokes.
        var registrarId = reg.Leaf.Entry.IssuerId;
        if (!proven.Issuers.TryGetValue((origin, registrarId), out var registrar)) return Fail($"the bundle has no registration of issuer '{registrarId}' in {origin}");
        if (CheckRegistration(reg.Body, registrar) is { } ruleFailure) return Fail($"entry {origin}#{reg.Entry.Index}: {ruleFailure}");
        if (revocation is { } r && r.Leaf.Entry.IssuerId != registrarId) return Fail($"entry {origin}#{r.Entry.Index} revokes seal {sealId} as issuer '{r.Leaf.Entry.IssuerId}', not its registering issuer '{registrarId}'");

        if (bundle.Verdict.AsOf.Origin != origin || !proven.Roots.TryGetValue(origin, out var asOf) || bundle.Verdict.AsOf.Size != asOf.Size)
            return Fail($"the verdict is stated as of {bundle.Verdict.AsOf.Origin} size {bundle.Verdict.AsOf.Size}, but the seal's log is {origin} with checkpoint size {proven.Roots.GetValueOrDefault(origin).Size}");
        var facts = new SealLedgerFacts(origin, sealId, SHA256.HashData(reg.Body.SesSeal), DateTimeOffset.FromUnixTimeMilliseconds(reg.Leaf.Entry.TimeUnixMs),
            reg.Entry.Index, revocation?.Entry.Index, revocation?.Body.Reason ?? "", useIndex);
        SealVerdict verdict;
        string reason;
        if (signature is null) (verdict, reason) = SealVerdictRules.DecideSeal(facts);
        else
        {
            var decided = SealVerdictRules.Decide(signature, facts);
            (verdict, reason) = (decided.Verdict, decided.Reason ?? "");
        }
        var stated = bundle.Verdict.Status;
        if (stated != SealVerdictRules.Name(verdict))
            return new SealEvidenceResult(false, verdict, $"the bundle states {stated}, its entries and the signature give {SealVerdictRules.Name(verdict)}", proven.Final);
        // A consistent bundle that leaves out a later state (a revocation) is refused by the status map's proofs.
        if (EvidenceVerifier.CheckStatusProofs(bundle, proven) is { } stale) return Fail(stale);
        return new SealEvidenceResult(true, verdict, null, proven.Final)
        {
            Reason = reason,
            FromLedger = true,
            Subject = sealId,
            Origin = origin,
            Registration = reg.Body,
            IssuerId = registrarId,
            Revocation = revocation?.Body,
            Signature = signature,
            Facts = facts,
            StatusProven = proven.StatusProven.Contains(origin),
        };
    }

    /// <summary>The ledger's registration rule on verified entries: the seal type in scope, the maker certificate's key the issuer's.</summary>
    private string? CheckRegistration(SealRegistered body, IssuerRegistered registrar)
    {
        if (!registrar.SealPermissions.Contains(body.SealType, StringComparer.Ordinal))
            return $"seal type {body.SealType} is out of scope for issuer {registrar.IssuerId}";
        var seal = _signatures.VerifySeal(body.SesSeal);
        if (seal.MakerCertificate is not { } maker) return $"the registered seal cannot be read: {seal.Reason}";
        // As the node's rule: a seal whose maker's signature fails, or made outside the maker certificate, is not registered.
        if (!seal.IsValid) return $"the registered seal does not check: {seal.Reason}";
        return SealMakerKeys.IsRegistrars(maker.PublicKey, registrar) ? null
            : $"the maker certificate's key {maker.PublicKey.Id} is not a key issuer {registrar.IssuerId} registered";
    }

    private static SealEvidenceResult Fail(string reason) => new(false, SealVerdict.Malformed, reason, false);
}
