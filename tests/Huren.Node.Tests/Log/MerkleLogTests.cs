using System.Text.Json;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Sdk.Tests;

namespace Huren.Node.Tests.Log;

/// <summary>The node's tree building against the RFC 6962/9162 known answers of transparency-dev/merkle.</summary>
public class MerkleLogTests
{
    // testonly/constants.go leaves, in order.
    private static readonly byte[][] Leaves =
    [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        Convert.FromHexString("606162636465666768696a6b6c6d6e6f"),
    ];

    private static MerkleLog Build(IKeyValueStore store, int count)
    {
        var log = new MerkleLog(new LogStore(store, "test/log"));
        var commit = new LogCommit();
        for (var i = 0; i < count; i++)
        {
            commit.Clear();
            var staging = log.BeginStaging(commit);
            staging.Append(Leaves[i], MerkleLog.HashLeaf(Leaves[i]), "");
            log.Commit(staging);
        }
        return log;
    }

    private static IEnumerable<JsonElement> HappyPaths(string kind)
    {
        foreach (var file in Directory.EnumerateFiles(SharedTestData.PathOf($"merkle/{kind}"), "happy-path.json", SearchOption.AllDirectories))
        {
            yield return JsonDocument.Parse(File.ReadAllText(file)).RootElement.Clone();
        }
    }

    private static string[] Proof(JsonElement v) => v.GetProperty("proof").ValueKind == JsonValueKind.Null
        ? []
        : [.. v.GetProperty("proof").EnumerateArray().Select(e => e.GetString()!)];

    [Fact]
    public void Root_of_the_eight_reference_leaves_is_the_published_one()
    {
        var log = Build(new MemoryStore(), 8);
        Assert.Equal("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328", Convert.ToHexStringLower(log.Root));
        Assert.Equal(log.Root, log.RootAt(8));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(log.RootAt(0)));
    }

    [Fact]
    public void Inclusion_proofs_equal_the_reference_vectors()
    {
        var log = Build(new MemoryStore(), 8);
        var checkedCount = 0;
        foreach (var v in HappyPaths("inclusion"))
        {
            var size = v.GetProperty("treeSize").GetUInt64();
            var index = v.GetProperty("leafIdx").GetUInt64();
            if (size == 0 || size > 8 || index >= size) continue;
            Assert.Equal(v.GetProperty("root").GetString(), Convert.ToBase64String(log.RootAt(size)));
            Assert.Equal(v.GetProperty("leafHash").GetString(), Convert.ToBase64String(log.LeafHashAt(index)));
            Assert.Equal(Proof(v), log.InclusionProof(index, size).Select(Convert.ToBase64String).ToArray());
            checkedCount++;
        }
        Assert.True(checkedCount >= 3, $"only {checkedCount} inclusion vectors applied");
    }

    [Fact]
    public void Consistency_proofs_equal_the_reference_vectors()
    {
        var log = Build(new MemoryStore(), 8);
        var checkedCount = 0;
        foreach (var v in HappyPaths("consistency"))
        {
            var m = v.GetProperty("size1").GetUInt64();
            var n = v.GetProperty("size2").GetUInt64();
            if (n > 8 || m > n) continue;
            if (m > 0) Assert.Equal(v.GetProperty("root1").GetString(), Convert.ToBase64String(log.RootAt(m)));
            Assert.Equal(v.GetProperty("root2").GetString(), Convert.ToBase64String(log.RootAt(n)));
            Assert.Equal(Proof(v), log.ConsistencyProof(m, n).Select(Convert.ToBase64String).ToArray());
            checkedCount++;
        }
        Assert.True(checkedCount >= 3, $"only {checkedCount} consistency vectors applied");
    }

    [Fact]
    public void RocksDB_log_reopens_with_the_same_head_and_proofs()
    {
        using var dir = new TempDir();
        byte[] root;
        List<byte[]> proof;
        using (var db = RocksStore.Open(dir.Path))
        {
            var log = Build(db, 7);
            root = log.Root;
            proof = log.InclusionProof(3, 7);
        }
        using (var db = RocksStore.Open(dir.Path))
        {
            var log = new MerkleLog(new LogStore(db, "test/log"));
            Assert.Equal(7UL, log.Size);
            Assert.Equal(root, log.Root);
            Assert.Equal(proof, log.InclusionProof(3, 7));
            Assert.Equal(Leaves[5], log.GetLeaf(5));
            Assert.Null(log.GetLeaf(7));
            Assert.Equal(0UL, new MerkleLog(new LogStore(db, "other/log")).Size);
        }
    }

    [Fact]
    public void Proof_arguments_out_of_range_are_refused()
    {
        var log = Build(new MemoryStore(), 5);
        Assert.Throws<ArgumentOutOfRangeException>(() => log.InclusionProof(5, 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.InclusionProof(0, 6));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.ConsistencyProof(4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => log.RootAt(6));
    }
}
