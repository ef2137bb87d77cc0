using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Tests.Notes;

public class CosignatureTests
{
    private const string Origin = "huren.cz-t/430100";
    private const ulong Time = 1_767_225_600; // 2026-01-01T00:00:00Z

    private static readonly CheckpointSigner Log = new(Origin, TestKeys.Ed25519("log-430100"), null);
    private static readonly SignedNote Note = Log.Sign(10, SHA256.HashData("ten"u8), ["status-map AAAA"]);

    private static NoteSignerKey Witness(string city) => NoteSignerKey.ForCosigner($"huren.cz-t/{city}/witness", TestKeys.Ed25519("witness-" + city));

    [Fact]
    public void C2sp_example_cosignature_line_carries_its_timestamp_and_the_message_format_matches()
    {
        var note = SignedNote.Parse(NoteVectors.SofaCosignedNote);
        var cosignature = note.Signatures[1];
        Assert.Equal("witness.example.com/w1", cosignature.Name);
        Assert.Equal(72, cosignature.Signature.Length);
        Assert.True(CosignatureVerifier.TryReadTimestamp(cosignature, out var time));
        Assert.Equal(NoteVectors.SofaCosignatureTime, time);
        Assert.Equal(
            Encoding.UTF8.GetBytes(NoteVectors.SofaCosignedMessage),
            CosignatureSigner.BuildMessage(Encoding.UTF8.GetBytes(NoteVectors.SofaBody), NoteVectors.SofaCosignatureTime));
        Assert.False(CosignatureVerifier.TryReadTimestamp(note.Signatures[0], out _));
    }

    [Fact]
    public void Cosignature_is_timestamp_then_Ed25519_over_the_header_time_line_and_whole_body()
    {
        var key = TestKeys.Ed25519("witness-430200");
        var line = CosignatureSigner.Sign(Note.Text, key, "huren.cz-t/430200/witness", Time);
        var vkey = NoteVerifierKey.ForCosigner("huren.cz-t/430200/witness", key.PublicKey);
        Assert.Equal(vkey.KeyId, line.KeyId);
        Assert.Equal(72, line.Signature.Length);
        Assert.Equal(Time, BinaryPrimitives.ReadUInt64BigEndian(line.Signature));
        var message = Encoding.UTF8.GetBytes($"cosignature/v1\ntime {Time}\n" + Note.Text);
        Assert.True(key.PublicKey.Verify(message, line.Signature[8..]));
        Assert.Contains("status-map AAAA", Note.Text); // extension lines are signed too

        Assert.True(CosignatureVerifier.Verify(Note.Text, line, vkey, out var time));
        Assert.Equal(Time, time);
        Assert.Equal(line, CosignatureSigner.Sign(Note.Text, key, "huren.cz-t/430200/witness", DateTimeOffset.FromUnixTimeSeconds((long)Time).AddMilliseconds(900)));
    }

    [Fact]
    public void Tampered_timestamp_body_or_signature_fails()
    {
        var witness = Witness("430200");
        var line = CosignatureSigner.Sign(Note.Text, witness, Time);

        var bytes = line.Signature.ToArray();
        BinaryPrimitives.WriteUInt64BigEndian(bytes, Time + 1);
        Assert.False(CosignatureVerifier.Verify(Note.Text, NoteSignature.Create(line.Name, line.KeyId, bytes), witness.VerifierKey, out _));

        var otherBody = Note.Text.Replace("status-map AAAA", "status-map BBBB", StringComparison.Ordinal);
        Assert.False(CosignatureVerifier.Verify(otherBody, line, witness.VerifierKey, out _));

        bytes = line.Signature.ToArray();
        bytes[40] ^= 1;
        Assert.False(CosignatureVerifier.Verify(Note.Text, NoteSignature.Create(line.Name, line.KeyId, bytes), witness.VerifierKey, out _));

        Assert.False(CosignatureVerifier.Verify(Note.Text, NoteSignature.Create(line.Name, line.KeyId, line.Signature[..71]), witness.VerifierKey, out _));

        // A timestamp above 2^63 - 1 is invalid even with a valid signature over it.
        var big = (ulong)long.MaxValue + 1;
        var raw = new byte[72];
        BinaryPrimitives.WriteUInt64BigEndian(raw, big);
        TestKeys.Ed25519("witness-430200").Sign(CosignatureSigner.BuildMessage(Encoding.UTF8.GetBytes(Note.Text), big)).CopyTo(raw, 8);
        Assert.False(CosignatureVerifier.Verify(Note.Text, NoteSignature.Create(line.Name, line.KeyId, raw), witness.VerifierKey, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => CosignatureSigner.Sign(Note.Text, witness, big));

        // Another witness's key: name and key ID do not match.
        Assert.False(CosignatureVerifier.Verify(Note.Text, line, Witness("430300").VerifierKey, out _));
    }

    [Fact]
    public void Cosignatures_are_added_to_the_note_and_the_log_signature_still_verifies()
    {
        var w2 = Witness("430200");
        var w3 = Witness("430300");
        var cosigned = CosignatureSigner.Cosign(Note, w2, DateTimeOffset.FromUnixTimeSeconds((long)Time));
        cosigned = cosigned.WithSignature(CosignatureSigner.Sign(cosigned.Text, w3, Time + 5));
        Assert.Equal(3, cosigned.Signatures.Count);

        var reparsed = SignedNote.Parse(cosigned.ToString());
        var result = new CheckpointVerifier(Log.LogVerifierKey).Verify(reparsed, [w2.VerifierKey, w3.VerifierKey]);
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal([null, Time, Time + 5], result.Signatures.Verified.Select(v => v.Timestamp));

        // Re-cosigning replaces the witness's line rather than adding a second one.
        var again = CosignatureSigner.Cosign(reparsed, w2, DateTimeOffset.FromUnixTimeSeconds((long)Time + 60));
        Assert.Equal(3, again.Signatures.Count);
    }

    [Fact]
    public void Witnesses_sign_only_checkpoints_with_cosigner_keys()
    {
        Assert.Throws<FormatException>(() => CosignatureSigner.Sign("not a checkpoint\n", Witness("430200"), Time));
        Assert.Throws<InvalidOperationException>(() => CosignatureSigner.Sign(Note.Text, NoteSignerKey.ForEd25519("w", TestKeys.Ed25519("w")), Time));
        Assert.Throws<InvalidOperationException>(() => Witness("430200").Sign("x\n"u8));
        Assert.Throws<ArgumentException>(() => CosignatureSigner.Sign(Note.Text, TestKeys.Sm2, "w", Time));
        Assert.Throws<ArgumentOutOfRangeException>(() => CosignatureSigner.Sign(Note.Text, TestKeys.Ed25519("w"), "w", DateTimeOffset.UnixEpoch.AddSeconds(-1)));
        Assert.Throws<ArgumentException>(() => CosignatureVerifier.Verify(Note.Text, Note.Signatures[0], Log.LogVerifierKey, out _));
        Assert.Equal("huren.cz-t/430100/witness", CosignatureSigner.WitnessNameFor(Origin));
    }

    [Fact]
    public void Finality_counts_distinct_valid_witnesses_against_the_threshold()
    {
        var w2 = Witness("430200");
        var w3 = Witness("430300");
        var w4 = Witness("430400");
        NoteVerifierKey[] witnesses = [w2.VerifierKey, w3.VerifierKey, w4.VerifierKey];
        var logKey = Log.LogVerifierKey;

        var none = FinalityCheck.Evaluate(Note, logKey, witnesses, 1);
        Assert.False(none.IsFinal);
        Assert.Equal(0, none.ValidCosignatures);
        Assert.NotEmpty(none.Reasons);
        Assert.True(FinalityCheck.Evaluate(Note, logKey, witnesses, 0).IsFinal);

        var one = Note.WithSignature(CosignatureSigner.Sign(Note.Text, w2, Time));
        var r1 = FinalityCheck.Evaluate(one, logKey, witnesses, 1);
        Assert.True(r1.IsFinal, string.Join("; ", r1.Reasons));
        Assert.Equal(1, r1.ValidCosignatures);
        Assert.Equal(w2.VerifierKey, Assert.Single(r1.Cosigners));
        Assert.Equal(10ul, r1.Checkpoint!.Size);
        Assert.False(FinalityCheck.Evaluate(one, logKey, witnesses, 2).IsFinal);

        var two = one.WithSignature(CosignatureSigner.Sign(Note.Text, w3, Time));
        var r2 = FinalityCheck.Evaluate(two, logKey, witnesses, 2);
        Assert.True(r2.IsFinal);
        Assert.Equal(2, r2.ValidCosignatures);
        var r3 = FinalityCheck.Evaluate(two, logKey, witnesses, 3);
        Assert.False(r3.IsFinal);
        Assert.Contains(r3.Reasons, r => r.Contains("threshold 3", StringComparison.Ordinal));

        // A cosignature of a witness the checker does not know is ignored.
        var stranger = two.WithSignature(CosignatureSigner.Sign(Note.Text, Witness("999999"), Time));
        Assert.Equal(2, FinalityCheck.Evaluate(stranger, logKey, witnesses, 2).ValidCosignatures);
    }

    [Fact]
    public void A_bad_cosignature_of_a_known_witness_or_a_bad_log_signature_is_never_final()
    {
        var w2 = Witness("430200");
        var w3 = Witness("430300");
        NoteVerifierKey[] witnesses = [w2.VerifierKey, w3.VerifierKey];
        var good = CosignatureSigner.Sign(Note.Text, w2, Time);
        var forged = good.Signature.ToArray();
        BinaryPrimitives.WriteUInt64BigEndian(forged, Time + 1);
        var note = Note.WithSignatures([NoteSignature.Create(good.Name, good.KeyId, forged), CosignatureSigner.Sign(Note.Text, w3, Time)]);
        var result = FinalityCheck.Evaluate(note, Log.LogVerifierKey, witnesses, 1);
        Assert.False(result.IsFinal);
        Assert.Contains(result.Reasons, r => r.Contains("invalid signature", StringComparison.Ordinal));

        // Cosigned, but the log's own signature is missing (signed by another key).
        var impostor = new CheckpointSigner(Origin, TestKeys.Ed25519("impostor"), null).Sign(10, SHA256.HashData("ten"u8), ["status-map AAAA"]);
        var cosigned = impostor.WithSignature(CosignatureSigner.Sign(impostor.Text, w2, Time));
        var r = FinalityCheck.Evaluate(cosigned, Log.LogVerifierKey, witnesses, 1);
        Assert.False(r.IsFinal);
        Assert.Equal(0, r.ValidCosignatures);
        Assert.Null(r.Checkpoint);
    }

    [Fact]
    public void The_origins_own_witness_and_a_members_second_key_do_not_add_to_the_count()
    {
        var own = Witness("430100");
        var w2 = Witness("430200");
        var w2Rotated = NoteSignerKey.ForCosigner(w2.Name, TestKeys.Ed25519("witness-430200-new"));
        var note = Note.WithSignatures([
            CosignatureSigner.Sign(Note.Text, own, Time),
            CosignatureSigner.Sign(Note.Text, w2, Time),
            CosignatureSigner.Sign(Note.Text, w2Rotated, Time),
        ]);
        var result = FinalityCheck.Evaluate(note, Log.LogVerifierKey, [own.VerifierKey, w2.VerifierKey, w2Rotated.VerifierKey], 2);
        Assert.False(result.IsFinal);
        Assert.Equal(1, result.ValidCosignatures);
        Assert.Contains(result.Reasons, r => r.Contains("origin's own", StringComparison.Ordinal));
        Assert.True(FinalityCheck.Evaluate(note, Log.LogVerifierKey, [own.VerifierKey, w2.VerifierKey, w2Rotated.VerifierKey], 1).IsFinal);
    }

    [Fact]
    public void Future_cosignatures_can_be_excluded_and_arguments_are_checked()
    {
        var w2 = Witness("430200");
        var note = Note.WithSignature(CosignatureSigner.Sign(Note.Text, w2, Time));
        var now = DateTimeOffset.FromUnixTimeSeconds((long)Time);
        Assert.True(FinalityCheck.Evaluate(note, Log.LogVerifierKey, [w2.VerifierKey], 1, notAfter: now).IsFinal);
        var early = FinalityCheck.Evaluate(note, Log.LogVerifierKey, [w2.VerifierKey], 1, notAfter: now.AddSeconds(-1));
        Assert.False(early.IsFinal);
        Assert.Equal(0, early.ValidCosignatures);

        Assert.Throws<ArgumentOutOfRangeException>(() => FinalityCheck.Evaluate(note, Log.LogVerifierKey, [w2.VerifierKey], -1));
        Assert.Throws<ArgumentException>(() => FinalityCheck.Evaluate(note, Log.LogVerifierKey, [Log.LogVerifierKey], 1));
        Assert.Throws<ArgumentException>(() => FinalityCheck.Evaluate(note, w2.VerifierKey, [], 1));
    }
}
