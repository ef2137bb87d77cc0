using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Node.Tests.Storage;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Node.Tests.Log;

/// <summary>
/// Submitted batches that wait together are written in one synced write, and a refused one among them is still left
/// out alone: the writer is held on a first write while the batches queue behind it, over a real RocksDB store.
/// </summary>
public sealed class SequencerBatchMergeTests : IAsyncLifetime
{
    private const string Origin = "huren.merge/430100";
    private readonly TempDir _dir = new();
    private readonly SigningKey _key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private RocksStore _db = null!;
    private FaultyStore _store = null!;
    private Sequencer _sequencer = null!;
    private int _next;

    public Task InitializeAsync()
    {
        _db = RocksStore.Open(_dir.Path);
        _store = new FaultyStore(_db);
        var log = new MerkleLog(new LogStore(_store, Origin));
        var admission = new RefusingAdmission(new SignatureOnlyAdmission(new SignatureCheck(Origin, id => id == _key.Id ? _key.PublicKey : null)));
        _sequencer = Sequencer.Over(log, admission, [], new SequencerOptions { MaxBatchSize = 512, MaxBatchDelay = TimeSpan.FromMilliseconds(2) }, NullLogger.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _store.Open();
        await _sequencer.DisposeAsync();
        _store.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Batches_that_wait_together_are_written_in_one_write_with_contiguous_indexes()
    {
        var (first, writesBefore) = await HoldWriterAsync();
        var a = Leaves(3);
        var b = Leaves(4);
        b[2] = a[0]; // the same bytes in two batches: the second is answered as a duplicate of the first
        var batchA = _sequencer.SubmitBatchAsync(a, null, CancellationToken.None);
        var batchB = _sequencer.SubmitBatchAsync(b, null, CancellationToken.None);
        await WaitForQueuedAsync(2);
        _store.Open();

        Assert.Equal(0ul, (await first).Index);
        var resultsA = await batchA;
        var resultsB = await batchB;
        Assert.Equal([1ul, 2ul, 3ul], resultsA.Select(r => r.Index));
        Assert.Equal([4ul, 5ul, 1ul, 6ul], resultsB.Select(r => r.Index));
        Assert.Equal([false, false, true, false], resultsB.Select(r => r.Duplicate));
        Assert.Equal(7ul, _sequencer.Log.Size);
        // The held write, then one for both batches.
        Assert.Equal(writesBefore + 2, _store.Writes);
    }

    [Fact]
    public async Task A_refused_batch_among_batches_that_wait_together_is_left_out_alone()
    {
        var (first, writesBefore) = await HoldWriterAsync();
        var a = Leaves(2);
        var b = Leaves(3);
        b[1] = Leaf("refuse-me");
        var c = Leaves(2);
        var batchA = _sequencer.SubmitBatchAsync(a, null, CancellationToken.None);
        var batchB = _sequencer.SubmitBatchAsync(b, null, CancellationToken.None);
        var batchC = _sequencer.SubmitBatchAsync(c, null, CancellationToken.None);
        await WaitForQueuedAsync(3);
        _store.Open();

        await first;
        Assert.Equal([1ul, 2ul], (await batchA).Select(r => r.Index));
        var refused = await Assert.ThrowsAsync<AdmissionException>(() => batchB);
        Assert.Contains("entry 1 of the batch", refused.Message, StringComparison.Ordinal);
        Assert.Contains("nothing of the batch was written", refused.Message, StringComparison.Ordinal);
        Assert.Equal([3ul, 4ul], (await batchC).Select(r => r.Index));
        Assert.Equal(5ul, _sequencer.Log.Size);
        foreach (var leaf in b) Assert.False(_sequencer.Log.TryFindLeaf(MerkleHashOf(leaf), out _));
        // The held write, then the merged write discarded before it was stored, then A and C on their own.
        Assert.Equal(writesBefore + 3, _store.Writes);
    }

    private async Task<(Task<AppendResult> First, int WritesBefore)> HoldWriterAsync()
    {
        var writesBefore = _store.Writes;
        _store.Hold();
        var first = _sequencer.SubmitAsync(Leaf("held"));
        await _store.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (first, writesBefore);
    }

    private async Task WaitForQueuedAsync(int count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (_sequencer.Waiting < count) await Task.Delay(5, timeout.Token);
    }

    private byte[][] Leaves(int count)
    {
        var leaves = new byte[count][];
        for (var i = 0; i < count; i++) leaves[i] = Leaf($"r-{Interlocked.Increment(ref _next)}");
        return leaves;
    }

    private byte[] Leaf(string recordId) => UseEntries.Leaf(Origin, "merge", recordId, _key);

    private static byte[] MerkleHashOf(byte[] leaf) => Huren.Sdk.Merkle.MerkleHash.LeafHash(leaf).ToArray();

    /// <summary>Refuses, in order, the entry of record <c>refuse-me</c> (a ledger rule the batch breaks).</summary>
    private sealed class RefusingAdmission(IEntryAdmission inner) : IEntryAdmission
    {
        public DecodedLeaf CheckStateless(byte[] leaf) => inner.CheckStateless(leaf);

        public void CheckInOrder(DecodedLeaf leaf, ulong index)
        {
            if (leaf.Entry.RecordId == "refuse-me") throw new AdmissionException(RejectionKind.FailedPrecondition, "record refuse-me breaks a rule");
            inner.CheckInOrder(leaf, index);
        }

        public void Discard() => inner.Discard();
    }
}
