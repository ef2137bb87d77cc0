using Huren.Sdk.Merkle;
using Huren.Sdk.StatusMap;

namespace Huren.Sdk.Tests.StatusMap;

/// <summary>Each refusal rule of <see cref="StatusMapProofVerifier"/>, with its reason; and that no input makes it throw.</summary>
public sealed class StatusMapProofVerifierTests
{
    private static readonly Hash256 A = Key(0x00);
    private static readonly Hash256 B = Key(0x40);
    private static readonly Hash256 C = Key(0x80);
    private static readonly Hash256 V = StatusMapKey.ForRecord("value");

    // Three records: A (00…) and B (01…) under the left half, C (1…) alone on the right.
    private static readonly StatusMapModel Map = MakeMap();

    private static Hash256 Key(byte first)
    {
        var bytes = StatusMapKey.ForRecord($"key-{first}").ToArray();
        bytes[0] = (byte)(first | (bytes[0] & 0x3F));
        return new Hash256(bytes);
    }

    private static StatusMapModel MakeMap()
    {
        var model = new StatusMapModel();
        model.Apply([new(A, V), new(B, V), new(C, V)]);
        return model;
    }

    private static Hash256 Root => StatusMapModel.Root(Map.Records);

    private static byte[] Prove(Hash256 key)
    {
        Assert.True(Map.Tree.TryProve(Map.Version, key, out _, out var proof, out var error), error);
        return proof.ToBytes();
    }

    private static string Refused(Hash256 root, Hash256 key, Hash256? value, ReadOnlySpan<byte> proof)
    {
        Assert.False(StatusMapProofVerifier.TryVerify(root, key, value, proof, out var error));
        return error;
    }

    [Fact]
    public void Present_and_absent_proofs_verify()
    {
        Assert.True(StatusMapProofVerifier.Verify(Root, A, V, Prove(A)));
        Assert.True(StatusMapProofVerifier.Verify(Root, C, V, Prove(C)));
        var absent = Key(0xC0); // right half: ends in C's leaf at depth 1
        var proof = Prove(absent);
        Assert.Equal((byte)StatusMapTerminal.AbsentLeaf, proof[0]);
        Assert.True(StatusMapProofVerifier.Verify(Root, absent, null, proof));
    }

    [Fact]
    public void A_proof_shorter_than_its_header_is_refused()
    {
        Assert.Contains("at least 33", Refused(Root, A, V, new byte[32]), StringComparison.Ordinal);
        Assert.Contains("at least 33", Refused(Root, A, V, []), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_terminal_byte_is_refused()
    {
        var proof = Prove(A);
        proof[0] = 3;
        Assert.Contains("terminal byte 0x03", Refused(Root, A, V, proof), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_sibling_and_trailing_bytes_are_refused_by_length()
    {
        var proof = Prove(A);
        Assert.Contains("truncated", Refused(Root, A, V, proof.AsSpan(0, proof.Length - 32)), StringComparison.Ordinal);
        Assert.Contains("1 trailing bytes", Refused(Root, A, V, [.. proof, 0x00]), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bitmap_that_does_not_match_the_siblings_is_refused()
    {
        var proof = Prove(A);
        proof[1 + 20] |= 0x01; // one more bit: the proof now needs one more sibling than it has
        Assert.Contains("truncated", Refused(Root, A, V, proof), StringComparison.Ordinal);
    }

    [Fact]
    public void A_terminal_that_contradicts_the_claim_is_refused()
    {
        Assert.Contains("claimed absent", Refused(Root, A, null, Prove(A)), StringComparison.Ordinal);
        var absent = Prove(Key(0xC0));
        Assert.Contains("a value is claimed", Refused(Root, Key(0xC0), V, absent), StringComparison.Ordinal);
    }

    [Fact]
    public void The_key_own_leaf_cannot_prove_it_absent()
    {
        // C's own proof turned into "absent, ends in the leaf of C": same path, same leaf — but that leaf is C's.
        var present = Prove(C);
        byte[] forged = [(byte)StatusMapTerminal.AbsentLeaf, .. present.AsSpan(1, 32), .. C.ToArray(), .. V.ToArray(), .. present.AsSpan(33)];
        Assert.Contains("names the key itself", Refused(Root, C, null, forged), StringComparison.Ordinal);
    }

    [Fact]
    public void Another_key_leaf_off_the_path_cannot_prove_absence()
    {
        // A's leaf (path 00) offered to prove that a key under 10… is absent: the path of 10… never reaches A's leaf.
        var absent = Key(0x80 | 0x20);
        var proofOfA = Prove(A);
        byte[] forged = [(byte)StatusMapTerminal.AbsentLeaf, .. proofOfA.AsSpan(1, 32), .. A.ToArray(), .. V.ToArray(), .. proofOfA.AsSpan(33)];
        Assert.Contains("does not share the first 2 bits", Refused(Root, absent, null, forged), StringComparison.Ordinal);
    }

    [Fact]
    public void A_sibling_sent_explicitly_as_the_empty_hash_is_refused()
    {
        // The one-record map: A's leaf is the root. "A at depth 1 with an empty sibling" leads to another root, but a
        // verifier must refuse the explicit empty sibling before hashing: it is not the canonical proof.
        var root = StatusMapHash.NodeHash(StatusMapHash.LeafHash(A, V), StatusMapHash.Empty(1));
        byte[] proof = [0, 0x80, .. new byte[31], .. StatusMapHash.Empty(1).ToArray()];
        Assert.Contains("empty-subtree hash", Refused(root, A, V, proof), StringComparison.Ordinal);
    }

    [Fact]
    public void A_proof_leading_to_another_root_is_refused()
    {
        Assert.Contains("leads to map root", Refused(StatusMapHash.EmptyRoot, A, V, Prove(A)), StringComparison.Ordinal);
        Assert.Contains("leads to map root", Refused(Root, A, C, Prove(A)), StringComparison.Ordinal);
        Assert.Contains("leads to map root", Refused(Root, B, V, Prove(A)), StringComparison.Ordinal);
    }

    [Fact]
    public void Wire_values_of_the_wrong_length_are_refused()
    {
        var proof = Prove(A);
        Assert.Contains("map root is 31 bytes", Fails(new byte[31], A.ToArray(), V.ToArray(), proof), StringComparison.Ordinal);
        Assert.Contains("key is 33 bytes", Fails(Root.ToArray(), new byte[33], V.ToArray(), proof), StringComparison.Ordinal);
        Assert.Contains("value is 0 bytes", Fails(Root.ToArray(), A.ToArray(), [], proof), StringComparison.Ordinal);
        Assert.True(StatusMapProofVerifier.TryVerify(Root.ToArray(), A.ToArray(), V.ToArray(), proof, out _));

        static string Fails(byte[] root, byte[] key, byte[]? value, byte[] proof)
        {
            Assert.False(StatusMapProofVerifier.TryVerify(root, key, value, proof, out var error));
            return error;
        }
    }

    [Fact]
    public void Random_bytes_never_make_the_verifier_throw_or_accept()
    {
        var random = new Random(20261202);
        for (var i = 0; i < 20_000; i++)
        {
            var proof = new byte[random.Next(0, 400)];
            random.NextBytes(proof);
            if (proof.Length > 0) proof[0] = (byte)random.Next(0, 4);
            if (proof.Length > 33 && random.Next(2) == 0) proof.AsSpan(1, 32).Clear(); // often a structurally valid length
            Assert.False(StatusMapProofVerifier.Verify(Root, A, random.Next(2) == 0 ? V : null, proof));
        }
    }

    [Fact]
    public void Proofs_parse_back_to_the_same_bytes_and_structure()
    {
        foreach (var key in new[] { A, B, C, Key(0xC0), Key(0x20) })
        {
            var bytes = Prove(key);
            Assert.True(StatusMapProof.TryParse(bytes, out var proof, out var error), error);
            Assert.Equal(bytes, proof.ToBytes());
            Assert.Equal(bytes.Length, proof.Length);
            Assert.Equal(Enumerable.Range(1, 256).Count(proof.HasSibling), proof.Siblings.Count);
        }
        Assert.False(StatusMapProof.TryParse(new byte[10], out _, out var reason));
        Assert.Contains("at least 33", reason, StringComparison.Ordinal);
    }
}

/// <summary>The offline verifier runs once per status proof of every bundle: it must not allocate on success.</summary>
public sealed class StatusMapVerifierAllocationTests
{
    [Fact]
    public void Verifying_present_and_absent_proofs_does_not_allocate()
    {
        var model = new StatusMapModel();
        model.Apply([.. Enumerable.Range(0, 2000).Select(i => StatusMapUpdate.ForRecord($"r{i}", StatusMapKey.ForRecord($"v{i}")))]);
        Assert.True(model.Tree.TryGetRoot(model.Version, out var root));
        var present = StatusMapKey.ForRecord("r7");
        var absent = StatusMapKey.ForRecord("not there");
        Assert.True(model.Tree.TryProve(model.Version, present, out var value, out var presentProof, out _));
        Assert.True(model.Tree.TryProve(model.Version, absent, out _, out var absentProof, out _));
        var presentBytes = presentProof.ToBytes();
        var absentBytes = absentProof.ToBytes();

        void Work()
        {
            Assert.True(StatusMapProofVerifier.TryVerify(root, present, value, presentBytes, out _));
            Assert.True(StatusMapProofVerifier.TryVerify(root, absent, null, absentBytes, out _));
        }

        Work(); // warm up (empty-hash table, JIT)
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) Work();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
