using System.Formats.Asn1;
using System.Numerics;
using System.Text;
using System.Text.Json;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Tests.Crypto;

/// <summary>
/// Signature verification against published vectors, read from data files: SM2-with-SM3 from the GM/T 0003.5 /
/// GB/T 32918.5 example over the recommended curve, ECDSA P-256/SHA-256 from Wycheproof (every test, valid and invalid).
/// </summary>
public sealed class KnownAnswerSignatureTests
{
    private static JsonDocument Load(string name) => JsonDocument.Parse(File.ReadAllText(SharedTestData.Local($"TestVectors/{name}")));

    /// <summary>DER SubjectPublicKeyInfo of an SM2 point: id-ecPublicKey with the sm2p256v1 curve OID (1.2.156.10197.1.301).</summary>
    private static byte[] Sm2Spki(string x, string y) => Convert.FromHexString("3059301306072a8648ce3d020106082a811ccf5501822d03420004" + x + y);

    private static byte[] DerSignature(string r, string s)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(BigInteger.Parse("0" + r, System.Globalization.NumberStyles.HexNumber));
            writer.WriteInteger(BigInteger.Parse("0" + s, System.Globalization.NumberStyles.HexNumber));
        }
        return writer.Encode();
    }

    [Fact]
    public void SM2_example_of_GMT_0003_5_verifies_and_its_Z_and_e_match()
    {
        using var doc = Load("sm2-sm3-gmt0003.json");
        var curve = doc.RootElement.GetProperty("curve");
        foreach (var v in doc.RootElement.GetProperty("vectors").EnumerateArray())
        {
            string Hex(string name) => v.GetProperty(name).GetString()!;
            var userId = Encoding.ASCII.GetBytes(Hex("userId"));
            var message = Encoding.ASCII.GetBytes(Hex("message"));
            Assert.Equal(PublicKey.Sm2DefaultUserId.ToArray(), userId); // Huren's fixed user id is the example's

            // Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA), e = SM3(Z_A ‖ M): what the signature covers.
            byte[] zInput = [(byte)(userId.Length * 8 >> 8), (byte)(userId.Length * 8), .. userId,
                .. Convert.FromHexString(curve.GetProperty("a").GetString()!), .. Convert.FromHexString(curve.GetProperty("b").GetString()!),
                .. Convert.FromHexString(curve.GetProperty("xG").GetString()!), .. Convert.FromHexString(curve.GetProperty("yG").GetString()!),
                .. Convert.FromHexString(Hex("xA")), .. Convert.FromHexString(Hex("yA"))];
            var z = Digests.Sm3(zInput);
            Assert.Equal(Hex("za"), Convert.ToHexString(z));
            Assert.Equal(Hex("e"), Convert.ToHexString(Digests.Sm3([.. z, .. message])));

            var key = PublicKey.FromSubjectPublicKeyInfo(Sm2Spki(Hex("xA"), Hex("yA")));
            Assert.Equal(SignatureAlgorithm.Sm2Sm3, key.Algorithm);
            var signature = DerSignature(Hex("r"), Hex("s"));
            Assert.True(key.Verify(message, signature), v.GetProperty("name").GetString());

            // The same values are refused for another message, with r or s changed, or swapped.
            Assert.False(key.Verify(Encoding.ASCII.GetBytes("message digesT"), signature));
            var r = BigInteger.Parse("0" + Hex("r"), System.Globalization.NumberStyles.HexNumber);
            Assert.False(key.Verify(message, DerSignature((r + 1).ToString("X"), Hex("s"))));
            Assert.False(key.Verify(message, DerSignature(Hex("s"), Hex("r"))));

            // The example's private key is the example's public key's (the signing side reads it as Huren does).
            var privateKey = new Org.BouncyCastle.Crypto.Parameters.ECPrivateKeyParameters("EC",
                new Org.BouncyCastle.Math.BigInteger(Hex("privateKey"), 16), Org.BouncyCastle.Asn1.GM.GMObjectIdentifiers.sm2p256v1);
            var pkcs8 = Org.BouncyCastle.Pkcs.PrivateKeyInfoFactory.CreatePrivateKeyInfo(privateKey).GetDerEncoded();
            var signer = SigningKey.FromPkcs8(pkcs8);
            Assert.Equal(key.Id, signer.PublicKey.Id);
            Assert.True(key.Verify(message, signer.Sign(message)));
        }
    }

    [Fact]
    public void P256_Wycheproof_vectors_verify_exactly_when_valid()
    {
        using var doc = Load("ecdsa-p256-sha256-wycheproof.json");
        var count = 0;
        var wrong = new List<string>();
        foreach (var group in doc.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            var key = PublicKey.FromSubjectPublicKeyInfo(Convert.FromHexString(group.GetProperty("publicKeyDer").GetString()!));
            Assert.Equal(SignatureAlgorithm.EcdsaP256Sha256, key.Algorithm);
            foreach (var test in group.GetProperty("tests").EnumerateArray())
            {
                count++;
                var expected = test.GetProperty("result").GetString() == "valid";
                var actual = key.Verify(Convert.FromHexString(test.GetProperty("msg").GetString()!), Convert.FromHexString(test.GetProperty("sig").GetString()!));
                if (actual != expected) wrong.Add($"tcId {test.GetProperty("tcId").GetInt32()} ({test.GetProperty("comment").GetString()}): expected {(expected ? "valid" : "invalid")}");
            }
        }
        Assert.Equal(doc.RootElement.GetProperty("numberOfTests").GetInt32(), count);
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }
}
