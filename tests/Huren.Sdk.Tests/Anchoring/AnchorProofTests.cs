using System.Text.Json.Nodes;
using Huren.Sdk.Anchoring;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Tests.Anchoring;

/// <summary>Anchor leaves, trees and proofs; every refusal of the offline verifier with its reason.</summary>
public class AnchorProofTests
{
    private const ulong ChainId = 31337;
    private const string Contract = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    private static readonly AnchorContract Trust = new(ChainId, Contract);

    private readonly AnchorTestNetwork _network = new("430100", "430200", "430300");

    public AnchorProofTests()
    {
        foreach (var origin in _network.Origins) _network.Grow(origin, 5);
    }

    private (AnchorTree Tree, Dictionary<string, string> Notes) Anchor()
    {
        var notes = _network.Origins.ToDictionary(o => o, o => _network.Note(o));
        // Given in reverse order: the tree sorts by origin.
        return (AnchorTree.Build(notes.Values.Reverse().Select(AnchorLeaf.FromNote)), notes);
    }

    private static AnchorProof ProofOf(AnchorTree tree, string origin, string? note) =>
        tree.ProofFor(origin, new AnchorChainLocation
        {
            ChainId = ChainId,
            Contract = Contract.ToLowerInvariant(),
            Sequence = 4,
            Transaction = "0x" + new string('a', 64),
            BlockNumber = 17,
            BlockHash = "0x" + new string('b', 64),
            LogIndex = 0,
            BlockTime = 1_790_000_100,
        }, note)!;

    [Fact]
    public void Leaf_bytes_are_the_documented_lines_and_hash_as_an_RFC9162_leaf()
    {
        var root = MerkleHash.LeafHash("r"u8);
        var noteHash = MerkleHash.LeafHash("n"u8);
        var leaf = new AnchorLeaf("huren.cz-t/430100", 1234, root, noteHash);
        var text = System.Text.Encoding.UTF8.GetString(leaf.ToBytes());
        Assert.Equal($"huren-anchor-leaf/v1\nhuren.cz-t/430100\n1234\n{root.ToBase64()}\n{noteHash.ToBase64()}\n", text);
        Assert.Equal(MerkleHash.LeafHash(leaf.ToBytes()), leaf.LeafHash());
        Assert.Throws<ArgumentException>(() => new AnchorLeaf("bad\norigin", 1, root, noteHash));
    }

    [Fact]
    public void Tree_is_the_same_whatever_order_the_checkpoints_come_in_and_refuses_two_for_one_log()
    {
        var (tree, notes) = Anchor();
        var again = AnchorTree.Build(notes.Values.Select(AnchorLeaf.FromNote));
        Assert.Equal(tree.Root, again.Root);
        Assert.Equal(["huren.cz-t/430100", "huren.cz-t/430200", "huren.cz-t/430300"], tree.Leaves.Select(l => l.Origin));
        // The root is the RFC 9162 root over the leaf bytes (MemoryMerkleTree is checked against the RFC elsewhere).
        var reference = new MemoryMerkleTree();
        foreach (var leaf in tree.Leaves) reference.Append(leaf.ToBytes());
        Assert.Equal(reference.Root(), tree.Root);
        Assert.Throws<ArgumentException>(() => AnchorTree.Build([.. notes.Values.Select(AnchorLeaf.FromNote), AnchorLeaf.FromNote(notes["huren.cz-t/430200"])]));
        Assert.Throws<ArgumentException>(() => AnchorTree.Build([]));
    }

    [Fact]
    public void A_proof_verifies_for_every_log_with_its_note_signed_and_final()
    {
        var (tree, notes) = Anchor();
        var verifier = new AnchorProofVerifier(Trust, _network.Config);
        foreach (var origin in _network.Origins)
        {
            var proof = AnchorProof.Parse(ProofOf(tree, origin, notes[origin]).ToJson());
            var result = verifier.Verify(proof);
            Assert.True(result.IsValid, result.Failure);
            Assert.True(result.NoteChecked);
            Assert.True(result.NoteFinal);
            Assert.Equal(origin, result.Leaf!.Origin);
            Assert.Equal(tree.Root, result.AnchorRoot);
        }
    }

    public static TheoryData<string, string> Tamperings => new()
    {
        { "leaf.size", "not in the anchored tree" },
        { "leaf.rootHash", "not in the anchored tree" },
        { "leaf.noteHash", "not in the anchored tree" },
        { "leaf.origin", "not in the anchored tree" },
        { "leafIndex", "not in the anchored tree" },
        { "leafCount", "not in the anchored tree" },
        { "inclusionProof[0]", "not in the anchored tree" },
        { "inclusionProof.extra", "not in the anchored tree" },
        { "inclusionProof.dropped", "not in the anchored tree" },
        { "anchorRoot", "not in the anchored tree" },
        { "chain.chainId", "chain 1, the network anchors on chain 31337" },
        { "chain.contract", "the network's is" },
        { "chain.transaction", "chain.transaction is not a 32-byte 0x hash" },
        { "chain.blockHash", "chain.blockHash is not a 32-byte 0x hash" },
        { "note", "does not hash to leaf.noteHash" },
        { "leafCount.zero", "leafCount is 0" },
        { "anchorRoot.short", "anchorRoot is not the base64 of 32 bytes" },
    };

    [Theory]
    [MemberData(nameof(Tamperings))]
    public void A_tampered_proof_is_refused_with_the_reason(string field, string reason)
    {
        var (tree, notes) = Anchor();
        const string origin = "huren.cz-t/430200";
        var json = JsonNode.Parse(ProofOf(tree, origin, notes[origin]).ToJson())!;
        var other = MerkleHash.LeafHash("other"u8).ToBase64();
        switch (field)
        {
            case "leaf.size": json["leaf"]!["size"] = 6; break;
            case "leaf.rootHash": json["leaf"]!["rootHash"] = other; break;
            case "leaf.noteHash": json["leaf"]!["noteHash"] = other; json["note"] = null; break;
            case "leaf.origin": json["leaf"]!["origin"] = "huren.cz-t/430101"; json["note"] = null; break;
            case "leafIndex": json["leafIndex"] = 0; break;
            case "leafCount": json["leafCount"] = 2; break; // (4 would verify: RFC 9162 paths do not bind the size; the online check compares it with the chain's)
            case "inclusionProof[0]": json["inclusionProof"]![0] = other; break;
            case "inclusionProof.extra": json["inclusionProof"]!.AsArray().Add(other); break;
            case "inclusionProof.dropped": json["inclusionProof"]!.AsArray().RemoveAt(0); break;
            case "anchorRoot": json["anchorRoot"] = other; break;
            case "chain.chainId": json["chain"]!["chainId"] = 1; break;
            case "chain.contract": json["chain"]!["contract"] = "0x" + new string('1', 40); break;
            case "chain.transaction": json["chain"]!["transaction"] = "0x1234"; break;
            case "chain.blockHash": json["chain"]!["blockHash"] = "b".PadLeft(66, 'b'); break;
            case "note": json["note"] = notes[origin] + "\n"; break;
            case "leafCount.zero": json["leafCount"] = 0; break;
            case "anchorRoot.short": json["anchorRoot"] = Convert.ToBase64String(new byte[31]); break;
        }
        var result = new AnchorProofVerifier(Trust).Verify(AnchorProof.Parse(json.ToJsonString()));
        Assert.False(result.IsValid);
        Assert.Contains(reason, result.Failure);
    }

    [Fact]
    public void A_carried_note_of_another_checkpoint_or_not_final_is_refused()
    {
        var (tree, notes) = Anchor();
        const string origin = "huren.cz-t/430100";
        // A note that is not the anchored one, with the leaf's note hash made to match it: the checkpoint differs.
        var older = _network.Note(origin, size: 3);
        var proof = ProofOf(tree, origin, older);
        proof.Leaf.NoteHash = AnchorLeaf.NoteHashOf(older).ToBase64();
        var result = new AnchorProofVerifier(Trust).Verify(proof);
        Assert.False(result.IsValid);
        Assert.Contains("not in the anchored tree", result.Failure); // the leaf changed, so the path fails first

        // An anchor over a note without cosignatures: the path holds, the note is not final.
        var lone = _network.Note(origin, cosigners: 0);
        var loneTree = AnchorTree.Build([AnchorLeaf.FromNote(lone), .. notes.Where(n => n.Key != origin).Select(n => AnchorLeaf.FromNote(n.Value))]);
        var loneResult = new AnchorProofVerifier(Trust, _network.Config).Verify(ProofOf(loneTree, origin, lone));
        Assert.False(loneResult.IsValid);
        Assert.Contains("is not final", loneResult.Failure);
        Assert.True(new AnchorProofVerifier(Trust).Verify(ProofOf(loneTree, origin, lone)).IsValid); // without the network, the note is only hashed
    }

    [Fact]
    public void A_checkpoint_links_to_the_anchor_when_equal_or_proven_consistent()
    {
        const string origin = "huren.cz-t/430300";
        var earlier = Checkpoint.FromNote(SignedNote.Parse(_network.Note(origin)));      // size 5
        _network.Grow(origin, 4);                                                           // size 9 anchored
        var (tree, notes) = Anchor();
        var verifier = new AnchorProofVerifier(Trust);
        var anchored = Checkpoint.FromNote(SignedNote.Parse(notes[origin]));

        var same = verifier.Verify(ProofOf(tree, origin, notes[origin]), anchored);
        Assert.True(same.IsValid, same.Failure);
        Assert.Equal(9UL, same.AnchoredEntries);

        var proof = ProofOf(tree, origin, notes[origin]);
        Assert.Contains("no consistency proof", verifier.Verify(proof, earlier).Failure);
        proof.Consistency = new AnchorConsistency { Size = 5, Proof = [.. _network.Tree(origin).ConsistencyProof(5, 9).Select(h => h.ToBase64())] };
        var linked = verifier.Verify(proof, earlier);
        Assert.True(linked.IsValid, linked.Failure);
        Assert.Equal(5UL, linked.AnchoredEntries);

        // A later checkpoint of the log (size 12) links back to the anchored size 9: only entries below 9 are anchored.
        _network.Grow(origin, 3);
        var later = Checkpoint.FromNote(SignedNote.Parse(_network.Note(origin)));
        proof.Consistency = new AnchorConsistency { Size = 12, Proof = [.. _network.Tree(origin).ConsistencyProof(9, 12).Select(h => h.ToBase64())] };
        var forward = verifier.Verify(proof, later);
        Assert.True(forward.IsValid, forward.Failure);
        Assert.Equal(9UL, forward.AnchoredEntries);

        // A wrong proof, a proof for another size, another log, and a fork at the same size are refused.
        proof.Consistency = new AnchorConsistency { Size = 12, Proof = [.. _network.Tree(origin).ConsistencyProof(8, 12).Select(h => h.ToBase64())] };
        Assert.Contains("is not consistent with the anchored one", verifier.Verify(proof, later).Failure);
        proof.Consistency = new AnchorConsistency { Size = 11, Proof = [] };
        Assert.Contains("consistency proof is for size 11", verifier.Verify(proof, later).Failure);
        Assert.Contains("the checkpoint is of huren.cz-t/430100", verifier.Verify(proof, Checkpoint.FromNote(SignedNote.Parse(notes["huren.cz-t/430100"]))).Failure);
        var fork = new Checkpoint(origin, 9, MerkleHash.LeafHash("fork"u8).AsSpan());
        Assert.Contains("a fork", verifier.Verify(proof, fork).Failure);
    }

    [Fact]
    public void Bundles_carry_anchor_proofs_in_an_optional_field_that_old_bundles_lack()
    {
        var (tree, notes) = Anchor();
        const string origin = "huren.cz-t/430100";
        var bundle = new EvidenceBundle { Network = AnchorTestNetwork.NetworkId, Subject = "x", Verdict = new() { Status = "VALID", AsOf = new() { Origin = origin, Size = 5 } } };
        bundle.Checkpoints[origin] = notes[origin];
        Assert.DoesNotContain("anchorProofs", bundle.ToJson());
        Assert.Null(EvidenceBundle.Parse(bundle.ToJson()).AnchorProofs);

        bundle.AnchorProofs = [ProofOf(tree, origin, notes[origin]), ProofOf(tree, "huren.cz-t/430200", null)];
        var read = EvidenceBundle.Parse(bundle.ToJson());
        var results = new AnchorProofVerifier(Trust).VerifyBundle(read);
        Assert.True(results[0].IsValid, results[0].Failure);
        Assert.Equal(5UL, results[0].AnchoredEntries);
        Assert.False(results[1].IsValid);
        Assert.Contains("has no checkpoint in the bundle", results[1].Failure);
    }

    [Fact]
    public void A_proof_missing_a_field_does_not_parse()
    {
        var (tree, notes) = Anchor();
        var json = JsonNode.Parse(ProofOf(tree, "huren.cz-t/430100", notes["huren.cz-t/430100"]).ToJson())!;
        json["chain"]!.AsObject().Remove("blockHash");
        Assert.Contains("blockHash", Assert.Throws<FormatException>(() => AnchorProof.Parse(json.ToJsonString())).Message);
        Assert.Throws<FormatException>(() => AnchorProof.Parse("{"));
    }
}
