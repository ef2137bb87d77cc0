using Huren.Schemas.Services;
using Huren.Sdk.Evidence;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.Tests.Notes;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// checkpoints.md: a note whose known key's line fails is rejected. A member's verifier in the parsed network
/// (<see cref="TrustedMember.CheckpointVerifier"/>) knows the origin's Ed25519 and SM2 log keys and every member's
/// witness key; one flipped byte anywhere in the signature part of any of those lines (key ID included) rejects the
/// checkpoint, and with it the evidence bundle.
/// </summary>
public sealed class SignedLineTests
{
    private const string Origin = "huren.cz-t/430100";
    private static readonly DateOnly Today = new(2026, 11, 23);
    private static ThreeCityLog F => ThreeCityLog.Shared;

    private static CheckpointVerifier Verifier => F.Network.ByOrigin(Origin)!.CheckpointVerifier;

    [Fact]
    public void The_untouched_bundle_verifies_valid_and_final()
    {
        var result = new EvidenceVerifier(F.Network).Verify(F.Bundle(F.Note), Today);
        Assert.True(result.IsValid, result.Failure);
        Assert.True(result.Final);
        var check = Verifier.Verify(F.Note);
        Assert.True(check.IsValid, check.Failure);
        Assert.Equal(4, check.Signatures.Verified.Count); // Ed25519, SM2 and both cosignatures
    }

    public static TheoryData<string> Lines => new() { "ed25519", "sm2", "cosignature" };

    [Theory]
    [MemberData(nameof(Lines))]
    public void Every_flipped_byte_of_a_known_line_rejects_the_checkpoint_and_the_bundle(string line)
    {
        var index = F.LineIndex(line);
        var original = F.Note.Signatures[index];
        var verifier = Verifier;
        var evidence = new EvidenceVerifier(F.Network);
        // The signature part of a line is base64(4-byte key ID ‖ signature): flip each byte of it in turn.
        var length = 4 + original.Signature.Length;
        for (var position = 0; position < length; position++)
        {
            var tampered = F.WithFlippedByte(index, position);
            var check = verifier.Verify(tampered);
            Assert.False(check.IsValid, $"{line} byte {position}: accepted");
            Assert.Contains(original.Name, check.Failure, StringComparison.Ordinal);

            var result = evidence.Verify(F.Bundle(tampered), Today);
            Assert.False(result.IsValid, $"{line} byte {position}: bundle accepted");
            Assert.Equal(LicenseVerdict.Unspecified, result.Verdict);
            Assert.StartsWith($"checkpoint of {Origin}: ", result.Failure, StringComparison.Ordinal);
            Assert.Contains(original.Name, result.Failure, StringComparison.Ordinal);
            Assert.Contains(position < 4 ? "key ID" : "invalid signature for key", result.Failure, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_missing_log_or_SM2_line_is_refused_but_a_missing_cosignature_only_lowers_finality()
    {
        var evidence = new EvidenceVerifier(F.Network);
        foreach (var line in new[] { "ed25519", "sm2" })
        {
            var result = evidence.Verify(F.Bundle(F.Without(F.LineIndex(line))), Today);
            Assert.False(result.IsValid);
            Assert.Contains("no signature from required key", result.Failure, StringComparison.Ordinal);
        }
        var oneCosignature = evidence.Verify(F.Bundle(F.Without(F.LineIndex("cosignature"))), Today);
        Assert.True(oneCosignature.IsValid, oneCosignature.Failure);
        Assert.True(oneCosignature.Final); // threshold 1, one cosignature left
        var noCosignature = evidence.Verify(F.Bundle(F.Without(F.LineIndex("cosignature"), F.LineIndex("cosignature") + 1)), Today);
        Assert.True(noCosignature.IsValid, noCosignature.Failure);
        Assert.False(noCosignature.Final);
    }

    [Fact]
    public void A_line_of_a_key_the_configuration_does_not_name_is_ignored()
    {
        var stranger = NoteSignerKey.ForCosigner("example.com/witness", TestKeys.Ed25519("stranger"));
        var note = CosignatureSigner.Cosign(F.Note, stranger, DateTimeOffset.FromUnixTimeSeconds(1_795_000_000));
        var check = Verifier.Verify(note);
        Assert.True(check.IsValid, check.Failure);
        Assert.Single(check.Signatures.Ignored);
        Assert.True(new EvidenceVerifier(F.Network).Verify(F.Bundle(note), Today).IsValid);
    }

    [Fact]
    public void A_cosignature_by_another_key_under_a_member_witness_name_is_refused()
    {
        // Same name as Zhuzhou's witness, a key the configuration does not give for it.
        var impostor = NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor("huren.cz-t/430200"), TestKeys.Ed25519("impostor"));
        var note = CosignatureSigner.Cosign(F.Note, impostor, DateTimeOffset.FromUnixTimeSeconds(1_795_000_000));
        var result = new EvidenceVerifier(F.Network).Verify(F.Bundle(note), Today);
        Assert.False(result.IsValid);
        Assert.Contains("huren.cz-t/430200/witness has key ID", result.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_an_SM2_key_in_the_configuration_the_SM2_line_is_ignored_as_C2SP_requires()
    {
        var config = NetworkConfig.Parse(F.Network.Config.ToJson());
        config.MemberByOrigin(Origin)!.Sm2PublicKey = "";
        var verifier = TrustedNetwork.From(config).ByOrigin(Origin)!.CheckpointVerifier;
        var tampered = F.WithFlippedByte(F.LineIndex("sm2"), 10);
        var check = verifier.Verify(tampered);
        Assert.True(check.IsValid, check.Failure);
        Assert.Null(verifier.Sm2Key);
    }
}
