using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Entries;
using Huren.Sdk.Network;

namespace Huren.Sdk.Evidence;

/// <summary>An <c>issuer.succeed</c> entry a bundle's verdict rests on: from it on, the successor answers for the predecessor's licenses of the types it lists.</summary>
/// <param name="Origin">The log holding the entry.</param>
/// <param name="Index">Its index there.</param>
/// <param name="PredecessorId">The issuer whose records passed on.</param>
/// <param name="SuccessorId">The issuer that answers for them since.</param>
/// <param name="Reason">Why (the reorganisation and its decision).</param>
public sealed record SuccessionEvidence(string Origin, ulong Index, string PredecessorId, string SuccessorId, string Reason);

/// <summary>Who wrote a license's latest lifecycle entry in the verdict's log, and under which successions.</summary>
/// <param name="ActedBy">The issuer id (or the city root's id) of the latest issue, accept, change, status or transfer entry.</param>
/// <param name="ByCityRoot">Whether that was the city root, acting as a last resort.</param>
/// <param name="Under">The successions under which <paramref name="ActedBy"/> answered for the license (empty: its own issuer or the city root).</param>
internal sealed record ActorFindings(string ActedBy, bool ByCityRoot, IReadOnlyList<SuccessionEvidence> Under);

/// <summary>
/// The rule that every change, status change and transfer of a license in a bundle was written by someone who
/// answered for the license at that point of its log: the issuer that issued (or accepted) it, a successor that an
/// <c>issuer.succeed</c> entry in the bundle, earlier in the same log, made answer for licenses of its type (and, in a
/// chain, its successors), or the city root acting as a last resort (suspend, resume, revoke). Signatures are checked
/// elsewhere; this is about authority, which an offline verifier can only judge from the entries the bundle carries.
/// </summary>
internal static class LicenseActors
{
    private const int MaxChain = 64;

    /// <summary>
    /// Checks the lifecycle entries of each stretch of the license's history (<paramref name="chain"/>, one per log it
    /// passed through); null with the findings for the holder's stretch, or the reason the bundle fails.
    /// </summary>
    public static string? Check(
        IReadOnlyList<(BundleEntry Entry, DecodedLeaf Leaf)> decoded, TrustedNetwork network, string typeCode,
        IReadOnlyList<LicenseStretch> chain, out ActorFindings? findings)
    {
        findings = null;
        foreach (var stretch in chain)
        {
            if (CheckStretch(decoded, network, typeCode, stretch, out findings) is { } failure) return failure;
        }
        return null;
    }

    private static string? CheckStretch(
        IReadOnlyList<(BundleEntry Entry, DecodedLeaf Leaf)> decoded, TrustedNetwork network, string typeCode,
        LicenseStretch stretch, out ActorFindings? findings)
    {
        var origin = stretch.Origin;
        var licenseId = stretch.LicenseId;
        var rootId = network.ByOrigin(origin)?.RootIssuerId ?? "";
        var successions = new List<SuccessionEvidence>();
        foreach (var (e, read) in decoded)
        {
            if (e.Origin != origin || read.Entry.Kind != EntryKinds.IssuerSucceed) continue;
            var body = EntryKinds.Of<IssuerSucceeded>().Decode(read.Entry.Body);
            if (body.LicenseTypeCodes.Contains(typeCode, StringComparer.Ordinal)) successions.Add(new SuccessionEvidence(origin, e.Index, body.PredecessorId, body.SuccessorId, body.Reason));
        }
        var owner = stretch.StartLeaf.Entry.IssuerId;
        findings = new ActorFindings(owner, false, []);
        // The stretch's entries are in log order already.
        foreach (var (e, read) in stretch.Entries)
        {
            if (read.Entry.Kind is not (EntryKinds.LicenseChange or EntryKinds.LicenseStatus or EntryKinds.LicenseTransfer)) continue;
            var actor = read.Entry.IssuerId;
            if (actor == rootId)
            {
                if (read.Entry.Kind != EntryKinds.LicenseStatus) return $"entry {e.Origin}#{e.Index} ({read.Entry.Kind}) is written by the city root, which may only suspend, resume or revoke a license";
                findings = new ActorFindings(actor, true, []);
                continue;
            }
            var chain = ChainAt(successions, owner, e.Index, out var answering);
            if (actor != answering)
            {
                var who = chain.Count == 0 ? $"its issuer {owner} did" : $"{answering} did, under the succession at #{chain[^1].Index}";
                return $"entry {e.Origin}#{e.Index} ({read.Entry.Kind} of {licenseId}) is written by {actor}, who did not answer for the license then: {who}"
                    + (chain.Count == 0 ? $" (the bundle holds no succession passing {typeCode} licenses from {owner} to {actor})" : "");
            }
            findings = new ActorFindings(actor, false, chain);
        }
        return null;
    }

    /// <summary>Who answers for the owner's licenses just before <paramref name="index"/>, and the successions that lead there.</summary>
    private static List<SuccessionEvidence> ChainAt(List<SuccessionEvidence> successions, string owner, ulong index, out string answering)
    {
        var chain = new List<SuccessionEvidence>();
        answering = owner;
        while (chain.Count < MaxChain)
        {
            var current = answering;
            var next = successions.Find(s => s.Index < index && s.PredecessorId == current);
            if (next is null) break;
            chain.Add(next);
            answering = next.SuccessorId;
        }
        return chain;
    }
}
