using System.Security.Cryptography;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.Tests.Merkle;

public class MerkleHashTests
{
    [Fact]
    public void Empty_root_is_sha256_of_the_empty_string()
    {
        Assert.Equal(MerkleTestData.EmptyRootHex, MerkleHash.EmptyRoot.ToHex());
        Assert.Equal(MerkleHash.EmptyRoot, MerkleMath.ComputeRoot(Array.Empty<Hash256>()));
        Assert.Equal(MerkleHash.EmptyRoot, new MerkleFrontier().Root());
        Assert.Equal(MerkleHash.EmptyRoot, new MemoryMerkleTree().RootAt(0));
    }

    [Fact]
    public void Leaf_hash_of_the_empty_leaf_is_the_known_answer()
        // The one-leaf tree of the empty leaf: the first root of the Certificate Transparency test data.
        => Assert.Equal(MerkleTestData.RootsHex[0], MerkleHash.LeafHash([]).ToHex());

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1022)]
    [InlineData(1023)] // 1 + 1023 = 1024 bytes: the largest prefixed on the stack
    [InlineData(1024)] // from here a pooled buffer
    [InlineData(70_000)]
    public void Leaf_hash_is_sha256_of_0x00_and_the_leaf(int length)
    {
        var leaf = new byte[length];
        new Random(length).NextBytes(leaf);
        var expected = SHA256.HashData([0x00, .. leaf]);
        Assert.Equal(expected, MerkleHash.LeafHash(leaf).ToArray());
        var destination = new byte[40];
        MerkleHash.LeafHash(leaf, destination);
        Assert.Equal(expected, destination[..32]);
    }

    [Fact]
    public void Node_hash_is_sha256_of_0x01_left_right_even_in_place()
    {
        var left = MerkleHash.LeafHash([1]);
        var right = MerkleHash.LeafHash([2]);
        var expected = SHA256.HashData([0x01, .. left.ToArray(), .. right.ToArray()]);
        Assert.Equal(expected, MerkleHash.NodeHash(left, right).ToArray());

        var buffer = right.ToArray();
        MerkleHash.NodeHash(left.AsSpan(), buffer, buffer);
        Assert.Equal(expected, buffer);
        buffer = left.ToArray();
        MerkleHash.NodeHash(buffer, right.AsSpan(), buffer);
        Assert.Equal(expected, buffer);
    }

    [Fact]
    public void Node_hash_rejects_children_that_are_not_32_bytes()
    {
        var hash = new byte[32];
        Assert.Throws<ArgumentException>(() => MerkleHash.NodeHash(new byte[31], hash, new byte[32]));
        Assert.Throws<ArgumentException>(() => MerkleHash.NodeHash(hash, new byte[33], new byte[32]));
        Assert.Throws<ArgumentException>(() => MerkleHash.NodeHash(hash, hash, new byte[31]));
        Assert.Throws<ArgumentException>(() => MerkleHash.LeafHash([], new byte[31]));
    }

    [Fact]
    public void Roots_of_the_reference_leaves_are_the_RFC_6962_known_answers()
    {
        var tree = MerkleTestData.ReferenceTree();
        var frontier = new MerkleFrontier();
        var leafHashes = new List<Hash256>();
        for (var size = 1; size <= MerkleTestData.Leaves.Length; size++)
        {
            var leafHash = MerkleHash.LeafHash(MerkleTestData.Leaves[size - 1]);
            leafHashes.Add(leafHash);
            frontier.Append(leafHash);
            var expected = MerkleTestData.RootsHex[size - 1];
            Assert.Equal(expected, MerkleMath.ComputeRoot(leafHashes).ToHex());
            Assert.Equal(expected, MerkleMath.ComputeRoot(leafHashes.ToArray().AsSpan()).ToHex());
            Assert.Equal(expected, frontier.Root().ToHex());
            Assert.Equal(expected, tree.RootAt((ulong)size).ToHex());
        }
        Assert.Equal("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", tree.Root().ToHex());
    }
}
