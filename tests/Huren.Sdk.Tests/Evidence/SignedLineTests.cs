using Huren.Schemas.Services;
using Huren.Sdk.Evidence;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.Tests.Notes;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// checkpoints.md: a note whose known key's line fails is rejected. A member's verifier in the parsed network
/// (<see cref="TrustedMember.CheckpointVerifier"/>) knows the origin's Ed25519 and SM2 log keys and every member's
/// witness key; one flipped byte in the signature of any of those lines rejects the checkpoint, and with it the evidence
/// bundle. A flipped key ID makes the line one of a key nobody knows, which signed-note says to ignore: the log's
/// required line is then missing (rejected), a cosignature one fewer (finality lowered).
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
    public void Every_flipped_byte_of_a_known_lines_signature_rejects_the_checkpoint_and_the_bundle(string line)
    {
        var index = F.LineIndex(line);
        var original = F.Note.Signatures[index];
        var verifier = Verifier;
        var evidence = new EvidenceVerifier(F.Network);
        // The signature part of a line is base64(4-byte key ID ‖ signature): flip each byte after the key ID in turn.
        var length = 4 + original.Signature.Length;
        for (var position = 4; position < length; position++)
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
            Assert.Contains("invalid signature for key", result.Failure, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Found by the spec review: a line under a known name with a key ID the configuration does not give rejected the
    /// whole note, where signed-note says verifiers "MUST ignore signatures from unknown keys, even if they share a name
    /// or ID (but not both) with a known key" — a witness's second (e.g. post-quantum) key would have made every Huren
    /// checker refuse the origin's checkpoints. Such a line is ignored: a log line with a flipped key ID is then missing,
    /// a cosignature with one does not count.
    /// </summary>
    [Theory]
    [MemberData(nameof(Lines))]
    public void A_flipped_key_ID_makes_the_line_an_unknown_key_which_is_ignored(string line)
    {
        var index = F.LineIndex(line);
        var name = F.Note.Signatures[index].Name;
        for (var position = 0; position < 4; position++)
        {
            var tampered = F.WithFlippedByte(index, position);
            var check = Verifier.Verify(tampered);
            var result = new EvidenceVerifier(F.Network).Verify(F.Bundle(tampered), Today);
            if (line == "cosignature")
            {
                Assert.True(check.IsValid, check.Failure);
                Assert.Equal(name, Assert.Single(check.Signatures.Ignored).Name);
                Assert.True(result.IsValid, result.Failure);
                Assert.True(result.Final); // threshold 1: the other cosignature
                continue;
            }
            Assert.False(check.IsValid, $"{line} key ID byte {position}: accepted");
            Assert.Contains($"no signature from required key {name}", check.Failure, StringComparison.Ordinal);
            Assert.False(result.IsValid);
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
    public void A_cosignature_by_another_key_under_a_member_witness_name_is_ignored_and_does_not_count()
    {
        // Same name as Zhuzhou's witness, a key the configuration does not give for it; the only cosignature left.
        var impostor = NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor("huren.cz-t/430200"), TestKeys.Ed25519("impostor"));
        var bare = F.Without(F.LineIndex("cosignature"), F.LineIndex("cosignature") + 1);
        var note = CosignatureSigner.Cosign(bare, impostor, DateTimeOffset.FromUnixTimeSeconds(1_795_000_000));
        var check = Verifier.Verify(note);
        Assert.True(check.IsValid, check.Failure);
        Assert.Equal(impostor.Name, Assert.Single(check.Signatures.Ignored).Name);
        var result = new EvidenceVerifier(F.Network).Verify(F.Bundle(note), Today);
        Assert.True(result.IsValid, result.Failure);
        Assert.False(result.Final);
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
