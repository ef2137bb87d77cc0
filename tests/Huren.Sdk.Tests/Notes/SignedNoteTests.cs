using System.Text;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Tests.Notes;

public class SignedNoteTests
{
    private static readonly NoteVerifierKey Peter = NoteVerifierKey.Parse(NoteVectors.PeterVerifierKey);
    private static readonly NoteVerifierKey Enoch = NoteVerifierKey.Parse(NoteVectors.EnochVerifierKey);

    [Fact]
    public void Go_PeterNeumann_note_verifies()
    {
        var note = SignedNote.Parse(NoteVectors.PeterNote);
        Assert.Equal(NoteVectors.PeterText, note.Text);
        var signature = Assert.Single(note.Signatures);
        Assert.Equal("PeterNeumann", signature.Name);
        Assert.Equal(NoteVectors.PeterKeyId, signature.KeyId);
        Assert.Equal(64, signature.Signature.Length);

        var result = note.Verify([Peter]);
        Assert.True(result.IsValid, result.Failure);
        Assert.Same(Peter, Assert.Single(result.Verified).Key);
        Assert.True(result.IsVerifiedBy(Peter));
        Assert.Equal(NoteVectors.PeterNote, note.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(NoteVectors.PeterNote), note.ToUtf8());
    }

    [Fact]
    public void Go_PeterNeumann_private_key_reproduces_the_exact_signature_line()
    {
        var signer = NoteSignerKey.ParsePrivateKey(NoteVectors.PeterPrivateKey);
        var note = SignedNote.Sign(NoteVectors.PeterText, signer);
        Assert.Equal(NoteVectors.PeterNote, note.ToString());
        Assert.Equal(NoteVectors.PeterSignatureLine, signer.Sign(Encoding.UTF8.GetBytes(NoteVectors.PeterText)).ToLine());
    }

    [Fact]
    public void Signing_again_replaces_the_line_of_the_same_key()
    {
        var signer = NoteSignerKey.ParsePrivateKey(NoteVectors.PeterPrivateKey);
        var bad = SignedNote.Create(NoteVectors.PeterText, [NoteSignature.Create("PeterNeumann", NoteVectors.PeterKeyId, [1, 2, 3])]);
        Assert.False(bad.Verify([Peter]).IsValid);
        Assert.Equal(NoteVectors.PeterNote, bad.AddSignature(signer).ToString());
    }

    [Fact]
    public void Modified_text_or_signature_fails()
    {
        var tamperedText = NoteVectors.PeterNote.Replace("cryptography", "Cryptography", StringComparison.Ordinal);
        var result = SignedNote.Parse(tamperedText).Verify([Peter]);
        Assert.False(result.IsValid);
        Assert.Contains("invalid signature for key PeterNeumann+c74f20a3", result.Failure);

        // Go's own tampering: four characters inserted into the signature.
        var line = NoteVectors.PeterSignatureLine;
        var tamperedSig = NoteVectors.PeterText + "\n" + line[..60] + "ABCD" + line[60..];
        Assert.False(SignedNote.Parse(tamperedSig).Verify([Peter]).IsValid);

        // One flipped bit in the signature.
        var note = SignedNote.Parse(NoteVectors.PeterNote);
        var bytes = note.Signatures[0].Signature.ToArray();
        bytes[10] ^= 0x20;
        var flipped = SignedNote.Create(note.Text, [NoteSignature.Create("PeterNeumann", NoteVectors.PeterKeyId, bytes)]);
        Assert.False(flipped.Verify([Peter]).IsValid);
    }

    [Fact]
    public void C2sp_example_note_verifies_under_the_example_key()
    {
        var key = NoteVerifierKey.Parse(NoteVectors.C2spVerifierKey);
        var note = SignedNote.Parse(NoteVectors.C2spNote);
        Assert.Equal("This is an example message.\n", note.Text);
        Assert.True(note.Verify([key]).IsValid);
        Assert.False(SignedNote.Parse(NoteVectors.C2spNote.Replace("example message", "example massage", StringComparison.Ordinal)).Verify([key]).IsValid);
    }

    [Fact]
    public void Go_two_signer_note_verifies_each_known_key_and_ignores_the_other()
    {
        var text = NoteVectors.PeterText + "\n" + NoteVectors.PeterSignatureLine + NoteVectors.EnochSignatureLine;
        var note = SignedNote.Parse(text);

        var onlyPeter = note.Verify([Peter]);
        Assert.True(onlyPeter.IsValid);
        Assert.Single(onlyPeter.Verified);
        Assert.Equal("EnochRoot", Assert.Single(onlyPeter.Ignored).Name);

        var both = note.Verify([Peter, Enoch]);
        Assert.True(both.IsValid);
        Assert.Equal(["PeterNeumann", "EnochRoot"], both.Verified.Select(v => v.Key.Name));
        Assert.Empty(both.Ignored);

        var none = note.Verify([]);
        Assert.False(none.IsValid);
        Assert.Equal("note has no verifiable signatures", none.Failure);
        Assert.Equal(2, none.Ignored.Count);
    }

    [Fact]
    public void Lines_that_share_only_the_name_or_only_the_key_id_of_a_known_key_are_ignored()
    {
        var line = NoteVectors.PeterSignatureLine;
        var otherName = line.Replace("PeterNeumann", "CarmenSandiego", StringComparison.Ordinal);
        var otherId = line.Replace("x08g", "xxxx", StringComparison.Ordinal); // the key ID bytes change, the name stays
        var note = SignedNote.Parse(NoteVectors.PeterText + "\n" + line + otherName + otherId);
        var result = note.Verify([Peter]);
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(2, result.Ignored.Count);
    }

    [Fact]
    public void A_failing_line_of_a_known_key_rejects_the_note_even_beside_a_valid_one()
    {
        var line = NoteVectors.PeterSignatureLine;
        var bad = line[..60] + "ABCD" + line[60..];
        var result = SignedNote.Parse(NoteVectors.PeterText + "\n" + line + bad).Verify([Peter]);
        Assert.False(result.IsValid);
        Assert.Contains("invalid signature", result.Failure);
        Assert.False(result.IsVerifiedBy(Peter));
    }

    [Fact]
    public void Duplicate_lines_of_one_key_count_once()
    {
        var result = SignedNote.Parse(NoteVectors.PeterText + "\n" + NoteVectors.PeterSignatureLine + NoteVectors.PeterSignatureLine).Verify([Peter]);
        Assert.True(result.IsValid);
        Assert.Single(result.Verified);
    }

    [Fact]
    public void Required_keys_must_have_verified_lines()
    {
        var note = SignedNote.Parse(NoteVectors.PeterNote);
        Assert.True(note.Verify([], [Peter]).IsValid);
        var result = note.Verify([Peter], [Enoch]);
        Assert.False(result.IsValid);
        Assert.Contains("required key EnochRoot+af0cfe78", result.Failure);
    }

    [Fact]
    public void The_same_known_key_listed_twice_is_accepted()
        => Assert.True(SignedNote.Parse(NoteVectors.PeterNote).Verify([Peter, Peter], [Peter]).IsValid);

    public static TheoryData<string, string> MalformedNotes()
    {
        var text = NoteVectors.PeterText;
        var sig = NoteVectors.PeterSignatureLine;
        return new TheoryData<string, string>
        {
            { "text only", text },
            { "text and blank line, no signatures", text + "\n" },
            { "no final newline", text + "\n" + sig[..^1] },
            { "control character", "\u0001" + text + "\n" + sig },
            { "carriage return", text.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n" + sig },
            { "tab", "a\tb\n\n" + sig },
            { "name with a space", text + "\n" + "— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n" },
            { "name with a plus", text + "\n" + sig.Replace("PeterNeumann", "Peter+Neumann", StringComparison.Ordinal) },
            { "unexpected line", text + "\n" + sig + "Unexpected line.\n" },
            { "hyphen instead of em dash", text + "\n" + sig.Replace("—", "-", StringComparison.Ordinal) },
            { "en dash instead of em dash", text + "\n" + sig.Replace("—", "–", StringComparison.Ordinal) },
            { "no space after the dash", text + "\n" + sig.Replace("— ", "—", StringComparison.Ordinal) },
            { "two spaces before the signature", text + "\n" + sig.Replace("Neumann ", "Neumann  ", StringComparison.Ordinal) },
            { "trailing space", text + "\n" + sig[..^1] + " \n" },
            { "missing signature", text + "\n" + "— PeterNeumann\n" },
            { "empty signature", text + "\n" + "— PeterNeumann \n" },
            { "signature not base64", text + "\n" + "— PeterNeumann not*base64\n" },
            { "signature unpadded", text + "\n" + sig.Replace("AM=", "AM", StringComparison.Ordinal) },
            { "signature too short", text + "\n" + "— PeterNeumann AAAAAA==\n" },
            { "two blank lines before the signatures", text + "\n\n" + sig },
            { "blank line after the signatures", text + "\n" + sig + "\n" },
            { "empty text", "\n" + sig },
            { "empty note", "" },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedNotes))]
    public void Malformed_notes_are_refused(string rule, string note)
    {
        Assert.False(SignedNote.TryParse(note, out _, out var error), rule);
        Assert.False(string.IsNullOrEmpty(error));
        Assert.False(SignedNote.TryParse(Encoding.UTF8.GetBytes(note), out _, out _), rule);
        Assert.Throws<FormatException>(() => SignedNote.Parse(note));
    }

    [Fact]
    public void Invalid_UTF8_is_refused()
    {
        var bytes = Encoding.UTF8.GetBytes(NoteVectors.PeterNote);
        var broken = new byte[] { 0xff }.Concat(bytes).ToArray();
        Assert.False(SignedNote.TryParse(broken, out _, out var error));
        Assert.Contains("UTF-8", error);
        var overlong = new byte[] { 0xc0, 0xaf }.Concat(bytes).ToArray();
        Assert.False(SignedNote.TryParse(overlong, out _, out _));
        Assert.False(SignedNote.TryParse("\ud800" + NoteVectors.PeterNote, out _, out _));
        Assert.True(SignedNote.TryParse(bytes, out _, out _));
    }

    [Fact]
    public void Text_may_contain_blank_lines_and_is_split_at_the_last_one()
    {
        var note = SignedNote.Parse(NoteVectors.QuasimodoNote);
        Assert.Equal("Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n", note.Text);
        Assert.Equal("quasimodo.example/salvatore", Assert.Single(note.Signatures).Name);
        Assert.Equal(NoteVectors.QuasimodoNote, note.ToString());

        // A text line that looks like a signature line stays text when a blank line follows it.
        var tricky = SignedNote.Parse("a\n\n" + NoteVectors.PeterSignatureLine + "\n" + NoteVectors.PeterSignatureLine);
        Assert.Equal("a\n\n" + NoteVectors.PeterSignatureLine, tricky.Text);
        Assert.Single(tricky.Signatures);
    }

    [Fact]
    public void At_most_32_signature_lines_are_accepted()
    {
        var signer = NoteSignerKey.ParsePrivateKey(NoteVectors.PeterPrivateKey);
        var lines = new StringBuilder();
        for (var i = 0; i < 31; i++)
        {
            lines.Append(NoteSignature.Create($"other{i}.example", (uint)i, [1, 2, 3, 4]).ToLine());
        }
        var thirtyTwo = NoteVectors.PeterText + "\n" + NoteVectors.PeterSignatureLine + lines;
        var parsed = SignedNote.Parse(thirtyTwo);
        Assert.Equal(32, parsed.Signatures.Count);
        var result = parsed.Verify([Peter]);
        Assert.True(result.IsValid);
        Assert.Equal(31, result.Ignored.Count);

        Assert.False(SignedNote.TryParse(thirtyTwo + NoteSignature.Create("one.more", 7, [9]).ToLine(), out _, out var error));
        Assert.Contains("32", error);
        Assert.Throws<InvalidOperationException>(() => parsed.WithSignature(NoteSignature.Create("one.more", 7, [9])));
        Assert.Equal(32, parsed.AddSignature(signer).Signatures.Count); // replacing Peter's line keeps the count
    }

    [Fact]
    public void Invalid_texts_cannot_be_signed()
    {
        var signer = NoteSignerKey.ParsePrivateKey(NoteVectors.PeterPrivateKey);
        Assert.Throws<ArgumentException>(() => SignedNote.Sign("abc", signer));
        Assert.Throws<ArgumentException>(() => SignedNote.Sign("abc\n\n", signer));
        Assert.Throws<ArgumentException>(() => SignedNote.Sign("a\u0000b\n", signer));
        Assert.Throws<ArgumentException>(() => SignedNote.Sign("abc\n"));
        Assert.Throws<ArgumentException>(() => NoteSignature.Create("a b", 1, [1]));
        Assert.Throws<ArgumentException>(() => NoteSignature.Create("ab", 1, []));
    }

    [Fact]
    public void Sign_parse_round_trip_with_several_key_types()
    {
        var ed = NoteSignerKey.ForEd25519("rt.example/log", TestKeys.Ed25519("rt"));
        var sm2 = NoteSignerKey.ForSm2("rt.example/log", TestKeys.Sm2);
        var note = SignedNote.Sign("hello 世界\nsecond line\n", ed, sm2);
        var back = SignedNote.Parse(note.ToUtf8());
        Assert.Equal(note.ToString(), back.ToString());
        Assert.Equal(note.Signatures, back.Signatures);
        var result = back.Verify([ed.VerifierKey, sm2.VerifierKey]);
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(2, result.Verified.Count);
        Assert.All(result.Verified, v => Assert.Null(v.Timestamp));
    }

    [Fact]
    public void Sm2_line_verifies_when_known_is_ignored_when_unknown_and_rejects_when_bad()
    {
        var ed = NoteSignerKey.ForEd25519("sm2.example/log", TestKeys.Ed25519("sm2-log"));
        var sm2 = NoteSignerKey.ForSm2("sm2.example/log", TestKeys.Sm2);
        var note = SignedNote.Sign("body\n", ed, sm2);
        var sm2Line = note.Signatures[1];
        Assert.Equal(sm2.KeyId, sm2Line.KeyId);
        Assert.True(TestKeys.Sm2.PublicKey.Verify("body\n"u8, sm2Line.Signature));

        Assert.True(note.Verify([ed.VerifierKey, sm2.VerifierKey]).IsVerifiedBy(sm2.VerifierKey));
        var edOnly = note.Verify([ed.VerifierKey]);
        Assert.True(edOnly.IsValid);
        Assert.Same(sm2Line, Assert.Single(edOnly.Ignored));
        Assert.True(note.Verify([sm2.VerifierKey]).IsValid);

        var bytes = sm2Line.Signature.ToArray();
        bytes[^1] ^= 1;
        var bad = note.WithSignature(NoteSignature.Create(sm2Line.Name, sm2Line.KeyId, bytes));
        Assert.True(bad.Verify([ed.VerifierKey]).IsValid); // the SM2 key is unknown here
        var result = bad.Verify([ed.VerifierKey, sm2.VerifierKey]);
        Assert.False(result.IsValid);
        Assert.Contains(sm2.VerifierKey.KeyIdHex, result.Failure);

        // An SM2 signature over other text fails too.
        var other = SignedNote.Create("other\n", [ed.Sign("other\n"u8), sm2Line]);
        Assert.False(other.Verify([ed.VerifierKey, sm2.VerifierKey]).IsValid);
    }

    [Fact]
    public void Signature_line_parses_alone_with_or_without_newline()
    {
        var line = NoteSignature.ParseLine(NoteVectors.PeterSignatureLine);
        Assert.Equal(line, NoteSignature.ParseLine(NoteVectors.PeterSignatureLine[..^1]));
        Assert.True(line.IsFrom(Peter));
        Assert.False(line.IsFrom(Enoch));
        Assert.Equal(NoteVectors.PeterSignatureLine, line.ToLine());
        Assert.Throws<FormatException>(() => NoteSignature.ParseLine("- PeterNeumann AAAAAAAA"));
    }
}
