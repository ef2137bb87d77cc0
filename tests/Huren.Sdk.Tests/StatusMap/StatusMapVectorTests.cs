using System.Text.Json;
using Huren.Sdk.Merkle;
using Huren.Sdk.StatusMap;

namespace Huren.Sdk.Tests.StatusMap;

/// <summary>
/// Known answers from the independent Python reference (StatusMap/reference/status_map_reference.py, written from
/// docs/status-map.md alone): empty-subtree hashes, leaf and node hashes, record keys, extension lines, roots after
/// each batch and the exact proof bytes, for every page height; and its refused proofs are refused here too.
/// </summary>
public sealed class StatusMapVectorTests
{
    private static readonly JsonElement Vectors = JsonDocument.Parse(File.ReadAllText(SharedTestData.Local("TestVectors/status-map-v1.json"))).RootElement;

    public static TheoryData<int> PageHeights => [1, 2, 4, 8];

    private static Hash256 Hex(JsonElement e) => Hash256.ParseHex(e.GetString()!);

    private static Hash256? HexOrNull(JsonElement e) => e.ValueKind == JsonValueKind.Null ? null : Hex(e);

    [Fact]
    public void Empty_subtree_hashes_match_the_reference_at_every_depth()
    {
        var empties = Vectors.GetProperty("emptyHashes");
        for (var d = 0; d <= 256; d++) Assert.Equal(Hex(empties.GetProperty(d.ToString(System.Globalization.CultureInfo.InvariantCulture))), StatusMapHash.Empty(d));
        Assert.Equal(StatusMapHash.Empty(0), StatusMapHash.EmptyRoot);
    }

    [Fact]
    public void Leaf_and_node_hashes_match_the_reference()
    {
        foreach (var v in Vectors.GetProperty("leafHashes").EnumerateArray())
        {
            Assert.Equal(Hex(v.GetProperty("hash")), StatusMapHash.LeafHash(Hex(v.GetProperty("key")), Hex(v.GetProperty("value"))));
        }
        foreach (var v in Vectors.GetProperty("nodeHashes").EnumerateArray())
        {
            Assert.Equal(Hex(v.GetProperty("hash")), StatusMapHash.NodeHash(Hex(v.GetProperty("left")), Hex(v.GetProperty("right"))));
        }
    }

    [Fact]
    public void Record_keys_are_the_SHA256_of_the_UTF8_record_id()
    {
        foreach (var v in Vectors.GetProperty("recordKeys").EnumerateArray())
        {
            Assert.Equal(Hex(v.GetProperty("key")), StatusMapKey.ForRecord(v.GetProperty("recordId").GetString()!));
        }
    }

    [Fact]
    public void Extension_lines_match_the_reference_both_ways()
    {
        foreach (var v in Vectors.GetProperty("extensionLines").EnumerateArray())
        {
            var line = v.GetProperty("line").GetString()!;
            Assert.Equal(line, StatusMapLine.Format(Hex(v.GetProperty("root"))));
            Assert.True(StatusMapLine.TryParse(line, out var root, out _));
            Assert.Equal(Hex(v.GetProperty("root")), root);
        }
    }

    [Theory]
    [MemberData(nameof(PageHeights))]
    public void Roots_after_each_batch_and_proof_bytes_match_the_reference(int pageHeight)
    {
        foreach (var map in Vectors.GetProperty("maps").EnumerateArray())
        {
            var name = map.GetProperty("name").GetString();
            var store = new MemoryStatusMapStore();
            var tree = new StatusMapTree(store, pageHeight);
            var roots = map.GetProperty("roots").EnumerateArray().Select(Hex).ToArray();
            ulong version = 0;
            var batchNumber = 0;
            foreach (var batch in map.GetProperty("batches").EnumerateArray())
            {
                var updates = batch.EnumerateArray().Select(u => new StatusMapUpdate(Hex(u.GetProperty("key")), Hex(u.GetProperty("value")))).ToArray();
                var writes = tree.Prepare(version, version + 10, updates);
                store.Apply(writes);
                version += 10;
                Assert.True(tree.TryGetRoot(version, out var root));
                Assert.True(roots[batchNumber] == root, $"{name}: root after batch {batchNumber} (page height {pageHeight})");
                batchNumber++;
            }
            foreach (var p in map.GetProperty("proofs").EnumerateArray())
            {
                var key = Hex(p.GetProperty("key"));
                var expected = Convert.FromHexString(p.GetProperty("proof").GetString()!);
                var expectedValue = HexOrNull(p.GetProperty("value"));
                Assert.True(tree.TryProve(version, key, out var value, out var proof, out var error), error);
                Assert.Equal(expectedValue, value);
                Assert.True(expected.AsSpan().SequenceEqual(proof.ToBytes()), $"{name}: proof for {key.ToHex()} (page height {pageHeight})");
                Assert.Equal(p.GetProperty("depth").GetInt32(), proof.Depth);
                Assert.True(StatusMapProofVerifier.TryVerify(roots[^1], key, expectedValue, expected, out error), error);
                Assert.True(tree.TryGetValue(version, key, out var read, out _));
                Assert.Equal(expectedValue, read);
            }
        }
    }

    [Fact]
    public void Every_proof_the_reference_refuses_is_refused_with_a_reason()
    {
        var count = 0;
        foreach (var v in Vectors.GetProperty("invalidProofs").EnumerateArray())
        {
            var why = v.GetProperty("why").GetString();
            var ok = StatusMapProofVerifier.TryVerify(
                Convert.FromHexString(v.GetProperty("root").GetString()!), Convert.FromHexString(v.GetProperty("key").GetString()!),
                v.GetProperty("value").ValueKind == JsonValueKind.Null ? null : Convert.FromHexString(v.GetProperty("value").GetString()!),
                Convert.FromHexString(v.GetProperty("proof").GetString()!), out var error);
            Assert.False(ok, why);
            Assert.False(string.IsNullOrWhiteSpace(error), why);
            count++;
        }
        Assert.True(count >= 50, $"only {count} refused vectors");
    }
}
