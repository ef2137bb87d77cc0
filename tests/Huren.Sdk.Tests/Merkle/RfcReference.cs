using Huren.Sdk.Merkle;

namespace Huren.Sdk.Tests.Merkle;

/// <summary>
/// RFC 9162 §2.1.3.1 PATH and §2.1.4.1 PROOF/SUBPROOF written literally over a list of leaf hashes: slow (O(n) per
/// proof) and independent of MerkleMath's node arithmetic, to check MerkleProofBuilder against.
/// </summary>
internal static class RfcReference
{
    public static List<Hash256> Path(ulong m, ReadOnlySpan<Hash256> d)
    {
        var proof = new List<Hash256>();
        PathInto(m, d, proof);
        return proof;
    }

    public static List<Hash256> Proof(ulong m, ReadOnlySpan<Hash256> d)
    {
        var proof = new List<Hash256>();
        if (m > 0 && m < (ulong)d.Length)
        {
            SubProof(m, d, true, proof);
        }
        return proof;
    }

    private static void PathInto(ulong m, ReadOnlySpan<Hash256> d, List<Hash256> proof)
    {
        var n = (ulong)d.Length;
        if (n == 1)
        {
            return;
        }
        var k = K(n);
        if (m < k)
        {
            PathInto(m, d[..(int)k], proof);
            proof.Add(MerkleMath.ComputeRoot(d[(int)k..]));
        }
        else
        {
            PathInto(m - k, d[(int)k..], proof);
            proof.Add(MerkleMath.ComputeRoot(d[..(int)k]));
        }
    }

    private static void SubProof(ulong m, ReadOnlySpan<Hash256> d, bool b, List<Hash256> proof)
    {
        var n = (ulong)d.Length;
        if (m == n)
        {
            if (!b)
            {
                proof.Add(MerkleMath.ComputeRoot(d));
            }
            return;
        }
        var k = K(n);
        if (m <= k)
        {
            SubProof(m, d[..(int)k], b, proof);
            proof.Add(MerkleMath.ComputeRoot(d[(int)k..]));
        }
        else
        {
            SubProof(m - k, d[(int)k..], false, proof);
            proof.Add(MerkleMath.ComputeRoot(d[..(int)k]));
        }
    }

    // The largest power of two smaller than n, by doubling (not MerkleMath's bit arithmetic).
    private static ulong K(ulong n)
    {
        ulong k = 1;
        while (k * 2 < n)
        {
            k *= 2;
        }
        return k;
    }
}
