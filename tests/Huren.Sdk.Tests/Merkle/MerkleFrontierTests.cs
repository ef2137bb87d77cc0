using System.Buffers.Binary;
using System.Numerics;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.Tests.Merkle;

public class MerkleFrontierTests
{
    [Fact]
    public void Appends_report_every_complete_subtree_exactly_once_with_its_hash()
    {
        const int count = 300;
        var leaves = new Hash256[count];
        var frontier = new MerkleFrontier();
        var reported = new Dictionary<(int Level, ulong Index), Hash256>();
        Span<MerkleSubtree> created = stackalloc MerkleSubtree[MerkleFrontier.MaxCreatedPerAppend];
        for (var i = 0; i < count; i++)
        {
            leaves[i] = MerkleHash.LeafHash(BitConverter.GetBytes(i));
            var n = frontier.Append(leaves[i], created);
            Assert.Equal(1 + BitOperations.TrailingZeroCount(~(ulong)i), n);
            Assert.Equal(new MerkleSubtree(0, (ulong)i, leaves[i]), created[0]);
            for (var j = 0; j < n; j++)
            {
                Assert.True(reported.TryAdd((created[j].Level, created[j].Index), created[j].Hash), $"{created[j]} reported twice");
                Assert.Equal(j, created[j].Level);
                // A subtree is reported by the append of its last leaf.
                Assert.Equal((ulong)i + 1, created[j].Node.End);
            }
        }
        var expected = 0;
        for (var level = 0; (1 << level) <= count; level++)
        {
            for (var index = 0; (index + 1) << level <= count; index++, expected++)
            {
                var hash = reported[(level, (ulong)index)];
                Assert.Equal(MerkleMath.ComputeRoot(leaves.AsSpan(index << level, 1 << level)), hash);
            }
        }
        Assert.Equal(expected, reported.Count);
    }

    [Fact]
    public void Root_equals_the_reference_root_at_every_size_and_survives_persistence()
    {
        const int count = 1100;
        var leaves = new Hash256[count];
        var random = new Random(7);
        var frontier = new MerkleFrontier();
        Span<MerkleSubtree> subtrees = stackalloc MerkleSubtree[64];
        for (var size = 0; size <= count; size++)
        {
            Assert.Equal((ulong)size, frontier.Size);
            var root = frontier.Root();
            Assert.Equal(MerkleMath.ComputeRoot(leaves.AsSpan(0, size)), root);

            var bytes = frontier.ToBytes();
            Assert.Equal(8 + (32 * BitOperations.PopCount((ulong)size)), bytes.Length);
            Assert.Equal(bytes.Length, frontier.SerializedLength);
            var restored = MerkleFrontier.Read(bytes);
            Assert.Equal((ulong)size, restored.Size);
            Assert.Equal(root, restored.Root());

            var n = frontier.GetSubtrees(subtrees);
            Assert.Equal(BitOperations.PopCount((ulong)size), n);
            var byLevel = subtrees[..n].ToArray().ToDictionary(s => s.Level);
            var rebuilt = MerkleFrontier.FromSubtrees((ulong)size, (level, index) =>
            {
                Assert.Equal(byLevel[level].Index, index);
                return byLevel[level].Hash;
            });
            Assert.Equal(root, rebuilt.Root());

            if (size == count)
            {
                break;
            }
            var leaf = new byte[1 + random.Next(40)];
            random.NextBytes(leaf);
            leaves[size] = MerkleHash.LeafHash(leaf);
            // Keep appending to the restored copy now and then, as a log reopened after a restart would.
            frontier = size % 97 == 0 ? restored : frontier;
            frontier.Append(leaves[size]);
        }
    }

    [Fact]
    public void Persisted_form_is_size_then_hashes_left_to_right()
    {
        var frontier = new MerkleFrontier();
        var leaves = new Hash256[5];
        for (var i = 0; i < 5; i++)
        {
            leaves[i] = MerkleHash.LeafHash([(byte)i]);
            frontier.Append(leaves[i]);
        }
        var bytes = frontier.ToBytes();
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0, 0, 5 }, bytes[..8]);
        Assert.Equal(MerkleMath.ComputeRoot(leaves.AsSpan(0, 4)).ToArray(), bytes[8..40]);
        Assert.Equal(leaves[4].ToArray(), bytes[40..72]);
        Assert.Equal(72, bytes.Length);

        Assert.False(frontier.TryWrite(new byte[71], out var written));
        Assert.Equal(0, written);
        Assert.True(frontier.TryWrite(new byte[80], out written));
        Assert.Equal(72, written);
    }

    [Fact]
    public void Malformed_persisted_forms_are_rejected()
    {
        var frontier = new MerkleFrontier();
        frontier.Append(MerkleHash.LeafHash([1]));
        frontier.Append(MerkleHash.LeafHash([2]));
        frontier.Append(MerkleHash.LeafHash([3]));
        var bytes = frontier.ToBytes();
        Assert.True(MerkleFrontier.TryRead(bytes, out _));
        Assert.False(MerkleFrontier.TryRead(bytes[..^1], out _));
        Assert.False(MerkleFrontier.TryRead([.. bytes, 0], out _));
        Assert.False(MerkleFrontier.TryRead(bytes[..7], out _));
        Assert.False(MerkleFrontier.TryRead([], out _));
        var wrongSize = bytes.ToArray();
        wrongSize[7] = 4; // size 4 has one subtree, the bytes carry two
        Assert.False(MerkleFrontier.TryRead(wrongSize, out _));
        Assert.Throws<FormatException>(() => MerkleFrontier.Read(wrongSize));

        var empty = MerkleFrontier.Read(new byte[8]);
        Assert.Equal(0ul, empty.Size);
        Assert.Equal(MerkleHash.EmptyRoot, empty.Root());
    }

    [Fact]
    public void Clone_is_independent_and_append_checks_its_destination()
    {
        var frontier = new MerkleFrontier();
        frontier.Append(MerkleHash.LeafHash([1]));
        var clone = frontier.Clone();
        var root = clone.Root();
        frontier.Append(MerkleHash.LeafHash([2]));
        Assert.Equal(1ul, clone.Size);
        Assert.Equal(root, clone.Root());
        // Appending leaf 2 completes level 1: two subtrees, so a destination of one is refused before any change.
        Assert.Throws<ArgumentException>(() => clone.Append(MerkleHash.LeafHash([2]), new MerkleSubtree[1]));
        Assert.Equal(1ul, clone.Size);
    }

    [Fact]
    public void Appends_at_the_far_end_of_the_size_range_are_handled()
    {
        Span<MerkleSubtree> created = stackalloc MerkleSubtree[MerkleFrontier.MaxCreatedPerAppend];

        // 2^63 − 1 leaves: the next append completes 63 levels and creates the most subtrees one append can.
        var deep = MerkleFrontier.Read(Persisted((1ul << 63) - 1));
        Assert.Equal(MerkleFrontier.MaxCreatedPerAppend, deep.Append(MerkleHash.EmptyRoot, created));
        Assert.Equal(new MerkleNode(0, 1ul << 63), created[63].Node);
        Assert.Equal(1ul << 63, deep.Size);

        // 2^64 − 2 leaves: one more fits, then the tree is full.
        var almost = MerkleFrontier.Read(Persisted(ulong.MaxValue - 1));
        Assert.Equal(1, almost.Append(MerkleHash.EmptyRoot, created));
        Assert.Equal(ulong.MaxValue, almost.Size);
        Assert.Throws<InvalidOperationException>(() => almost.Append(MerkleHash.EmptyRoot));
        Assert.Throws<InvalidOperationException>(() => almost.Append(MerkleHash.EmptyRoot, new MerkleSubtree[64]));
    }

    /// <summary>A persisted frontier of <paramref name="size"/> leaves whose subtree hashes are all SHA-256("").</summary>
    private static byte[] Persisted(ulong size)
    {
        var bytes = new byte[8 + (32 * BitOperations.PopCount(size))];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, size);
        for (var offset = 8; offset < bytes.Length; offset += 32)
        {
            MerkleHash.EmptyRoot.CopyTo(bytes.AsSpan(offset));
        }
        return bytes;
    }
}
