using Huren.Node.Checkpoints;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Node.Tests.Witness;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Notes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Node.Tests.Checkpoints;

/// <summary>
/// When the own log's checkpoints are signed with a checkpoint interval: the first batch carries one; a batch within
/// the interval carries none (one that registers a key included: a mirror's run may hold a registration and entries
/// under its key), and the checkpoint timer signs its size an interval after
/// the interval's end (not on its slow period), while a batch that carried one meanwhile makes that sign unnecessary.
/// </summary>
public sealed class CheckpointWriterTests : IAsyncDisposable
{
    private const string Origin = "huren.cpw/430100";
    private readonly SigningKey _key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly MerkleLog _log = new(new LogStore(new MemoryStore(), Origin));
    private Sequencer? _sequencer;
    private int _serial;

    public async ValueTask DisposeAsync()
    {
        if (_sequencer is not null) await _sequencer.DisposeAsync();
    }

    private CheckpointWriter Writer(TimeSpan interval, TimeProvider time, TimeSpan finalWait = default, int witnessThreshold = 0)
    {
        var signer = new CheckpointSigner(Origin, _key, null);
        var writer = new CheckpointWriter(_log, (size, root, extensions) => signer.Sign(size, root, extensions).ToUtf8(), interval, time, null,
            finalWait, () => witnessThreshold);
        _sequencer = Sequencer.Over(_log, new SignatureOnlyAdmission(new SignatureCheck(Origin, id => id == _key.Id ? _key.PublicKey : null)),
            [writer], new SequencerOptions { MaxBatchDelay = TimeSpan.Zero }, NullLogger.Instance);
        return writer;
    }

    /// <summary>Appends one entry of <paramref name="kind"/> in a batch of its own.</summary>
    private async Task AppendAsync(string kind = EntryKinds.LicenseUse)
    {
        var n = ++_serial;
        var entry = new Entry
        {
            Kind = kind, RecordId = $"r-{n}", IssuerId = "cpw", Origin = Origin, TimeUnixMs = 1_795_000_000_000 + n,
            SchemaId = "huren.test", SchemaVersion = 1, Body = [(byte)n],
        };
        await _sequencer!.SubmitAsync(EntrySigner.SignToLeaf(entry, _key));
    }

    private ulong? LatestCheckpointSize => _log.Store.GetLatestCheckpoint()?.Size;

    [Fact]
    public async Task Batches_within_the_interval_carry_no_checkpoint_and_the_timer_signs_them()
    {
        var clock = new TestClock(DateTimeOffset.Parse("2026-12-04T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var writer = Writer(TimeSpan.FromSeconds(10), clock);

        await AppendAsync();
        Assert.Equal(1ul, LatestCheckpointSize);
        Assert.False(writer.BatchSkipped.IsCompleted);

        await AppendAsync();
        Assert.Equal(1ul, LatestCheckpointSize);
        Assert.True(writer.BatchSkipped.IsCompleted);
        Assert.Equal(clock.Now + TimeSpan.FromSeconds(10), writer.NextDue);

        // A registration is no exception (a mirror checks entries under a key its own run registers).
        await AppendAsync(EntryKinds.IssuerRegister);
        Assert.Equal(1ul, LatestCheckpointSize);

        writer.ResetBatchSkipped();
        Assert.False(writer.BatchSkipped.IsCompleted);
        await AppendAsync();
        Assert.True(writer.BatchSkipped.IsCompleted);
        writer.SignLatestIfBehind();
        Assert.Equal(4ul, LatestCheckpointSize);
        Assert.Equal(clock.Now + TimeSpan.FromSeconds(10), writer.NextDue);
        // Covered: nothing more to sign.
        writer.SignLatestIfBehind();
        Assert.Equal(4ul, LatestCheckpointSize);

        // After the interval a batch carries its checkpoint again.
        clock.Now += TimeSpan.FromSeconds(10);
        await AppendAsync();
        Assert.Equal(5ul, LatestCheckpointSize);
    }

    [Fact]
    public async Task The_timer_signs_a_skipped_batch_when_the_interval_ends_not_on_its_period()
    {
        var interval = TimeSpan.FromSeconds(2);
        var writer = Writer(interval, TimeProvider.System);
        await WithTimerAsync(writer, async start =>
        {
            // The timer signs the empty log as it starts; the three batches come within the interval after it.
            await Eventually.HoldsAsync(() => LatestCheckpointSize == 0ul, "the empty log's checkpoint");
            await AppendAsync();
            await AppendAsync();
            await AppendAsync();
            Assert.Equal(0ul, LatestCheckpointSize);
            await Eventually.HoldsAsync(() => LatestCheckpointSize == 3ul, "a checkpoint of size 3 (the timer's period is an hour)");
            // Not before two intervals since the first checkpoint (signed after the start): a batch could have carried it.
            Assert.True(DateTimeOffset.UtcNow - start >= 2 * interval, $"signed {(DateTimeOffset.UtcNow - start).TotalMilliseconds:F0} ms after the start, before two intervals");
            var (_, note) = _log.Store.GetLatestCheckpoint()!.Value;
            Assert.True(new CheckpointVerifier(new CheckpointSigner(Origin, _key, null).LogVerifierKey).Verify(System.Text.Encoding.UTF8.GetString(note)).IsValid);
        });
    }

    [Fact]
    public async Task While_the_last_checkpoint_awaits_its_cosignatures_the_next_waits_until_it_is_final_or_the_final_wait_ends()
    {
        var clock = new TestClock(DateTimeOffset.Parse("2026-12-05T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var writer = Writer(TimeSpan.FromSeconds(10), clock, finalWait: TimeSpan.FromSeconds(50), witnessThreshold: 1);

        await AppendAsync();
        Assert.Equal(1ul, LatestCheckpointSize);
        var signedAt = clock.Now;

        // The interval has passed, but checkpoint 1 is not final: no checkpoint yet, due at the final wait's end.
        clock.Now += TimeSpan.FromSeconds(10);
        await AppendAsync();
        Assert.Equal(1ul, LatestCheckpointSize);
        Assert.Equal(signedAt + TimeSpan.FromSeconds(50), writer.NextDue);

        // Final: due at the interval again, and the next batch carries a checkpoint.
        var finalisation = writer.Finalisation;
        writer.Finalised(1);
        Assert.True(finalisation.IsCompleted);
        Assert.Equal(signedAt + TimeSpan.FromSeconds(10), writer.NextDue);
        await AppendAsync();
        Assert.Equal(3ul, LatestCheckpointSize);

        // Checkpoint 3 never becomes final: the final wait bounds how long the next one waits.
        clock.Now += TimeSpan.FromSeconds(49);
        await AppendAsync();
        Assert.Equal(3ul, LatestCheckpointSize);
        clock.Now += TimeSpan.FromSeconds(1);
        await AppendAsync();
        Assert.Equal(5ul, LatestCheckpointSize);

        // A size already known final moves nothing; a larger one does.
        finalisation = writer.Finalisation;
        writer.Finalised(1);
        Assert.False(finalisation.IsCompleted);
        writer.Finalised(5);
        Assert.True(finalisation.IsCompleted);
    }

    [Fact]
    public async Task Without_witnesses_to_wait_for_only_the_interval_counts()
    {
        var clock = new TestClock(DateTimeOffset.Parse("2026-12-05T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Writer(TimeSpan.FromSeconds(10), clock, finalWait: TimeSpan.FromSeconds(50), witnessThreshold: 0);
        await AppendAsync();
        clock.Now += TimeSpan.FromSeconds(10);
        await AppendAsync();
        Assert.Equal(2ul, LatestCheckpointSize);
    }

    [Fact]
    public async Task The_timer_signs_a_batch_held_back_for_finality_once_the_last_checkpoint_is_final()
    {
        // The final wait is an hour and the timer's period too: only the finality can let the timer sign within the test.
        var interval = TimeSpan.FromMilliseconds(100);
        var writer = Writer(interval, TimeProvider.System, finalWait: TimeSpan.FromHours(1), witnessThreshold: 1);
        await WithTimerAsync(writer, async _ =>
        {
            await Eventually.HoldsAsync(() => LatestCheckpointSize == 0ul, "the empty log's checkpoint");
            // Nothing is known final yet, and nothing waits for it: the first size after the start is signed by the interval alone.
            await AppendAsync();
            await Eventually.HoldsAsync(() => LatestCheckpointSize == 1ul, "checkpoint 1, signed by the timer or a batch");
            await AppendAsync();
            Assert.Equal(1ul, LatestCheckpointSize);
            Assert.True(writer.NextDue - DateTimeOffset.UtcNow > TimeSpan.FromMinutes(59), "checkpoint 2 waits for checkpoint 1 to be final");
            writer.Finalised(1);
            await Eventually.HoldsAsync(() => LatestCheckpointSize == 2ul, "checkpoint 2 once checkpoint 1 is final");
        });
    }

    /// <summary>
    /// Runs <paramref name="body"/> beside a checkpoint timer over <paramref name="writer"/> whose period is an hour (only
    /// its interval rounds sign within a test), given the time just before the timer started; stops the timer after.
    /// </summary>
    private static async Task WithTimerAsync(CheckpointWriter writer, Func<DateTimeOffset, Task> body)
    {
        using var timer = new CheckpointTimer(writer, TimeSpan.FromHours(1), TimeProvider.System, new BackgroundFaults(), NullLogger<CheckpointTimer>.Instance);
        var start = DateTimeOffset.UtcNow;
        await timer.StartAsync(CancellationToken.None);
        try
        {
            await body(start);
        }
        finally
        {
            await timer.StopAsync(CancellationToken.None);
        }
    }
}
