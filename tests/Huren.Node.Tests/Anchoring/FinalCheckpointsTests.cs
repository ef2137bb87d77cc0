using Huren.Node.Anchoring;
using Huren.Node.Logs;
using Huren.Node.Network;
using Huren.Node.Storage;
using Huren.Node.Tests.Witness;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Node.Tests.Anchoring;

/// <summary>
/// <see cref="FinalCheckpoints"/> answers the newest final checkpoint of a log even when newer checkpoints, not yet
/// cosigned, came after it before anyone asked (on a busy log the newest one is usually still being cosigned).
/// </summary>
public sealed class FinalCheckpointsTests : IAsyncDisposable
{
    private readonly TestCity _changsha = new("430100", withSm2: true);
    private readonly TestCity _zhuzhou = new("430200", withSm2: false);
    private readonly LogEvents _events = new(NullLogger<LogEvents>.Instance);

    public async ValueTask DisposeAsync() => await _events.DisposeAsync();

    private byte[] Note(ulong size, bool cosigned)
    {
        var root = MerkleHash.EmptyRoot.AsSpan();
        var note = _changsha.Signer.Sign(size, root);
        if (cosigned) note = CosignatureSigner.Cosign(note, NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(_zhuzhou.Origin), _zhuzhou.WitnessKey), WitnessFixture.Start);
        return note.ToUtf8();
    }

    [Fact]
    public async Task A_newer_checkpoint_not_yet_cosigned_does_not_hide_the_final_one_before_it()
    {
        var view = new NetworkView(new NetworkConfig
        {
            NetworkId = WitnessFixture.NetworkId, Name = "长株潭", WitnessThreshold = 1, Members = [_changsha.Member(), _zhuzhou.Member()],
        });
        var log = new MerkleLog(new LogStore(new MemoryStore(), _changsha.Origin));
        var finals = new FinalCheckpoints(view, new LogDirectory(log), _events);
        Assert.Null(finals.LatestOf(_changsha.Origin));

        // Size 3 signed, then stored again cosigned (final); then sizes 5 and 7 signed (two lines each, Ed25519 and SM2,
        // as many as a final note needs with threshold 1, so they pass the cheap check), all before anyone asks.
        var version = finals.Version;
        _events.Publish(new LogEvent(_changsha.Origin, LogEventKind.Checkpoint, 3, Note: Note(3, cosigned: false)));
        _events.Publish(new LogEvent(_changsha.Origin, LogEventKind.Checkpoint, 3, Note: Note(3, cosigned: true)));
        _events.Publish(new LogEvent(_changsha.Origin, LogEventKind.Checkpoint, 5, Note: Note(5, cosigned: false)));
        _events.Publish(new LogEvent(_changsha.Origin, LogEventKind.Checkpoint, 7, Note: Note(7, cosigned: false)));
        await Eventually.HoldsAsync(() => finals.Version == version + 4, "the four notes considered");

        var final = finals.LatestOf(_changsha.Origin);
        Assert.Equal(3UL, final?.Size);
        Assert.True(view.Current!.IsFinal(_changsha.Origin, SignedNote.Parse(final!.Value.Note)));

        // Size 7 cosigned later: it is the answer from then on; an older note coming late changes nothing.
        version = finals.Version;
        _events.Publish(new LogEvent(_changsha.Origin, LogEventKind.Checkpoint, 7, Note: Note(7, cosigned: true)));
        await Eventually.HoldsAsync(() => finals.Version == version + 1, "the cosigned size 7 considered");
        Assert.Equal(7UL, finals.LatestOf(_changsha.Origin)?.Size);
        _events.Publish(new LogEvent(_changsha.Origin, LogEventKind.Checkpoint, 5, Note: Note(5, cosigned: true)));
        Assert.Equal(7UL, finals.LatestOf(_changsha.Origin)?.Size);
    }
}
