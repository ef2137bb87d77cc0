using System.Formats.Asn1;
using System.Numerics;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Tests.Crypto;

/// <summary>
/// The OpenSSL SM2 verifier and BouncyCastle's accept and refuse exactly the same signatures: made by Huren
/// (BouncyCastle) and by the openssl CLI, bit-flipped signatures and messages, malformed encodings, other ids.
/// </summary>
public class Sm2ImplementationAgreementTests
{
    private static readonly BigInteger Order = BigInteger.Parse("0FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", System.Globalization.NumberStyles.HexNumber);

    /// <summary>Both implementations give <paramref name="expected"/>.</summary>
    private static void AssertBoth(PublicKey key, byte[] message, byte[] signature, bool expected, string what)
    {
        var bouncy = key.VerifySm2With(Sm2Implementation.BouncyCastle, message, signature);
        var openssl = key.VerifySm2With(Sm2Implementation.OpenSsl, message, signature);
        Assert.True(bouncy == expected, $"{what}: BouncyCastle said {bouncy}, expected {expected}");
        Assert.True(openssl == expected, $"{what}: OpenSSL said {openssl}, expected {expected}");
        Assert.Equal(expected, key.Verify(message, signature));
    }

    /// <summary>Both implementations give the same answer, whatever it is.</summary>
    private static bool AssertAgree(PublicKey key, byte[] message, byte[] signature, string what)
    {
        var bouncy = key.VerifySm2With(Sm2Implementation.BouncyCastle, message, signature);
        var openssl = key.VerifySm2With(Sm2Implementation.OpenSsl, message, signature);
        Assert.True(bouncy == openssl, $"{what}: BouncyCastle said {bouncy}, OpenSSL said {openssl}");
        return bouncy;
    }

    private static byte[] FlipBit(byte[] bytes, int bit)
    {
        var copy = (byte[])bytes.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    private static byte[] DerSignature(BigInteger r, BigInteger s)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(r);
            writer.WriteInteger(s);
        }
        return writer.Encode();
    }

    [OpenSslSm2Fact]
    public void Verify_uses_BouncyCastle_unless_OpenSsl_is_selected()
    {
        var expected = Environment.GetEnvironmentVariable("HUREN_SM2_VERIFIER") is { } v && v.Equals("openssl", StringComparison.OrdinalIgnoreCase)
            ? Sm2Implementation.OpenSsl : Sm2Implementation.BouncyCastle;
        Assert.Equal(expected == Sm2Implementation.OpenSsl, OpenSslSm2.IsSelected);
        Assert.Equal(expected, SigningKey.Generate(SignatureAlgorithm.Sm2Sm3).PublicKey.Sm2Implementation);
        Assert.Null(SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey.Sm2Implementation);
        Assert.StartsWith("OpenSSL 3", OpenSslSm2.Version);
    }

    [OpenSslSm2Fact]
    public void Signatures_made_by_Huren_agree_and_every_bit_flip_is_refused_by_both()
    {
        var random = new Random(20261123);
        for (var n = 0; n < 40; n++)
        {
            var key = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
            var message = new byte[random.Next(0, 600)];
            random.NextBytes(message);
            var signature = key.Sign(message);
            AssertBoth(key.PublicKey, message, signature, true, $"vector {n}");
            AssertBoth(key.PublicKey, message, FlipBit(signature, random.Next(signature.Length * 8)), false, $"vector {n}, flipped signature bit");
            if (message.Length > 0) AssertBoth(key.PublicKey, FlipBit(message, random.Next(message.Length * 8)), signature, false, $"vector {n}, flipped message bit");
            AssertBoth(SigningKey.Generate(SignatureAlgorithm.Sm2Sm3).PublicKey, message, signature, false, $"vector {n}, other key");
        }

        // Every single-bit change of one signature, including its DER tags and lengths.
        var one = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        var text = "营业执照 91430100HUREN0201G"u8.ToArray();
        var sig = one.Sign(text);
        for (var bit = 0; bit < sig.Length * 8; bit++) AssertBoth(one.PublicKey, text, FlipBit(sig, bit), false, $"signature bit {bit}");
        for (var bit = 0; bit < text.Length * 8; bit++) AssertBoth(one.PublicKey, FlipBit(text, bit), sig, false, $"message bit {bit}");
    }

    [OpenSslSm2Fact]
    public void Malformed_and_out_of_range_signatures_are_refused_by_both()
    {
        var key = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        var message = "malformed"u8.ToArray();
        var good = key.Sign(message);
        AssertBoth(key.PublicKey, message, good, true, "good");
        AssertBoth(key.PublicKey, message, [], false, "empty");
        AssertBoth(key.PublicKey, message, good[..^1], false, "truncated");
        AssertBoth(key.PublicKey, message, [.. good, 0], false, "trailing byte");
        AssertBoth(key.PublicKey, message, [0x30, 0x00], false, "empty sequence");
        AssertBoth(key.PublicKey, message, new byte[64], false, "raw zeros");

        var reader = new AsnReader(good, AsnEncodingRules.DER).ReadSequence();
        var r = reader.ReadInteger();
        var s = reader.ReadInteger();
        AssertBoth(key.PublicKey, message, DerSignature(r, s), true, "re-encoded");
        AssertBoth(key.PublicKey, message, DerSignature(BigInteger.Zero, s), false, "r = 0");
        AssertBoth(key.PublicKey, message, DerSignature(r, BigInteger.Zero), false, "s = 0");
        AssertBoth(key.PublicKey, message, DerSignature(r + Order, s), false, "r + n");
        AssertBoth(key.PublicKey, message, DerSignature(r, s + Order), false, "s + n");
        AssertBoth(key.PublicKey, message, DerSignature(Order, s), false, "r = n");
        AssertBoth(key.PublicKey, message, DerSignature(-r, s), false, "negative r");
        AssertBoth(key.PublicKey, message, DerSignature(r, Order - s), false, "s negated mod n");

        // BER instead of DER: the same integers with a long-form sequence length.
        var content = good[2..];
        AssertBoth(key.PublicKey, message, [0x30, 0x81, (byte)content.Length, .. content], false, "long-form length");
    }

    [OpenSslSm2Fact(NeedsCli = true)]
    public void Signatures_made_by_the_openssl_cli_agree_including_another_distinguishing_id()
    {
        using var dir = new TempDir();
        for (var n = 0; n < 5; n++)
        {
            Assert.Equal(0, OpenSsl.Run(dir.Path, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", $"key{n}.pem").ExitCode);
            Assert.Equal(0, OpenSsl.Run(dir.Path, "pkey", "-in", $"key{n}.pem", "-pubout", "-out", $"pub{n}.pem").ExitCode);
            var message = System.Text.Encoding.UTF8.GetBytes($"openssl vector {n} 电子证照");
            File.WriteAllBytes(dir.File($"msg{n}"), message);
            var signed = OpenSsl.Run(dir.Path, "dgst", "-sm3", "-sign", $"key{n}.pem", "-sigopt", "distid:1234567812345678", "-out", $"sig{n}", $"msg{n}");
            Assert.True(signed.ExitCode == 0, signed.Output);
            var otherId = OpenSsl.Run(dir.Path, "dgst", "-sm3", "-sign", $"key{n}.pem", "-sigopt", "distid:huren@example", "-out", $"sigid{n}", $"msg{n}");
            Assert.True(otherId.ExitCode == 0, otherId.Output);

            var key = PublicKey.FromPem(File.ReadAllText(dir.File($"pub{n}.pem")));
            var signature = File.ReadAllBytes(dir.File($"sig{n}"));
            AssertBoth(key, message, signature, true, $"openssl vector {n}");
            AssertBoth(key, message, File.ReadAllBytes(dir.File($"sigid{n}")), false, $"openssl vector {n} signed with another distinguishing id");
            for (var bit = 0; bit < signature.Length * 8; bit += 7) AssertBoth(key, message, FlipBit(signature, bit), false, $"openssl vector {n}, signature bit {bit}");
            AssertBoth(key, [.. message, 0], signature, false, $"openssl vector {n}, longer message");
        }
    }

    [OpenSslSm2Fact]
    public void Random_bytes_as_signatures_get_the_same_answer()
    {
        var random = new Random(7);
        var key = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        var message = "random"u8.ToArray();
        for (var n = 0; n < 200; n++)
        {
            var noise = new byte[random.Next(1, 80)];
            random.NextBytes(noise);
            if (n % 2 == 0) noise[0] = 0x30;
            Assert.False(AssertAgree(key.PublicKey, message, noise, $"noise {n}"));
        }
    }

    [OpenSslSm2Fact]
    public void Concurrent_verification_of_one_key_stays_correct()
    {
        var key = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        var messages = Enumerable.Range(0, 64).Select(i => BitConverter.GetBytes(i)).ToArray();
        var signatures = messages.Select(m => key.Sign(m)).ToArray();
        var wrong = 0;
        Parallel.For(0, 2000, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
        {
            var m = i % messages.Length;
            var s = (i / messages.Length) % 2 == 0 ? m : (m + 1) % messages.Length;
            if (key.PublicKey.VerifySm2With(Sm2Implementation.OpenSsl, messages[m], signatures[s]) != (s == m)) Interlocked.Increment(ref wrong);
        });
        Assert.Equal(0, wrong);
    }

    [Fact]
    public void BouncyCastle_is_always_there_and_non_SM2_keys_have_no_SM2_implementation()
    {
        var key = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        var message = "fallback"u8.ToArray();
        Assert.True(key.PublicKey.VerifySm2With(Sm2Implementation.BouncyCastle, message, key.Sign(message)));
        Assert.Throws<InvalidOperationException>(() => SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256).PublicKey.VerifySm2With(Sm2Implementation.BouncyCastle, message, []));
    }
}

/// <summary>A fact skipped, with the reason, where libcrypto 3 with SM2 cannot be loaded.</summary>
internal sealed class OpenSslSm2FactAttribute : FactAttribute
{
    public OpenSslSm2FactAttribute()
    {
        if (!OpenSslSm2.IsAvailable) Skip = "libcrypto.so.3 with SM2 is not loadable here: OpenSSL SM2 tests skipped";
    }

    /// <summary>The test also runs the openssl CLI: skipped where it is not on PATH.</summary>
    public bool NeedsCli
    {
        get => false;
        init
        {
            if (value && Skip is null && !OpenSsl.Available) Skip = "openssl is not on PATH: CLI-made SM2 vectors skipped";
        }
    }
}
