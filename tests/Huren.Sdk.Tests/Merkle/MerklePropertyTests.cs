using System.Numerics;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.Tests.Merkle;

/// <summary>
/// A log of 5,000 random leaves kept the way the node keeps it: every complete subtree the frontier reports goes into
/// a key-value "store", the frontier itself is persisted and reloaded now and then, and proofs are built from the
/// store only. Random (old size, new size, index) triples are seeded, so a failure reproduces.
/// </summary>
public sealed class MerkleLogFixture
{
    public const int MaxSize = 5000;
    public const int Seed = 9162;

    public MerkleLogFixture()
    {
        var random = new Random(Seed);
        var frontier = new MerkleFrontier();
        Span<MerkleSubtree> created = stackalloc MerkleSubtree[MerkleFrontier.MaxCreatedPerAppend];
        Roots[0] = frontier.Root();
        for (var i = 0; i < MaxSize; i++)
        {
            var leaf = new byte[1 + random.Next(200)];
            random.NextBytes(leaf);
            Leaves[i] = MerkleHash.LeafHash(leaf);
            var count = frontier.Append(Leaves[i], created);
            for (var j = 0; j < count; j++)
            {
                Store.Add((created[j].Level, created[j].Index), created[j].Hash);
            }
            Roots[i + 1] = frontier.Root();
            if (i % 613 == 0)
            {
                // A restart: the frontier comes back from its persisted bytes.
                frontier = MerkleFrontier.Read(frontier.ToBytes());
            }
        }

        Triples.AddRange([(1, 1, 0), (1, MaxSize, MaxSize - 1), (4096, MaxSize, 4095), (MaxSize, MaxSize, 0), (4095, 4096, 4095), (4096, 4097, 4096), (2, 3, 2), (1, 2, 1)]);
        while (Triples.Count < 400)
        {
            var a = random.Next(1, MaxSize + 1);
            var b = random.Next(1, MaxSize + 1);
            var (m, n) = a <= b ? (a, b) : (b, a);
            Triples.Add((m, n, random.Next(n)));
        }
    }

    public Hash256[] Leaves { get; } = new Hash256[MaxSize];

    /// <summary>Roots[size] as the frontier computed it at that size: what a checkpoint would carry.</summary>
    public Hash256[] Roots { get; } = new Hash256[MaxSize + 1];

    /// <summary>(level, index) → hash of every complete subtree, as storage persists them.</summary>
    public Dictionary<(int Level, ulong Index), Hash256> Store { get; } = [];

    /// <summary>(old size m, new size n, leaf index below n), 1 ≤ m ≤ n ≤ 5,000.</summary>
    public List<(int M, int N, int Index)> Triples { get; } = [];

    /// <summary>A store lookup that counts its reads.</summary>
    public Func<int, ulong, Hash256> Lookup(Action onRead) => (level, index) =>
    {
        onRead();
        return Store[(level, index)];
    };
}

public class MerklePropertyTests(MerkleLogFixture log) : IClassFixture<MerkleLogFixture>
{
    private readonly MerkleLogFixture _log = log;

    [Fact]
    public void Frontier_root_equals_the_reference_root_at_every_size_to_2048_and_every_sampled_size()
    {
        // The reference costs O(n) hashes per size: every size up to 2^11 (2.1M hashes), then the sizes the triples
        // use and those around powers of two (all sizes up to 5,000 would be 12.5M hashes, over 10 s here).
        var sizes = new SortedSet<int>();
        for (var size = 0; size <= 2048; size++)
        {
            sizes.Add(size);
        }
        foreach (var (m, n, _) in _log.Triples)
        {
            sizes.Add(m);
            sizes.Add(n);
        }
        sizes.UnionWith([4095, 4096, 4097, MerkleLogFixture.MaxSize - 1, MerkleLogFixture.MaxSize]);
        foreach (var size in sizes)
        {
            Assert.Equal(MerkleMath.ComputeRoot(_log.Leaves.AsSpan(0, size)), _log.Roots[size]);
        }
    }

    [Fact]
    public void Roots_from_stored_subtrees_equal_the_frontier_roots()
    {
        for (var size = 0; size <= MerkleLogFixture.MaxSize; size++)
        {
            var reads = 0;
            Assert.Equal(_log.Roots[size], MerkleProofBuilder.Root((ulong)size, _log.Lookup(() => reads++)));
            Assert.Equal(BitOperations.PopCount((ulong)size), reads);
            Assert.Equal(_log.Roots[size], MerkleFrontier.FromSubtrees((ulong)size, _log.Lookup(() => { })).Root());
        }
    }

    [Fact]
    public void Inclusion_proofs_from_stored_subtrees_verify_and_every_tampering_fails()
    {
        var random = new Random(MerkleLogFixture.Seed + 1);
        foreach (var (_, n, index) in _log.Triples)
        {
            var size = (ulong)n;
            var i = (ulong)index;
            var reads = 0;
            var proof = MerkleProofBuilder.InclusionProof(i, size, _log.Lookup(() => reads++));
            var leaf = _log.Leaves[index];
            var root = _log.Roots[n];
            var what = $"inclusion of {index} in {n}";

            Assert.Equal(MerkleMath.InclusionProofLength(i, size), proof.Length);
            Assert.True(reads <= proof.Length + BitOperations.PopCount(size), $"{what}: {reads} reads");
            Assert.True(MerkleProofVerifier.TryVerifyInclusion(i, size, leaf, proof, root, out var error), $"{what}: {error}");
            Assert.True(MerkleProofVerifier.VerifyInclusion(i, size, leaf.ToArray(), Wire(proof), root.ToArray()), what);

            foreach (var (tampered, how) in Tampered(proof, random))
            {
                Assert.False(MerkleProofVerifier.VerifyInclusion(i, size, leaf, tampered, root), $"{what}: {how} verified");
            }
            Assert.False(MerkleProofVerifier.VerifyInclusion(i, size, FlipBit(leaf, random), proof, root), $"{what}: flipped leaf verified");
            Assert.False(MerkleProofVerifier.VerifyInclusion(i, size, leaf, proof, FlipBit(root, random)), $"{what}: flipped root verified");
            if (n > 1)
            {
                var other = OtherThan(index, 0, n, random);
                Assert.False(MerkleProofVerifier.VerifyInclusion((ulong)other, size, leaf, proof, root), $"{what}: claimed at index {other} verified");
                Assert.False(MerkleProofVerifier.VerifyInclusion(i, size, _log.Leaves[other], proof, root), $"{what}: leaf {other} verified");
            }
            // A proof presented with another checkpoint (size and its root) fails.
            var otherSize = OtherThan(n, index + 1, MerkleLogFixture.MaxSize + 1, random);
            Assert.False(MerkleProofVerifier.VerifyInclusion(i, (ulong)otherSize, leaf, proof, _log.Roots[otherSize]), $"{what}: verified in size {otherSize}");
        }
    }

    [Fact]
    public void Consistency_proofs_from_stored_subtrees_verify_and_every_tampering_fails()
    {
        var random = new Random(MerkleLogFixture.Seed + 2);
        foreach (var (m, n, _) in _log.Triples)
        {
            var reads = 0;
            var proof = MerkleProofBuilder.ConsistencyProof((ulong)m, (ulong)n, _log.Lookup(() => reads++));
            var oldRoot = _log.Roots[m];
            var newRoot = _log.Roots[n];
            var what = $"consistency {m} → {n}";

            Assert.Equal(MerkleMath.ConsistencyProofLength((ulong)m, (ulong)n), proof.Length);
            Assert.True(reads <= proof.Length + BitOperations.PopCount((ulong)n), $"{what}: {reads} reads");
            Assert.True(MerkleProofVerifier.TryVerifyConsistency((ulong)m, (ulong)n, oldRoot, newRoot, proof, out var error), $"{what}: {error}");
            Assert.True(MerkleProofVerifier.VerifyConsistency((ulong)m, (ulong)n, oldRoot.ToArray(), newRoot.ToArray(), Wire(proof)), what);

            foreach (var (tampered, how) in Tampered(proof, random))
            {
                Assert.False(MerkleProofVerifier.VerifyConsistency((ulong)m, (ulong)n, oldRoot, newRoot, tampered), $"{what}: {how} verified");
            }
            Assert.False(MerkleProofVerifier.VerifyConsistency((ulong)m, (ulong)n, FlipBit(oldRoot, random), newRoot, proof), $"{what}: flipped old root verified");
            Assert.False(MerkleProofVerifier.VerifyConsistency((ulong)m, (ulong)n, oldRoot, FlipBit(newRoot, random), proof), $"{what}: flipped new root verified");
            if (m != n)
            {
                Assert.False(MerkleProofVerifier.VerifyConsistency((ulong)m, (ulong)n, newRoot, oldRoot, proof), $"{what}: swapped roots verified");
                var otherOld = OtherThan(m, 1, n + 1, random);
                Assert.False(MerkleProofVerifier.VerifyConsistency((ulong)otherOld, (ulong)n, _log.Roots[otherOld], newRoot, proof), $"{what}: verified from {otherOld}");
            }
            var otherNew = OtherThan(n, m, MerkleLogFixture.MaxSize + 1, random);
            Assert.False(MerkleProofVerifier.VerifyConsistency((ulong)m, (ulong)otherNew, oldRoot, _log.Roots[otherNew], proof), $"{what}: verified to {otherNew}");
        }
    }

    [Fact]
    public void Proofs_from_stored_subtrees_equal_the_literal_RFC_definition()
    {
        // O(n) per proof, so a sample of the triples.
        for (var t = 0; t < _log.Triples.Count; t += 4)
        {
            var (m, n, index) = _log.Triples[t];
            var lookup = _log.Lookup(() => { });
            var leaves = _log.Leaves.AsSpan(0, n);
            Assert.Equal(RfcReference.Path((ulong)index, leaves), MerkleProofBuilder.InclusionProof((ulong)index, (ulong)n, lookup));
            Assert.Equal(RfcReference.Proof((ulong)m, leaves), MerkleProofBuilder.ConsistencyProof((ulong)m, (ulong)n, lookup));
        }
    }

    /// <summary>One flipped bit, a dropped first or last hash, an extra hash before, after or inside.</summary>
    private static IEnumerable<(Hash256[] Proof, string How)> Tampered(Hash256[] proof, Random random)
    {
        var extra = RandomHash(random);
        if (proof.Length > 0)
        {
            var flipped = proof.ToArray();
            var at = random.Next(proof.Length);
            flipped[at] = FlipBit(flipped[at], random);
            yield return (flipped, $"bit flipped in hash {at}");
            yield return (proof[1..], "first hash dropped");
            yield return (proof[..^1], "last hash dropped");
            var middle = random.Next(proof.Length + 1);
            yield return ([.. proof[..middle], proof[Math.Min(middle, proof.Length - 1)], .. proof[middle..]], $"hash duplicated at {middle}");
        }
        yield return ([.. proof, extra], "extra hash appended");
        yield return ([extra, .. proof], "extra hash prepended");
    }

    private static Hash256 FlipBit(Hash256 hash, Random random)
    {
        var bytes = hash.ToArray();
        bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
        return new Hash256(bytes);
    }

    private static Hash256 RandomHash(Random random)
    {
        var bytes = new byte[Hash256.Length];
        random.NextBytes(bytes);
        return new Hash256(bytes);
    }

    /// <summary>
    /// A random value in [min, maxExclusive) other than <paramref name="value"/>; if the range holds nothing else,
    /// value − 1 (just below the range, which must fail as well).
    /// </summary>
    private static int OtherThan(int value, int min, int maxExclusive, Random random)
    {
        if (maxExclusive - min <= 1)
        {
            return value - 1;
        }
        int other;
        do
        {
            other = random.Next(min, maxExclusive);
        }
        while (other == value);
        return other;
    }

    private static List<byte[]> Wire(Hash256[] proof)
    {
        var wire = new List<byte[]>(proof.Length);
        foreach (var hash in proof)
        {
            wire.Add(hash.ToArray());
        }
        return wire;
    }
}
