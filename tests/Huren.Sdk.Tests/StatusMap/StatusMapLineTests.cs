using Huren.Sdk.Merkle;
using Huren.Sdk.Notes;
using Huren.Sdk.StatusMap;
using Huren.Sdk.Tests.Notes;

namespace Huren.Sdk.Tests.StatusMap;

/// <summary>The checkpoint extension line: its exact syntax, and that log signatures and cosignatures cover it.</summary>
public sealed class StatusMapLineTests
{
    private const string Origin = "huren.cz-t/430100";
    private static readonly Hash256 Root = StatusMapKey.ForRecord("some map root");
    private static readonly Hash256 LogRoot = MerkleHash.LeafHash([1, 2, 3]);

    [Fact]
    public void The_line_is_the_keyword_a_space_and_the_base64_root()
    {
        Assert.Equal("huren-status-map/v1 " + Convert.ToBase64String(Root.ToArray()), StatusMapLine.Format(Root));
        Assert.True(StatusMapLine.TryParse(StatusMapLine.Format(Root), out var root, out _));
        Assert.Equal(Root, root);
    }

    [Theory]
    [InlineData("huren-status-map/v1")]
    [InlineData("huren-status-map/v1 ")]
    [InlineData("huren-status-map/v1  9WNiwaMplm9PHnZvJmj5FR+s6Qz0RuSV89N7Q0gD4UM=")]
    [InlineData("huren-status-map/v1 9WNiwaMplm9PHnZvJmj5FR+s6Qz0RuSV89N7Q0gD4UM= ")]
    [InlineData("huren-status-map/v1 9WNiwaMplm9PHnZvJmj5FR+s6Qz0RuSV89N7Q0gD4UN=")]
    [InlineData("huren-status-map/v1 9WNiwaMplm9PHnZvJmj5FR+s6Qz0RuSV89N7Q0gD4U")]
    [InlineData("huren-status-map/v1 9WNiwaMplm9PHnZvJmj5FR-s6Qz0RuSV89N7Q0gD4UM=")]
    [InlineData("huren-status-map/v2 9WNiwaMplm9PHnZvJmj5FR+s6Qz0RuSV89N7Q0gD4UM=")]
    [InlineData("Huren-status-map/v1 9WNiwaMplm9PHnZvJmj5FR+s6Qz0RuSV89N7Q0gD4UM=")]
    public void Anything_but_the_exact_form_is_refused(string line)
    {
        Assert.False(StatusMapLine.TryParse(line, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void A_checkpoint_carries_at_most_one_line_and_other_extension_lines_are_ignored()
    {
        var line = StatusMapLine.Format(Root);
        Assert.True(StatusMapLine.TryFind(new Checkpoint(Origin, 5, LogRoot.AsSpan(), ["other/v1 x", line]), out var root, out _));
        Assert.Equal(Root, root);
        Assert.False(StatusMapLine.TryFind(new Checkpoint(Origin, 5, LogRoot.AsSpan()), out _, out var error));
        Assert.Contains("has no 'huren-status-map/v1' line", error, StringComparison.Ordinal);
        Assert.False(StatusMapLine.TryFind(new Checkpoint(Origin, 5, LogRoot.AsSpan(), [line, line]), out _, out error));
        Assert.Contains("more than one", error, StringComparison.Ordinal);
        Assert.False(StatusMapLine.TryFind(new Checkpoint(Origin, 5, LogRoot.AsSpan(), ["huren-status-map/v1 nope"]), out _, out error));
        Assert.Contains("canonical base64", error, StringComparison.Ordinal);
        Assert.False(StatusMapLine.TryFind(new Checkpoint(Origin, 5, LogRoot.AsSpan(), ["huren-status-map/v1"]), out _, out _));
    }

    [Fact]
    public void The_line_is_signed_and_cosigned_with_the_body_so_changing_it_breaks_both()
    {
        var signer = new CheckpointSigner(Origin, TestKeys.Ed25519("log-430100"), TestKeys.Sm2);
        var witness = NoteSignerKey.ForCosigner("huren.cz-t/430200/witness", TestKeys.Ed25519("witness-430200"));
        var note = CosignatureSigner.Cosign(signer.Sign(42, LogRoot.AsSpan(), [StatusMapLine.Format(Root)]), witness, DateTimeOffset.FromUnixTimeSeconds(1_795_000_000));
        var verifier = new CheckpointVerifier(signer.LogVerifierKey, signer.Sm2VerifierKey);
        var verified = verifier.Verify(note.ToString());
        Assert.True(verified.IsValid, verified.Failure);
        Assert.True(StatusMapLine.TryFind(verified.Checkpoint, out var root, out _));
        Assert.Equal(Root, root);
        var cosignature = note.Signatures.Single(s => s.Name == witness.Name);
        Assert.True(CosignatureVerifier.Verify(note.Text, cosignature, witness.VerifierKey, out _));

        var otherRoot = StatusMapLine.Format(StatusMapHash.EmptyRoot);
        var altered = note.ToString().Replace(StatusMapLine.Format(Root), otherRoot, StringComparison.Ordinal);
        Assert.False(verifier.Verify(altered).IsValid);
        Assert.False(CosignatureVerifier.Verify(note.Text.Replace(StatusMapLine.Format(Root), otherRoot, StringComparison.Ordinal), cosignature, witness.VerifierKey, out _));
    }
}
