namespace Huren.Node.Logs;

/// <summary>
/// The one append path of a log, used by the sequencer for the node's own log and by every mirror: for a batch of
/// entries it stages each one on a copy of the Merkle frontier, checks it in order (<see cref="IEntryAdmission.CheckInOrder"/>),
/// lets every <see cref="IBatchParticipant"/> add its rows, writes log rows and participants' rows in one synced
/// write, makes them current, and publishes a <see cref="LogEvent"/> off the writer thread.
/// </summary>
/// <remarks>
/// Any exception other than a refusal — a failed write, a failed read, a damaged state row — fails every item of the
/// batch with <see cref="AppendFailedException"/>, discards every participant's staged state and reloads the log's
/// durable head; the caller's loop goes on with the next batch. Runs of failed batches are reported to
/// <see cref="AppendHealth"/>. One writer thread per appender.
/// </remarks>
public sealed partial class LogAppender
{
    private readonly MerkleLog _log;
    private readonly IEntryAdmission _admission;
    private readonly IBatchParticipant[] _participants;
    private readonly LogEvents? _events;
    private readonly AppendHealth? _health;
    private readonly ILogger _logger;
    private readonly LogCommit _commit = new();
    private readonly Dictionary<string, AppendItem> _inBatch = new(StringComparer.Ordinal);

    /// <summary>An appender of <paramref name="log"/>.</summary>
    /// <param name="log">The log.</param>
    /// <param name="admission">The order-dependent checks of each entry.</param>
    /// <param name="participants">
    /// Whatever else is written with each batch, in the order they write, after the log's status map
    /// (<see cref="MerkleLog.StatusMap"/>, always first, so a checkpoint participant can sign its root).
    /// </param>
    /// <param name="events">Where durable batches are announced; none when null.</param>
    /// <param name="health">Where failed and written batches are counted; none when null.</param>
    /// <param name="logger">Logs failed batches.</param>
    /// <param name="statusMap">
    /// Whether the log's status map is kept (always, in a node). False only to measure its cost (bench): the map then
    /// lags, is caught up when the log is next opened, and no checkpoint may be signed with a map line meanwhile.
    /// </param>
    public LogAppender(MerkleLog log, IEntryAdmission admission, IEnumerable<IBatchParticipant> participants, LogEvents? events, AppendHealth? health, ILogger logger,
        bool statusMap = true)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(admission);
        ArgumentNullException.ThrowIfNull(participants);
        _log = log;
        _admission = admission;
        _participants = statusMap ? [log.StatusMap, .. participants] : [.. participants];
        _events = events;
        _health = health;
        _logger = logger;
    }

    /// <summary>The log appended to.</summary>
    public MerkleLog Log => _log;

    /// <summary>The checks each entry passes (stateless ones run on the submitters' threads).</summary>
    public IEntryAdmission Admission => _admission;

    /// <summary>
    /// Appends <paramref name="items"/> as one atomic batch. Each item ends with a <see cref="AppendItem.Result"/>
    /// (appended, or a durable duplicate), an <see cref="AppendItem.Error"/> or <see cref="AppendItem.SameAs"/>. A
    /// refused item stages nothing; with <paramref name="refusalEndsBatch"/> (a mirror, which must store what the origin
    /// wrote or nothing) the first refusal ends the batch with nothing written. Never throws for a storage fault.
    /// </summary>
    public BatchOutcome Append(IReadOnlyList<AppendItem> items, bool refusalEndsBatch = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        _commit.Clear();
        _inBatch.Clear();
        try
        {
            var staging = _log.BeginStaging(_commit);
            for (var i = 0; i < items.Count; i++)
            {
                var item = items[i];
                if (_log.TryFindLeaf(item.LeafHash, out var existing))
                {
                    item.Result = new AppendResult(existing, item.LeafHash, true);
                    continue;
                }
                var key = Convert.ToHexString(item.LeafHash);
                if (_inBatch.TryGetValue(key, out var first))
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
                    if (!refusalEndsBatch) continue;
                    Discard();
                    return new BatchOutcome(0, ex, null);
                }
                staging.Append(item.Leaf, item.LeafHash, item.Decoded.Entry.RecordId);
                foreach (var participant in _participants) participant.Stage(item.Decoded, index);
                item.Result = new AppendResult(index, item.LeafHash, false);
                _inBatch[key] = item;
            }

            var appended = _commit.Leaves.Count;
            if (appended == 0)
            {
                Discard();
                return new BatchOutcome(0, null, null);
            }
            var store = _log.Store.Store;
            using (var batch = store.CreateBatch())
            {
                _log.Stage(staging, batch);
                foreach (var participant in _participants) participant.Write(batch, staging);
                foreach (var item in _inBatch.Values) item.WriteWith?.Invoke(batch);
                store.Write(batch);
            }
            _log.Committed(staging);
            foreach (var participant in _participants) participant.Committed(staging);
            _health?.Succeeded(_log.Origin);
            _events?.Publish(new LogEvent(_log.Origin, LogEventKind.Appended, staging.Size, appended));
            return new BatchOutcome(appended, null, null);
        }
        catch (BatchRefusedException ex)
        {
            Discard();
            Fail(items, ex);
            return new BatchOutcome(0, ex, null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Nothing of this batch is acknowledged: staged state goes, the log goes back to its durable head.
            Discard();
            Reload();
            _health?.Failed(_log.Origin, ex);
            LogBatchFailed(_logger, ex, _log.Origin, items.Count, ex.Message);
            var failure = new AppendFailedException($"the log {_log.Origin} could not append this batch, nothing of it was written ({ex.GetType().Name}; the node's log has the details); try again", ex);
            Fail(items, failure);
            return new BatchOutcome(0, null, failure);
        }
    }

    private void Discard()
    {
        _admission.Discard();
        foreach (var participant in _participants)
        {
            if (!ReferenceEquals(participant, _admission)) participant.Discarded();
        }
    }

    private void Reload()
    {
        try
        {
            _log.Reload();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The in-memory head was only ever moved after a durable write, so it is still the durable one.
            LogReloadFailed(_logger, ex, _log.Origin);
        }
    }

    private static void Fail(IReadOnlyList<AppendItem> items, Exception error)
    {
        foreach (var item in items)
        {
            item.Result = null;
            item.SameAs = null;
            item.Error = error;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of {Count} entries of {Origin} failed; none acknowledged: {Reason}")]
    private static partial void LogBatchFailed(ILogger logger, Exception ex, string origin, int count, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The durable head of {Origin} could not be re-read after a failed batch")]
    private static partial void LogReloadFailed(ILogger logger, Exception ex, string origin);
}
