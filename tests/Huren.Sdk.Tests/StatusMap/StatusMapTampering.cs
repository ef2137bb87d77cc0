using Huren.Sdk.Merkle;
using Huren.Sdk.StatusMap;

namespace Huren.Sdk.Tests.StatusMap;

/// <summary>Every way of changing a valid proof or its claim, each of which the verifier must refuse.</summary>
internal static class StatusMapTampering
{
    /// <summary>
    /// Checks that <paramref name="proof"/> verifies, then that every tampering is refused: each bit of the bitmap,
    /// each byte after the header (other leaf and siblings), every other terminal byte, every truncation, extensions by
    /// 1 and 32 bytes, another value, a present/absent swap, another root, and the key with each bit flipped — except
    /// that an absence proof rightly also holds for a key that differs only below the path's depth, which must then
    /// really be absent (<paramref name="isPresent"/> says whether a key is in the map).
    /// </summary>
    public static int AssertEveryTamperingRefused(in Hash256 root, in Hash256 key, Hash256? value, byte[] proof, Func<Hash256, bool> isPresent)
    {
        Assert.True(StatusMapProofVerifier.TryVerify(root, key, value, proof, out var error), error);
        var checks = 0;
        void Refused(Hash256 r, Hash256 k, Hash256? v, ReadOnlySpan<byte> p, string what)
        {
            Assert.False(StatusMapProofVerifier.TryVerify(r, k, v, p, out var reason), what);
            Assert.False(string.IsNullOrEmpty(reason), what);
            checks++;
        }

        var copy = (byte[])proof.Clone();
        for (var bit = 0; bit < 256; bit++)
        {
            copy[1 + (bit >> 3)] ^= (byte)(0x80 >> (bit & 7));
            Refused(root, key, value, copy, $"bitmap bit {bit} flipped");
            copy[1 + (bit >> 3)] ^= (byte)(0x80 >> (bit & 7));
        }
        for (var i = StatusMapProof.HeaderLength; i < copy.Length; i++)
        {
            copy[i] ^= 0x01;
            Refused(root, key, value, copy, $"byte {i} flipped");
            copy[i] ^= 0x01;
        }
        for (var t = 0; t < 256; t++)
        {
            if (t == proof[0]) continue;
            copy[0] = (byte)t;
            Refused(root, key, value, copy, $"terminal 0x{t:x2}");
        }
        copy[0] = proof[0];
        for (var length = 0; length < proof.Length; length++) Refused(root, key, value, proof.AsSpan(0, length), $"truncated to {length}");
        Refused(root, key, value, [.. proof, 0], "one trailing byte");
        Refused(root, key, value, [.. proof, .. new byte[32]], "32 trailing zero bytes");
        Refused(root, key, value, [.. proof, .. StatusMapHash.Empty(0).ToArray()], "one more hash");
        var otherValue = StatusMapHash.NodeHash(key, key);
        Refused(root, key, value.HasValue ? null : otherValue, proof, "present/absent swapped");
        if (value.HasValue) Refused(root, key, otherValue, proof, "another value");
        var rootBytes = root.ToArray();
        rootBytes[7] ^= 0x10;
        Refused(new Hash256(rootBytes), key, value, proof, "another root");
        var depth = StatusMapProof.TryParse(proof, out var parsed, out _) ? parsed.Depth : -1;
        var keyBytes = key.ToArray();
        for (var bit = 0; bit < 256; bit++)
        {
            keyBytes[bit >> 3] ^= (byte)(0x80 >> (bit & 7));
            var otherKey = new Hash256(keyBytes);
            if (!value.HasValue && bit >= depth && (parsed!.Terminal == StatusMapTerminal.AbsentEmpty || otherKey != parsed.OtherKey))
            {
                // Same path down to the depth where it ends in nothing or in another key's leaf: absent too, rightly.
                Assert.True(StatusMapProofVerifier.Verify(root, otherKey, null, proof), $"absence of key with bit {bit} flipped");
                Assert.False(isPresent(otherKey));
            }
            else
            {
                Refused(root, otherKey, value, proof, $"key bit {bit} flipped");
            }
            keyBytes[bit >> 3] ^= (byte)(0x80 >> (bit & 7));
        }
        return checks;
    }
}
