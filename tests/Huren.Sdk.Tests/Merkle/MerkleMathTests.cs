using System.Numerics;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.Tests.Merkle;

public class MerkleMathTests
{
    // The seven-leaf example tree of RFC 9162 §2.1.5 (RFC 6962 §2.1.3), its nodes named as in the RFC's figure.
    private static readonly Dictionary<char, MerkleNode> Rfc = new()
    {
        ['a'] = new(0, 1), ['b'] = new(1, 2), ['c'] = new(2, 3), ['d'] = new(3, 4),
        ['e'] = new(4, 5), ['f'] = new(5, 6), ['j'] = new(6, 7),
        ['g'] = new(0, 2), ['h'] = new(2, 4), ['i'] = new(4, 6),
        ['k'] = new(0, 4), ['l'] = new(4, 7),
    };

    [Theory]
    [InlineData(0ul, "bhl")]
    [InlineData(3ul, "cgl")]
    [InlineData(4ul, "fjk")]
    [InlineData(6ul, "ik")]
    public void Inclusion_nodes_match_the_RFC_9162_example(ulong index, string names)
        => Assert.Equal(names.Select(c => Rfc[c]), MerkleMath.InclusionProofNodes(index, 7));

    [Theory]
    [InlineData(3ul, "cdgl")]
    [InlineData(4ul, "l")]
    [InlineData(6ul, "ijk")]
    public void Consistency_nodes_match_the_RFC_9162_example(ulong oldSize, string names)
        => Assert.Equal(names.Select(c => Rfc[c]), MerkleMath.ConsistencyProofNodes(oldSize, 7));

    [Theory]
    [InlineData(2ul, 1ul)]
    [InlineData(3ul, 2ul)]
    [InlineData(4ul, 2ul)]
    [InlineData(5ul, 4ul)]
    [InlineData(8ul, 4ul)]
    [InlineData(9ul, 8ul)]
    [InlineData((1ul << 63) + 1, 1ul << 63)]
    [InlineData(1ul << 63, 1ul << 62)]
    [InlineData(ulong.MaxValue, 1ul << 63)]
    public void Largest_power_of_two_below_n(ulong n, ulong expected)
        => Assert.Equal(expected, MerkleMath.LargestPowerOfTwoBelow(n));

    [Fact]
    public void Largest_power_of_two_below_needs_two_leaves()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleMath.LargestPowerOfTwoBelow(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleMath.LargestPowerOfTwoBelow(1));
    }

    [Theory]
    [InlineData(0ul, 1ul, true)]
    [InlineData(0ul, 7ul, true)]
    [InlineData(0ul, ulong.MaxValue, true)]
    [InlineData(4ul, 7ul, true)]
    [InlineData(6ul, 7ul, true)]
    [InlineData(8ul, 13ul, true)]
    [InlineData(4ul, 9ul, false)] // width 5 needs start % 8 == 0
    [InlineData(2ul, 5ul, false)]
    [InlineData(1ul, 3ul, false)]
    [InlineData(5ul, 5ul, false)]
    [InlineData(6ul, 5ul, false)]
    [InlineData(1ul, ulong.MaxValue, false)]
    public void Tree_nodes_start_at_a_multiple_of_their_width_rounded_up(ulong start, ulong end, bool expected)
        => Assert.Equal(expected, MerkleMath.IsTreeNode(start, end));

    [Fact]
    public void A_right_edge_node_splits_into_its_complete_subtrees_largest_first()
    {
        Span<MerkleNode> parts = stackalloc MerkleNode[MerkleMath.MaxRangeParts];
        var count = MerkleMath.CompleteSubtrees(8, 15, parts);
        Assert.Equal([new MerkleNode(8, 12), new MerkleNode(12, 14), new MerkleNode(14, 15)], parts[..count].ToArray());
        Assert.Equal(64, MerkleMath.CompleteSubtrees(0, ulong.MaxValue, parts));
        Assert.Throws<ArgumentException>(() => MerkleMath.CompleteSubtrees(4, 9, new MerkleNode[8]));
        Assert.Throws<ArgumentException>(() => MerkleMath.CompleteSubtrees(0, 7, new MerkleNode[2]));
    }

    [Fact]
    public void Root_of_range_reads_one_subtree_per_set_bit_of_the_width()
    {
        var tree = new MemoryMerkleTree();
        var leaves = new List<Hash256>();
        for (var i = 0; i < 100; i++)
        {
            leaves.Add(MerkleHash.LeafHash(BitConverter.GetBytes(i)));
            tree.AppendLeafHash(leaves[^1]);
        }
        foreach (var (start, end) in new[] { (0, 100), (64, 100), (96, 100), (0, 1), (99, 100), (32, 64), (0, 99) })
        {
            var reads = 0;
            var root = MerkleMath.RootOfRange((ulong)start, (ulong)end, (level, index) =>
            {
                reads++;
                return tree.SubtreeHash(level, index);
            });
            Assert.Equal(MerkleMath.ComputeRoot(leaves.GetRange(start, end - start)), root);
            Assert.Equal(BitOperations.PopCount((ulong)(end - start)), reads);
        }
    }

    [Fact]
    public void Complete_subtrees_know_their_level_and_index()
    {
        var node = MerkleNode.Subtree(3, 5);
        Assert.Equal(new MerkleNode(40, 48), node);
        Assert.True(node.IsComplete);
        Assert.Equal(3, node.Level);
        Assert.Equal(5ul, node.Index);
        Assert.Equal(8ul, node.Width);
        Assert.Equal("[40, 48) (level 3, index 5)", node.ToString());
        Assert.Equal(MerkleNode.Subtree(0, 7), new MerkleNode(7, 8));
        Assert.Equal(new MerkleNode(0, 1ul << 63), MerkleNode.Subtree(63, 0));

        var edge = new MerkleNode(4, 7);
        Assert.False(edge.IsComplete);
        Assert.False(new MerkleNode(2, 6).IsComplete); // width 4, not aligned
        Assert.Throws<InvalidOperationException>(() => edge.Level);
        Assert.Equal("[4, 7)", edge.ToString());
    }

    [Fact]
    public void Nodes_beyond_the_largest_tree_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MerkleNode(5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleNode.Subtree(64, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleNode.Subtree(-1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleNode.Subtree(63, 1)); // would end at 2^64
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleNode.Subtree(0, ulong.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleNode.Subtree(1, 1ul << 63));
        Assert.Equal(new MerkleNode(ulong.MaxValue - 1, ulong.MaxValue), MerkleNode.Subtree(0, ulong.MaxValue - 1));
    }

    [Fact]
    public void Proof_node_arguments_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleMath.InclusionProofNodes(0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleMath.InclusionProofNodes(5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => MerkleMath.ConsistencyProofNodes(6, 5));
        Assert.Throws<ArgumentException>(() => MerkleMath.InclusionProofNodes(0, 8, new MerkleNode[2]));
        Assert.Empty(MerkleMath.ConsistencyProofNodes(0, 5));
        Assert.Empty(MerkleMath.ConsistencyProofNodes(5, 5));
        Assert.Empty(MerkleMath.InclusionProofNodes(0, 1));
    }

    [Fact]
    public void Proofs_of_the_largest_tree_fit_the_maximum_length()
    {
        // Leaf 0 sits 64 levels down; the last leaf of 2^64 − 1 is the right edge's level-0 part, 63 levels down.
        Assert.Equal(64, MerkleMath.InclusionProofLength(0, ulong.MaxValue));
        Assert.Equal(63, MerkleMath.InclusionProofLength(ulong.MaxValue - 1, ulong.MaxValue));
        var longest = 0;
        foreach (var oldSize in new[] { 1ul, 3ul, (1ul << 63) - 1, (1ul << 63) + 1, ulong.MaxValue - 1, ulong.MaxValue >> 1 })
        {
            longest = Math.Max(longest, MerkleMath.ConsistencyProofLength(oldSize, ulong.MaxValue));
        }
        Assert.InRange(longest, 63, MerkleMath.MaxProofLength);
    }

    [Fact]
    public void Every_small_proof_equals_the_literal_RFC_definition_and_has_at_most_one_right_edge_node()
    {
        const int max = 70;
        var tree = new MemoryMerkleTree();
        var leaves = new Hash256[max];
        for (var i = 0; i < max; i++)
        {
            leaves[i] = MerkleHash.LeafHash(BitConverter.GetBytes(i * 7919));
            tree.AppendLeafHash(leaves[i]);
        }
        for (var size = 1; size <= max; size++)
        {
            for (var index = 0; index < size; index++)
            {
                var nodes = MerkleMath.InclusionProofNodes((ulong)index, (ulong)size);
                Assert.Equal(RfcReference.Path((ulong)index, leaves.AsSpan(0, size)), tree.InclusionProof((ulong)index, (ulong)size));
                Assert.Equal(nodes.Length, MerkleMath.InclusionProofLength((ulong)index, (ulong)size));
                Assert.True(nodes.Count(n => !n.IsComplete) <= 1, $"inclusion ({index}, {size})");
                Assert.All(nodes, n => Assert.True(MerkleMath.IsTreeNode(n.Start, n.End)));
            }
            for (var oldSize = 0; oldSize <= size; oldSize++)
            {
                var nodes = MerkleMath.ConsistencyProofNodes((ulong)oldSize, (ulong)size);
                Assert.Equal(RfcReference.Proof((ulong)oldSize, leaves.AsSpan(0, size)), tree.ConsistencyProof((ulong)oldSize, (ulong)size));
                Assert.True(nodes.Count(n => !n.IsComplete) <= 1, $"consistency ({oldSize}, {size})");
                Assert.All(nodes, n => Assert.True(MerkleMath.IsTreeNode(n.Start, n.End)));
            }
        }
    }
}
