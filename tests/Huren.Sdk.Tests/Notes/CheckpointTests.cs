using System.Security.Cryptography;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Tests.Notes;

public class CheckpointTests
{
    private const string Origin = "huren.cz-t/430100";
    private static readonly byte[] Root = SHA256.HashData("root"u8);

    private static CheckpointSigner Signer(bool withSm2 = true)
        => new(Origin, TestKeys.Ed25519("log-430100"), withSm2 ? TestKeys.Sm2 : null);

    [Fact]
    public void C2sp_example_checkpoint_parses()
    {
        var note = SignedNote.Parse(NoteVectors.SofaCosignedNote);
        var checkpoint = Checkpoint.FromNote(note, "example.com/behind-the-sofa");
        Assert.Equal("example.com/behind-the-sofa", checkpoint.Origin);
        Assert.Equal(20852163ul, checkpoint.Size);
        Assert.Equal(Convert.FromBase64String("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="), checkpoint.GetRootHash());
        Assert.Empty(checkpoint.Extensions);
        Assert.Equal(NoteVectors.SofaBody, checkpoint.ToString());
        Assert.Equal(2, note.Signatures.Count);
    }

    [Fact]
    public void Checkpoint_round_trips_with_extension_lines()
    {
        var checkpoint = new Checkpoint(Origin, 42, Root, ["status-map " + Convert.ToBase64String(Root), "x"]);
        var body = checkpoint.ToString();
        Assert.Equal($"{Origin}\n42\n{Convert.ToBase64String(Root)}\nstatus-map {Convert.ToBase64String(Root)}\nx\n", body);
        var back = Checkpoint.Parse(body, Origin);
        Assert.Equal(42ul, back.Size);
        Assert.Equal(Root, back.RootHash.ToArray());
        Assert.Equal(checkpoint.Extensions, back.Extensions);
        Assert.Equal(body, back.ToString());
    }

    [Fact]
    public void Empty_tree_and_largest_size_parse()
    {
        var empty = SHA256.HashData([]);
        Assert.Equal(0ul, Checkpoint.Parse($"{Origin}\n0\n{Convert.ToBase64String(empty)}\n").Size);
        Assert.Equal(ulong.MaxValue, Checkpoint.Parse($"{Origin}\n18446744073709551615\n{Convert.ToBase64String(empty)}\n").Size);
    }

    public static TheoryData<string, string> MalformedBodies()
    {
        var root = Convert.ToBase64String(Root);
        return new TheoryData<string, string>
        {
            { "no final newline", $"{Origin}\n1\n{root}" },
            { "two lines", $"{Origin}\n1\n" },
            { "empty origin", $"\n1\n{root}\n" },
            { "leading zero", $"{Origin}\n01\n{root}\n" },
            { "plus sign", $"{Origin}\n+1\n{root}\n" },
            { "minus sign", $"{Origin}\n-1\n{root}\n" },
            { "space in size", $"{Origin}\n 1\n{root}\n" },
            { "hex size", $"{Origin}\n0x1\n{root}\n" },
            { "empty size", $"{Origin}\n\n{root}\n" },
            { "size overflow", $"{Origin}\n18446744073709551616\n{root}\n" },
            { "root of 31 bytes", $"{Origin}\n1\n{Convert.ToBase64String(new byte[31])}\n" },
            { "root of 33 bytes", $"{Origin}\n1\n{Convert.ToBase64String(new byte[33])}\n" },
            { "root unpadded", $"{Origin}\n1\n{root.TrimEnd('=')}\n" },
            { "root base64url", $"{Origin}\n1\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n" },
            { "root with a space", $"{Origin}\n1\n {root}\n" },
            { "root not canonical", $"{Origin}\n1\n{root[..^2]}J=\n" },
            { "empty extension line", $"{Origin}\n1\n{root}\n\next\n" },
            { "trailing empty line", $"{Origin}\n1\n{root}\n\n" },
            { "carriage return", $"{Origin}\r\n1\r\n{root}\r\n" },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public void Malformed_checkpoints_are_refused(string rule, string body)
    {
        Assert.False(Checkpoint.TryParse(body, null, out _, out var error), rule);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Wrong_origin_is_refused_when_one_is_expected()
    {
        var body = new Checkpoint(Origin, 1, Root).ToString();
        Assert.Throws<FormatException>(() => Checkpoint.Parse(body, "huren.cz-t/430200"));
        Assert.Equal(Origin, Checkpoint.Parse(body).Origin);
    }

    [Fact]
    public void Checkpoint_parts_are_validated()
    {
        Assert.Throws<ArgumentException>(() => new Checkpoint(Origin, 1, new byte[31]));
        Assert.Throws<ArgumentException>(() => new Checkpoint("", 1, Root));
        Assert.Throws<ArgumentException>(() => new Checkpoint("a\nb", 1, Root));
        Assert.Throws<ArgumentException>(() => new Checkpoint(Origin, 1, Root, [""]));
        Assert.Throws<ArgumentException>(() => new Checkpoint(Origin, 1, Root, ["a\nb"]));
    }

    [Fact]
    public void Signer_writes_Ed25519_then_SM2_lines_named_after_the_origin_and_the_verifier_accepts()
    {
        var signer = Signer();
        var note = signer.Sign(7, Root);
        Assert.Equal(2, note.Signatures.Count);
        Assert.All(note.Signatures, s => Assert.Equal(Origin, s.Name));
        Assert.Equal(signer.LogVerifierKey.KeyId, note.Signatures[0].KeyId);
        Assert.Equal(signer.Sm2VerifierKey!.KeyId, note.Signatures[1].KeyId);

        var verifier = new CheckpointVerifier(signer.LogVerifierKey, signer.Sm2VerifierKey);
        var result = verifier.Verify(note.ToUtf8());
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(7ul, result.Checkpoint.Size);
        Assert.Equal(Root, result.Checkpoint.RootHash.ToArray());
        Assert.True(result.Signatures.IsVerifiedBy(signer.Sm2VerifierKey));

        // Published keys round-trip through their strings (network configuration).
        var fromConfig = new CheckpointVerifier(NoteVerifierKey.Parse(signer.LogVerifierKey.ToString()), NoteVerifierKey.Parse(signer.Sm2VerifierKey.ToString()));
        Assert.True(fromConfig.Verify(note.ToString()).IsValid);
    }

    [Fact]
    public void Verifier_without_SM2_key_ignores_the_SM2_line_and_one_with_it_requires_it()
    {
        var signer = Signer();
        var both = signer.Sign(3, Root);
        var edOnly = Signer(withSm2: false).Sign(3, Root);
        Assert.Single(edOnly.Signatures);

        var plain = new CheckpointVerifier(signer.LogVerifierKey);
        Assert.True(plain.Verify(both).IsValid);
        Assert.True(plain.Verify(edOnly).IsValid);

        var strict = new CheckpointVerifier(signer.LogVerifierKey, signer.Sm2VerifierKey);
        var result = strict.Verify(edOnly);
        Assert.False(result.IsValid);
        Assert.Contains("required key", result.Failure);

        // SM2 known but optional: verified when present.
        Assert.True(plain.Verify(both, [signer.Sm2VerifierKey!]).Signatures!.IsVerifiedBy(signer.Sm2VerifierKey!));
        Assert.True(plain.Verify(edOnly, [signer.Sm2VerifierKey!]).IsValid);
    }

    [Fact]
    public void Verifier_rejects_a_bad_SM2_line_wrong_origin_missing_log_signature_and_malformed_bodies()
    {
        var signer = Signer();
        var verifier = new CheckpointVerifier(signer.LogVerifierKey, signer.Sm2VerifierKey);
        var note = signer.Sign(5, Root);

        var sm2 = note.Signatures[1].Signature.ToArray();
        sm2[8] ^= 1;
        var badSm2 = note.WithSignature(NoteSignature.Create(Origin, note.Signatures[1].KeyId, sm2));
        Assert.False(verifier.Verify(badSm2).IsValid);
        Assert.False(new CheckpointVerifier(signer.LogVerifierKey).Verify(badSm2, [signer.Sm2VerifierKey!]).IsValid);

        // Another city's checkpoint signed by another key: wrong origin.
        var other = new CheckpointSigner("huren.cz-t/430200", TestKeys.Ed25519("log-430200"), null).Sign(5, Root);
        var wrongOrigin = verifier.Verify(other);
        Assert.False(wrongOrigin.IsValid);
        Assert.Contains("origin", wrongOrigin.Failure);

        // The right origin signed by an unknown key only.
        var impostor = new CheckpointSigner(Origin, TestKeys.Ed25519("impostor"), null).Sign(5, Root);
        var unknown = new CheckpointVerifier(signer.LogVerifierKey).Verify(impostor);
        Assert.False(unknown.IsValid);
        Assert.Contains("required key", unknown.Failure);

        // Validly signed, but the text is not a checkpoint.
        var logSigner = NoteSignerKey.ForEd25519(Origin, TestKeys.Ed25519("log-430100"));
        var notCheckpoint = SignedNote.Sign($"{Origin}\n05\n{Convert.ToBase64String(Root)}\n", logSigner);
        var malformed = new CheckpointVerifier(signer.LogVerifierKey).Verify(notCheckpoint);
        Assert.False(malformed.IsValid);
        Assert.Contains("malformed checkpoint", malformed.Failure);

        Assert.Contains("malformed note", verifier.Verify("not a note").Failure);

        // Tampered size.
        var tampered = note.ToString().Replace($"\n5\n", "\n6\n", StringComparison.Ordinal);
        Assert.False(verifier.Verify(tampered).IsValid);
    }

    [Fact]
    public void Signer_and_verifier_refuse_mismatched_keys_and_origins()
    {
        var signer = Signer();
        Assert.Throws<ArgumentException>(() => signer.Sign(new Checkpoint("huren.cz-t/430200", 1, Root)));
        Assert.Throws<ArgumentException>(() => signer.Sign(1, new byte[16]));
        Assert.Throws<ArgumentException>(() => new CheckpointSigner("bad origin", TestKeys.Ed25519("x"), null));
        Assert.Throws<ArgumentException>(() => new CheckpointSigner(Origin, TestKeys.Sm2, null));
        Assert.Throws<ArgumentException>(() => new CheckpointVerifier(signer.Sm2VerifierKey!));
        Assert.Throws<ArgumentException>(() => new CheckpointVerifier(signer.LogVerifierKey, signer.LogVerifierKey));
        var otherName = NoteVerifierKey.ForSm2("huren.cz-t/430200", TestKeys.Sm2.PublicKey);
        Assert.Throws<ArgumentException>(() => new CheckpointVerifier(signer.LogVerifierKey, otherName));
    }
}
