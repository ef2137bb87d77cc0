using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>What a node puts in a bundle for one entry of a test tree: its leaf and its inclusion proof to a size.</summary>
internal static class ProvenBundleEntry
{
    public static BundleEntry Of(string origin, ulong index, byte[] leaf, MemoryMerkleTree tree, ulong size) => new()
    {
        Origin = origin, Index = index, Leaf = Convert.ToBase64String(leaf), TreeSize = size,
        InclusionProof = [.. MerkleProofBuilder.InclusionProof(index, size, tree.SubtreeLookup).Select(h => Convert.ToBase64String(h.AsSpan()))],
    };
}
