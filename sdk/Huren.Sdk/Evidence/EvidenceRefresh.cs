using System.Text.Json;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.StatusMap;

namespace Huren.Sdk.Evidence;

/// <summary>The outcome of <see cref="EvidenceRefresh.Check"/>: a bundle's subject as of a newer checkpoint.</summary>
/// <param name="IsValid">The answer's checkpoint, status proof and entry all verified.</param>
/// <param name="Failure">Why not, or null.</param>
public sealed record RefreshResult(bool IsValid, string? Failure)
{
    /// <summary>Whether the latest state differs from the bundle's latest state entry.</summary>
    public bool Changed { get; init; }

    /// <summary>
    /// The verdict now: the bundle's recomputed verdict when unchanged; from the new entry when it settles it (a
    /// revocation: REVOKED, a suspension: SUSPENDED, a transfer: TRANSFERRED); from the bundle's history and the new
    /// entry when the entry is a resumption, or a change of the validity alone, that names the bundle's last entry as its
    /// previous one (nothing happened between); else <see cref="LicenseVerdict.Unspecified"/>: the entries between, or a
    /// new bundle with the new document, are needed: verify online.
    /// </summary>
    public LicenseVerdict Verdict { get; init; }

    /// <summary>The newer checkpoint's size.</summary>
    public ulong CheckpointSize { get; init; }

    /// <summary>Its newest counted cosignature time.</summary>
    public DateTimeOffset? CosignedAt { get; init; }

    /// <summary>Whether it is final (cosigned by the witness threshold).</summary>
    public bool Final { get; init; }

    /// <summary>The latest state entry's index when <see cref="Changed"/>.</summary>
    public ulong? EntryIndex { get; init; }

    /// <summary>The latest state entry when <see cref="Changed"/>.</summary>
    public Entry? Entry { get; init; }
}

/// <summary>
/// Checks a refresh answer (<see cref="RefreshResponse"/>) for a verified bundle, with nothing but the network
/// configuration: the newer checkpoint's signatures, the status-map proof of the bundle's subject against it, and —
/// when the state changed — the new latest state entry's leaf hash (the proven value) and inclusion proof. What a
/// counter needs to tell whether old evidence still holds, without the entries in between (docs/status-map.md,
/// "Refreshing evidence"). Never throws.
/// </summary>
public static class EvidenceRefresh
{
    /// <summary>
    /// Checks <paramref name="answer"/> against <paramref name="bundle"/>, whose own check gave <paramref name="verified"/>;
    /// a result that is not of this bundle (another subject, or another checkpoint of the origin) is refused.
    /// </summary>
    public static RefreshResult Check(TrustedNetwork network, EvidenceBundle bundle, EvidenceResult verified, RefreshResponse answer)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(verified);
        ArgumentNullException.ThrowIfNull(answer);
        return EvidenceVerifier.Total(() => CheckCore(network, bundle, verified, answer), reason => new RefreshResult(false, reason));
    }

    private static RefreshResult CheckCore(TrustedNetwork network, EvidenceBundle bundle, EvidenceResult verified, RefreshResponse answer)
    {
        if (!verified.IsValid) return Fail($"the bundle itself does not verify: {verified.Failure}");
        // The verdict kept when nothing changed is the one in 'verified': it must be this bundle's own result.
        if (verified.Subject != bundle.Subject) return Fail($"the verification result given is about '{verified.Subject}', the bundle about '{bundle.Subject}'");
        var origin = verified.Origin;
        var member = network.ByOrigin(origin);
        if (member is null) return Fail($"origin '{origin}' is not a member of network {network.NetworkId}");
        if (!bundle.Checkpoints.TryGetValue(origin, out var note) || member.VerifyCheckpoint(note) is not { IsValid: true } own || own.Checkpoint.Size != verified.CheckpointSize)
        {
            return Fail($"the verification result given is as of {origin} size {verified.CheckpointSize}, which is not the bundle's checkpoint of {origin}");
        }
        var checkpoint = member.VerifyCheckpoint(answer.Checkpoint);
        if (!checkpoint.IsValid) return Fail($"the refreshed checkpoint of {origin}: {checkpoint.Failure}");
        var size = checkpoint.Checkpoint.Size;
        if (size < verified.CheckpointSize) return Fail($"the refreshed checkpoint of {origin} is size {size}, older than the bundle's {verified.CheckpointSize}");
        var finality = network.Finality(checkpoint);
        var cosignedAt = EvidenceVerifier.NewestCosignature(checkpoint, finality);

        JsonElement element;
        try
        {
            element = JsonDocument.Parse(answer.StatusProof).RootElement.Clone();
        }
        catch (JsonException ex)
        {
            // System.Text.Json's message names reader states ("isFinalBlock", "LineNumber: 0 | BytePositionInLine"): say it plainly.
            return Fail(Files.JsonProblem.Describe("the status proof", answer.StatusProof, ex));
        }
        if (!BundleStatusProof.TryRead(element, out var proof, out var error)) return Fail(error);
        if (proof.RecordId != bundle.Subject) return Fail($"the status proof is about '{proof.RecordId}', the bundle about '{bundle.Subject}'");
        if (!proof.TryVerify(checkpoint.Checkpoint, out var value, out error)) return Fail(error);

        var latest = LatestStateEntry(bundle, origin);
        var result = new RefreshResult(true, null) { CheckpointSize = size, CosignedAt = cosignedAt, Final = finality.IsFinal };
        if (latest is { } known && value == known.LeafHash) return result with { Verdict = verified.Verdict };
        // A license accepted here under a new id: its accept carries the old id, so the bundle may hold no state entry
        // under the subject, and then the map holds none either until the license changes here.
        if (latest is null && value is null) return result with { Verdict = verified.Verdict };
        if (value is not { } current) return Fail($"the status map of {origin} at size {size} proves '{bundle.Subject}' absent, but the bundle shows it");

        var leafHash = MerkleHash.LeafHash(answer.Leaf);
        if (leafHash != current) return Fail($"the entry sent as the latest state of '{bundle.Subject}' is not the one the status map proves");
        if (!MerkleProofVerifier.TryVerifyInclusion(answer.Index, size, leafHash.AsSpan(), answer.InclusionProof, checkpoint.Checkpoint.RootHash, out error))
            return Fail($"entry {origin}#{answer.Index}: inclusion proof does not verify: {error}");
        if (!LeafReader.TryRead(answer.Leaf, out var read, out error)) return Fail($"entry {origin}#{answer.Index}: {error}");
        var entry = read!.Entry;
        if (entry.Origin != origin || entry.RecordId != bundle.Subject || !StatusMapRecords.SetsState(entry.Kind))
            return Fail($"entry {origin}#{answer.Index} ({entry.Kind} of '{entry.RecordId}') is not a state entry of '{bundle.Subject}' in {origin}");
        var verdict = VerdictOf(entry);
        if (verdict == LicenseVerdict.Unspecified && finality.IsFinal && Continues(entry, origin, latest, verified) && SignedByActor(member, verified, read))
            verdict = Continued(verified, entry);
        return result with { Changed = true, EntryIndex = answer.Index, Entry = entry, Verdict = verdict };
    }

    /// <summary>
    /// Whether <paramref name="entry"/> names the bundle's last entry of the license in <paramref name="origin"/> as its
    /// previous one (<see cref="Relations.Previous"/>): then nothing happened between, and the bundle's history and this
    /// entry are the whole history as of the newer checkpoint. The last entry is the bundle's latest state entry under
    /// the subject (<paramref name="latest"/>), or the accept that began the stretch when the license was accepted under
    /// a new id and has no entry under it yet (the accept carries the old id).
    /// </summary>
    private static bool Continues(Entry entry, string origin, (ulong Index, Hash256 LeafHash)? latest, EvidenceResult verified)
    {
        if (LicenseChain.PreviousOf(entry, out var count) is not { } previous || count != 1 || previous.Origin != origin) return false;
        var start = verified.LicenseEntry is { } accept && accept.Origin == origin ? ((ulong Index, Hash256 LeafHash)?)(accept.Index, new Hash256(accept.LeafHash)) : null;
        var last = latest is { } l && !(start is { } s && l.Index <= s.Index) ? latest : start;
        return last is { } found && previous.Index == found.Index && found.LeafHash.AsSpan().SequenceEqual(previous.LeafHash);
    }

    /// <summary>
    /// Whether the new entry is signed by the license's issuer with the key its verified registration gives, or by the
    /// city root: a verdict that may read VALID again rests on the entry itself, not only on the log that holds it. An
    /// entry by a successor department needs its succession, which the answer does not carry (verify online).
    /// </summary>
    private static bool SignedByActor(TrustedMember member, EvidenceResult verified, DecodedLeaf read)
    {
        if (read.Entry.IssuerId == verified.IssuerId && verified.IssuerKey is { } issuerKey) return SignedEntryVerifier.Verify(read.Signed, issuerKey, out _);
        return read.Entry.IssuerId == member.RootIssuerId && member.IsRootSigned(read.Signed, read.Entry.TimeUnixMs, out _);
    }

    /// <summary>The verdict after a change or resumption that continues the bundle's history (<see cref="Continues"/>), on the bundle result's day.</summary>
    private static LicenseVerdict Continued(EvidenceResult verified, Entry entry)
    {
        var lifecycle = verified.Verdict == LicenseVerdict.Suspended ? LicenseVerdictRules.Lifecycle.Suspended : LicenseVerdictRules.Lifecycle.Active;
        var validUntil = verified.ValidUntil;
        switch (entry.Kind)
        {
            case EntryKinds.LicenseStatus when EntryKinds.Of<LicenseStatusChanged>().Decode(entry.Body).Action == LicenseStatusAction.Resume:
                // Only a suspended license is resumed: another history is not what the ledger writes.
                if (verified.Verdict != LicenseVerdict.Suspended) return LicenseVerdict.Unspecified;
                lifecycle = LicenseVerdictRules.Lifecycle.Active;
                break;
            case EntryKinds.LicenseChange:
                var change = EntryKinds.Of<LicenseChanged>().Decode(entry.Body);
                // A new document or changed fields: the holder's document and the bundle no longer show the license as
                // it is (the counter would act on an old address or scope): a new bundle is needed.
                if (change.NewDocumentDigest.Length > 0 || change.ChangedFields.Count > 0) return LicenseVerdict.Unspecified;
                if (change.NewValidUntil.Length > 0) validUntil = change.NewValidUntil;
                break;
            default:
                return LicenseVerdict.Unspecified;
        }
        return verified.Verdict is LicenseVerdict.Revoked or LicenseVerdict.Transferred
            ? LicenseVerdict.Unspecified
            : LicenseVerdictRules.Evaluate(lifecycle, verified.License!.ValidFrom, validUntil, verified.Day);
    }

    /// <summary>The verdict a latest state entry settles on its own, or Unspecified.</summary>
    private static LicenseVerdict VerdictOf(Entry entry)
    {
        switch (entry.Kind)
        {
            case EntryKinds.LicenseStatus:
                var status = EntryKinds.Of<LicenseStatusChanged>().Decode(entry.Body);
                return status.Action switch
                {
                    LicenseStatusAction.Revoke => LicenseVerdict.Revoked,
                    LicenseStatusAction.Suspend => LicenseVerdict.Suspended,
                    _ => LicenseVerdict.Unspecified,
                };
            case EntryKinds.LicenseTransfer:
                return LicenseVerdict.Transferred;
            default:
                return LicenseVerdict.Unspecified;
        }
    }

    /// <summary>The index and leaf hash of the bundle's latest state entry of its subject in <paramref name="origin"/>, or null.</summary>
    private static (ulong Index, Hash256 LeafHash)? LatestStateEntry(EvidenceBundle bundle, string origin)
    {
        (ulong Index, Hash256 LeafHash)? latest = null;
        foreach (var e in bundle.Entries)
        {
            if (e.Origin != origin || (latest is { } known && e.Index < known.Index)) continue;
            var leaf = Convert.FromBase64String(e.Leaf);
            if (!LeafReader.TryRead(leaf, out var read, out _) || read!.Entry.RecordId != bundle.Subject || !StatusMapRecords.SetsState(read.Entry.Kind)) continue;
            latest = (e.Index, MerkleHash.LeafHash(leaf));
        }
        return latest;
    }

    private static RefreshResult Fail(string reason) => new(false, reason);
}
