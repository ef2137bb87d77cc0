using System.Diagnostics;
using System.Threading.Channels;
using Huren.Sdk.Entries;

namespace Huren.Node.Logs;

/// <summary>
/// The single writer of the node's own log, with group commit: submitters on many threads check signatures in
/// parallel, then queue; one loop takes a batch (closed by size or delay) and hands it to the <see cref="LogAppender"/>
/// (order-dependent checks, one synced write with its checkpoint and ledger rows), and only then answers the submitters.
/// A batch that fails is answered with <see cref="AppendFailedException"/> and the loop goes on.
/// </summary>
public sealed partial class Sequencer : IAsyncDisposable
{
    private readonly LogAppender _appender;
    private readonly IEntryAdmission _admission;
    private readonly SequencerOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly WriteGate? _gate;

    /// <summary>Starts the sequencer over an appender; while <paramref name="gate"/> is closed every entry is refused.</summary>
    public Sequencer(LogAppender appender, SequencerOptions options, ILogger logger, WriteGate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(appender);
        _appender = appender;
        _gate = gate;
        _admission = appender.Admission;
        _options = options;
        _logger = logger;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>A sequencer of <paramref name="log"/> over a new <see cref="LogAppender"/> (tools and tests; the node composes its own).</summary>
    /// <param name="log">The log.</param>
    /// <param name="admission">The checks of each entry.</param>
    /// <param name="participants">What else each batch writes (after the status map).</param>
    /// <param name="options">Batching.</param>
    /// <param name="logger">Logs.</param>
    /// <param name="statusMap">Whether the status map is kept (see <see cref="LogAppender"/>; false only in benchmarks).</param>
    public static Sequencer Over(MerkleLog log, IEntryAdmission admission, IEnumerable<IBatchParticipant> participants, SequencerOptions options, ILogger logger,
        bool statusMap = true)
        => new(new LogAppender(log, admission, participants, null, null, logger, statusMap), options, logger);

    /// <summary>The log this sequencer writes.</summary>
    public MerkleLog Log => _appender.Log;

    /// <summary>
    /// Checks and appends one leaf (exact SignedEntry bytes). Completes when the entry is durable, or throws
    /// <see cref="AdmissionException"/> with the cause, or <see cref="AppendFailedException"/> when its batch could not
    /// be written; either way the log holds nothing of it.
    /// </summary>
    public async Task<AppendResult> SubmitAsync(byte[] leaf, CancellationToken cancellationToken = default)
        => await SubmitAsync(leaf, null, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Like <see cref="SubmitAsync(byte[], CancellationToken)"/>, with a caller check on the decoded entry (e.g. that the
    /// authenticated client acts for the entry's issuer) run before the entry is queued.
    /// </summary>
    public async Task<AppendResult> SubmitAsync(byte[] leaf, Action<DecodedLeaf>? authorize, CancellationToken cancellationToken)
    {
        // Checked first and again by the writer loop: a gate closed while an entry waits in the queue still refuses it.
        _gate?.ThrowIfClosed(Log.Origin);
        var decoded = _admission.CheckStateless(leaf);
        authorize?.Invoke(decoded);
        var leafHash = MerkleLog.HashLeaf(leaf);
        bool known;
        ulong existing;
        try
        {
            known = Log.TryFindLeaf(leafHash, out existing);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new AppendFailedException($"the log {Log.Origin} cannot be read ({ex.Message}); try again", ex);
        }
        if (known) return new AppendResult(existing, leafHash, true);
        var pending = new Pending(leaf, leafHash, decoded);
        await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        return await pending.Completion.Task.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_options.MaxBatchSize);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                await FillBatchAsync(reader, batch).ConfigureAwait(false);
                if (_gate?.ClosedReason is not null)
                {
                    // Closed after these entries were queued: none of them is written.
                    foreach (var item in batch)
                    {
                        try
                        {
                            _gate.ThrowIfClosed(Log.Origin);
                        }
                        catch (AdmissionException refused)
                        {
                            item.Completion.TrySetException(refused);
                        }
                    }
                    batch.Clear();
                    continue;
                }
                _appender.Append(batch);
                foreach (var item in batch) item.Answer();
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping: whatever is still queued was never acknowledged.
        }
        catch (Exception ex)
        {
            // The appender fails batches without throwing; reaching here is a bug. Answer rather than leave callers waiting.
            LogLoopFailed(_logger, ex);
            foreach (var item in batch) item.Completion.TrySetException(new AppendFailedException("the sequencer stopped", ex));
        }
        while (reader.TryRead(out var left)) left.Completion.TrySetException(new ObjectDisposedException(nameof(Sequencer), "the node is shutting down"));
    }

    private async Task FillBatchAsync(ChannelReader<Pending> reader, List<Pending> batch)
    {
        while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var item)) batch.Add(item);
        if (batch.Count >= _options.MaxBatchSize || _options.MaxBatchDelay == TimeSpan.Zero) return;
        // Group commit: give concurrent submitters a moment to join this batch.
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.MaxBatchDelay.TotalSeconds * Stopwatch.Frequency);
        while (batch.Count < _options.MaxBatchSize)
        {
            var remaining = deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0) break;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds((double)remaining / Stopwatch.Frequency));
            try
            {
                if (!await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false)) break;
            }
            catch (OperationCanceledException)
            {
                break;
            }
            while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var item)) batch.Add(item);
        }
    }

    /// <summary>Stops taking entries; entries already queued are refused, not half-written.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "The sequencer's loop failed")]
    private static partial void LogLoopFailed(ILogger logger, Exception ex);

    private sealed class Pending(byte[] leaf, byte[] leafHash, DecodedLeaf decoded) : AppendItem(leaf, leafHash, decoded)
    {
        public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Answer()
        {
            try
            {
                Completion.TrySetResult(Outcome());
            }
            catch (Exception ex)
            {
                Completion.TrySetException(ex);
            }
        }
    }
}
