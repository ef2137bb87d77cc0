using Grpc.Core;
using Huren.Node.Services;
using Huren.Node.Witness;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Node.Tests.Witness;

/// <summary>
/// A witness after a key rotation: Xiangtan's log key is retired at an end; the witness cosigns a checkpoint signed with
/// the retired key while its clock is not past the end, refuses one offered later (PERMISSION_DENIED, with the reason),
/// and cosigns checkpoints of the successor key.
/// </summary>
public sealed class WitnessRetiredKeyTests : IDisposable
{
    private readonly WitnessFixture _f = new();
    private readonly SigningKey _newLog = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly DateTimeOffset _end = WitnessFixture.Start.AddMinutes(10);

    public WitnessRetiredKeyTests()
    {
        var next = NetworkConfig.Parse(_f.Config.ToJson());
        var xiangtan = next.MemberByCity("430300")!;
        xiangtan.RetiredKeys.Add(new RetiredKey { Kind = "log", Key = xiangtan.LogKey, NotAfter = _end.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture) });
        xiangtan.LogKey = NoteVerifierKey.ForEd25519(_f.Xiangtan.Origin, _newLog.PublicKey).ToString();
        _f.Network.Adopt(next);
    }

    public void Dispose() => _f.Dispose();

    [Fact]
    public void A_retired_key_checkpoint_is_cosigned_up_to_the_end_and_refused_after()
    {
        var tree = TestCity.Tree(6);
        _f.Clock.Now = _end;
        Assert.False(_f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(tree, 4)).IsConflict);

        _f.Clock.Now = _end.AddSeconds(1);
        var ex = Assert.Throws<WitnessException>(() => _f.Witness.AddCheckpoint(4, Proofs.Consistency(tree, 4, 5), _f.Xiangtan.Note(tree, 5)));
        Assert.Equal(WitnessFailure.BadSignature, ex.Failure);
        Assert.Equal(StatusCode.PermissionDenied, WitnessService.ToRpc(ex).StatusCode);
        Assert.Contains($"signed with log key {_f.Xiangtan.Origin}+{_f.Xiangtan.LogVerifierKey.KeyIdHex} retired at 2024-06-01T02:10:00Z and was received at 2024-06-01T02:10:01Z, after the key's end", ex.Message, StringComparison.Ordinal);

        // The successor key's checkpoint is cosigned.
        var successor = new CheckpointSigner(_f.Xiangtan.Origin, _newLog, null).Sign(5, tree.RootAt(5).AsSpan()).ToString();
        Assert.False(_f.Witness.AddCheckpoint(4, Proofs.Consistency(tree, 4, 5), successor).IsConflict);
    }
}
