using System.Security.Cryptography;
using System.Text;
using Huren.Schemas.Envelope;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Tests.Notes;

public class NoteKeyTests
{
    [Fact]
    public void Go_PeterNeumann_verifier_key_parses_and_its_key_id_recomputes()
    {
        var key = NoteVerifierKey.Parse(NoteVectors.PeterVerifierKey);
        Assert.Equal("PeterNeumann", key.Name);
        Assert.Equal(NoteSignatureType.Ed25519, key.Type);
        Assert.Equal(NoteVectors.PeterKeyId, key.KeyId);
        Assert.Equal("c74f20a3", key.KeyIdHex);
        Assert.Equal(NoteVectors.PeterKeyId, NoteVerifierKey.ComputeKeyId("PeterNeumann", key.KeyMaterial));

        // By hand: SHA-256("PeterNeumann" ‖ 0x0A ‖ 0x01 ‖ public key)[:4].
        var input = Encoding.UTF8.GetBytes("PeterNeumann\n").Concat(new byte[] { 0x01 }).Concat(key.PublicKey.GetEd25519Raw()).ToArray();
        Assert.Equal("c74f20a3", Convert.ToHexStringLower(SHA256.HashData(input).AsSpan(0, 4)));
        Assert.Equal(NoteVectors.PeterVerifierKey, key.ToString());
    }

    [Fact]
    public void C2sp_example_verifier_key_parses_and_its_key_id_recomputes()
    {
        var key = NoteVerifierKey.Parse(NoteVectors.C2spVerifierKey);
        Assert.Equal("example.com/foo", key.Name);
        Assert.Equal(0x530d903au, key.KeyId);
        Assert.Equal(0x530d903au, NoteVerifierKey.ComputeKeyId("example.com/foo", key.KeyMaterial));
        Assert.Equal(NoteVectors.C2spVerifierKey, NoteVerifierKey.ForEd25519("example.com/foo", key.PublicKey).ToString());
    }

    [Fact]
    public void Every_substring_and_single_character_change_of_a_verifier_key_is_refused()
    {
        var vkey = NoteVectors.PeterVerifierKey;
        for (var i = 0; i <= vkey.Length; i++)
        {
            for (var j = i + 1; j <= vkey.Length; j++)
            {
                if (i == 0 && j == vkey.Length) continue;
                Assert.False(NoteVerifierKey.TryParse(vkey[i..j], out _), vkey[i..j]);
            }
        }
        var chars = vkey.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i]++;
            Assert.False(NoteVerifierKey.TryParse(new string(chars), out _), new string(chars));
            chars[i]--;
        }
        Assert.False(NoteVerifierKey.TryParse(NoteVectors.WrongLengthVerifierKey, out _));
        Assert.False(NoteVerifierKey.TryParse(NoteVectors.UnknownAlgorithmVerifierKey, out _, out var error));
        Assert.Contains("unsupported", error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a+b")]
    [InlineData("two words")]
    [InlineData("tab\there")]
    [InlineData("nbsp\u00a0here")]
    [InlineData("ideographic\u3000space")]
    [InlineData("line\u2028sep")]
    [InlineData("ctl\u0001")]
    public void Malformed_key_names_are_refused(string name)
    {
        var pub = TestKeys.Ed25519("names").PublicKey;
        Assert.Throws<ArgumentException>(() => NoteVerifierKey.ForEd25519(name, pub));
        // The same name in a vkey string whose key ID is right for it is refused too.
        if (name.Length > 0)
        {
            var material = new byte[] { 0x01 }.Concat(pub.GetEd25519Raw()).ToArray();
            var id = ComputeIdUnchecked(name, material);
            Assert.False(NoteVerifierKey.TryParse($"{name}+{id:x8}+{Convert.ToBase64String(material)}", out _));
        }
    }

    [Fact]
    public void Key_name_with_an_unpaired_surrogate_is_refused()
        => Assert.Throws<ArgumentException>(() => NoteVerifierKey.ForEd25519("lone" + '\ud800', TestKeys.Ed25519("names").PublicKey));

    [Fact]
    public void Unicode_names_without_spaces_or_plus_are_accepted()
    {
        var key = NoteVerifierKey.ForEd25519("huren.cz-t/430100/长沙", TestKeys.Ed25519("unicode").PublicKey);
        Assert.Equal(key, NoteVerifierKey.Parse(key.ToString()));
    }

    [Theory]
    [InlineData("C74F20A3")] // uppercase
    [InlineData("c74f20a")]
    [InlineData("0c74f20a3")]
    [InlineData("c74f20g3")]
    public void Verifier_key_ids_must_be_8_lowercase_hex_digits(string id)
        => Assert.False(NoteVerifierKey.TryParse($"PeterNeumann+{id}+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", out _));

    [Theory]
    [InlineData("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW ")]
    [InlineData("ARpc2QcUPDhMQegw xbzhKqiBfsVkmqq/LDE4izWy10TW")]
    [InlineData("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq-LDE4izWy10TW")] // base64url
    [InlineData("ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T")] // unpadded
    public void Verifier_key_material_must_be_canonical_standard_base64(string material)
        => Assert.False(NoteVerifierKey.TryParse("PeterNeumann+c74f20a3+" + material, out _));

    [Fact]
    public void Ed25519_key_of_wrong_length_with_matching_id_is_refused()
    {
        var material = new byte[] { 0x01 }.Concat(new byte[31]).ToArray();
        var id = ComputeIdUnchecked("short", material);
        Assert.False(NoteVerifierKey.TryParse($"short+{id:x8}+{Convert.ToBase64String(material)}", out _, out var error));
        Assert.Contains("32", error);

        // 32 bytes that are no curve point (y ≥ p), with a matching ID.
        var notAPoint = new byte[] { 0x01 }.Concat(Enumerable.Repeat((byte)0xff, 32)).ToArray();
        id = ComputeIdUnchecked("bad", notAPoint);
        Assert.False(NoteVerifierKey.TryParse($"bad+{id:x8}+{Convert.ToBase64String(notAPoint)}", out _, out error));
        Assert.Contains("Ed25519", error);
    }

    [Fact]
    public void Cosigner_key_uses_type_4_and_gets_a_key_id_distinct_from_the_same_key_as_type_1()
    {
        var signing = TestKeys.Ed25519("witness");
        var witness = NoteVerifierKey.ForCosigner("huren.cz-t/430100/witness", signing.PublicKey);
        var plain = NoteVerifierKey.ForEd25519("huren.cz-t/430100/witness", signing.PublicKey);
        Assert.Equal(NoteSignatureType.CosignatureV1, witness.Type);
        Assert.NotEqual(witness.KeyId, plain.KeyId);
        Assert.NotEqual(witness, plain);
        var input = Encoding.UTF8.GetBytes("huren.cz-t/430100/witness\n").Concat(new byte[] { 0x04 }).Concat(signing.PublicKey.GetEd25519Raw()).ToArray();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(input).AsSpan(0, 4)), witness.KeyIdHex);
        Assert.StartsWith("huren.cz-t/430100/witness+" + witness.KeyIdHex + "+B", witness.ToString()); // 0x04 → base64 "B…"
        var parsed = NoteVerifierKey.Parse(witness.ToString());
        Assert.Equal(witness, parsed);
        Assert.Equal(NoteSignatureType.CosignatureV1, parsed.Type);
    }

    [Fact]
    public void Sm2_verifier_key_carries_the_identifier_and_SPKI_and_its_id_follows_checkpoints_md()
    {
        var sm2 = TestKeys.Sm2.PublicKey;
        var key = NoteVerifierKey.ForSm2("huren.cz-t/430100", sm2);
        Assert.Equal(NoteSignatureType.HurenSm2Sm3, key.Type);
        var expectedMaterial = new byte[] { 0xff }.Concat(Encoding.ASCII.GetBytes("huren-sm2-sm3/v1")).Concat(sm2.SubjectPublicKeyInfo).ToArray();
        Assert.Equal(expectedMaterial, key.KeyMaterial.ToArray());
        var input = Encoding.UTF8.GetBytes("huren.cz-t/430100\n").Concat(expectedMaterial).ToArray();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(input).AsSpan(0, 4)), key.KeyIdHex);

        var parsed = NoteVerifierKey.Parse(key.ToString());
        Assert.Equal(key, parsed);
        Assert.Equal(SignatureAlgorithm.Sm2Sm3, parsed.PublicKey.Algorithm);
        Assert.Equal(sm2.Id, parsed.PublicKey.Id);
    }

    [Fact]
    public void Sm2_verifier_key_with_wrong_identifier_or_non_SM2_SPKI_is_refused()
    {
        var spki = TestKeys.Sm2.PublicKey.SubjectPublicKeyInfo;
        string Vkey(byte[] material) => $"n+{ComputeIdUnchecked("n", material):x8}+{Convert.ToBase64String(material)}";

        var wrongId = new byte[] { 0xff }.Concat(Encoding.ASCII.GetBytes("huren-sm2-sm3/v2")).Concat(spki).ToArray();
        Assert.False(NoteVerifierKey.TryParse(Vkey(wrongId), out _));
        var noId = new byte[] { 0xff }.Concat(spki).ToArray();
        Assert.False(NoteVerifierKey.TryParse(Vkey(noId), out _));
        var ed = new byte[] { 0xff }.Concat(Encoding.ASCII.GetBytes("huren-sm2-sm3/v1")).Concat(TestKeys.Ed25519("x").PublicKey.SubjectPublicKeyInfo).ToArray();
        Assert.False(NoteVerifierKey.TryParse(Vkey(ed), out _, out var error));
        Assert.Contains("SM2", error);
        var truncated = new byte[] { 0xff }.Concat(Encoding.ASCII.GetBytes("huren-sm2-sm3/v1")).Concat(spki[..^3]).ToArray();
        Assert.False(NoteVerifierKey.TryParse(Vkey(truncated), out _));
        Assert.Throws<ArgumentException>(() => NoteVerifierKey.ForSm2("n", TestKeys.Ed25519("x").PublicKey));
        Assert.Throws<ArgumentException>(() => NoteVerifierKey.ForEd25519("n", TestKeys.Sm2.PublicKey));
    }

    [Fact]
    public void Go_PeterNeumann_private_key_parses_to_the_published_verifier_key()
    {
        var signer = NoteSignerKey.ParsePrivateKey(NoteVectors.PeterPrivateKey);
        Assert.Equal("PeterNeumann", signer.Name);
        Assert.Equal(NoteVectors.PeterKeyId, signer.KeyId);
        Assert.Equal(NoteVectors.PeterVerifierKey, signer.VerifierKey.ToString());
        Assert.Equal(NoteVectors.PeterPrivateKey, signer.ExportPrivateKey());
        Assert.DoesNotContain("AYEK", signer.ToString());
    }

    [Fact]
    public void Every_substring_and_single_character_change_of_a_private_key_is_refused()
    {
        var skey = NoteVectors.PeterPrivateKey;
        for (var i = 0; i <= skey.Length; i++)
        {
            for (var j = i + 1; j <= skey.Length; j++)
            {
                if (i == 0 && j == skey.Length) continue;
                Assert.False(NoteSignerKey.TryParsePrivateKey(skey[i..j], out _, out _), skey[i..j]);
            }
        }
        var chars = skey.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i]++;
            Assert.False(NoteSignerKey.TryParsePrivateKey(new string(chars), out _, out _), new string(chars));
            chars[i]--;
        }
    }

    [Fact]
    public void Witness_private_key_round_trips_with_type_4_and_SM2_has_no_private_key_string()
    {
        var witness = NoteSignerKey.ForCosigner("huren.cz-t/430200/witness", TestKeys.Ed25519("w"));
        var text = witness.ExportPrivateKey();
        Assert.StartsWith("PRIVATE+KEY+huren.cz-t/430200/witness+" + witness.VerifierKey.KeyIdHex + "+B", text);
        var back = NoteSignerKey.ParsePrivateKey(text);
        Assert.Equal(NoteSignatureType.CosignatureV1, back.Type);
        Assert.Equal(witness.VerifierKey, back.VerifierKey);

        var sm2 = NoteSignerKey.ForSm2("huren.cz-t/430200", TestKeys.Sm2);
        Assert.Throws<InvalidOperationException>(sm2.ExportPrivateKey);
    }

    [Fact]
    public void Generated_signer_keys_match_their_verifier_keys()
    {
        foreach (var type in new[] { NoteSignatureType.Ed25519, NoteSignatureType.CosignatureV1 })
        {
            var signer = NoteSignerKey.Generate("gen.example/k", type);
            Assert.Equal(type, signer.Type);
            Assert.Equal(signer.VerifierKey, NoteVerifierKey.Parse(signer.VerifierKey.ToString()));
            Assert.Equal(signer.VerifierKey, NoteSignerKey.ParsePrivateKey(signer.ExportPrivateKey()).VerifierKey);
        }
    }

    private static uint ComputeIdUnchecked(string name, byte[] material)
    {
        var input = Encoding.UTF8.GetBytes(name + "\n").Concat(material).ToArray();
        var hash = SHA256.HashData(input);
        return (uint)(hash[0] << 24 | hash[1] << 16 | hash[2] << 8 | hash[3]);
    }
}
