using System.Numerics;
using System.Security.Cryptography;
using CsCheck;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using BcEd25519 = Org.BouncyCastle.Math.EC.Rfc8032.Ed25519;
using Sodium = NSec.Cryptography;

namespace Huren.Sdk.Tests.Crypto;

/// <summary>
/// <see cref="PublicKey.Verify"/> tries libsodium first and leaves every refusal to BouncyCastle, so its accepted set is
/// BouncyCastle's only if whatever libsodium accepts BouncyCastle accepts too. Checked on valid signatures, on
/// bit flips, on non-canonical scalars, on the small-order and non-canonical point encodings where the two differ, and
/// on a key of small order for which a signature is made without its secret.
/// </summary>
public class Ed25519VerifierAgreementTests
{
    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493");

    // The eight points of small order (canonical encodings), then non-canonical encodings of y = 0 and y = 1 (y ≥ p).
    private static readonly byte[][] SmallOrderAndNonCanonical =
    [
        Hex("0100000000000000000000000000000000000000000000000000000000000000"),
        Hex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        Hex("0000000000000000000000000000000000000000000000000000000000000000"),
        Hex("0000000000000000000000000000000000000000000000000000000000000080"),
        Hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
        Hex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
        Hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
        Hex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
        Hex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        Hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        Hex("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
    ];

    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    private static bool Bouncy(byte[] publicKey, byte[] message, byte[] signature)
    {
        try
        {
            return new Ed25519PublicKeyParameters(publicKey).Verify(BcEd25519.Algorithm.Ed25519, null, message, 0, message.Length, signature, 0);
        }
        catch (ArgumentException)
        {
            return false; // BouncyCastle does not even read the key.
        }
    }

    private static bool Libsodium(byte[] publicKey, byte[] message, byte[] signature)
        => Sodium.PublicKey.TryImport(Sodium.SignatureAlgorithm.Ed25519, publicKey, Sodium.KeyBlobFormat.RawPublicKey, out var key)
           && Sodium.SignatureAlgorithm.Ed25519.Verify(key!, message, signature);

    /// <summary>What libsodium accepts BouncyCastle accepts; returns libsodium's answer.</summary>
    private static bool AssertImplied(byte[] publicKey, byte[] message, byte[] signature, string what)
    {
        var sodium = Libsodium(publicKey, message, signature);
        if (sodium) Assert.True(Bouncy(publicKey, message, signature), $"{what}: libsodium accepts, BouncyCastle refuses");
        return sodium;
    }

    private static (byte[] PublicKey, byte[] Signature) Sign(byte[] seed, byte[] message)
    {
        var key = new Ed25519PrivateKeyParameters(seed);
        var signature = new byte[BcEd25519.SignatureSize];
        key.Sign(BcEd25519.Algorithm.Ed25519, null, message, 0, message.Length, signature, 0);
        return (key.GeneratePublicKey().GetEncoded(), signature);
    }

    [Fact]
    public void Valid_signatures_are_accepted_by_both_and_by_PublicKey()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[0, 700]).Sample((seed, message) =>
        {
            var (publicKey, signature) = Sign(seed, message);
            Assert.True(Libsodium(publicKey, message, signature));
            Assert.True(Bouncy(publicKey, message, signature));
            Assert.True(PublicKey.FromEd25519Raw(publicKey).Verify(message, signature));
        }, iter: 300);
    }

    [Fact]
    public void Bit_flips_in_signature_message_or_key_never_pass_libsodium_alone()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[1, 300], Gen.Int[0, 3], Gen.Int[0, int.MaxValue]).Sample((seed, message, part, at) =>
        {
            var (publicKey, signature) = Sign(seed, message);
            var target = part switch { 0 => signature, 1 => message, _ => publicKey };
            target[at % target.Length] ^= (byte)(1 << (at / target.Length % 8));
            AssertImplied(publicKey, message, signature, $"flip in part {part}");
            // A flipped key may not even decode to a point (then no Huren key exists to verify with).
            if (TryHurenKey(publicKey) is { } huren) Assert.Equal(Bouncy(publicKey, message, signature), huren.Verify(message, signature));
        }, iter: 1000);
    }

    [Fact]
    public void A_scalar_not_reduced_below_the_group_order_is_refused_by_both()
    {
        var message = "huren"u8.ToArray();
        var (publicKey, signature) = Sign(new byte[32], message);
        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true) + L;
        var bytes = new byte[32];
        Assert.True(s.TryWriteBytes(bytes, out _, isUnsigned: true));
        bytes.CopyTo(signature, 32);
        Assert.False(AssertImplied(publicKey, message, signature, "S + L"));
        Assert.False(Bouncy(publicKey, message, signature));
        Assert.False(PublicKey.FromEd25519Raw(publicKey).Verify(message, signature));
    }

    [Fact]
    public void Small_order_and_non_canonical_points_as_R_or_as_the_key_never_pass_libsodium_alone()
    {
        var message = "huren"u8.ToArray();
        var (publicKey, signature) = Sign(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray(), message);
        foreach (var point in SmallOrderAndNonCanonical)
        {
            var withR = (byte[])signature.Clone();
            point.CopyTo(withR, 0);
            Assert.False(AssertImplied(publicKey, message, withR, $"R = {Convert.ToHexString(point)}"));
            Assert.False(AssertImplied(point, message, signature, $"A = {Convert.ToHexString(point)}"));
        }
    }

    [Fact]
    public void A_key_of_small_order_is_no_Huren_key_and_libsodium_refuses_what_was_signed_for_it_without_a_secret()
    {
        // Under A = neutral point [k]A vanishes, so R = [a]B with S = a mod L verifies [S]B = R + [k]A for every
        // message; a is the scalar of an ordinary key, derived from its seed as RFC 8032 does.
        var seed = Enumerable.Repeat((byte)7, 32).ToArray();
        var r = new Ed25519PrivateKeyParameters(seed).GeneratePublicKey().GetEncoded();
        var a = SecretScalar(seed) % L;
        var signature = new byte[64];
        r.CopyTo(signature, 0);
        Assert.True(a.TryWriteBytes(signature.AsSpan(32), out _, isUnsigned: true));
        var neutral = SmallOrderAndNonCanonical[0];
        Assert.False(AssertImplied(neutral, "any message"u8.ToArray(), signature, "neutral key"));
        // BouncyCastle does not read such a key, so no issuer can be registered with it.
        Assert.Null(TryHurenKey(neutral));
        Assert.Throws<FormatException>(() => PublicKey.FromSubjectPublicKeyInfo(
            Org.BouncyCastle.X509.SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(new Ed25519PublicKeyParameters(r)).GetDerEncoded().AsSpan()[..^32].ToArray().Concat(neutral).ToArray()));
    }

    [Fact]
    public void A_signature_with_the_neutral_point_as_R_is_decided_by_BouncyCastle_not_refused_by_libsodium()
    {
        // With R the neutral point, S = k·a mod L (k = H(R ‖ A ‖ M)) satisfies [S]B = R + [k]A: the signer made it,
        // RFC 8032's equation holds, BouncyCastle accepts it; libsodium refuses any R of small order. Huren answers
        // as BouncyCastle does, so nodes and offline verifiers keep one accepted set.
        var seed = Enumerable.Repeat((byte)9, 32).ToArray();
        var publicKey = new Ed25519PrivateKeyParameters(seed).GeneratePublicKey().GetEncoded();
        var a = SecretScalar(seed);
        var message = "huren"u8.ToArray();
        var neutral = SmallOrderAndNonCanonical[0];
        var k = new BigInteger(SHA512.HashData([.. neutral, .. publicKey, .. message]), isUnsigned: true) % L;
        var signature = new byte[64];
        neutral.CopyTo(signature, 0);
        Assert.True((k * a % L).TryWriteBytes(signature.AsSpan(32), out _, isUnsigned: true));

        Assert.False(Libsodium(publicKey, message, signature));
        Assert.True(Bouncy(publicKey, message, signature));
        Assert.True(PublicKey.FromEd25519Raw(publicKey).Verify(message, signature));
    }

    // The secret scalar RFC 8032 (5.1.5) derives from a seed: the first half of SHA-512(seed), clamped.
    private static BigInteger SecretScalar(byte[] seed)
    {
        var h = SHA512.HashData(seed);
        h[0] &= 248;
        h[31] &= 127;
        h[31] |= 64;
        return new BigInteger(h.AsSpan(0, 32), isUnsigned: true);
    }

    private static PublicKey? TryHurenKey(byte[] raw)
    {
        try
        {
            return PublicKey.FromEd25519Raw(raw);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    [Fact]
    public void The_Ed25519_key_verifies_through_libsodium_where_it_loads()
    {
        // Guards the fast path itself: were libsodium not used, the bench's Ed25519 rates would silently be BouncyCastle's.
        var key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        Assert.True(Sodium.PublicKey.TryImport(Sodium.SignatureAlgorithm.Ed25519, key.PublicKey.GetEd25519Raw(), Sodium.KeyBlobFormat.RawPublicKey, out _));
        Assert.True(key.PublicKey.UsesLibsodium);
    }
}
