using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.Tests.Evidence;

namespace Huren.Sdk.Tests.Notes;

/// <summary>
/// The checkpoint verifier the parsed network gives each member (<see cref="TrustedMember.CheckpointVerifier"/>) and
/// finality counted on its outcome: which keys it holds, which configuration defects it names, and how cosignatures
/// count (distinct other members, not the origin's own witness, not after a cut-off time).
/// </summary>
public sealed class NetworkCheckpointVerifierTests
{
    private static ThreeCityLog F => ThreeCityLog.Shared;

    private static CheckpointVerifier Configured => F.Network.ByOrigin(ThreeCityLog.Origin)!.CheckpointVerifier;

    [Fact]
    public void The_verifier_holds_the_log_key_the_SM2_key_and_every_members_witness_key()
    {
        var verifier = Configured;
        var config = F.Network.Config;
        Assert.Equal(ThreeCityLog.Origin, verifier.Origin);
        Assert.Equal(NoteVerifierKey.Parse(config.Members[0].LogKey), verifier.LogKey);
        Assert.Equal(NoteVerifierKey.ForSm2(ThreeCityLog.Origin, PublicKey.FromPem(config.Members[0].Sm2PublicKey)), verifier.Sm2Key);
        Assert.Equal(config.Members.Select(m => NoteVerifierKey.Parse(m.WitnessKey)), verifier.WitnessKeys);
    }

    [Fact]
    public void The_verifier_refuses_keys_of_the_wrong_type_or_name()
    {
        var member = F.Network.ByOrigin(ThreeCityLog.Origin)!;
        var wrongLog = Assert.Throws<ArgumentException>(() => new CheckpointVerifier(member.WitnessKey));
        Assert.StartsWith("a log key is Ed25519 (type 0x01), got type 0x04", wrongLog.Message, StringComparison.Ordinal);
        var wrongSm2 = Assert.Throws<ArgumentException>(() => new CheckpointVerifier(member.LogKey, member.LogKey));
        Assert.StartsWith("an SM2 log key is type 0xff, got type 0x01", wrongSm2.Message, StringComparison.Ordinal);
        var otherName = NoteVerifierKey.ForSm2("huren.cz-t/430200", member.Sm2Key!);
        var misnamed = Assert.Throws<ArgumentException>(() => new CheckpointVerifier(member.LogKey, otherName));
        Assert.StartsWith("the SM2 key is named 'huren.cz-t/430200', the log key 'huren.cz-t/430100'", misnamed.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new CheckpointVerifier(null!));
    }

    [Fact]
    public void A_verifier_built_from_keys_alone_is_plain_C2SP_and_checks_the_witness_keys_it_is_given()
    {
        var network = Configured;
        var plain = new CheckpointVerifier(network.LogKey, network.Sm2Key, network.WitnessKeys);
        Assert.True(plain.Verify(F.Note).IsValid);

        // A line under a known name with another key ID: ignored by both, as signed-note requires.
        var impostor = NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor("huren.cz-t/430300"), TestKeys.Ed25519("impostor"));
        var note = CosignatureSigner.Cosign(F.Note, impostor, DateTimeOffset.FromUnixTimeSeconds(1_795_000_000));
        var result = plain.Verify(note);
        Assert.True(result.IsValid, result.Failure);
        Assert.Equal(impostor.Name, Assert.Single(result.Signatures.Ignored).Name);
        Assert.Equal(impostor.Name, Assert.Single(network.Verify(note).Signatures!.Ignored).Name);

        // A failing witness line rejects the note for both.
        var flipped = F.WithFlippedByte(F.LineIndex("cosignature"), 20);
        Assert.Contains("invalid signature for key huren.cz-t/430200/witness+", plain.Verify(flipped).Failure, StringComparison.Ordinal);

        var wrongType = Assert.Throws<ArgumentException>(() => new CheckpointVerifier(network.LogKey, null, [network.LogKey]));
        Assert.Contains("expected 0x04", wrongType.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new CheckpointVerifier(network.LogKey, null, [null!]));
    }

    [Fact]
    public void Finality_counts_distinct_other_members_on_a_verified_note()
    {
        var verifier = Configured;
        var two = FinalityCheck.Evaluate(verifier.Verify(F.Note), 2);
        Assert.True(two.IsFinal);
        Assert.Equal(2, two.ValidCosignatures);
        Assert.Empty(two.Reasons);
        Assert.Equal(2, two.Threshold);
        Assert.Equal(F.Note.Text, two.Checkpoint!.ToString());

        var three = FinalityCheck.Evaluate(verifier.Verify(F.Note), 3);
        Assert.False(three.IsFinal);
        Assert.Equal("2 valid cosignature(s) from distinct other members, threshold 3", Assert.Single(three.Reasons));
        Assert.True(FinalityCheck.Evaluate(verifier.Verify(F.Note), 0).IsFinal);

        // The origin's own witness cosigning its own log adds nothing.
        var own = CosignatureSigner.Cosign(F.Note, F.Witnesses["430100"], DateTimeOffset.FromUnixTimeSeconds(1_795_000_000));
        var withOwn = verifier.Verify(own);
        Assert.True(withOwn.IsValid, withOwn.Failure);
        Assert.Equal(2, FinalityCheck.Evaluate(withOwn, 3).ValidCosignatures);

        // Cosignatures later than the cut-off do not count (the fixture's are at 1,795,000,000).
        var early = FinalityCheck.Evaluate(verifier.Verify(F.Note), 1, notAfter: DateTimeOffset.FromUnixTimeSeconds(1_794_999_999));
        Assert.False(early.IsFinal);
        Assert.Equal(0, early.ValidCosignatures);
        Assert.Contains("timestamped 1795000000, after 1794999999", early.Reasons[0], StringComparison.Ordinal);
        Assert.True(FinalityCheck.Evaluate(verifier.Verify(F.Note), 2, notAfter: DateTimeOffset.FromUnixTimeSeconds(1_795_000_000)).IsFinal);

        // A rejected note is never final, whatever the threshold.
        var rejected = FinalityCheck.Evaluate(verifier.Verify(F.WithFlippedByte(F.LineIndex("sm2"), 30)), 0);
        Assert.False(rejected.IsFinal);
        Assert.Null(rejected.Checkpoint);
        Assert.Contains("invalid signature for key huren.cz-t/430100+", Assert.Single(rejected.Reasons), StringComparison.Ordinal);

        Assert.Throws<ArgumentOutOfRangeException>(() => FinalityCheck.Evaluate(verifier.Verify(F.Note), -1));
        Assert.Throws<ArgumentNullException>(() => FinalityCheck.Evaluate((CheckpointVerification)null!, 1));
    }
}
