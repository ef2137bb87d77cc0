using System.Diagnostics;
using System.Threading.Channels;
using Huren.Sdk.Entries;

namespace Huren.Node.Logs;

/// <summary>
/// The single writer of the node's own log, with group commit: submitters on many threads check signatures in
/// parallel, then queue; one loop takes a batch (closed by size, or once no submission still being checked is about
/// to join it, or by delay) and hands it to the <see cref="LogAppender"/> (order-dependent checks, one synced write
/// with its checkpoint and ledger rows), and only then answers the submitters.
/// A batch that fails is answered with <see cref="AppendFailedException"/> and the loop goes on.
/// </summary>
public sealed partial class Sequencer : IAsyncDisposable
{
    private readonly LogAppender _appender;
    private readonly IEntryAdmission _admission;
    private readonly SequencerOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<Queued> _queue;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly WriteGate? _gate;
    // Why the writer takes no more entries (the node stopping, or its loop failed); null while it runs.
    private volatile string? _stopped;
    private int _admitting;

    /// <summary>Starts the sequencer over an appender; while <paramref name="gate"/> is closed every entry is refused.</summary>
    public Sequencer(LogAppender appender, SequencerOptions options, ILogger logger, WriteGate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(appender);
        _appender = appender;
        _gate = gate;
        _admission = appender.Admission;
        _options = options;
        _logger = logger;
        _queue = Channel.CreateBounded<Queued>(new BoundedChannelOptions(options.QueueCapacity)
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

    /// <summary>Why the sequencer takes no more entries (the node stopping, or its writer failed), or null while it runs.</summary>
    public string? StoppedReason => _stopped;

    /// <summary>Submissions (entries or batches) waiting for the writer (for tests that arrange what waits together).</summary>
    internal int Waiting => _queue.Reader.Count;

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
    public Task<AppendResult> SubmitAsync(byte[] leaf, Action<DecodedLeaf>? authorize, CancellationToken cancellationToken)
        => SubmitAsync(leaf, authorize, null, cancellationToken);

    /// <summary>
    /// Like <see cref="SubmitAsync(byte[], Action{DecodedLeaf}, CancellationToken)"/>, with rows of the caller's own
    /// (<paramref name="writeWith"/>) written in the same atomic write as the entry: both are durable, or neither. Not
    /// called when the same bytes are already in the log.
    /// </summary>
    public async Task<AppendResult> SubmitAsync(byte[] leaf, Action<DecodedLeaf>? authorize, Action<Storage.StoreBatch>? writeWith, CancellationToken cancellationToken)
    {
        // Checked first and again by the writer loop: a gate closed while an entry waits in the queue still refuses it.
        _gate?.ThrowIfClosed(Log.Origin);
        ThrowIfStopped();
        Pending pending;
        Interlocked.Increment(ref _admitting);
        try
        {
            var decoded = _admission.CheckStateless(leaf);
            authorize?.Invoke(decoded);
            // Hashed once: the writer's rules and the log reuse the decoded leaf's hash.
            var leafHash = decoded.LeafHash;
            bool known;
            ulong existing;
            try
            {
                known = Log.TryFindLeaf(leafHash, out existing);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The exception's text (it may name the node's files) goes to the operator's log, not to the client.
                LogReadFailed(_logger, ex, Log.Origin);
                throw new AppendFailedException($"the log {Log.Origin} cannot be read ({ex.GetType().Name}; the node's log has the details); try again", ex);
            }
            if (known) return new AppendResult(existing, leafHash, true);
            pending = new Pending(new AppendItem(leaf, leafHash, decoded) { WriteWith = writeWith });
        }
        finally
        {
            // Before the entry is queued, not after: the writer may take it at once and must not then wait for it.
            Interlocked.Decrement(ref _admitting);
        }
        await EnqueueAsync(pending, cancellationToken).ConfigureAwait(false);
        return await pending.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Checks and appends <paramref name="leaves"/> (exact SignedEntry bytes) as one atomic batch: the stateless checks
    /// (decode, signature) run in parallel across cores, then the writer stages them in order in one synced write of
    /// their own. Completes when all are durable, with one result per leaf in order; if any leaf is refused, nothing of
    /// the batch is written and <see cref="AdmissionException"/> names the first refused leaf by its position.
    /// </summary>
    /// <param name="leaves">The leaves, at most <see cref="SequencerOptions.MaxBatchSize"/> of them.</param>
    /// <param name="authorize">A caller check on each decoded entry, run before the batch is queued.</param>
    /// <param name="cancellationToken">Cancels waiting for room in the queue (never a batch being written).</param>
    public async Task<AppendResult[]> SubmitBatchAsync(IReadOnlyList<byte[]> leaves, Action<DecodedLeaf>? authorize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        if (leaves.Count == 0) return [];
        if (leaves.Count > _options.MaxBatchSize)
            throw new AdmissionException(RejectionKind.InvalidArgument, $"a batch holds at most {_options.MaxBatchSize} entries, not {leaves.Count}");
        _gate?.ThrowIfClosed(Log.Origin);
        ThrowIfStopped();
        var items = new AppendItem[leaves.Count];
        var refusals = new AdmissionException?[leaves.Count];
        PendingGroup group;
        Interlocked.Increment(ref _admitting);
        try
        {
            // The signature checks are the batch's main cost: spread them over the cores before the single writer.
            Parallel.For(0, leaves.Count, i =>
            {
                try
                {
                    var leaf = leaves[i];
                    var decoded = _admission.CheckStateless(leaf);
                    authorize?.Invoke(decoded);
                    items[i] = new AppendItem(leaf, decoded.LeafHash, decoded);
                }
                catch (AdmissionException ex)
                {
                    refusals[i] = ex;
                }
            });
            for (var i = 0; i < refusals.Length; i++)
            {
                if (refusals[i] is { } refused) throw BatchRefusal(i, refused);
            }
            group = new PendingGroup(items);
        }
        finally
        {
            Interlocked.Decrement(ref _admitting);
        }
        await EnqueueAsync(group, cancellationToken).ConfigureAwait(false);
        return await group.Completion.Task.ConfigureAwait(false);
    }

    private async ValueTask EnqueueAsync(Queued item, CancellationToken cancellationToken)
    {
        try
        {
            await _queue.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Stopped between the check and the queue: the same refusal, never an unmapped exception.
            ThrowIfStopped();
            throw;
        }
    }

    /// <exception cref="AppendFailedException">The writer takes no more entries (UNAVAILABLE to a client).</exception>
    private void ThrowIfStopped()
    {
        if (_stopped is { } why) throw NotWritten(why);
    }

    private AppendFailedException NotWritten(string why) => new($"{Log.Origin} takes no entries: {why}; nothing of it was written, try again later");

    /// <summary>
    /// Appends the submitted batches among <paramref name="taken"/>. Those that waited together go into one write: one
    /// synced write, checkpoint and status-map version for all of them rather than one each (the map's pages near its
    /// root are rewritten with every version). Each batch is all or nothing, so a write of all of them together is too;
    /// when one of them is refused, that write is discarded before anything is stored and the batches are appended
    /// one at a time, as if never merged, so only the refused one is left out.
    /// </summary>
    private void AppendGroups(List<Queued> taken, List<PendingGroup> groups, List<AppendItem> merged)
    {
        foreach (var item in taken)
        {
            if (item is PendingGroup group) groups.Add(group);
        }
        try
        {
            if (groups.Count > 1)
            {
                foreach (var group in groups) merged.AddRange(group.Items);
                var together = _appender.Append(merged, refusalEndsBatch: true);
                if (together.Refusal is null)
                {
                    foreach (var group in groups) group.Outcome = together;
                    return;
                }
                foreach (var item in merged) item.Reset();
            }
            foreach (var group in groups) group.Outcome = _appender.Append(group.Items, refusalEndsBatch: true);
        }
        finally
        {
            groups.Clear();
            merged.Clear();
        }
    }

    private static AdmissionException BatchRefusal(int position, AdmissionException refused)
        => new(refused.Kind, $"entry {position} of the batch: {refused.Message}; nothing of the batch was written");

    private async Task RunAsync()
    {
        var taken = new List<Queued>();
        var singles = new List<AppendItem>(_options.MaxBatchSize);
        var groups = new List<PendingGroup>();
        var merged = new List<AppendItem>(_options.MaxBatchSize);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                await FillBatchAsync(reader, taken).ConfigureAwait(false);
                if (_gate?.ClosedReason is not null)
                {
                    // Closed after these entries were queued: none of them is written.
                    foreach (var item in taken)
                    {
                        try
                        {
                            _gate.ThrowIfClosed(Log.Origin);
                        }
                        catch (AdmissionException refused)
                        {
                            item.Refuse(refused);
                        }
                    }
                    taken.Clear();
                    continue;
                }
                // Single entries share one synced write, apart from the submitted batches: a refusal in a batch must
                // leave all of it out, and the appender cannot take back part of what it staged.
                foreach (var item in taken)
                {
                    if (item is Pending single) singles.Add(single.Item);
                }
                if (singles.Count > 0)
                {
                    _appender.Append(singles);
                    singles.Clear();
                }
                AppendGroups(taken, groups, merged);
                foreach (var item in taken) item.Answer();
                taken.Clear();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping: whatever is still queued was never acknowledged.
        }
        catch (Exception ex)
        {
            // The appender fails batches without throwing; reaching here is a bug. Answer rather than leave callers
            // waiting, and refuse what comes next (the health check reports StoppedReason) instead of queueing it for
            // a loop that no longer runs. Not through the write gate: recovery may open that again.
            LogLoopFailed(_logger, ex);
            _stopped ??= $"its writer stopped after a fault ({ex.GetType().Name}: {ex.Message})";
            _queue.Writer.TryComplete();
            foreach (var item in taken) item.Fail(new AppendFailedException("the sequencer stopped", ex));
        }
        var reason = _stopped ?? "the node is shutting down";
        while (reader.TryRead(out var left)) left.Fail(NotWritten(reason));
    }

    private async Task FillBatchAsync(ChannelReader<Queued> reader, List<Queued> batch)
    {
        var count = 0;
        while (count < _options.MaxBatchSize && reader.TryRead(out var item))
        {
            batch.Add(item);
            count += item.Count;
        }
        if (count >= _options.MaxBatchSize || _options.MaxBatchDelay == TimeSpan.Zero) return;
        // Group commit: give submitters whose checks are running a moment to join this batch. When none is, nobody is
        // about to join: the batch is written at once, and entries arriving meanwhile make up the next one (waiting
        // the whole delay then only added it to every answer: unary Ed25519 ingest was 3.9 k entries/s with the
        // writer waiting and the cores 40 % idle).
        var deadline = Stopwatch.GetTimestamp() + (long)(_options.MaxBatchDelay.TotalSeconds * Stopwatch.Frequency);
        while (count < _options.MaxBatchSize && Volatile.Read(ref _admitting) > 0)
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
            while (count < _options.MaxBatchSize && reader.TryRead(out var item))
            {
                batch.Add(item);
                count += item.Count;
            }
        }
    }

    /// <summary>Stops taking entries; entries already queued are refused, not half-written.</summary>
    public async ValueTask DisposeAsync()
    {
        _stopped ??= "the node is shutting down";
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The log {Origin} could not be read to look for a submitted entry")]
    private static partial void LogReadFailed(ILogger logger, Exception ex, string origin);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The sequencer's loop failed")]
    private static partial void LogLoopFailed(ILogger logger, Exception ex);

    /// <summary>What waits in the queue: one submitted entry or one submitted batch.</summary>
    private abstract class Queued
    {
        public abstract int Count { get; }

        /// <summary>Answers the submitter from the appender's outcome.</summary>
        public abstract void Answer();

        /// <summary>Answers with a refusal; nothing was written.</summary>
        public abstract void Refuse(AdmissionException refused);

        /// <summary>Answers with a failure; nothing was acknowledged.</summary>
        public abstract void Fail(Exception error);
    }

    private sealed class Pending(AppendItem item) : Queued
    {
        public AppendItem Item { get; } = item;

        public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override int Count => 1;

        public override void Answer()
        {
            try
            {
                Completion.TrySetResult(Item.Outcome());
            }
            catch (Exception ex)
            {
                Completion.TrySetException(ex);
            }
        }

        public override void Refuse(AdmissionException refused) => Completion.TrySetException(refused);

        public override void Fail(Exception error) => Completion.TrySetException(error);
    }

    private sealed class PendingGroup(AppendItem[] items) : Queued
    {
        public AppendItem[] Items { get; } = items;

        public BatchOutcome? Outcome { get; set; }

        public TaskCompletionSource<AppendResult[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override int Count => Items.Length;

        public override void Answer()
        {
            if (Outcome is not { } outcome)
            {
                Completion.TrySetException(new InvalidOperationException("the batch was not appended"));
                return;
            }
            if (outcome.Failure is { } failure)
            {
                Completion.TrySetException(failure);
                return;
            }
            if (outcome.Refusal is { } refusal)
            {
                // The appender stops at the first refusal and writes nothing: name that entry.
                var position = Array.FindIndex(Items, item => ReferenceEquals(item.Error, refusal));
                Completion.TrySetException(refusal is AdmissionException admission
                    ? BatchRefusal(Math.Max(position, 0), admission)
                    : refusal);
                return;
            }
            var results = new AppendResult[Items.Length];
            try
            {
                for (var i = 0; i < Items.Length; i++) results[i] = Items[i].Outcome();
            }
            catch (Exception ex)
            {
                Completion.TrySetException(ex);
                return;
            }
            Completion.TrySetResult(results);
        }

        public override void Refuse(AdmissionException refused) => Completion.TrySetException(refused);

        public override void Fail(Exception error) => Completion.TrySetException(error);
    }
}
