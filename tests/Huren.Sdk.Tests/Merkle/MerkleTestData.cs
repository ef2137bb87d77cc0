using Huren.Sdk.Merkle;

namespace Huren.Sdk.Tests.Merkle;

/// <summary>Known answers of RFC 6962/9162 trees, from public test data (no code copied).</summary>
internal static class MerkleTestData
{
    /// <summary>The leaves of transparency-dev/merkle testonly/constants.go (also in the Certificate Transparency C++ tests).</summary>
    public static readonly byte[][] Leaves =
    [
        [], [0x00], [0x10], [0x20, 0x21], [0x30, 0x31], [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        Convert.FromHexString("606162636465666768696a6b6c6d6e6f"),
    ];

    /// <summary>
    /// Roots of the first 1..8 of <see cref="Leaves"/>: the RFC 6962 constants of google/certificate-transparency
    /// cpp/merkletree/merkle_tree_test.cc, as republished in google/trillian testonly (GetTestRoots). The last is the
    /// root given in /work/shared/spec/checkpoints.md.
    /// </summary>
    public static readonly string[] RootsHex =
    [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    public const string EmptyRootHex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static MemoryMerkleTree ReferenceTree()
    {
        var tree = new MemoryMerkleTree();
        foreach (var leaf in Leaves)
        {
            tree.Append(leaf);
        }
        return tree;
    }

    /// <summary>The shared transparency-dev vectors folder (../shared/testdata/merkle beside the clone).</summary>
    public static string VectorRoot => SharedTestData.PathOf("merkle");
}
