using System.Text;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Tests.Notes;

/// <summary>
/// Every parsing and argument rule of the signed-note types answers with its own exact message or exception, so a
/// rule that is removed or loosened shows (these are the rules the mutation run found unguarded).
/// </summary>
public sealed class NoteRuleTests
{
    private const string Origin = "huren.cz-t/430100";
    private static readonly byte[] Root = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
    private static readonly string RootBase64 = Convert.ToBase64String(Root);
    private static readonly NoteSignerKey Log = NoteSignerKey.ForEd25519(Origin, TestKeys.Ed25519("log-430100"));
    private static readonly NoteSignerKey Witness = NoteSignerKey.ForCosigner(Origin + "/witness", TestKeys.Ed25519("witness-430100"));

    private static string Body(ulong size = 3) => $"{Origin}\n{size}\n{RootBase64}\n";

    public static TheoryData<string?, string> BadVerifierKeys => new()
    {
        { null, "verifier key is null" },
        { "abc", "verifier key is not <name>+<key id>+<key>" },
        { "abc+00000000", "verifier key is not <name>+<key id>+<key>" },
        { "+00000000+AQ==", "key name is empty" },
        { "a b+00000000+AQ==", "key name 'a b' contains a space or control character (U+0020)" },
        { "a\u0001b+00000000+AQ==", "key name 'a\\x01b' contains a space or control character (U+0001)" },
        { "name+0000000+AQ==", "verifier key ID is not 8 lowercase hex digits" },
        { "name+0000000A+AQ==", "verifier key ID is not 8 lowercase hex digits" },
        { "name+0000000g+AQ==", "verifier key ID is not 8 lowercase hex digits" },
        { "name+00000000+AQ", "verifier key material is not canonical standard base64" },
        { "name+00000000+AR==", "verifier key material is not canonical standard base64" },
        { "name+00000000+" + Convert.ToBase64String([0x01, .. new byte[31]]), "an Ed25519 verifier key carries 32 key bytes, got 31" },
        { "name+00000000+" + Convert.ToBase64String([0x04, .. new byte[33]]), "an Ed25519 verifier key carries 32 key bytes, got 33" },
        { "name+00000000+" + Convert.ToBase64String([0xff, .. "huren-sm2-sm3/v2"u8]), "a type 0xff verifier key must continue with 'huren-sm2-sm3/v1'" },
        { "name+00000000+" + Convert.ToBase64String([0x02, 0x00]), "unsupported verifier key type 0x02 (expected 0x01, 0x04 or 0xff)" },
    };

    [Theory]
    [MemberData(nameof(BadVerifierKeys))]
    public void Malformed_verifier_keys_are_refused_with_their_rule(string? vkey, string expected)
    {
        Assert.False(NoteVerifierKey.TryParse(vkey, out var key, out var error));
        Assert.Null(key);
        Assert.Equal(expected, error);
        Assert.False(NoteVerifierKey.TryParse(vkey, out _));
    }

    [Fact]
    public void Key_names_with_an_unpaired_surrogate_are_refused_and_a_pair_is_a_character()
    {
        // Not theory data: xUnit would replace the lone surrogates when it serializes the cases.
        foreach (var vkey in new[] { "a\ud800b+00000000+AQ==", "a\udc00+00000000+AQ==", "a\ud800+00000000+AQ==" })
        {
            Assert.False(NoteVerifierKey.TryParse(vkey, out _, out var error));
            Assert.Equal("key name is not valid Unicode (unpaired surrogate)", error);
        }
        var named = NoteVerifierKey.ForEd25519("clef-\ud834\udd1e", Log.SigningKey.PublicKey);
        Assert.Equal(named, NoteVerifierKey.Parse(named.ToString()));
    }

    [Fact]
    public void SM2_verifier_key_material_must_hold_an_SM2_SubjectPublicKeyInfo_and_its_key_ID()
    {
        byte[] Material(byte[] spki) => [0xff, .. "huren-sm2-sm3/v1"u8, .. spki];
        Assert.False(NoteVerifierKey.TryParse("name+00000000+" + Convert.ToBase64String(Material([0x30, 0x00])), out _, out var error));
        Assert.StartsWith("the SM2 verifier key's SubjectPublicKeyInfo is invalid: ", error, StringComparison.Ordinal);
        var p256 = SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256).PublicKey.SubjectPublicKeyInfo;
        Assert.False(NoteVerifierKey.TryParse("name+00000000+" + Convert.ToBase64String(Material(p256)), out _, out error));
        Assert.Equal("a huren-sm2-sm3/v1 verifier key must be SM2, got EcdsaP256Sha256", error);

        var sm2 = NoteVerifierKey.ForSm2(Origin, TestKeys.Sm2.PublicKey);
        var wrongId = sm2.ToString().Replace($"+{sm2.KeyIdHex}+", "+00000000+", StringComparison.Ordinal);
        Assert.False(NoteVerifierKey.TryParse(wrongId, out _, out error));
        Assert.Equal($"verifier key ID 00000000 does not match the key (expected {sm2.KeyIdHex})", error);
        Assert.Equal(sm2, NoteVerifierKey.Parse(sm2.ToString()));
    }

    [Fact]
    public void Verifier_keys_are_built_only_from_the_right_algorithm_and_a_valid_name()
    {
        Assert.Throws<ArgumentNullException>(() => NoteVerifierKey.ForSm2(Origin, null!));
        Assert.Throws<ArgumentNullException>(() => NoteVerifierKey.ForEd25519(Origin, null!));
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => NoteVerifierKey.ForSm2("a b", TestKeys.Sm2.PublicKey)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => NoteVerifierKey.ForCosigner("", Log.SigningKey.PublicKey)).ParamName);
        Assert.StartsWith("a huren-sm2-sm3/v1 note key must be SM2, got Ed25519", Assert.Throws<ArgumentException>(() => NoteVerifierKey.ForSm2(Origin, Log.SigningKey.PublicKey)).Message, StringComparison.Ordinal);
        Assert.StartsWith("a type 0x04 note key must be Ed25519, got Sm2Sm3", Assert.Throws<ArgumentException>(() => NoteVerifierKey.ForCosigner(Origin, TestKeys.Sm2.PublicKey)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => NoteVerifierKey.ComputeKeyId("a+b", [0x01]));

        // Equal only with the same name and the same key material.
        var key = Log.VerifierKey;
        Assert.Equal(key, NoteVerifierKey.ForEd25519(Origin, Log.SigningKey.PublicKey));
        Assert.NotEqual(key, NoteVerifierKey.ForEd25519("huren.cz-t/430200", Log.SigningKey.PublicKey));
        Assert.NotEqual(key, NoteVerifierKey.ForCosigner(Origin, Log.SigningKey.PublicKey));
        Assert.False(key.Equals(null));
        Assert.False(key.Equals((object)"text"));
    }

    [Fact]
    public void A_cosignature_at_the_largest_timestamp_verifies_and_one_beyond_it_does_not()
    {
        var body = Encoding.UTF8.GetBytes(Body());
        var line = Witness.Cosign(body, long.MaxValue);
        Assert.True(Witness.VerifierKey.VerifySignature(body, line.Signature, out var time));
        Assert.Equal((ulong)long.MaxValue, time);
        Assert.Throws<ArgumentOutOfRangeException>(() => Witness.Cosign(body, (ulong)long.MaxValue + 1));
        var beyond = line.Signature.ToArray();
        beyond[0] = 0x80; // timestamp 2^63 + …: not a valid POSIX time
        Assert.False(Witness.VerifierKey.VerifySignature(body, beyond, out time));
        Assert.Null(time);
    }

    public static TheoryData<string?, string> BadPrivateKeys => new()
    {
        { null, "a note private key starts with 'PRIVATE+KEY+'" },
        { "PRIVATE+KEY", "a note private key starts with 'PRIVATE+KEY+'" },
        { "PRIVATE+KEY+abc", "a note private key is PRIVATE+KEY+<name>+<key id>+<key>" },
        { "PRIVATE+KEY+abc+00000000", "a note private key is PRIVATE+KEY+<name>+<key id>+<key>" },
        { "PRIVATE+KEY++00000000+AQ==", "key name is empty" },
        { "PRIVATE+KEY+name+0000000G+AQ==", "private key ID is not 8 lowercase hex digits" },
        { "PRIVATE+KEY+name+00000000+A", "private key material is not canonical standard base64" },
        { "PRIVATE+KEY+name+00000000+" + Convert.ToBase64String([0x01, .. new byte[31]]), "an Ed25519 private key carries a 32-byte seed, got 31 bytes" },
        { "PRIVATE+KEY+name+00000000+" + Convert.ToBase64String([0x01, .. new byte[33]]), "an Ed25519 private key carries a 32-byte seed, got 33 bytes" },
        { "PRIVATE+KEY+name+00000000+" + Convert.ToBase64String([0x02, .. new byte[32]]), "unsupported private key type 0x02 (expected 0x01 or 0x04)" },
    };

    [Theory]
    [MemberData(nameof(BadPrivateKeys))]
    public void Malformed_private_keys_are_refused_with_their_rule(string? text, string expected)
    {
        Assert.False(NoteSignerKey.TryParsePrivateKey(text, out var key, out var error));
        Assert.Null(key);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Signer_keys_export_parse_and_refuse_what_their_type_cannot_do()
    {
        var exported = Witness.ExportPrivateKey();
        Assert.Equal(Witness.VerifierKey, NoteSignerKey.ParsePrivateKey(exported).VerifierKey);
        var wrongId = exported.Replace($"+{Witness.VerifierKey.KeyIdHex}+", "+00000000+", StringComparison.Ordinal);
        Assert.False(NoteSignerKey.TryParsePrivateKey(wrongId, out var key, out var error));
        Assert.Null(key);
        Assert.Equal($"private key ID 00000000 does not match the key (expected {Witness.VerifierKey.KeyIdHex})", error);

        var sm2 = NoteSignerKey.ForSm2(Origin, TestKeys.Sm2);
        Assert.Equal("an SM2 note key has no PRIVATE+KEY string; export it as PKCS#8 PEM", Assert.Throws<InvalidOperationException>(sm2.ExportPrivateKey).Message);
        Assert.Equal("a cosignature/v1 key signs with a timestamp: use Cosign", Assert.Throws<InvalidOperationException>(() => Witness.Sign("x\n"u8)).Message);
        Assert.Equal("a type 0x01 key does not cosign; use Sign", Assert.Throws<InvalidOperationException>(() => Log.Cosign("x\n"u8, 1)).Message);
        Assert.Equal($"{Origin}+{Log.VerifierKey.KeyIdHex} (signer, type 0x01)", Log.ToString());
        Assert.StartsWith("unknown note signature type 0x02", Assert.Throws<ArgumentException>(() => NoteSignerKey.Generate(Origin, (NoteSignatureType)0x02)).Message, StringComparison.Ordinal);
    }

    public static TheoryData<string?, string> BadSignatureLines => new()
    {
        { null, "signature line is null" },
        { "- name AAAAAAA=", "signature line does not start with an em dash and a space: '- name AAAAAAA='" },
        { "x\u0001\u007fy", "signature line does not start with an em dash and a space: 'x\\x01\\x7fy'" },
        { "— nospace", "signature line is not '— <name> <signature>'" },
        { "—  AAAAAAA=", "signature line: key name is empty" },
        { "— a\u0001b AAAAAAA=", "signature line: key name 'a\\x01b' contains a space or control character (U+0001)" },
        { "— name AAAA!!==", "signature of 'name' is not canonical standard base64" },
        { "— name AAAAAA==", "signature of 'name' is shorter than a key ID and one signature byte" },
    };

    [Theory]
    [MemberData(nameof(BadSignatureLines))]
    public void Malformed_signature_lines_are_refused_with_their_rule(string? line, string expected)
    {
        Assert.False(NoteSignature.TryParseLine(line, out var signature, out var error));
        Assert.Null(signature);
        Assert.Equal(expected, error);
    }

    [Fact]
    public void Signature_lines_of_five_bytes_parse_and_equality_needs_name_key_ID_and_bytes()
    {
        var shortest = NoteSignature.ParseLine("— name AAAAAQI=\n");
        Assert.Equal(1u, shortest.KeyId);
        Assert.Equal(new byte[] { 0x02 }, shortest.Signature.ToArray());
        Assert.Equal("— name AAAAAQI=", shortest.ToString());

        var line = NoteSignature.Create("name", 7, [1, 2, 3]);
        Assert.Equal(line, NoteSignature.Create("name", 7, [1, 2, 3]));
        Assert.Equal(line.GetHashCode(), NoteSignature.Create("name", 7, [1, 2, 3]).GetHashCode());
        Assert.NotEqual(line, NoteSignature.Create("other", 7, [1, 2, 3]));
        Assert.NotEqual(line, NoteSignature.Create("name", 8, [1, 2, 3]));
        Assert.NotEqual(line, NoteSignature.Create("name", 7, [1, 2, 4]));
        Assert.False(line.Equals(null));
        Assert.Equal("a note signature is not empty" + " (Parameter 'signature')", Assert.Throws<ArgumentException>(() => NoteSignature.Create("name", 7, [])).Message);
        Assert.Contains("contains '+'", Assert.Throws<ArgumentException>(() => NoteSignature.Create("a+b", 7, [1])).Message, StringComparison.Ordinal);
        Assert.False(line.IsFrom(null!));
    }

    [Fact]
    public void Notes_name_the_rule_they_break()
    {
        string? Error(string? note) => SignedNote.TryParse(note, out _, out var error) ? null : error;
        var line = Log.Sign(Encoding.UTF8.GetBytes(Body())).ToLine();
        Assert.Equal("note is null", Error(null));
        Assert.Equal("note is not valid Unicode (unpaired surrogate)", Error("a\ud800\n\n" + line));
        Assert.Equal("note contains the control character U+0001 at 0", Error("\u0001a\n\n" + line));
        Assert.Equal("note does not end in a newline", Error("a\n\n" + line.TrimEnd('\n')));
        Assert.Equal("note has no blank line before its signatures", Error("a\n" + line));
        Assert.Equal("note text ends in an empty line (more than one blank line before the signatures)", Error("\n\n" + line));
        Assert.Equal("note has no signature lines", Error("a\n\n"));

        // A valid surrogate pair is text like any other; a lone low surrogate is not.
        Assert.Equal("a \ud834\udd1e\n", SignedNote.Parse(SignedNote.Sign("a \ud834\udd1e\n", Log).ToString()).Text);
        Assert.False(SignedNote.IsValidText("a\udd1e\n", out var error));
        Assert.Equal("note text is not valid Unicode (unpaired surrogate)", error);
        Assert.False(SignedNote.IsValidText("\u0001\n", out error));
        Assert.Equal("note text contains the control character U+0001 at 0", error);
        Assert.False(SignedNote.IsValidText("a", out error));
        Assert.Equal("note text does not end in a newline", error);
        Assert.False(SignedNote.IsValidText(null, out error));
        Assert.Equal("note text does not end in a newline", error);
    }

    [Fact]
    public void Notes_hold_one_to_32_signatures_and_refuse_null_arguments()
    {
        var text = Body();
        var signers = Enumerable.Range(0, 33).Select(i => NoteSignerKey.ForEd25519($"k{i}", TestKeys.Ed25519($"k{i}"))).ToArray();
        var lines = signers.Select(s => s.Sign(Encoding.UTF8.GetBytes(text))).ToArray();
        Assert.Equal(32, SignedNote.Create(text, lines[..32]).Signatures.Count);
        Assert.Equal(32, SignedNote.Sign(text, signers[..32]).Signatures.Count);
        Assert.StartsWith("a signed note has at most 32 signatures", Assert.Throws<ArgumentException>(() => SignedNote.Create(text, lines)).Message, StringComparison.Ordinal);
        Assert.StartsWith("a signed note has at most 32 signatures", Assert.Throws<ArgumentException>(() => SignedNote.Sign(text, signers)).Message, StringComparison.Ordinal);
        Assert.StartsWith("a signed note has at least one signature", Assert.Throws<ArgumentException>(() => SignedNote.Create(text, [])).Message, StringComparison.Ordinal);
        Assert.StartsWith("null signature", Assert.Throws<ArgumentException>(() => SignedNote.Create(text, [null!])).Message, StringComparison.Ordinal);
        Assert.StartsWith("note text does not end in a newline", Assert.Throws<ArgumentException>(() => SignedNote.Create("x", lines[..1])).Message, StringComparison.Ordinal);
        Assert.StartsWith("at least one signer", Assert.Throws<ArgumentException>(() => SignedNote.Sign(text)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => SignedNote.Create(text, null!));

        var full = SignedNote.Create(text, lines[..32]);
        Assert.Equal("a signed note has at most 32 signatures", Assert.Throws<InvalidOperationException>(() => full.WithSignature(lines[32])).Message);
        Assert.StartsWith("null signature", Assert.Throws<ArgumentException>(() => full.WithSignatures([null!])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => full.WithSignatures(null!));
        Assert.Throws<ArgumentNullException>(() => full.AddSignature(null!));
        Assert.Throws<ArgumentNullException>(() => full.Verify(null!));
        Assert.Throws<ArgumentNullException>(() => full.Verify([Log.VerifierKey], null!));
        Assert.Throws<ArgumentNullException>(() => full.Verify([null!]));
    }

    [Fact]
    public void A_verified_note_reports_only_the_keys_that_verified_it()
    {
        var note = SignedNote.Sign(Body(), Log);
        var result = note.Verify([Log.VerifierKey, Witness.VerifierKey]);
        Assert.True(result.IsVerifiedBy(Log.VerifierKey));
        Assert.False(result.IsVerifiedBy(Witness.VerifierKey));
        Assert.False(result.IsVerifiedBy(null!));
    }

    [Fact]
    public void Checkpoints_name_the_rule_they_break()
    {
        Assert.Equal("origin: line is empty (Parameter 'origin')", Assert.Throws<ArgumentException>(() => new Checkpoint("", 1, Root)).Message);
        Assert.Equal("origin: line contains a control character (Parameter 'origin')", Assert.Throws<ArgumentException>(() => new Checkpoint("\u0001x", 1, Root)).Message);
        Assert.Equal("a root hash is 32 bytes, got 31 (Parameter 'rootHash')", Assert.Throws<ArgumentException>(() => new Checkpoint(Origin, 1, Root[..31])).Message);
        Assert.Equal("extension line: line is empty (Parameter 'extensions')", Assert.Throws<ArgumentException>(() => new Checkpoint(Origin, 1, Root, [""])).Message);
        Assert.Equal("extension line: line is not valid Unicode (unpaired surrogate) (Parameter 'extensions')", Assert.Throws<ArgumentException>(() => new Checkpoint(Origin, 1, Root, ["a\ud800"])).Message);

        string? Error(string? body, string? origin = null) => Checkpoint.TryParse(body, origin, out _, out var error) ? null : error;
        Assert.Equal("checkpoint does not end in a newline", Error(null));
        Assert.Equal("checkpoint line 2: line contains a control character", Error($"{Origin}\n\u0001\n{RootBase64}\n"));
        Assert.Equal("checkpoint line 1: line contains a control character", Error($"\u0001\n1\n{RootBase64}\n"));
        Assert.Equal("checkpoint origin 'a\\x7fb' is not the expected 'x'", Error($"a\u007fb\n1\n{RootBase64}\n", "x"));
        var longOrigin = new string('o', 100);
        Assert.Equal($"checkpoint origin '{new string('o', 80)}…' is not the expected 'x'", Error($"{longOrigin}\n1\n{RootBase64}\n", "x"));
        Assert.Equal($"checkpoint origin '{new string('o', 80)}' is not the expected 'x'", Error($"{new string('o', 80)}\n1\n{RootBase64}\n", "x"));
        Assert.Throws<ArgumentNullException>(() => Checkpoint.FromNote(null!));
    }

    [Fact]
    public void Signers_and_verifiers_of_checkpoints_refuse_wrong_arguments_with_their_reason()
    {
        var signer = new CheckpointSigner(Origin, Log.SigningKey, TestKeys.Sm2);
        Assert.Throws<ArgumentNullException>(() => signer.Sign(null!));
        Assert.Equal($"checkpoint origin 'huren.cz-t/430200' is not this signer's '{Origin}' (Parameter 'checkpoint')",
            Assert.Throws<ArgumentException>(() => signer.Sign(new Checkpoint("huren.cz-t/430200", 1, Root))).Message);

        var sm2 = signer.Sm2VerifierKey!;
        Assert.Throws<ArgumentNullException>(() => new CheckpointVerifier(null!));
        Assert.Equal("a log key is Ed25519 (type 0x01), got type 0x04 (Parameter 'logKey')", Assert.Throws<ArgumentException>(() => new CheckpointVerifier(Witness.VerifierKey)).Message);
        Assert.Equal("an SM2 log key is type 0xff, got type 0x01 (Parameter 'sm2Key')", Assert.Throws<ArgumentException>(() => new CheckpointVerifier(Log.VerifierKey, Log.VerifierKey)).Message);
        var otherSm2 = NoteVerifierKey.ForSm2("huren.cz-t/430200", TestKeys.Sm2.PublicKey);
        Assert.Equal($"the SM2 key is named 'huren.cz-t/430200', the log key '{Origin}' (Parameter 'sm2Key')", Assert.Throws<ArgumentException>(() => new CheckpointVerifier(Log.VerifierKey, otherSm2)).Message);
        Assert.Equal($"witness key {Log.Name}+{Log.VerifierKey.KeyIdHex} is type 0x01, expected 0x04 (Parameter 'witnessKeys')",
            Assert.Throws<ArgumentException>(() => new CheckpointVerifier(Log.VerifierKey, sm2, [Log.VerifierKey])).Message);

        var verifier = new CheckpointVerifier(Log.VerifierKey, sm2);
        Assert.Throws<ArgumentNullException>(() => verifier.Verify((SignedNote)null!));
        Assert.Throws<ArgumentNullException>(() => verifier.Verify(signer.Sign(1, Root), null!));
        Assert.Equal("malformed note: note is not valid UTF-8", verifier.Verify([0x61, 0x0a, 0x0a, 0xff]).Failure);
        Assert.True(verifier.Verify(signer.Sign(1, Root).ToUtf8()).IsValid);

        // A verifier with witness keys still checks the other known keys it is given.
        var withWitness = new CheckpointVerifier(Log.VerifierKey, sm2, [Witness.VerifierKey]);
        var extra = NoteSignerKey.ForEd25519("example.com/extra", TestKeys.Ed25519("extra"));
        var bad = NoteSignature.Create(extra.Name, extra.KeyId, new byte[64]);
        var note = signer.Sign(1, Root).WithSignature(bad);
        Assert.True(withWitness.Verify(note).IsValid);
        Assert.Contains("invalid signature for key example.com/extra+", withWitness.Verify(note, [extra.VerifierKey]).Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Cosignature_helpers_refuse_null_and_negative_arguments()
    {
        var note = new CheckpointSigner(Origin, Log.SigningKey, null).Sign(1, Root);
        var line = Witness.Cosign(note.TextUtf8, 5);
        Assert.Throws<ArgumentNullException>(() => CosignatureVerifier.Verify(null!, line, Witness.VerifierKey, out _));
        Assert.Throws<ArgumentNullException>(() => CosignatureVerifier.Verify(note.Text, null!, Witness.VerifierKey, out _));
        Assert.Throws<ArgumentNullException>(() => CosignatureVerifier.Verify(note.Text, line, null!, out _));
        Assert.Throws<ArgumentNullException>(() => CosignatureVerifier.TryReadTimestamp(null!, out _));
        Assert.Equal("a witness key is type 0x04, got type 0x01 (Parameter 'witnessKey')", Assert.Throws<ArgumentException>(() => CosignatureVerifier.Verify(note.Text, line, Log.VerifierKey, out _)).Message);
        // A body that is not valid Unicode is refused, not thrown on.
        Assert.False(CosignatureVerifier.Verify(note.Text + "\ud800", line, Witness.VerifierKey, out var time));
        Assert.Equal(0ul, time);

        Assert.Throws<ArgumentException>(() => CosignatureSigner.WitnessNameFor(""));
        Assert.Throws<ArgumentNullException>(() => CosignatureSigner.WitnessNameFor(null!));
        Assert.Throws<ArgumentNullException>(() => CosignatureSigner.Sign(note.Text, (NoteSignerKey)null!, 1));
        Assert.Throws<ArgumentNullException>(() => CosignatureSigner.Cosign(null!, Witness, DateTimeOffset.UnixEpoch));
        Assert.Throws<ArgumentOutOfRangeException>(() => CosignatureSigner.Cosign(note, Witness, DateTimeOffset.UnixEpoch.AddSeconds(-1)));
        Assert.True(CosignatureVerifier.TryReadTimestamp(CosignatureSigner.Cosign(note, Witness, DateTimeOffset.UnixEpoch).Signatures[^1], out var zero));
        Assert.Equal(0ul, zero);
    }

    [Fact]
    public void Finality_from_keys_refuses_bad_arguments_and_ignores_the_origins_own_witness()
    {
        var note = new CheckpointSigner(Origin, Log.SigningKey, null).Sign(1, Root);
        var other = NoteSignerKey.ForCosigner("huren.cz-t/430200/witness", TestKeys.Ed25519("witness-430200"));
        Assert.Throws<ArgumentNullException>(() => FinalityCheck.Evaluate(null!, Log.VerifierKey, [], 1));
        Assert.Throws<ArgumentNullException>(() => FinalityCheck.Evaluate(note, Log.VerifierKey, null!, 1));
        Assert.Throws<ArgumentNullException>(() => FinalityCheck.Evaluate(note, Log.VerifierKey, [null!], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => FinalityCheck.Evaluate(note, Log.VerifierKey, [], -1));
        Assert.Equal($"witness key {Log.Name}+{Log.VerifierKey.KeyIdHex} is type 0x01, expected 0x04 (Parameter 'witnessKeys')",
            Assert.Throws<ArgumentException>(() => FinalityCheck.Evaluate(note, Log.VerifierKey, [Log.VerifierKey], 1)).Message);

        // A broken line of the origin's own witness key is not looked at: that key does not count, so it is not known.
        var broken = CosignatureSigner.Cosign(note, other, DateTimeOffset.UnixEpoch).WithSignature(NoteSignature.Create(Witness.Name, Witness.KeyId, new byte[72]));
        var result = FinalityCheck.Evaluate(broken, Log.VerifierKey, [Witness.VerifierKey, other.VerifierKey], 1);
        Assert.True(result.IsFinal, string.Join("; ", result.Reasons));
        Assert.Equal($"witness key {Witness.Name}+{Witness.VerifierKey.KeyIdHex} is the origin's own and does not count", result.Reasons[0]);

        // A cosignature at time 0 counts when the cut-off is time 0.
        Assert.True(FinalityCheck.Evaluate(broken, Log.VerifierKey, [other.VerifierKey], 1, notAfter: DateTimeOffset.UnixEpoch).IsFinal);
    }
}
