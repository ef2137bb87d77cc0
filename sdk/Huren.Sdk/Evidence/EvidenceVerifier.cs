using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Evidence;

/// <summary>The outcome of checking a bundle offline.</summary>
/// <param name="IsValid">Every signature, proof and checkpoint checked, and the verdict recomputed equal to the node's.</param>
/// <param name="Verdict">The verdict recomputed from the entries (<see cref="LicenseVerdict.Unspecified"/> when the bundle is invalid).</param>
/// <param name="Failure">Why the bundle is not valid, or null.</param>
/// <param name="Final">Whether every checkpoint carries the network's witness threshold of cosignatures.</param>
public sealed record EvidenceResult(bool IsValid, LicenseVerdict Verdict, string? Failure, bool Final);

/// <summary>
/// Checks a <c>huren-evidence/v1</c> bundle with nothing but the network configuration: each checkpoint's log
/// signature (and cosignatures, for finality), each entry's inclusion proof to its checkpoint, each entry's signature
/// by the key its city root registered, and the verdict, recomputed from the entries, never taken on trust.
/// </summary>
public sealed class EvidenceVerifier(NetworkConfig network)
{
    /// <summary>Checks <paramref name="bundle"/> as of <paramref name="today"/> (China time).</summary>
    public EvidenceResult Verify(EvidenceBundle bundle, DateOnly today)
    {
        if (bundle.Format != EvidenceBundle.FormatV1) return Fail($"format '{bundle.Format}' is not {EvidenceBundle.FormatV1}");
        if (bundle.Network != network.NetworkId) return Fail($"bundle is for network '{bundle.Network}', the configuration is '{network.NetworkId}'");

        // 1. Checkpoints: signed by the origin's log key; final when cosigned by the threshold of other members.
        var roots = new Dictionary<string, (ulong Size, Hash256 Root)>(StringComparer.Ordinal);
        var final = true;
        foreach (var (origin, note) in bundle.Checkpoints)
        {
            var member = network.MemberByOrigin(origin);
            if (member is null) return Fail($"checkpoint origin '{origin}' is not a member of network {network.NetworkId}");
            if (!NoteVerifierKey.TryParse(member.LogKey, out var logKey, out var keyError)) return Fail($"network configuration: {origin} logKey: {keyError}");
            var checkpoint = new CheckpointVerifier(logKey).Verify(note);
            if (!checkpoint.IsValid) return Fail($"checkpoint of {origin}: {checkpoint.Failure}");
            roots[origin] = (checkpoint.Checkpoint!.Size, new Hash256(checkpoint.Checkpoint.RootHash));
            var witnesses = new List<NoteVerifierKey>();
            foreach (var other in network.Members)
            {
                if (other.Origin != origin && NoteVerifierKey.TryParse(other.WitnessKey, out var w, out _)) witnesses.Add(w);
            }
            if (network.WitnessThreshold > 0 && !FinalityCheck.Evaluate(checkpoint.Note!, logKey, witnesses, network.WitnessThreshold).IsFinal) final = false;
        }

        // 2. Entries: proven into their checkpoint, decoded canonically.
        var decoded = new List<(BundleEntry Entry, DecodedLeaf Leaf)>();
        foreach (var e in bundle.Entries)
        {
            if (!roots.TryGetValue(e.Origin, out var cp)) return Fail($"entry {e.Origin}#{e.Index} has no checkpoint in the bundle");
            if (e.TreeSize != cp.Size) return Fail($"entry {e.Origin}#{e.Index} is proven to size {e.TreeSize}, the checkpoint is size {cp.Size}");
            byte[] leaf;
            List<byte[]> proof;
            try
            {
                leaf = Convert.FromBase64String(e.Leaf);
                proof = e.InclusionProof.ConvertAll(Convert.FromBase64String);
            }
            catch (FormatException)
            {
                return Fail($"entry {e.Origin}#{e.Index} is not valid base64");
            }
            if (!MerkleProofVerifier.TryVerifyInclusion(e.Index, e.TreeSize, MerkleHash.LeafHash(leaf).AsSpan(), proof, cp.Root.AsSpan(), out var proofError))
                return Fail($"entry {e.Origin}#{e.Index}: inclusion proof does not verify: {proofError}");
            if (!LeafReader.TryRead(leaf, out var read, out var readError)) return Fail($"entry {e.Origin}#{e.Index}: {readError}");
            if (read!.Entry.Origin != e.Origin) return Fail($"entry {e.Origin}#{e.Index} names origin '{read.Entry.Origin}'");
            decoded.Add((e, read));
        }
        decoded.Sort((a, b) =>
        {
            var byOrigin = string.CompareOrdinal(a.Entry.Origin, b.Entry.Origin);
            return byOrigin != 0 ? byOrigin : a.Entry.Index.CompareTo(b.Entry.Index);
        });

        // 3. Signatures: issuer registrations by the city root; everything else by the key its issuer registered in
        // the same log (issuer ids are per log).
        var issuerKeys = new Dictionary<(string Origin, string IssuerId), PublicKey>();
        var revokedAt = new Dictionary<(string Origin, string IssuerId), ulong>();
        foreach (var (e, read) in decoded)
        {
            if (read.Entry.Kind is EntryKinds.IssuerRegister or EntryKinds.IssuerRevoke)
            {
                var root = PublicKey.FromPem(network.MemberByOrigin(e.Origin)!.RootKey);
                if (!SignedEntryVerifier.Verify(read.Signed, root, out var rootError)) return Fail($"entry {e.Origin}#{e.Index} ({read.Entry.Kind}): not signed by the city root: {rootError}");
                if (read.Entry.Kind == EntryKinds.IssuerRegister)
                {
                    var reg = CanonicalCodec.Decode<IssuerRegistered>(read.Entry.Body);
                    issuerKeys[(e.Origin, reg.IssuerId)] = PublicKey.FromSubjectPublicKeyInfo(reg.PublicKey);
                }
                else revokedAt[(e.Origin, CanonicalCodec.Decode<IssuerRevoked>(read.Entry.Body).IssuerId)] = e.Index;
            }
        }
        foreach (var (e, read) in decoded)
        {
            if (read.Entry.Kind is EntryKinds.IssuerRegister or EntryKinds.IssuerRevoke) continue;
            if (!issuerKeys.TryGetValue((e.Origin, read.Entry.IssuerId), out var key)) return Fail($"entry {e.Origin}#{e.Index}: the bundle has no registration of issuer '{read.Entry.IssuerId}' in {e.Origin}");
            if (!SignedEntryVerifier.Verify(read.Signed, key, out var sigError)) return Fail($"entry {e.Origin}#{e.Index}: {sigError}");
            if (revokedAt.TryGetValue((e.Origin, read.Entry.IssuerId), out var revoked) && e.Index > revoked)
                return Fail($"entry {e.Origin}#{e.Index} is signed by issuer '{read.Entry.IssuerId}', revoked at index {revoked}");
        }

        // 4. The verdict, recomputed from the lifecycle entries about the subject. A license transferred in from another
        // city (license.transfer.accept) carries its history: the transferring log's entries up to the transfer the
        // accept references, then the accepting log's.
        var history = new LicenseHistory();
        var accepts = decoded.FindAll(d => d.Leaf.Entry.RecordId == bundle.Subject && d.Leaf.Entry.Kind == EntryKinds.LicenseTransferAccept);
        if (accepts.Count > 1) return Fail($"the bundle has {accepts.Count} transfer accepts of '{bundle.Subject}'");
        if (accepts.Count == 1)
        {
            var (acceptEntry, acceptLeaf) = accepts[0];
            var accept = CanonicalCodec.Decode<LicenseTransferAccepted>(acceptLeaf.Entry.Body);
            var transferRef = acceptLeaf.Entry.References.Find(r => r.Relation == "transfer" && r.Origin == accept.FromOrigin);
            if (transferRef is null) return Fail($"entry {acceptEntry.Origin}#{acceptEntry.Index} accepts '{accept.LicenseId}' without referencing the transfer in {accept.FromOrigin}");
            var source = decoded.FindAll(d => d.Entry.Origin == accept.FromOrigin && d.Leaf.Entry.RecordId == accept.LicenseId && d.Entry.Index <= transferRef.Index);
            var transfer = source.Find(d => d.Entry.Index == transferRef.Index);
            if (transfer.Leaf is null || transfer.Leaf.Entry.Kind != EntryKinds.LicenseTransfer
                || !MerkleHash.LeafHash(Convert.FromBase64String(transfer.Entry.Leaf)).AsSpan().SequenceEqual(transferRef.LeafHash))
                return Fail($"the bundle lacks the transfer entry {accept.FromOrigin}#{transferRef.Index} that {acceptEntry.Origin}#{acceptEntry.Index} references");
            var transferBody = CanonicalCodec.Decode<LicenseTransferred>(transfer.Leaf.Entry.Body);
            if (transferBody.ToOrigin != acceptEntry.Origin) return Fail($"license '{accept.LicenseId}' was transferred to {transferBody.ToOrigin}, not to {acceptEntry.Origin}");
            foreach (var (_, read) in source) history.Apply(read.Entry);
            history.Accepted();
        }
        foreach (var (e, read) in decoded)
        {
            if (read.Entry.RecordId != bundle.Subject || read.Entry.Kind == EntryKinds.LicenseTransferAccept) continue;
            if (accepts.Count == 1 && e.Origin != accepts[0].Entry.Origin) continue;
            history.Apply(read.Entry);
        }
        if (history.Issued is null) return Fail($"the bundle has no license.issue entry for '{bundle.Subject}'");
        var verdict = LicenseVerdictRules.Evaluate(history.Lifecycle, history.Issued.ValidFrom, history.ValidUntil, today);
        var stated = bundle.Verdict.Status;
        if (stated != LicenseVerdictRules.Name(verdict))
            return new EvidenceResult(false, verdict, $"the bundle states {stated}, its entries give {LicenseVerdictRules.Name(verdict)}", final);
        return new EvidenceResult(true, verdict, null, final);
    }

    /// <summary>A license's lifecycle replayed from its entries, in log order.</summary>
    private sealed class LicenseHistory
    {
        public LicenseIssued? Issued { get; private set; }

        public LicenseVerdictRules.Lifecycle Lifecycle { get; private set; } = LicenseVerdictRules.Lifecycle.Active;

        public string ValidUntil { get; private set; } = "";

        public void Apply(Entry entry)
        {
            switch (entry.Kind)
            {
                case EntryKinds.LicenseIssue:
                    Issued = CanonicalCodec.Decode<LicenseIssued>(entry.Body);
                    ValidUntil = Issued.ValidUntil;
                    break;
                case EntryKinds.LicenseChange:
                    var change = CanonicalCodec.Decode<LicenseChanged>(entry.Body);
                    if (change.NewValidUntil.Length > 0) ValidUntil = change.NewValidUntil;
                    break;
                case EntryKinds.LicenseStatus:
                    Lifecycle = CanonicalCodec.Decode<LicenseStatusChanged>(entry.Body).Action switch
                    {
                        LicenseStatusAction.Suspend => LicenseVerdictRules.Lifecycle.Suspended,
                        LicenseStatusAction.Revoke => LicenseVerdictRules.Lifecycle.Revoked,
                        _ => LicenseVerdictRules.Lifecycle.Active,
                    };
                    break;
                case EntryKinds.LicenseTransfer:
                    Lifecycle = LicenseVerdictRules.Lifecycle.Transferred;
                    break;
            }
        }

        /// <summary>The receiving city accepted the transfer: the license is in force again there.</summary>
        public void Accepted() => Lifecycle = LicenseVerdictRules.Lifecycle.Active;
    }

    private static EvidenceResult Fail(string reason) => new(false, LicenseVerdict.Unspecified, reason, false);
}
