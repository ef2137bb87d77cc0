using System.Text.Json;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Tests.Crypto;

public class SignatureTests
{
    public static TheoryData<SignatureAlgorithm> Algorithms => new() { SignatureAlgorithm.Sm2Sm3, SignatureAlgorithm.EcdsaP256Sha256, SignatureAlgorithm.Ed25519 };

    [Fact]
    public void Ed25519_matches_RFC_8032_test_vectors()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedTestData.Local("TestVectors/ed25519-rfc8032.json")));
        foreach (var v in doc.RootElement.GetProperty("vectors").EnumerateArray())
        {
            var key = SigningKey.FromEd25519Seed(Convert.FromHexString(v.GetProperty("secretKey").GetString()!));
            var message = Convert.FromHexString(v.GetProperty("message").GetString()!);
            Assert.Equal(v.GetProperty("publicKey").GetString(), Convert.ToHexStringLower(key.PublicKey.GetEd25519Raw()));
            var signature = key.Sign(message);
            Assert.Equal(v.GetProperty("signature").GetString(), Convert.ToHexStringLower(signature));
            var pub = PublicKey.FromEd25519Raw(Convert.FromHexString(v.GetProperty("publicKey").GetString()!));
            Assert.True(pub.Verify(message, signature));
            signature[10] ^= 1;
            Assert.False(pub.Verify(message, signature));
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Sign_then_verify_and_reject_other_data_or_key(SignatureAlgorithm algorithm)
    {
        var key = SigningKey.Generate(algorithm);
        var data = "许可证 license bytes"u8.ToArray();
        var signature = key.Sign(data);
        Assert.True(key.PublicKey.Verify(data, signature));
        Assert.False(key.PublicKey.Verify("other"u8, signature));
        Assert.False(SigningKey.Generate(algorithm).PublicKey.Verify(data, signature));
        Assert.False(key.PublicKey.Verify(data, signature.AsSpan(0, signature.Length - 1)));
        Assert.False(key.PublicKey.Verify(data, []));
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Pem_round_trip_keeps_the_key_and_its_id(SignatureAlgorithm algorithm)
    {
        var key = SigningKey.Generate(algorithm);
        var restored = SigningKey.FromPem(key.ToPem());
        Assert.Equal(algorithm, restored.Algorithm);
        Assert.Equal(key.Id, restored.Id);
        var pub = PublicKey.FromPem(key.PublicKey.ToPem());
        Assert.Equal(key.Id, pub.Id);
        Assert.True(pub.Verify("x"u8, restored.Sign("x"u8)));
        Assert.Equal(KeyId.FromSubjectPublicKeyInfo(pub.SubjectPublicKeyInfo), KeyId.Parse(key.Id.ToString()));
    }

    [Fact]
    public void Bad_pem_is_refused_with_a_reason()
    {
        Assert.Contains("PEM", Assert.Throws<FormatException>(() => SigningKey.FromPem("not a key")).Message);
        var pub = SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey.ToPem();
        Assert.Contains("PRIVATE KEY", Assert.Throws<FormatException>(() => SigningKey.FromPem(pub)).Message);
        var rsa = System.Security.Cryptography.RSA.Create(2048).ExportSubjectPublicKeyInfoPem();
        Assert.Contains("unsupported", Assert.Throws<FormatException>(() => PublicKey.FromPem(rsa)).Message);
    }

    [Fact]
    public void Sm2_keys_carry_the_SM2_curve_oid()
    {
        var key = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        // 1.2.156.10197.1.301 in DER: 06 08 2A 81 1C CF 55 01 82 2D
        var oid = Convert.FromHexString("06082A811CCF5501822D");
        Assert.True(key.PublicKey.SubjectPublicKeyInfo.AsSpan().IndexOf(oid) >= 0);
        Assert.True(key.ToPkcs8().AsSpan().IndexOf(oid) >= 0);
    }

    [Theory]
    [InlineData(SignatureAlgorithm.Sm2Sm3)]
    [InlineData(SignatureAlgorithm.EcdsaP256Sha256)]
    public void A_point_off_the_curve_is_a_format_error(SignatureAlgorithm algorithm)
    {
        // Found by the seal mutation tests: BouncyCastle (SM2) and the platform (P-256) used to escape as
        // ArgumentException / CryptographicException where every caller catches FormatException.
        var spki = SigningKey.Generate(algorithm).PublicKey.SubjectPublicKeyInfo;
        spki[^1] ^= 0x01;
        var ex = Assert.Throws<FormatException>(() => PublicKey.FromSubjectPublicKeyInfo(spki));
        Assert.StartsWith("not a valid public key", ex.Message);
    }
}
