using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Node.Tests.Storage;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Node.Tests.Log;

/// <summary>
/// Group commit waits only for submissions whose checks are running: a lone entry is written at once, a refused
/// submission leaves nothing to wait for, and an entry whose signature check is still running when the writer takes a
/// batch joins that batch. The batch delay is set far
/// beyond the tests' own time-outs, so a writer that waited it out would fail them.
/// </summary>
public sealed class SequencerGroupCommitTests : IAsyncLifetime
{
    private const string Origin = "huren.group/430100";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly SigningKey _key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly FaultyStore _store = new(new MemoryStore());
    private readonly HeldAdmission _admission;
    private readonly Sequencer _sequencer;

    public SequencerGroupCommitTests()
    {
        _admission = new HeldAdmission(new SignatureOnlyAdmission(new SignatureCheck(Origin, id => id == _key.Id ? _key.PublicKey : null)));
        var log = new MerkleLog(new LogStore(_store, Origin));
        _sequencer = Sequencer.Over(log, _admission, [], new SequencerOptions { MaxBatchDelay = TimeSpan.FromMinutes(10) }, NullLogger.Instance);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _admission.Release.Set();
        await _sequencer.DisposeAsync();
    }

    [Fact]
    public async Task A_lone_entry_is_written_without_waiting_out_the_batch_delay()
    {
        var result = await _sequencer.SubmitAsync(Leaf("alone")).WaitAsync(Patience);
        Assert.Equal(0ul, result.Index);
        var batch = await _sequencer.SubmitBatchAsync([Leaf("b-1"), Leaf("b-2")], null, CancellationToken.None).WaitAsync(Patience);
        Assert.Equal([1ul, 2ul], batch.Select(r => r.Index));
    }

    [Fact]
    public async Task Refused_submissions_leave_no_one_to_wait_for()
    {
        // Signed by a key the log does not know: refused in the checks, single and batched; the writer must not then
        // wait for them (the next entry would wait out the 10-minute delay).
        var stranger = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        await Assert.ThrowsAsync<AdmissionException>(() => _sequencer.SubmitAsync(UseEntries.Leaf(Origin, "group", "stranger", stranger)));
        await Assert.ThrowsAsync<AdmissionException>(() => _sequencer.SubmitBatchAsync([Leaf("ok"), UseEntries.Leaf(Origin, "group", "stranger-2", stranger)], null, CancellationToken.None));
        var result = await _sequencer.SubmitAsync(Leaf("after")).WaitAsync(Patience);
        Assert.Equal(0ul, result.Index);
    }

    [Fact]
    public async Task An_entry_whose_checks_are_running_joins_the_batch_the_writer_has_taken()
    {
        var writesBefore = _store.Writes;
        var slow = Task.Run(() => _sequencer.SubmitAsync(Leaf(HeldAdmission.HeldRecord)));
        await _admission.Entered.Task.WaitAsync(Patience);
        var fast = _sequencer.SubmitAsync(Leaf("fast"));
        // The writer has the fast entry and waits for the one being checked: nothing is written meanwhile.
        await Task.Delay(200);
        Assert.False(fast.IsCompleted);
        Assert.Equal(writesBefore, _store.Writes);

        _admission.Release.Set();
        var results = await Task.WhenAll(fast, slow).WaitAsync(Patience);
        Assert.Equal([0ul, 1ul], results.Select(r => r.Index));
        Assert.Equal(writesBefore + 1, _store.Writes);
    }

    [Fact]
    public async Task Entries_submitted_as_the_node_stops_are_refused_as_not_written()
    {
        var admission = new HeldAdmission(new SignatureOnlyAdmission(new SignatureCheck(Origin, id => id == _key.Id ? _key.PublicKey : null)));
        var sequencer = Sequencer.Over(new MerkleLog(new LogStore(new MemoryStore(), Origin)), admission, [], new SequencerOptions(), NullLogger.Instance);
        // One entry is in its checks when the node stops; it reaches the closed queue afterwards.
        var inChecks = Task.Run(() => sequencer.SubmitAsync(Leaf(HeldAdmission.HeldRecord)));
        await admission.Entered.Task.WaitAsync(Patience);
        await sequencer.DisposeAsync().AsTask().WaitAsync(Patience);
        admission.Release.Set();
        // Both answer UNAVAILABLE with the reason at the gRPC surface (an IOException); before, the first failed as
        // ChannelClosedException and the second as ObjectDisposedException, which a client saw as UNKNOWN.
        var queuedLate = await Assert.ThrowsAsync<AppendFailedException>(() => inChecks).WaitAsync(Patience);
        Assert.Equal($"{Origin} takes no entries: the node is shutting down; nothing of it was written, try again later", queuedLate.Message);
        var afterStop = await Assert.ThrowsAsync<AppendFailedException>(() => sequencer.SubmitAsync(Leaf("late"))).WaitAsync(Patience);
        Assert.Equal(queuedLate.Message, afterStop.Message);
        await Assert.ThrowsAsync<AppendFailedException>(() => sequencer.SubmitBatchAsync([Leaf("late-1")], null, CancellationToken.None)).WaitAsync(Patience);
        Assert.Equal(0ul, sequencer.Log.Size);
        Assert.Equal("the node is shutting down", sequencer.StoppedReason);
    }

    private byte[] Leaf(string recordId) => UseEntries.Leaf(Origin, "group", recordId, _key);

    /// <summary>Holds the stateless check of record <see cref="HeldRecord"/> until <see cref="Release"/> is set.</summary>
    private sealed class HeldAdmission(IEntryAdmission inner) : IEntryAdmission
    {
        public const string HeldRecord = "held";

        public ManualResetEventSlim Release { get; } = new(false);

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public DecodedLeaf CheckStateless(byte[] leaf)
        {
            var decoded = inner.CheckStateless(leaf);
            if (decoded.Entry.RecordId == HeldRecord)
            {
                Entered.TrySetResult();
                Release.Wait(Patience);
            }
            return decoded;
        }

        public void CheckInOrder(DecodedLeaf leaf, ulong index) => inner.CheckInOrder(leaf, index);

        public void Discard() => inner.Discard();
    }
}
