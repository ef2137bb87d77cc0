using System.Diagnostics;
using System.Threading.Channels;
using Huren.Node.Storage;
using Huren.Sdk.Entries;

namespace Huren.Node.Log;

/// <summary>Where a submitted entry landed.</summary>
/// <param name="Index">Its index in the log.</param>
/// <param name="LeafHash">Its RFC 9162 leaf hash.</param>
/// <param name="Duplicate">True when the same bytes were already in the log; nothing was appended.</param>
public readonly record struct AppendResult(ulong Index, byte[] LeafHash, bool Duplicate);

/// <summary>
/// The single writer of a city log, with group commit: submitters on many threads check signatures in parallel,
/// then queue; one loop takes a batch (closed by size or delay), runs the order-dependent checks, assigns indexes,
/// writes the batch and its checkpoint in one synced RocksDB write, and only then answers the submitters.
/// </summary>
public sealed partial class Sequencer : IAsyncDisposable
{
    private readonly MerkleLog _log;
    private readonly IEntryAdmission _admission;
    private readonly CheckpointWriter _checkpoints;
    private readonly SequencerOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _queue;
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Starts the sequencer over an opened log.</summary>
    public Sequencer(MerkleLog log, IEntryAdmission admission, CheckpointWriter checkpoints, SequencerOptions options, ILogger logger)
    {
        _log = log;
        _admission = admission;
        _checkpoints = checkpoints;
        _options = options;
        _logger = logger;
        _queue = Channel.CreateBounded<Pending>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Raised after each durable batch: (entries appended, new size). For metrics.</summary>
    public event Action<int, ulong>? BatchCommitted;

    /// <summary>The log this sequencer writes.</summary>
    public MerkleLog Log => _log;

    /// <summary>
    /// Checks and appends one leaf (exact SignedEntry bytes). Completes when the entry is durable, or throws
    /// <see cref="AdmissionException"/> with the cause; a refused entry leaves the log unchanged.
    /// </summary>
    public async Task<AppendResult> SubmitAsync(byte[] leaf, CancellationToken cancellationToken = default)
        => await SubmitAsync(leaf, null, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Like <see cref="SubmitAsync(byte[], CancellationToken)"/>, with a caller check on the decoded entry (e.g. that the
    /// authenticated client acts for the entry's issuer) run before the entry is queued.
    /// </summary>
    public async Task<AppendResult> SubmitAsync(byte[] leaf, Action<DecodedLeaf>? authorize, CancellationToken cancellationToken)
    {
        var decoded = _admission.CheckStateless(leaf);
        authorize?.Invoke(decoded);
        var leafHash = MerkleLog.HashLeaf(leaf);
        if (_log.TryFindLeaf(leafHash, out var existing)) return new AppendResult(existing, leafHash, true);
        var pending = new Pending(leaf, leafHash, decoded);
        await _queue.Writer.WriteAsync(pending, cancellationToken).ConfigureAwait(false);
        return await pending.Completion.Task.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(_options.MaxBatchSize);
        var commit = new LogCommit();
        var inBatch = new Dictionary<string, Pending>(StringComparer.Ordinal);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                await FillBatchAsync(reader, batch).ConfigureAwait(false);
                ProcessBatch(batch, commit, inBatch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopping: whatever is still queued was never acknowledged.
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

    private void ProcessBatch(List<Pending> batch, LogCommit commit, Dictionary<string, Pending> inBatch)
    {
        commit.Clear();
        inBatch.Clear();
        var staging = _log.BeginStaging(commit);
        foreach (var item in batch)
        {
            if (_log.TryFindLeaf(item.LeafHash, out var existing))
            {
                item.Result = new AppendResult(existing, item.LeafHash, true);
                continue;
            }
            var key = Convert.ToHexString(item.LeafHash);
            if (inBatch.TryGetValue(key, out var first))
            {
                item.SameAs = first;
                continue;
            }
            var index = staging.NextIndex;
            try
            {
                _admission.CheckInOrder(item.Decoded, index);
            }
            catch (AdmissionException ex)
            {
                item.Error = ex;
                continue;
            }
            staging.Append(item.Leaf, item.LeafHash, item.Decoded.Entry.RecordId);
            item.Result = new AppendResult(index, item.LeafHash, false);
            inBatch[key] = item;
        }

        var appended = commit.Leaves.Count;
        if (appended > 0)
        {
            try
            {
                _checkpoints.AttachIfDue(staging, commit);
                _admission.WriteStaged(commit);
                _log.Commit(staging);
                _admission.Committed();
                _checkpoints.Published(commit);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Nothing of this batch is acknowledged; the log reloads its durable head.
                _admission.Discard();
                _log.Reload();
                LogCommitFailed(_logger, ex, appended);
                foreach (var item in batch)
                {
                    if (item.Result is { Duplicate: false }) item.Error = new IOException("the entry could not be made durable; nothing was written", ex);
                }
            }
        }

        foreach (var item in batch)
        {
            if (item.SameAs is { } first)
            {
                if (first.Error is not null) item.Completion.TrySetException(first.Error);
                else item.Completion.TrySetResult(first.Result!.Value with { Duplicate = true });
            }
            else if (item.Error is not null) item.Completion.TrySetException(item.Error);
            else item.Completion.TrySetResult(item.Result!.Value);
        }
        if (appended > 0) BatchCommitted?.Invoke(appended, _log.Size);
    }

    /// <summary>Stops taking entries; entries already queued are refused, not half-written.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Batch of {Count} entries failed to commit; none acknowledged")]
    private static partial void LogCommitFailed(ILogger logger, Exception ex, int count);

    private sealed class Pending(byte[] leaf, byte[] leafHash, DecodedLeaf decoded)
    {
        public byte[] Leaf { get; } = leaf;
        public byte[] LeafHash { get; } = leafHash;
        public DecodedLeaf Decoded { get; } = decoded;
        public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public AppendResult? Result { get; set; }
        public Exception? Error { get; set; }
        public Pending? SameAs { get; set; }
    }
}
