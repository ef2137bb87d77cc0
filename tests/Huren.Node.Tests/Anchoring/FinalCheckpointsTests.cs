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
    private readonly TestCity _xiangtan = new("430300", withSm2: false);
    private readonly LogEvents _events = new(NullLogger<LogEvents>.Instance);

    public async ValueTask DisposeAsync() => await _events.DisposeAsync();

    private byte[] Note(ulong size, bool cosigned)
    {
        var root = MerkleHash.EmptyRoot.AsSpan();
        var note = _changsha.Signer.Sign(size, root);
        if (cosigned) note = CosignatureSigner.Cosign(note, NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(_zhuzhou.Origin), _zhuzhou.WitnessKey), WitnessFixture.Start);
        return note.ToUtf8();
    }

    private NetworkConfig Config(int threshold) => new()
    {
        NetworkId = WitnessFixture.NetworkId, Name = "长株潭", WitnessThreshold = threshold, Members = [_changsha.Member(), _zhuzhou.Member(), _xiangtan.Member()],
    };

    private NetworkView View(int threshold) => new(Config(threshold));

    [Fact]
    public async Task Newer_checkpoints_not_yet_cosigned_do_not_push_out_the_final_one_before_them()
    {
        var view = View(1);
        var log = new MerkleLog(new LogStore(new MemoryStore(), _changsha.Origin));
        var finals = new FinalCheckpoints(view, new LogDirectory(log), _events);
        Assert.Null(finals.LatestOf(_changsha.Origin));

        // Size 3 signed, then stored again cosigned (final); then twenty more checkpoints signed (Ed25519 and SM2 lines,
        // as many lines as a final note has with threshold 1 when the SM2 line is miscounted as a cosignature), all
        // before anyone asks: more than the candidates kept per log.
        _events.Publish(new LogEvent(_changsha.Origin, LogEventKind.Checkpoint, 3, Note: Note(3, cosigned: false)));
        _events.Publish(new LogEvent(_changsha.Origin, LogEventKind.Checkpoint, 3, Note: Note(3, cosigned: true)));
        for (ulong size = 5; size < 45; size += 2) _events.Publish(new LogEvent(_changsha.Origin, LogEventKind.Checkpoint, size, Note: Note(size, cosigned: false)));
        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _events.Subscribe(e => { if (e.Size == 99) delivered.TrySetResult(); });
        _events.Publish(new LogEvent(_changsha.Origin, LogEventKind.Appended, 99));
        await delivered.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var final = finals.LatestOf(_changsha.Origin);
        Assert.Equal(3UL, final?.Size);
        Assert.True(view.Current!.IsFinal(_changsha.Origin, SignedNote.Parse(final!.Value.Note)));

        // Size 43 cosigned later: it is the answer from then on.
        var version = finals.Version;
        _events.Publish(new LogEvent(_changsha.Origin, LogEventKind.Checkpoint, 43, Note: Note(43, cosigned: true)));
        await Eventually.HoldsAsync(() => finals.Version == version + 1, "the cosigned size 43 considered");
        Assert.Equal(43UL, finals.LatestOf(_changsha.Origin)?.Size);
    }

    [Fact]
    public void At_start_the_stored_notes_are_looked_through_back_to_the_newest_final_one()
    {
        // As after a restart while the witnesses are away: the newest stored notes are not cosigned.
        var log = new MerkleLog(new LogStore(new MemoryStore(), _changsha.Origin));
        log.Store.PutCheckpoint(3, Note(3, cosigned: true));
        log.Store.PutCheckpoint(5, Note(5, cosigned: false));
        log.Store.PutCheckpoint(7, Note(7, cosigned: false));
        var finals = new FinalCheckpoints(View(1), new LogDirectory(log), _events);
        Assert.Equal(3UL, finals.LatestOf(_changsha.Origin)?.Size);
    }

    [Fact]
    public void What_was_final_is_checked_again_under_a_new_configuration()
    {
        var log = new MerkleLog(new LogStore(new MemoryStore(), _changsha.Origin));
        log.Store.PutCheckpoint(3, Note(3, cosigned: true));
        var view = View(1);
        var finals = new FinalCheckpoints(view, new LogDirectory(log), _events);
        Assert.Equal(3UL, finals.LatestOf(_changsha.Origin)?.Size);

        // Two cosignatures needed now: size 3's one is not enough.
        view.Adopt(Config(2));
        Assert.Null(finals.LatestOf(_changsha.Origin));
    }

    /// <summary>
    /// What a dishonest node or peer could hand over as a final note: one byte flipped in any signature line (the log's
    /// Ed25519 or SM2 line, or the cosignature), or a cosignature by a key the configuration does not give. Each has
    /// lines enough to pass the cheap count, and none is ever answered as final: the older final note stays the answer.
    /// </summary>
    [Fact]
    public void A_note_with_a_flipped_signature_byte_or_a_stray_cosignature_is_never_answered_as_final()
    {
        var log = new MerkleLog(new LogStore(new MemoryStore(), _changsha.Origin));
        log.Store.PutCheckpoint(3, Note(3, cosigned: true));
        var finals = new FinalCheckpoints(View(1), new LogDirectory(log), _events);
        Assert.Equal(3UL, finals.LatestOf(_changsha.Origin)?.Size);

        var honest = SignedNote.Parse(System.Text.Encoding.UTF8.GetString(Note(9, cosigned: true)));
        var forged = new List<SignedNote>();
        for (var line = 0; line < honest.Signatures.Count; line++)
        {
            for (var at = 0; at < honest.Signatures[line].Signature.Length; at += 7)
            {
                var bytes = honest.Signatures[line].Signature.ToArray();
                bytes[at] ^= 0x01;
                var lines = honest.Signatures.ToList();
                lines[line] = NoteSignature.Create(lines[line].Name, lines[line].KeyId, bytes);
                forged.Add(SignedNote.Create(honest.Text, lines));
            }
        }
        var stranger = new TestCity("430300", withSm2: false);
        forged.Add(CosignatureSigner.Cosign(_changsha.Signer.Sign(9, MerkleHash.EmptyRoot.AsSpan()),
            NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(_zhuzhou.Origin), stranger.WitnessKey), WitnessFixture.Start));
        Assert.Equal(9UL, Seeded(honest).LatestOf(_changsha.Origin)?.Size);
        foreach (var note in forged) Assert.NotEqual(9UL, Seeded(note).LatestOf(_changsha.Origin)?.Size);

        // Seeded as the only stored note beyond size 3, as a restarted node would find it.
        FinalCheckpoints Seeded(SignedNote note)
        {
            var store = new MerkleLog(new LogStore(new MemoryStore(), _changsha.Origin));
            store.Store.PutCheckpoint(3, Note(3, cosigned: true));
            store.Store.PutCheckpoint(9, note.ToUtf8());
            return new FinalCheckpoints(View(1), new LogDirectory(store), _events);
        }
    }
}
