using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;

namespace Huren.Sdk.Tests.Crypto;

public class SignedEntryTests
{
    private static Entry SampleEntry() => new()
    {
        Kind = EntryKinds.LicenseUse,
        RecordId = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F",
        IssuerId = "430200-counter",
        TimeUnixMs = 1_795_000_000_000,
        SchemaId = "huren.license.used",
        SchemaVersion = 1,
        Body = [1, 2, 3, 4, 5],
        Origin = "huren.cz-t/430200",
        References = [new EntryReference { Origin = "huren.cz-t/430100", Index = 17, LeafHash = new byte[32], Relation = "license" }],
    };

    /// <summary>What a verifier does with a leaf: decode canonically, find the signer by key id, check the signature.</summary>
    private static bool Accepts(byte[] leaf, IReadOnlyDictionary<KeyId, PublicKey> keys)
    {
        if (!LeafReader.TryRead(leaf, out var decoded, out _)) return false;
        if (decoded!.Signed.SignerKeyId.Length != KeyId.Length) return false;
        if (!keys.TryGetValue(KeyId.FromBytes(decoded.Signed.SignerKeyId), out var key)) return false;
        return SignedEntryVerifier.Verify(decoded.Signed, key, out _);
    }

    [Theory]
    [InlineData(SignatureAlgorithm.Sm2Sm3)]
    [InlineData(SignatureAlgorithm.EcdsaP256Sha256)]
    [InlineData(SignatureAlgorithm.Ed25519)]
    public void Every_single_flipped_bit_of_a_signed_entry_fails_verification(SignatureAlgorithm algorithm)
    {
        var key = SigningKey.Generate(algorithm);
        var keys = new Dictionary<KeyId, PublicKey> { [key.Id] = key.PublicKey };
        var leaf = EntrySigner.SignToLeaf(SampleEntry(), key);
        Assert.True(Accepts(leaf, keys));
        for (var bit = 0; bit < leaf.Length * 8; bit++)
        {
            var tampered = (byte[])leaf.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Accepts(tampered, keys), $"flipping bit {bit} of {leaf.Length * 8} was accepted");
        }
    }

    [Fact]
    public void Signature_is_over_the_stored_entry_bytes()
    {
        var key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var entryBytes = CanonicalCodec.Encode(SampleEntry());
        var signed = EntrySigner.Sign(entryBytes, key);
        Assert.Same(entryBytes, signed.EntryBytes);
        Assert.True(key.PublicKey.Verify(entryBytes, signed.Signature));
        Assert.True(SignedEntryVerifier.Verify(signed, key.PublicKey, out var error), error);
    }

    [Fact]
    public void Wrong_key_or_algorithm_is_reported()
    {
        var key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var other = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var signed = EntrySigner.Sign(SampleEntry(), key);
        Assert.False(SignedEntryVerifier.Verify(signed, other.PublicKey, out var error));
        Assert.Contains("signerKeyId", error);
        signed.Algorithm = SignatureAlgorithm.Sm2Sm3;
        Assert.False(SignedEntryVerifier.Verify(signed, key.PublicKey, out error));
        Assert.Contains("algorithm", error);
    }

    [Fact]
    public void Non_canonical_leaf_bytes_are_refused()
    {
        var key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var leaf = EntrySigner.SignToLeaf(SampleEntry(), key);
        // An unknown field (number 15, varint 1) appended to the envelope.
        byte[] withUnknown = [.. leaf, 0x78, 0x01];
        Assert.False(LeafReader.TryRead(withUnknown, out _, out var error));
        Assert.Contains("not canonical", error);
    }
}
