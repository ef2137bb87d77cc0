using System.Text;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Tests.Notes;

/// <summary>
/// <see cref="NoteVerifierKey.VerifySignature"/> remembers the signatures it verified: what it accepts again must be
/// exactly what it verified, never another text, another signature, or the same bytes split differently between them.
/// </summary>
public class VerifiedSignatureTableTests
{
    private static readonly byte[] Text = Encoding.UTF8.GetBytes("huren.cz-t/430100\n42\nq6s9x8dXvJ0x6uAW0QeJZtJb2pcTQqCqkkhcfQZrYVI=\n");

    public static TheoryData<NoteSignatureType> Types => new() { NoteSignatureType.Ed25519, NoteSignatureType.HurenSm2Sm3, NoteSignatureType.CosignatureV1 };

    private static NoteSignerKey Signer(NoteSignatureType type) => type switch
    {
        NoteSignatureType.Ed25519 => NoteSignerKey.ForEd25519("huren.cz-t/430100", TestKeys.Ed25519("table-log")),
        NoteSignatureType.HurenSm2Sm3 => NoteSignerKey.ForSm2("huren.cz-t/430100", TestKeys.Sm2),
        _ => NoteSignerKey.ForCosigner("witness.huren.cz-t/430200", TestKeys.Ed25519("table-witness")),
    };

    private static byte[] Sign(NoteSignerKey signer, byte[] text) => signer.Type == NoteSignatureType.CosignatureV1
        ? CosignatureSigner.Sign(Encoding.UTF8.GetString(text), signer, 1_764_000_000).Signature.ToArray()
        : signer.Sign(text).Signature.ToArray();

    [Theory]
    [MemberData(nameof(Types))]
    public void A_verified_signature_verifies_again_and_nothing_near_it_does(NoteSignatureType type)
    {
        var signer = Signer(type);
        var key = signer.VerifierKey;
        var signature = Sign(signer, Text);
        Assert.True(key.VerifySignature(Text, signature, out var first));
        Assert.True(key.VerifySignature(Text, signature, out var again));
        Assert.Equal(first, again);
        if (type == NoteSignatureType.CosignatureV1) Assert.Equal(1_764_000_000UL, again);
        else Assert.Null(again);

        for (var i = 0; i < Text.Length; i += 7)
        {
            var other = (byte[])Text.Clone();
            other[i] ^= 0x01;
            Assert.False(key.VerifySignature(other, signature, out _), $"text byte {i} changed");
        }
        for (var i = 0; i < signature.Length; i++)
        {
            var other = (byte[])signature.Clone();
            other[i] ^= 0x80;
            Assert.False(key.VerifySignature(Text, other, out _), $"signature byte {i} changed");
        }
        // And still accepted after all those refusals.
        Assert.True(key.VerifySignature(Text, signature, out _));
    }

    [Fact]
    public void The_same_bytes_split_differently_between_text_and_signature_are_refused()
    {
        // An SM2 signature is DER of variable length, so text ‖ signature alone would not tell the split.
        var signer = Signer(NoteSignatureType.HurenSm2Sm3);
        var key = signer.VerifierKey;
        var signature = Sign(signer, Text);
        Assert.True(key.VerifySignature(Text, signature, out _));
        Assert.False(key.VerifySignature([.. Text, signature[0]], signature[1..], out _));
        Assert.False(key.VerifySignature(Text[..^1], [Text[^1], .. signature], out _));
    }

    [Fact]
    public void More_signatures_than_the_table_holds_all_verify_and_a_forgery_among_them_does_not()
    {
        var signer = Signer(NoteSignatureType.Ed25519);
        var key = signer.VerifierKey;
        var texts = Enumerable.Range(0, 700).Select(i => Encoding.UTF8.GetBytes($"huren.cz-t/430100\n{i}\nroot\n")).ToList();
        var signatures = texts.Select(t => Sign(signer, t)).ToList();
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < texts.Count; i++) Assert.True(key.VerifySignature(texts[i], signatures[i], out _));
        }
        // Another text's valid signature is not this text's.
        for (var i = 0; i < texts.Count; i += 50) Assert.False(key.VerifySignature(texts[i], signatures[(i + 1) % texts.Count], out _));
    }
}
