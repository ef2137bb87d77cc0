using Huren.Node.Checkpoints;
using Huren.Node.Network;
using Huren.Node.Tests.Witness;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Node.Tests.Checkpoints;

/// <summary>
/// The node's checkpoint signer follows the keys the configuration in force lists for its member: when an adopted
/// version rotates the log and SM2 keys it signs with the matching staged keys from the next checkpoint on; when no
/// staged key matches it keeps the keys it has.
/// </summary>
public sealed class NodeCheckpointSignerTests
{
    private readonly TestCity _changsha = new("430100", withSm2: true);
    private readonly TestCity _zhuzhou = new("430200", withSm2: true);
    private readonly SigningKey _newLog = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly SigningKey _newSm2 = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);

    private NetworkConfig Config(SigningKey log, SigningKey sm2)
    {
        var changsha = _changsha.Member();
        changsha.LogKey = NoteVerifierKey.ForEd25519(_changsha.Origin, log.PublicKey).ToString();
        changsha.Sm2PublicKey = sm2.PublicKey.ToPem();
        return new NetworkConfig { NetworkId = WitnessFixture.NetworkId, Name = "长株潭", WitnessThreshold = 1, Members = [changsha, _zhuzhou.Member()] };
    }

    private static (uint Log, uint Sm2) KeyIds(byte[] note)
    {
        var parsed = SignedNote.Parse(System.Text.Encoding.UTF8.GetString(note));
        return (parsed.Signatures[0].KeyId, parsed.Signatures[1].KeyId);
    }

    [Fact]
    public void After_a_rotation_is_adopted_the_next_checkpoint_is_signed_with_the_staged_keys()
    {
        var view = new NetworkView(Config(_changsha.LogKey, _changsha.Sm2Key!));
        var stagedReads = 0;
        var signer = new NodeCheckpointSigner(_changsha.Origin, _changsha.LogKey, _changsha.Sm2Key!, () => view.Current?.ByOrigin(_changsha.Origin),
            () => { stagedReads++; return [SigningKey.Generate(SignatureAlgorithm.Ed25519), _newLog, _newSm2]; }, NullLogger.Instance);
        var root = new byte[32];
        Assert.Equal((_changsha.LogVerifierKey.KeyId, NoteVerifierKey.ForSm2(_changsha.Origin, _changsha.Sm2Key!.PublicKey).KeyId), KeyIds(signer.Sign(1, root)));
        Assert.Equal(0, stagedReads);

        view.Adopt(Config(_newLog, _newSm2));
        var rotated = signer.Sign(2, root);
        Assert.Equal((NoteVerifierKey.ForEd25519(_changsha.Origin, _newLog.PublicKey).KeyId, NoteVerifierKey.ForSm2(_changsha.Origin, _newSm2.PublicKey).KeyId), KeyIds(rotated));
        Assert.True(view.Current!.ByOrigin(_changsha.Origin)!.VerifyCheckpoint(System.Text.Encoding.UTF8.GetString(rotated)).IsValid);
        // The staged folder is read once per adopted version, not per checkpoint.
        signer.Sign(3, root);
        Assert.Equal(1, stagedReads);
        Assert.Equal(NoteVerifierKey.ForEd25519(_changsha.Origin, _newLog.PublicKey), signer.LogVerifierKey);
    }

    [Fact]
    public void A_rotation_no_staged_key_matches_keeps_the_keys_in_use()
    {
        var view = new NetworkView(Config(_changsha.LogKey, _changsha.Sm2Key!));
        var signer = new NodeCheckpointSigner(_changsha.Origin, _changsha.LogKey, _changsha.Sm2Key!, () => view.Current?.ByOrigin(_changsha.Origin), () => [], NullLogger.Instance);
        view.Adopt(Config(_newLog, _newSm2));
        Assert.Equal(_changsha.LogVerifierKey.KeyId, KeyIds(signer.Sign(1, new byte[32])).Log);
    }
}
