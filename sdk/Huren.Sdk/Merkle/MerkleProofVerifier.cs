using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Huren.Sdk.Merkle;

/// <summary>
/// Checks RFC 9162 inclusion proofs (§2.1.3.2) and consistency proofs (§2.1.4.2) with the RFC's algorithms, step by
/// step, with no heap allocation unless the proof fails (then the reason is formatted). The <c>Try…</c> forms say why.
/// <para>
/// Edge cases, decided explicitly: an index not below the size fails (nothing is included in the empty tree); an old
/// size above the new size fails; equal sizes need an empty proof and equal roots, and at size 0 that root must be
/// SHA-256(""); old size 0 below a positive new size needs an empty proof and the old root SHA-256("") (every tree
/// extends the empty tree, but an empty-tree checkpoint with another root is malformed); extra or missing proof
/// elements fail. The byte forms fail any hash that is not exactly 32 bytes, even where the roots would only be
/// compared — stricter than transparency-dev/merkle in one case its vectors accept: equal sizes with two equal
/// 12-byte "roots". Otherwise the transparency-dev vectors, negative cases included, all agree.
/// </para>
/// </summary>
public static class MerkleProofVerifier
{
    /// <summary>True if <paramref name="proof"/> proves leaf hash <paramref name="leafHash"/> at <paramref name="index"/> in the tree of <paramref name="size"/> leaves with root <paramref name="root"/>.</summary>
    public static bool VerifyInclusion(ulong index, ulong size, in Hash256 leafHash, ReadOnlySpan<Hash256> proof, in Hash256 root) =>
        Inclusion(index, size, leafHash, proof, root, out _);

    /// <summary>As <see cref="VerifyInclusion(ulong, ulong, in Hash256, ReadOnlySpan{Hash256}, in Hash256)"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryVerifyInclusion(ulong index, ulong size, in Hash256 leafHash, ReadOnlySpan<Hash256> proof, in Hash256 root, [NotNullWhen(false)] out string? error) =>
        Inclusion(index, size, leafHash, proof, root, out error);

    /// <summary>The inclusion check for hashes as received on the wire; any hash that is not 32 bytes fails.</summary>
    public static bool VerifyInclusion(ulong index, ulong size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root) =>
        TryVerifyInclusion(index, size, leafHash, proof, root, out _);

    /// <summary>The inclusion check for hashes as received on the wire; on failure <paramref name="error"/> says why.</summary>
    public static bool TryVerifyInclusion(ulong index, ulong size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (!TryHash(leafHash, "leaf hash", out var leaf, out error) || !TryHash(root, "root", out var rootHash, out error))
        {
            return false;
        }
        Span<Hash256> path = stackalloc Hash256[MerkleMath.MaxProofLength];
        if (!TryProof(proof, path, out var count, out error))
        {
            return false;
        }
        return Inclusion(index, size, leaf, path[..count], rootHash, out error);
    }

    /// <summary>
    /// True if <paramref name="proof"/> proves that the tree of <paramref name="oldSize"/> leaves with root
    /// <paramref name="oldRoot"/> is a prefix of the tree of <paramref name="newSize"/> leaves with root <paramref name="newRoot"/>.
    /// </summary>
    public static bool VerifyConsistency(ulong oldSize, ulong newSize, in Hash256 oldRoot, in Hash256 newRoot, ReadOnlySpan<Hash256> proof) =>
        Consistency(oldSize, newSize, oldRoot, newRoot, proof, out _);

    /// <summary>As <see cref="VerifyConsistency(ulong, ulong, in Hash256, in Hash256, ReadOnlySpan{Hash256})"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryVerifyConsistency(ulong oldSize, ulong newSize, in Hash256 oldRoot, in Hash256 newRoot, ReadOnlySpan<Hash256> proof, [NotNullWhen(false)] out string? error) =>
        Consistency(oldSize, newSize, oldRoot, newRoot, proof, out error);

    /// <summary>The consistency check for hashes as received on the wire; any hash that is not 32 bytes fails.</summary>
    public static bool VerifyConsistency(ulong oldSize, ulong newSize, ReadOnlySpan<byte> oldRoot, ReadOnlySpan<byte> newRoot, IReadOnlyList<byte[]> proof) =>
        TryVerifyConsistency(oldSize, newSize, oldRoot, newRoot, proof, out _);

    /// <summary>The consistency check for hashes as received on the wire; on failure <paramref name="error"/> says why.</summary>
    public static bool TryVerifyConsistency(ulong oldSize, ulong newSize, ReadOnlySpan<byte> oldRoot, ReadOnlySpan<byte> newRoot, IReadOnlyList<byte[]> proof, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (!TryHash(oldRoot, "old root", out var first, out error) || !TryHash(newRoot, "new root", out var second, out error))
        {
            return false;
        }
        Span<Hash256> path = stackalloc Hash256[MerkleMath.MaxProofLength];
        if (!TryProof(proof, path, out var count, out error))
        {
            return false;
        }
        return Consistency(oldSize, newSize, first, second, path[..count], out error);
    }

    /// <summary>RFC 9162 §2.1.3.2.</summary>
    private static bool Inclusion(ulong index, ulong size, in Hash256 leafHash, ReadOnlySpan<Hash256> proof, in Hash256 root, [NotNullWhen(false)] out string? error)
    {
        // 1. leaf_index must be below tree_size.
        if (index >= size)
        {
            return Fail(out error, size == 0
                ? $"leaf index {index} is not in the empty tree"
                : $"leaf index {index} is not below tree size {size}");
        }
        // 2.–3. fn = leaf_index, sn = tree_size − 1, r = hash.
        var fn = index;
        var sn = size - 1;
        Span<byte> r = stackalloc byte[Hash256.Length];
        leafHash.CopyTo(r);
        // 4. For each p in inclusion_path:
        for (var i = 0; i < proof.Length; i++)
        {
            // a. sn = 0 means the path is already at the root: the proof is too long.
            if (sn == 0)
            {
                return Fail(out error, LengthError("inclusion", proof.Length, MerkleMath.InclusionProofLength(index, size), $"leaf {index} in a tree of {size}"));
            }
            // b. LSB(fn) set, or fn = sn: p is a left sibling.
            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.NodeHash(proof[i].AsSpan(), r, r);
                // ii. Skip the levels where the node has no right sibling (the right edge of the tree).
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                MerkleHash.NodeHash(r, proof[i].AsSpan(), r);
            }
            // c.
            fn >>= 1;
            sn >>= 1;
        }
        // 5. sn must be 0 and r the root.
        if (sn != 0)
        {
            return Fail(out error, LengthError("inclusion", proof.Length, MerkleMath.InclusionProofLength(index, size), $"leaf {index} in a tree of {size}"));
        }
        if (!root.Equals(r))
        {
            return Fail(out error, $"the proof leads to root {Convert.ToBase64String(r)}, not {root} (wrong leaf, index, size, proof or root)");
        }
        error = null;
        return true;
    }

    /// <summary>Edge cases, then RFC 9162 §2.1.4.2 for 0 &lt; old size &lt; new size.</summary>
    private static bool Consistency(ulong first, ulong second, in Hash256 firstHash, in Hash256 secondHash, ReadOnlySpan<Hash256> proof, [NotNullWhen(false)] out string? error)
    {
        if (first > second)
        {
            return Fail(out error, $"old size {first} is above new size {second}: a log never shrinks");
        }
        if (first == second)
        {
            if (!proof.IsEmpty)
            {
                return Fail(out error, $"old and new size are both {first}, so the proof must be empty; it has {proof.Length} hashes");
            }
            if (firstHash != secondHash)
            {
                return Fail(out error, $"same size {first} but different roots {firstHash} and {secondHash}");
            }
            if (first == 0 && firstHash != MerkleHash.EmptyRoot)
            {
                return Fail(out error, $"the root of the empty tree is {MerkleHash.EmptyRoot}, not {firstHash}");
            }
            error = null;
            return true;
        }
        if (first == 0)
        {
            if (!proof.IsEmpty)
            {
                return Fail(out error, $"every tree extends the empty tree, so the proof from size 0 must be empty; it has {proof.Length} hashes");
            }
            if (firstHash != MerkleHash.EmptyRoot)
            {
                return Fail(out error, $"the root of the empty tree is {MerkleHash.EmptyRoot}, not {firstHash}");
            }
            error = null;
            return true;
        }
        // 1. An empty consistency_path fails.
        if (proof.IsEmpty)
        {
            return Fail(out error, LengthError("consistency", 0, MerkleMath.ConsistencyProofLength(first, second), $"sizes {first} to {second}"));
        }
        // 2. If first is a power of 2, first_hash is prepended to the path (here: the path starts at index −1).
        var prepended = BitOperations.IsPow2(first);
        var length = proof.Length + (prepended ? 1 : 0);
        // 3. fn = first − 1, sn = second − 1.
        var fn = first - 1;
        var sn = second - 1;
        // 4. If LSB(fn) is set, shift both right until it is not.
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        // 5. fr = sr = the first element of the path.
        Span<byte> fr = stackalloc byte[Hash256.Length];
        Span<byte> sr = stackalloc byte[Hash256.Length];
        (prepended ? firstHash : proof[0]).CopyTo(fr);
        fr.CopyTo(sr);
        // 6. For each subsequent c:
        for (var i = 1; i < length; i++)
        {
            var c = prepended ? proof[i - 1] : proof[i];
            // a. sn = 0: the proof is too long.
            if (sn == 0)
            {
                return Fail(out error, LengthError("consistency", proof.Length, MerkleMath.ConsistencyProofLength(first, second), $"sizes {first} to {second}"));
            }
            // b. LSB(fn) set or fn = sn: c is a left sibling, part of both trees.
            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.NodeHash(c.AsSpan(), fr, fr);
                MerkleHash.NodeHash(c.AsSpan(), sr, sr);
                // ii.
                if ((fn & 1) == 0)
                {
                    while ((fn & 1) == 0 && fn != 0)
                    {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            }
            else
            {
                // Otherwise c is a right sibling, only in the new tree.
                MerkleHash.NodeHash(sr, c.AsSpan(), sr);
            }
            // c.
            fn >>= 1;
            sn >>= 1;
        }
        // 7. fr must be first_hash, sr second_hash, and sn 0.
        if (sn != 0)
        {
            return Fail(out error, LengthError("consistency", proof.Length, MerkleMath.ConsistencyProofLength(first, second), $"sizes {first} to {second}"));
        }
        if (!firstHash.Equals(fr))
        {
            return Fail(out error, $"the proof leads to old root {Convert.ToBase64String(fr)}, not {firstHash} (wrong size, proof or old root)");
        }
        if (!secondHash.Equals(sr))
        {
            return Fail(out error, $"the proof leads to new root {Convert.ToBase64String(sr)}, not {secondHash} (wrong size, proof or new root)");
        }
        error = null;
        return true;
    }

    private static string LengthError(string kind, int actual, int expected, string what) =>
        $"{kind} proof has {actual} hashes, {what} needs {expected}";

    private static bool Fail([NotNullWhen(false)] out string? error, string reason)
    {
        error = reason;
        return false;
    }

    private static bool TryHash(ReadOnlySpan<byte> bytes, string what, out Hash256 hash, [NotNullWhen(false)] out string? error)
    {
        if (!Hash256.TryCreate(bytes, out hash))
        {
            error = $"{what} is {bytes.Length} bytes, not {Hash256.Length}";
            return false;
        }
        error = null;
        return true;
    }

    private static bool TryProof(IReadOnlyList<byte[]> proof, Span<Hash256> path, out int count, [NotNullWhen(false)] out string? error)
    {
        count = proof.Count;
        if (count > path.Length)
        {
            error = $"proof has {count} hashes; no proof has more than {MerkleMath.MaxProofLength}";
            return false;
        }
        for (var i = 0; i < count; i++)
        {
            var element = proof[i];
            if (element is null)
            {
                error = $"proof hash {i} is missing (null)";
                return false;
            }
            if (!Hash256.TryCreate(element, out path[i]))
            {
                error = $"proof hash {i} is {element.Length} bytes, not {Hash256.Length}";
                return false;
            }
        }
        error = null;
        return true;
    }
}
