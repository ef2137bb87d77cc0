using System.Diagnostics.CodeAnalysis;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.StatusMap;

/// <summary>
/// Checks a status-map proof (docs/status-map.md, "Verifying a proof") against a map root: total (never throws, for any
/// input) and strict (wrong lengths, a bitmap that does not match the siblings, trailing bytes, a terminal that
/// contradicts the claim, another key's leaf off the key's path or equal to the key, a sibling sent explicitly that is
/// the empty hash of its level, or a path that leads elsewhere are refused, with the reason). No heap allocation unless
/// the proof is refused (then the reason is formatted).
/// </summary>
public static class StatusMapProofVerifier
{
    /// <summary>True if <paramref name="proof"/> proves that <paramref name="key"/> maps to <paramref name="value"/> (null = absent) under <paramref name="root"/>.</summary>
    public static bool Verify(in Hash256 root, in Hash256 key, Hash256? value, ReadOnlySpan<byte> proof) =>
        TryVerify(root, key, value, proof, out _);

    /// <summary>As <see cref="Verify(in Hash256, in Hash256, Hash256?, ReadOnlySpan{byte})"/>; on refusal <paramref name="error"/> says why.</summary>
    public static bool TryVerify(in Hash256 root, in Hash256 key, Hash256? value, ReadOnlySpan<byte> proof, [NotNullWhen(false)] out string? error)
    {
        if (!StatusMapProof.TryReadLayout(proof, out var terminal, out var depth, out _, out error)) return false;
        if (value.HasValue != (terminal == StatusMapTerminal.Present))
        {
            error = value.HasValue
                ? $"a value is claimed but the proof's terminal says the key is absent ({terminal})"
                : "the key is claimed absent but the proof's terminal says it is present";
            return false;
        }
        var keyBytes = key.AsSpan();
        Span<byte> h = stackalloc byte[Hash256.Length];
        var offset = StatusMapProof.HeaderLength;
        switch (terminal)
        {
            case StatusMapTerminal.Present:
                var claimed = value.GetValueOrDefault();
                StatusMapHash.LeafHash(keyBytes, claimed.AsSpan(), h);
                break;
            case StatusMapTerminal.AbsentEmpty:
                StatusMapHash.EmptySpan(depth).CopyTo(h);
                break;
            default:
                var otherKey = proof.Slice(offset, Hash256.Length);
                if (otherKey.SequenceEqual(keyBytes))
                {
                    error = "the proof names the key itself as the other key whose leaf ends the path: a leaf of the key cannot prove it absent";
                    return false;
                }
                if (!StatusMapKey.SharesPrefix(otherKey, keyBytes, depth))
                {
                    error = $"the other key {Convert.ToHexStringLower(otherKey)} does not share the first {depth} bits of the key's path: its leaf cannot end that path";
                    return false;
                }
                StatusMapHash.LeafHash(otherKey, proof.Slice(offset + Hash256.Length, Hash256.Length), h);
                offset += 2 * Hash256.Length;
                break;
        }
        var bitmap = proof.Slice(1, StatusMapProof.BitmapLength);
        for (var d = depth; d >= 1; d--)
        {
            ReadOnlySpan<byte> sibling;
            if (StatusMapKey.Bit(bitmap, d - 1) == 1)
            {
                sibling = proof.Slice(offset, Hash256.Length);
                offset += Hash256.Length;
                if (sibling.SequenceEqual(StatusMapHash.EmptySpan(d)))
                {
                    error = $"the sibling at depth {d} is sent explicitly but is the empty-subtree hash: empty siblings are only marked by a clear bitmap bit";
                    return false;
                }
            }
            else
            {
                sibling = StatusMapHash.EmptySpan(d);
            }
            if (StatusMapKey.Bit(keyBytes, d - 1) == 0) StatusMapHash.NodeHash(h, sibling, h);
            else StatusMapHash.NodeHash(sibling, h, h);
        }
        if (!root.Equals(h))
        {
            error = $"the proof leads to map root {Convert.ToBase64String(h)}, not {root} (wrong key, value, proof or root)";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>
    /// The check for values as received on the wire: <paramref name="value"/> null means "absent"; a root, key or
    /// value that is not 32 bytes is refused.
    /// </summary>
    public static bool TryVerify(ReadOnlySpan<byte> root, ReadOnlySpan<byte> key, byte[]? value, ReadOnlySpan<byte> proof, [NotNullWhen(false)] out string? error)
    {
        if (!Hash256.TryCreate(root, out var rootHash))
        {
            error = $"map root is {root.Length} bytes, not {Hash256.Length}";
            return false;
        }
        if (!Hash256.TryCreate(key, out var keyHash))
        {
            error = $"key is {key.Length} bytes, not {Hash256.Length}";
            return false;
        }
        Hash256? claimed = null;
        if (value is not null)
        {
            if (!Hash256.TryCreate(value, out var v))
            {
                error = $"value is {value.Length} bytes, not {Hash256.Length}";
                return false;
            }
            claimed = v;
        }
        return TryVerify(rootHash, keyHash, claimed, proof, out error);
    }
}
