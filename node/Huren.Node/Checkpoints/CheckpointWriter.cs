using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Sdk.StatusMap;

namespace Huren.Node.Checkpoints;

/// <summary>
/// Decides when a checkpoint of the node's own log is signed and signs it: with a batch, as a participant of the
/// batch's atomic write (so no checkpoint ever names a size that is not durable), when the last one is old enough and,
/// with <paramref name="finalWait"/>, final (<see cref="Finalised"/>) or older than that wait;
/// else by <see cref="SignLatestIfBehind"/>, which the checkpoint timer calls when no batch has carried a checkpoint by
/// an interval after the interval's end (<see cref="BatchSkipped"/>) and on its own period. Each stored checkpoint is
/// announced as a <see cref="LogEventKind.Checkpoint"/> event. Every checkpoint carries the <c>huren-status-map/v1</c>
/// line of the log's status map at its size (<see cref="MerkleLog.StatusMap"/>).
/// </summary>
/// <param name="log">The log.</param>
/// <param name="signNote">Signs a checkpoint note for (size, log root, extension lines).</param>
/// <param name="interval">The least time between two checkpoints written with batches.</param>
/// <param name="time">The clock.</param>
/// <param name="events">Where stored checkpoints are announced.</param>
/// <param name="finalWait">
/// While the last checkpoint is not final and the network asks for cosignatures (<paramref name="witnessThreshold"/>
/// above 0), the next one waits until it is, or until this long after it (<see cref="SequencerOptions.CheckpointFinalWait"/>);
/// zero: only the interval counts.
/// </param>
/// <param name="witnessThreshold">The cosignatures that make a checkpoint final (the network's threshold now).</param>
public sealed class CheckpointWriter(MerkleLog log, Func<ulong, byte[], IReadOnlyList<string>, byte[]> signNote, TimeSpan interval, TimeProvider time, LogEvents? events = null,
    TimeSpan finalWait = default, Func<int>? witnessThreshold = null)
    : IBatchParticipant
{
    private DateTimeOffset _lastSigned = DateTimeOffset.MinValue;
    private ulong _lastSize;
    // The largest size known final (Finalised); on start nothing is, and nothing waits for it (_lastSize is 0 too).
    private ulong _finalSize;
    private TaskCompletionSource _finalisation = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (ulong Size, byte[] Note)? _attached;
    private bool _skipped;
    private TaskCompletionSource _batchSkipped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();

    /// <summary>The log whose checkpoints are signed.</summary>
    public MerkleLog Log => log;

    /// <summary>The least time between two checkpoints signed with batches.</summary>
    public TimeSpan Interval => interval;

    /// <summary>Completes when a batch became durable without a checkpoint; <see cref="ResetBatchSkipped"/> arms it again.</summary>
    public Task BatchSkipped
    {
        get
        {
            lock (_lock) return _batchSkipped.Task;
        }
    }

    /// <summary>
    /// When the next checkpoint may be signed: the interval after the last one, or, while that one awaits its
    /// cosignatures, <c>finalWait</c> after it (earlier once it is final).
    /// </summary>
    public DateTimeOffset NextDue
    {
        get
        {
            lock (_lock) return _lastSigned == DateTimeOffset.MinValue ? _lastSigned : _lastSigned + LeastGapLocked();
        }
    }

    /// <summary>Completes at the next <see cref="Finalised"/> that moves the final size (the timer waits on it).</summary>
    public Task Finalisation
    {
        get
        {
            lock (_lock) return _finalisation.Task;
        }
    }

    /// <summary>
    /// Notes that the checkpoint of <paramref name="size"/> has the network's threshold of cosignatures (the collector
    /// calls it): a checkpoint the last one was waiting for may now be signed. Only a pace, never a trust decision.
    /// </summary>
    public void Finalised(ulong size)
    {
        TaskCompletionSource moved;
        lock (_lock)
        {
            if (size <= _finalSize) return;
            _finalSize = size;
            moved = _finalisation;
            _finalisation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        moved.TrySetResult();
    }

    // Pacing by finality: under load a checkpoint a few milliseconds after the last one, which is still being mirrored
    // and cosigned, costs every member a mirror run, note checks and synced writes of its own (docs/benchmarks.md);
    // one signed once the last is final covers all that came meanwhile. A quiet log's last checkpoint is final well
    // within the interval, so its entries wait no longer than before.
    private TimeSpan LeastGapLocked()
        => finalWait > interval && _finalSize < _lastSize && (witnessThreshold?.Invoke() ?? 0) > 0 ? finalWait : interval;

    /// <summary>Arms <see cref="BatchSkipped"/> for the next batch that carries no checkpoint.</summary>
    public void ResetBatchSkipped()
    {
        lock (_lock)
        {
            if (_batchSkipped.Task.IsCompleted) _batchSkipped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <inheritdoc/>
    public void Write(StoreBatch batch, LogStaging staging)
    {
        ArgumentNullException.ThrowIfNull(staging);
        _attached = null;
        _skipped = false;
        lock (_lock)
        {
            if (time.GetUtcNow() - _lastSigned < LeastGapLocked())
            {
                _skipped = true;
                return;
            }
        }
        var note = signNote(staging.Size, staging.Root(), [StatusMapLine.Format(log.StatusMap.RootFor(staging.Size))]);
        log.Store.PutCheckpoint(batch, staging.Size, note);
        _attached = (staging.Size, note);
    }

    /// <inheritdoc/>
    public void Committed(LogStaging staging)
    {
        if (_attached is not { } cp)
        {
            if (!_skipped) return;
            _skipped = false;
            // The checkpoint timer signs this size an interval after the interval ends, unless a later batch carries one first.
            lock (_lock) _batchSkipped.TrySetResult();
            return;
        }
        _attached = null;
        lock (_lock)
        {
            _lastSigned = time.GetUtcNow();
            _lastSize = cp.Size;
        }
        events?.Publish(new LogEvent(log.Origin, LogEventKind.Checkpoint, cp.Size, Note: cp.Note, Signed: true));
    }

    /// <inheritdoc/>
    public void Discarded()
    {
        _attached = null;
        _skipped = false;
    }

    /// <summary>Signs the durable head when no checkpoint covers it yet (a note already stored for that size is kept).</summary>
    public void SignLatestIfBehind()
    {
        byte[] note;
        ulong size;
        lock (_lock)
        {
            size = log.Size;
            if (size == _lastSize && _lastSigned != DateTimeOffset.MinValue) return;
            if (log.Store.GetLatestCheckpoint() is { } latest && latest.Size == size)
            {
                // Already signed before a restart: keep that note (and any cosignatures it gathered).
                _lastSize = size;
                _lastSigned = time.GetUtcNow();
                return;
            }
            note = signNote(size, log.RootAt(size), [StatusMapLine.Format(log.StatusMap.RootFor(size))]);
            log.Store.PutCheckpoint(size, note);
            _lastSigned = time.GetUtcNow();
            _lastSize = size;
        }
        events?.Publish(new LogEvent(log.Origin, LogEventKind.Checkpoint, size, Note: note, Signed: true));
    }
}
