using Huren.Sdk.Merkle;

namespace Huren.Sdk.Tests.Merkle;

public class MerkleAllocationTests
{
    [Fact]
    public void Hashing_appending_building_and_verifying_do_not_allocate()
    {
        var tree = new MemoryMerkleTree();
        for (var i = 0; i < 1000; i++)
        {
            tree.Append(BitConverter.GetBytes(i));
        }
        var frontier = tree.CopyFrontier();
        var lookup = tree.SubtreeLookup;
        var inclusion = tree.InclusionProof(377, 999);
        var consistency = tree.ConsistencyProof(377, 999);
        var leafHash = tree.LeafHash(377);
        var oldRoot = tree.RootAt(377);
        var newRoot = tree.RootAt(999);
        Span<MerkleSubtree> created = stackalloc MerkleSubtree[MerkleFrontier.MaxCreatedPerAppend];
        Span<Hash256> proof = stackalloc Hash256[MerkleMath.MaxProofLength];
        var leaf = new byte[300];

        void Work(Span<MerkleSubtree> created, Span<Hash256> proof)
        {
            _ = MerkleHash.LeafHash(leaf);
            frontier.Append(leafHash, created);
            _ = frontier.Root();
            _ = MerkleProofBuilder.InclusionProof(377, 999, lookup, proof);
            _ = MerkleProofBuilder.ConsistencyProof(377, 999, lookup, proof);
            Assert.True(MerkleProofVerifier.VerifyInclusion(377, 999, leafHash, inclusion, newRoot));
            Assert.True(MerkleProofVerifier.VerifyConsistency(377, 999, oldRoot, newRoot, consistency));
        }

        Work(created, proof); // warm up (static hashes, JIT)
        // Rounds of 100 calls, until one allocates nothing: code that allocates per call allocates in every round, while
        // the runtime's one-off work on this thread (starting tiered compilation's background worker when the methods
        // reach their call count, seen once in CI as 6,008 bytes in the only round) lands in one round at most.
        var allocated = new List<long>();
        for (var round = 0; round < 5 && (allocated.Count == 0 || allocated[^1] != 0); round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                Work(created, proof);
            }
            allocated.Add(GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.True(allocated[^1] == 0, $"bytes allocated by each round of 100 calls: {string.Join(", ", allocated)}");
    }
}
