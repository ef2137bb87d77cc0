using System.Diagnostics.CodeAnalysis;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Anchoring;

/// <summary>The chain and contract a network anchors on: only proofs naming these are believed.</summary>
/// <param name="ChainId">The EIP-155 chain id.</param>
/// <param name="Contract">The anchor contract's 0x address.</param>
public sealed record AnchorContract(ulong ChainId, string Contract);

/// <summary>What an anchor proof showed, or why it was refused.</summary>
public sealed record AnchorProofResult(bool IsValid, string? Failure)
{
    /// <summary>The anchored checkpoint (when the proof could be read).</summary>
    public AnchorLeaf? Leaf { get; init; }

    /// <summary>The anchored root (when the proof could be read).</summary>
    public Hash256? AnchorRoot { get; init; }

    /// <summary>True when the proof carried the note and it hashed to the leaf and named the same checkpoint.</summary>
    public bool NoteChecked { get; init; }

    /// <summary>True when the carried note was also checked against the network configuration: signed by the log's key and final.</summary>
    public bool NoteFinal { get; init; }

    /// <summary>
    /// With a linked checkpoint: the entries of that log with an index below this were in the anchored tree (all of the
    /// linked checkpoint's entries when it is no larger than the anchored one).
    /// </summary>
    public ulong AnchoredEntries { get; init; }
}

/// <summary>
/// Checks anchor proofs offline (docs/anchoring.md): the inclusion path from the checkpoint's leaf to the anchored root,
/// the chain and contract against the network's, the carried note against the leaf (and, with the network
/// configuration, its signatures and finality), and the link to a checkpoint the caller holds. It cannot tell that the
/// chain really recorded the root: an online check asks a JSON-RPC endpoint for that (Huren.Anchoring).
/// </summary>
public sealed class AnchorProofVerifier(AnchorContract contract, TrustedNetwork? network = null)
{
    /// <summary>A verifier that also checks anchored notes for finality against <paramref name="network"/>, parsed here.</summary>
    /// <exception cref="FormatException">The configuration or one of its member keys does not parse.</exception>
    public AnchorProofVerifier(AnchorContract contract, NetworkConfig network)
        : this(contract, TrustedNetwork.From(network))
    {
    }

    /// <summary>Checks <paramref name="proof"/> on its own.</summary>
    public AnchorProofResult Verify(AnchorProof proof) => Check(proof, null);

    /// <summary>Checks <paramref name="proof"/> and that it covers <paramref name="checkpoint"/> (same log; same size and root, or a consistency proof between them).</summary>
    public AnchorProofResult Verify(AnchorProof proof, Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return Check(proof, checkpoint);
    }

    /// <summary>
    /// Checks each of the bundle's <c>anchorProofs</c> against the bundle's checkpoint of its log. The checkpoints'
    /// own signatures are <see cref="EvidenceVerifier"/>'s to check. An empty list for a bundle with none.
    /// </summary>
    public IReadOnlyList<AnchorProofResult> VerifyBundle(EvidenceBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var results = new List<AnchorProofResult>();
        foreach (var proof in bundle.AnchorProofs ?? [])
        {
            if (proof?.Leaf?.Origin is not { } origin) results.Add(new(false, "anchor proof without a leaf origin"));
            else if (!bundle.Checkpoints.TryGetValue(origin, out var note)) results.Add(new(false, $"anchor proof for {origin}, which has no checkpoint in the bundle"));
            else if (!SignedNote.TryParse(note, out var parsed, out var noteError)) results.Add(new(false, $"checkpoint of {origin} in the bundle: {noteError}"));
            else if (!Checkpoint.TryParse(parsed.Text, origin, out var checkpoint, out var bodyError)) results.Add(new(false, $"checkpoint of {origin} in the bundle: {bodyError}"));
            else results.Add(Check(proof, checkpoint));
        }
        return results;
    }

    private AnchorProofResult Check(AnchorProof proof, Checkpoint? linked)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (proof.MissingField() is { } missing) return Fail($"{missing} is missing");

        // 1. The fields read as what they claim to be.
        if (!AnchorLeaf.IsValidOrigin(proof.Leaf.Origin, out var originError)) return Fail("leaf: " + originError);
        if (!Hash256.TryParse(proof.Leaf.RootHash, out var rootHash)) return Fail("leaf.rootHash is not the base64 of 32 bytes");
        if (!Hash256.TryParse(proof.Leaf.NoteHash, out var noteHash)) return Fail("leaf.noteHash is not the base64 of 32 bytes");
        if (!Hash256.TryParse(proof.AnchorRoot, out var anchorRoot)) return Fail("anchorRoot is not the base64 of 32 bytes");
        var path = new byte[proof.InclusionProof.Count][];
        for (var i = 0; i < path.Length; i++)
        {
            if (!Hash256.TryParse(proof.InclusionProof[i], out var h)) return Fail($"inclusionProof[{i}] is not the base64 of 32 bytes");
            path[i] = h.ToArray();
        }
        var leaf = new AnchorLeaf(proof.Leaf.Origin, proof.Leaf.Size, rootHash, noteHash);

        // 2. The network's chain and contract, and a well-formed location on it.
        var chain = proof.Chain;
        if (chain.ChainId != contract.ChainId) return Fail($"anchored on chain {chain.ChainId}, the network anchors on chain {contract.ChainId}", leaf);
        if (!EvmHex.TryParse(chain.Contract, 20, out _)) return Fail($"chain.contract '{chain.Contract}' is not a 20-byte 0x address", leaf);
        if (!EvmHex.SameAddress(chain.Contract, contract.Contract)) return Fail($"anchored by contract {chain.Contract}, the network's is {contract.Contract}", leaf);
        if (!EvmHex.TryParse(chain.Transaction, 32, out _)) return Fail("chain.transaction is not a 32-byte 0x hash", leaf);
        if (!EvmHex.TryParse(chain.BlockHash, 32, out _)) return Fail("chain.blockHash is not a 32-byte 0x hash", leaf);

        // 3. The leaf is in the anchored tree.
        if (proof.LeafCount == 0) return Fail("leafCount is 0: an anchor has at least one leaf", leaf);
        if (!MerkleProofVerifier.TryVerifyInclusion(proof.LeafIndex, proof.LeafCount, leaf.LeafHash().AsSpan(), path, anchorRoot.AsSpan(), out var pathError))
            return Fail($"the checkpoint of {leaf.Origin} at size {leaf.Size} is not in the anchored tree: {pathError}", leaf);

        // 4. The carried note, if any, is the anchored one; with the network configuration, signed and final.
        bool noteChecked = false, noteFinal = false;
        if (proof.Note is { } note)
        {
            if (!AnchorLeaf.NoteHashOf(note).Equals(noteHash)) return Fail("the carried note does not hash to leaf.noteHash", leaf);
            if (!SignedNote.TryParse(note, out var parsed, out var noteError)) return Fail("the carried note: " + noteError, leaf);
            if (!Checkpoint.TryParse(parsed.Text, null, out var anchored, out var bodyError)) return Fail("the carried note: " + bodyError, leaf);
            if (!leaf.Names(anchored)) return Fail($"the carried note is {anchored.Origin} at size {anchored.Size}, not the leaf's checkpoint", leaf);
            noteChecked = true;
            if (network is not null)
            {
                if (!TryFinal(parsed, leaf.Origin, out var finalError)) return Fail(finalError, leaf);
                noteFinal = true;
            }
        }

        // 5. The caller's checkpoint of the same log is the anchored one or consistent with it.
        var anchoredEntries = 0UL;
        if (linked is not null)
        {
            if (!string.Equals(linked.Origin, leaf.Origin, StringComparison.Ordinal))
                return Fail($"the proof anchors {leaf.Origin}, the checkpoint is of {linked.Origin}", leaf);
            if (linked.Size == leaf.Size)
            {
                if (!leaf.RootHash.Equals(linked.RootHash)) return Fail($"same size {leaf.Size} but the anchored root differs from the checkpoint's: a fork", leaf);
            }
            else
            {
                if (proof.Consistency is not { } consistency) return Fail($"the checkpoint is at size {linked.Size}, the anchored one at {leaf.Size}, and no consistency proof links them", leaf);
                if (consistency.Size != linked.Size) return Fail($"the consistency proof is for size {consistency.Size}, the checkpoint is at {linked.Size}", leaf);
                var steps = new byte[consistency.Proof.Count][];
                for (var i = 0; i < steps.Length; i++)
                {
                    if (!Hash256.TryParse(consistency.Proof[i], out var h)) return Fail($"consistency.proof[{i}] is not the base64 of 32 bytes", leaf);
                    steps[i] = h.ToArray();
                }
                var linkedRoot = linked.RootHash;
                var ok = linked.Size < leaf.Size
                    ? MerkleProofVerifier.TryVerifyConsistency(linked.Size, leaf.Size, linkedRoot, leaf.RootHash.AsSpan(), steps, out var consistencyError)
                    : MerkleProofVerifier.TryVerifyConsistency(leaf.Size, linked.Size, leaf.RootHash.AsSpan(), linkedRoot, steps, out consistencyError);
                if (!ok) return Fail($"the checkpoint at size {linked.Size} is not consistent with the anchored one at {leaf.Size}: {consistencyError}", leaf);
            }
            anchoredEntries = Math.Min(linked.Size, leaf.Size);
        }

        return new AnchorProofResult(true, null)
        {
            Leaf = leaf,
            AnchorRoot = anchorRoot,
            NoteChecked = noteChecked,
            NoteFinal = noteFinal,
            AnchoredEntries = anchoredEntries,
        };
    }

    private bool TryFinal(SignedNote note, string origin, [NotNullWhen(false)] out string? error)
    {
        var member = network!.ByOrigin(origin);
        if (member is null)
        {
            error = $"{origin} is not a member of network {network.NetworkId}";
            return false;
        }
        var finality = network.Finality(member.VerifyCheckpoint(note));
        if (!finality.IsFinal)
        {
            error = $"the anchored note of {origin} is not final: {string.Join("; ", finality.Reasons)}";
            return false;
        }
        error = null;
        return true;
    }

    private static AnchorProofResult Fail(string reason, AnchorLeaf? leaf = null) => new(false, reason) { Leaf = leaf };
}
