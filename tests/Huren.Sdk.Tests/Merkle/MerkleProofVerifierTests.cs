using Huren.Sdk.Merkle;

namespace Huren.Sdk.Tests.Merkle;

public class MerkleProofVerifierTests
{
    private static readonly MemoryMerkleTree Tree = MerkleTestData.ReferenceTree();
    private static readonly Hash256 Empty = MerkleHash.EmptyRoot;

    [Fact]
    public void Inclusion_in_the_reference_tree_verifies_at_every_index_and_size()
    {
        for (ulong size = 1; size <= Tree.Size; size++)
        {
            for (ulong index = 0; index < size; index++)
            {
                var proof = Tree.InclusionProof(index, size);
                Assert.True(MerkleProofVerifier.TryVerifyInclusion(index, size, Tree.LeafHash(index), proof, Tree.RootAt(size), out var error), error);
                Assert.True(MerkleProofVerifier.VerifyInclusion(index, size, Tree.LeafHash(index).ToArray(), proof.Select(h => h.ToArray()).ToList(), Tree.RootAt(size).ToArray()));
            }
        }
    }

    [Fact]
    public void Nothing_is_included_at_or_beyond_the_size()
    {
        var leaf = Tree.LeafHash(0);
        Assert.False(MerkleProofVerifier.TryVerifyInclusion(0, 0, leaf, [], Empty, out var error));
        Assert.Contains("empty tree", error);
        Assert.False(MerkleProofVerifier.TryVerifyInclusion(8, 8, leaf, Tree.InclusionProof(0, 8), Tree.Root(), out error));
        Assert.Contains("not below tree size 8", error);
        Assert.False(MerkleProofVerifier.VerifyInclusion(ulong.MaxValue, 8, leaf, Tree.InclusionProof(0, 8), Tree.Root()));
    }

    [Fact]
    public void Inclusion_proofs_with_extra_or_missing_hashes_fail_with_the_expected_length()
    {
        var proof = Tree.InclusionProof(2, 5);
        var leaf = Tree.LeafHash(2);
        var root = Tree.RootAt(5);
        Assert.False(MerkleProofVerifier.TryVerifyInclusion(2, 5, leaf, [.. proof, root], root, out var error));
        Assert.Equal($"inclusion proof has {proof.Length + 1} hashes, leaf 2 in a tree of 5 needs {proof.Length}", error);
        Assert.False(MerkleProofVerifier.TryVerifyInclusion(2, 5, leaf, proof[..^1], root, out error));
        Assert.Equal($"inclusion proof has {proof.Length - 1} hashes, leaf 2 in a tree of 5 needs {proof.Length}", error);
        Assert.False(MerkleProofVerifier.TryVerifyInclusion(2, 5, leaf, new Hash256[MerkleMath.MaxProofLength + 1], root, out error));
        Assert.Equal($"inclusion proof has 66 hashes, leaf 2 in a tree of 5 needs {proof.Length}", error);
        Assert.False(MerkleProofVerifier.TryVerifyInclusion(3, 5, leaf, proof, root, out error));
        Assert.Contains("the proof leads to root", error);
    }

    [Fact]
    public void Wire_hashes_that_are_not_32_bytes_fail_with_the_reason()
    {
        var proof = Tree.InclusionProof(1, 8).Select(h => h.ToArray()).ToList();
        var leaf = Tree.LeafHash(1).ToArray();
        var root = Tree.Root().ToArray();
        Assert.True(MerkleProofVerifier.VerifyInclusion(1, 8, leaf, proof, root));

        Assert.False(MerkleProofVerifier.TryVerifyInclusion(1, 8, leaf[..31], proof, root, out var error));
        Assert.Equal("leaf hash is 31 bytes, not 32", error);
        Assert.False(MerkleProofVerifier.TryVerifyInclusion(1, 8, leaf, proof, [.. root, 0], out error));
        Assert.Equal("root is 33 bytes, not 32", error);
        Assert.False(MerkleProofVerifier.TryVerifyInclusion(1, 8, leaf, [proof[0], proof[1][..16], proof[2]], root, out error));
        Assert.Equal("proof hash 1 is 16 bytes, not 32", error);
        Assert.False(MerkleProofVerifier.TryVerifyInclusion(1, 8, leaf, [proof[0], null!, proof[2]], root, out error));
        Assert.Equal("proof hash 1 is missing (null)", error);
        Assert.False(MerkleProofVerifier.TryVerifyInclusion(1, 8, leaf, Enumerable.Repeat(leaf, 66).ToList(), root, out error));
        Assert.Contains("no proof has more than 65", error);

        var old = Tree.RootAt(3).ToArray();
        var consistency = Tree.ConsistencyProof(3, 8).Select(h => h.ToArray()).ToList();
        Assert.True(MerkleProofVerifier.VerifyConsistency(3, 8, old, root, consistency));
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(3, 8, old[..12], root, consistency, out error));
        Assert.Equal("old root is 12 bytes, not 32", error);
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(3, 8, old, [], consistency, out error));
        Assert.Equal("new root is 0 bytes, not 32", error);
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(3, 8, old, root, [.. consistency[..^1], [1, 2, 3]], out error));
        Assert.Contains("is 3 bytes", error);
    }

    [Fact]
    public void Consistency_in_the_reference_tree_verifies_for_every_pair_of_sizes()
    {
        for (ulong newSize = 0; newSize <= Tree.Size; newSize++)
        {
            for (ulong oldSize = 0; oldSize <= newSize; oldSize++)
            {
                var proof = Tree.ConsistencyProof(oldSize, newSize);
                Assert.True(MerkleProofVerifier.TryVerifyConsistency(oldSize, newSize, Tree.RootAt(oldSize), Tree.RootAt(newSize), proof, out var error), $"{oldSize}→{newSize}: {error}");
            }
        }
    }

    [Fact]
    public void Equal_sizes_need_an_empty_proof_and_equal_roots()
    {
        var root = Tree.RootAt(5);
        Assert.True(MerkleProofVerifier.VerifyConsistency(5, 5, root, root, []));
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(5, 5, root, root, [root], out var error));
        Assert.Contains("must be empty", error);
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(5, 5, root, Tree.RootAt(6), [], out error));
        Assert.Contains("different roots", error);
    }

    [Fact]
    public void The_empty_tree_has_one_root_and_every_tree_extends_it_with_an_empty_proof()
    {
        Assert.True(MerkleProofVerifier.VerifyConsistency(0, 0, Empty, Empty, []));
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(0, 0, Tree.Root(), Tree.Root(), [], out var error));
        Assert.Contains("root of the empty tree", error);

        Assert.True(MerkleProofVerifier.VerifyConsistency(0, 8, Empty, Tree.Root(), []));
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(0, 8, Empty, Tree.Root(), [Empty], out error));
        Assert.Contains("must be empty", error);
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(0, 8, Tree.RootAt(1), Tree.Root(), [], out error));
        Assert.Contains("root of the empty tree", error);
    }

    [Fact]
    public void A_log_never_shrinks()
    {
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(8, 7, Tree.Root(), Tree.RootAt(7), [], out var error));
        Assert.Equal("old size 8 is above new size 7: a log never shrinks", error);
        Assert.False(MerkleProofVerifier.VerifyConsistency(1, 0, Tree.RootAt(1), Empty, []));
    }

    [Fact]
    public void Consistency_failures_say_which_check_failed()
    {
        var proof = Tree.ConsistencyProof(3, 7);
        var oldRoot = Tree.RootAt(3);
        var newRoot = Tree.RootAt(7);
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(3, 7, oldRoot, newRoot, [], out var error));
        Assert.Equal($"consistency proof has 0 hashes, sizes 3 to 7 needs {proof.Length}", error);
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(3, 7, oldRoot, newRoot, [.. proof, newRoot], out error));
        Assert.Equal($"consistency proof has {proof.Length + 1} hashes, sizes 3 to 7 needs {proof.Length}", error);
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(3, 7, oldRoot, newRoot, proof[..^1], out error));
        Assert.Equal($"consistency proof has {proof.Length - 1} hashes, sizes 3 to 7 needs {proof.Length}", error);
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(3, 7, Tree.RootAt(2), newRoot, proof, out error));
        Assert.Contains("old root", error);
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(3, 7, oldRoot, Tree.RootAt(8), proof, out error));
        Assert.Contains("new root", error);
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(3, 7, oldRoot, newRoot, new Hash256[66], out error));
        Assert.Equal($"consistency proof has 66 hashes, sizes 3 to 7 needs {proof.Length}", error);
    }

    [Fact]
    public void Wire_proofs_of_up_to_65_hashes_are_read_and_a_missing_list_is_an_argument_error()
    {
        var leaf = Tree.LeafHash(1).ToArray();
        var root = Tree.Root().ToArray();
        // 65 hashes is the most any proof can have: read, then refused for its length; 66 are refused unread.
        Assert.False(MerkleProofVerifier.TryVerifyInclusion(1, 8, leaf, Enumerable.Repeat(leaf, 65).ToList(), root, out var error));
        Assert.Equal("inclusion proof has 65 hashes, leaf 1 in a tree of 8 needs 3", error);
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(3, 8, Tree.RootAt(3).ToArray(), root, Enumerable.Repeat(leaf, 65).ToList(), out error));
        Assert.StartsWith("consistency proof has 65 hashes, sizes 3 to 8 needs ", error, StringComparison.Ordinal);

        Assert.Throws<ArgumentNullException>(() => MerkleProofVerifier.TryVerifyInclusion(1, 8, leaf, (IReadOnlyList<byte[]>)null!, root, out _));
        Assert.Throws<ArgumentNullException>(() => MerkleProofVerifier.TryVerifyConsistency(3, 8, root, root, (IReadOnlyList<byte[]>)null!, out _));
    }
}
