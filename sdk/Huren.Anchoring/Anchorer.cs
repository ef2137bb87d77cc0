using System.Globalization;
using System.Threading.Channels;
using Huren.Anchoring.Chain;
using Huren.Sdk.Merkle;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Anchoring;

/// <summary>How an <see cref="Anchorer"/> behaves.</summary>
public sealed record AnchorerOptions
{
    /// <summary>K: confirmations (the including block counts as one) before an anchor is "confirmed".</summary>
    public int Confirmations { get; init; } = 12;

    /// <summary>How often a sent transaction is looked at until it is confirmed.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A transaction not mined after this long is replaced by one with the same nonce and 12.5 % higher fees.</summary>
    public TimeSpan ReplaceAfter { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>The first pause after a failed step; it doubles with each further failure.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest pause between retries.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>A snapshot of an anchorer, for status pages and RPCs.</summary>
/// <param name="Current">The newest record (copy), or null.</param>
/// <param name="LastConfirmed">The newest confirmed record (copy), or null.</param>
/// <param name="LastError">The last step's error while the chain keeps failing, else null.</param>
/// <param name="ConsecutiveFailures">Failed steps in a row.</param>
public sealed record AnchorerStatus(AnchorRecord? Current, AnchorRecord? LastConfirmed, string? LastError, int ConsecutiveFailures);

/// <summary>What one step did and when the next one is worth running.</summary>
/// <param name="Record">The record the step worked on (copy), or null when there was nothing to do.</param>
/// <param name="Error">The error that ended the step, or null.</param>
/// <param name="NextStepIn">When to step again (<see cref="Timeout.InfiniteTimeSpan"/>: only when woken).</param>
public sealed record AnchorStepResult(AnchorRecord? Record, string? Error, TimeSpan NextStepIn);

/// <summary>
/// The anchoring state machine, driven off the write path by a background service: it is offered the latest final
/// checkpoints, and each <see cref="StepAsync"/> moves the current anchor one stage on — make a record when some log
/// grew since the last anchor, sign and keep a transaction before sending it, follow it to K confirmations, notice a
/// reorg below K (receipt gone, or its block no longer canonical) and send it again — persisting every change through
/// <see cref="IAnchorStore"/>. One anchor is in flight at a time; a restart resumes from the store, re-sending the kept
/// transaction when its nonce is still free. Chain failures never escape a step: they are logged, kept in
/// <see cref="Status"/>, and retried with growing pauses. Only one caller may step at a time (<see cref="RunAsync"/>
/// is that caller); <see cref="Offer"/> and <see cref="Wake"/> may be called from any thread.
/// </summary>
public sealed partial class Anchorer
{
    private readonly AnchorChainClient _chain;
    private readonly IAnchorStore _store;
    private readonly AnchorerOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly Dictionary<string, AnchoredCheckpoint> _offered = new(StringComparer.Ordinal);
    // _current is the step thread's working copy; the published copies are what Status hands out (taken under the
    // lock at each save, so a reader never sees a record half-changed).
    private AnchorRecord? _current;
    private AnchorRecord? _publishedCurrent;
    private AnchorRecord? _publishedConfirmed;
    private bool _loaded;
    private string? _lastError;
    private int _failures;

    /// <summary>An anchorer sending through <paramref name="chain"/> (which must have an account and the contract) and keeping records in <paramref name="store"/>.</summary>
    public Anchorer(AnchorChainClient chain, IAnchorStore store, AnchorerOptions? options = null, TimeProvider? clock = null, ILogger<Anchorer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(store);
        if (chain.Address is null) throw new ArgumentException("the chain client needs an account to anchor with", nameof(chain));
        _chain = chain;
        _store = store;
        _options = options ?? new AnchorerOptions();
        if (_options.Confirmations < 1) throw new ArgumentOutOfRangeException(nameof(options), "K (Confirmations) is at least 1");
        _clock = clock ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Offers the latest final checkpoints (complete signed notes, one per log; the caller has checked finality). A log
    /// whose size grew since the last anchor, or a log not anchored yet, makes the next anchor; a note of the same size
    /// (e.g. with more cosignatures) replaces the offered one without making an anchor by itself. Wakes the loop.
    /// </summary>
    /// <exception cref="FormatException">A note does not parse as a checkpoint.</exception>
    public void Offer(IEnumerable<string> finalCheckpointNotes)
    {
        ArgumentNullException.ThrowIfNull(finalCheckpointNotes);
        var parsed = finalCheckpointNotes.Select(AnchoredCheckpoint.FromNote).ToList();
        lock (_lock)
        {
            foreach (var c in parsed)
            {
                if (_offered.TryGetValue(c.Origin, out var held) && held.Size > c.Size) continue; // never go back
                _offered[c.Origin] = c;
            }
        }
        Wake();
    }

    /// <summary>Asks the loop to step now (e.g. "anchor now").</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>The current state (copies).</summary>
    public AnchorerStatus Status
    {
        get
        {
            lock (_lock) return new(_publishedCurrent?.Clone(), _publishedConfirmed?.Clone(), _lastError, _failures);
        }
    }

    /// <summary>Steps until <paramref name="cancellationToken"/> is cancelled, waiting between steps as each step advises or until woken.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var step = await StepAsync(cancellationToken).ConfigureAwait(false);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (step.NextStepIn != Timeout.InfiniteTimeSpan) wait.CancelAfter(step.NextStepIn);
            try
            {
                await _wake.Reader.ReadAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // the pause ran out
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Moves the current anchor one stage on. Throws only <see cref="OperationCanceledException"/> for <paramref name="cancellationToken"/>.</summary>
    public async Task<AnchorStepResult> StepAsync(CancellationToken cancellationToken = default)
    {
        AnchorRecord? record = null;
        try
        {
            Load();
            record = _current;
            if (record is null || record.IsSettled)
            {
                record = NextRecord();
                if (record is null) return Succeeded(null, FailedRetryIn() is { } left && left > TimeSpan.Zero ? left : Timeout.InfiniteTimeSpan);
            }
            switch (record.Status)
            {
                case AnchorStatus.Pending or AnchorStatus.Reorged:
                    await SubmitAsync(record, cancellationToken).ConfigureAwait(false);
                    break;
                case AnchorStatus.Submitted or AnchorStatus.Included:
                    await TrackAsync(record, cancellationToken).ConfigureAwait(false);
                    break;
            }
            return Succeeded(record, record.IsSettled ? TimeSpan.Zero : _options.PollInterval);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (AnchorChainException ex) when (ex.IsPermanent && record is not null && !record.IsSettled)
        {
            LogFailed(record.Id, ex.Message);
            record.Status = AnchorStatus.Failed;
            record.Failure = ex.Message;
            try
            {
                Save(record);
            }
            catch (Exception saveError)
            {
                return Faulted(record, saveError);
            }
            return Succeeded(record, TimeSpan.Zero);
        }
        catch (Exception ex)
        {
            return Faulted(record, ex);
        }
    }

    /// <summary>
    /// A chain or store fault (the store is the node's, whatever it throws): the service driving the loop must not die
    /// of it. Keep what is durable, forget what is not (the next step reloads from the store), and try again later.
    /// </summary>
    private AnchorStepResult Faulted(AnchorRecord? record, Exception ex)
    {
        int failures;
        lock (_lock)
        {
            failures = ++_failures;
            _lastError = ex.Message;
        }
        _loaded = false;
        var delay = TimeSpan.FromTicks(Math.Min(_options.MaxRetryDelay.Ticks, _options.RetryDelay.Ticks << Math.Min(failures - 1, 20)));
        LogStepFailed(record?.Id ?? 0, failures, delay.TotalSeconds, ex.Message);
        return new AnchorStepResult(record?.Clone(), ex.Message, delay);
    }

    private AnchorStepResult Succeeded(AnchorRecord? record, TimeSpan next)
    {
        lock (_lock)
        {
            _failures = 0;
            _lastError = null;
        }
        return new(record?.Clone(), null, next);
    }

    private void Load()
    {
        if (_loaded) return;
        var latest = _store.Latest();
        var confirmed = latest;
        for (var i = 0; i < 100 && confirmed is not null && confirmed.Status != AnchorStatus.Confirmed; i++)
        {
            confirmed = confirmed.Id > 1 ? _store.Get(confirmed.Id - 1) : null;
        }
        _current = latest;
        _loaded = true;
        lock (_lock)
        {
            _publishedCurrent = latest?.Clone();
            _publishedConfirmed = confirmed?.Status == AnchorStatus.Confirmed ? confirmed : null;
        }
    }

    /// <summary>When the last anchor failed: the time left before its checkpoints are anchored again (zero: now); else null.</summary>
    private TimeSpan? FailedRetryIn()
    {
        if (_current is not { Status: AnchorStatus.Failed } failed) return null;
        var left = failed.UpdatedAt + _options.MaxRetryDelay - _clock.GetUtcNow();
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>A new pending record when an offered log grew past the last anchor (or is new), or the last one failed a while ago, else null.</summary>
    private AnchorRecord? NextRecord()
    {
        List<AnchoredCheckpoint> offered;
        lock (_lock) offered = [.. _offered.Values];
        if (offered.Count == 0) return null;
        var last = _current;
        // A failed anchor put none of its checkpoints on the chain: after a pause they are anchored again, grown or not
        // (before, they waited for some log to grow, and "anchor now" did nothing).
        var grew = last is null || FailedRetryIn() == TimeSpan.Zero
            || offered.Exists(c => last.CheckpointOf(c.Origin) is not { } held || c.Size > held.Size);
        if (!grew) return null;
        offered.Sort(static (a, b) => string.CompareOrdinal(a.Origin, b.Origin));
        var now = _clock.GetUtcNow();
        var record = new AnchorRecord
        {
            Id = (last?.Id ?? 0) + 1,
            Status = AnchorStatus.Pending,
            ChainId = _chain.Options.ChainId,
            Contract = _chain.Options.Contract,
            Checkpoints = offered,
            CreatedAt = now,
            UpdatedAt = now,
        };
        record.Root = record.Tree().Root.ToBase64();
        Save(record);
        LogCreated(record.Id, record.Root, string.Join(", ", offered.Select(c => $"{c.Origin}@{c.Size}")));
        return record;
    }

    private async Task SubmitAsync(AnchorRecord record, CancellationToken cancellationToken)
    {
        var root = Hash256.Parse(record.Root);
        var leafCount = (ulong)record.Checkpoints.Count;
        // Send the kept transaction again while its nonce is free (restart, reorg, dropped from the pool): same bytes,
        // same hash, so at most one of them is ever mined.
        if (record.Transactions.Count > 0)
        {
            var kept = record.Transactions[^1];
            var mined = await _chain.GetNonceAsync(pending: false, cancellationToken).ConfigureAwait(false);
            if (mined <= kept.Nonce)
            {
                var outcome = await _chain.BroadcastAsync(kept.Raw, cancellationToken).ConfigureAwait(false);
                if (outcome == BroadcastOutcome.Underpriced) await ReplaceAsync(record, kept, root, leafCount, cancellationToken).ConfigureAwait(false);
                record.Status = AnchorStatus.Submitted;
                Save(record);
                LogResent(record.Id, kept.Hash, kept.Nonce, outcome.ToString());
                return;
            }
        }
        var nonce = await _chain.AllocateNonceAsync(cancellationToken).ConfigureAwait(false);
        var signed = await _chain.SignAnchorAsync(root, leafCount, nonce, cancellationToken: cancellationToken).ConfigureAwait(false);
        record.Transactions.Add(AnchorTransactionRecord.From(signed, _clock.GetUtcNow()));
        record.Status = AnchorStatus.Submitted;
        Save(record); // kept before it is sent
        var sent = await _chain.BroadcastAsync(signed.Raw, cancellationToken).ConfigureAwait(false);
        LogSent(record.Id, signed.Hash, nonce, sent.ToString());
    }

    private async Task ReplaceAsync(AnchorRecord record, AnchorTransactionRecord kept, Hash256 root, ulong leafCount, CancellationToken cancellationToken)
    {
        var signed = await _chain.SignAnchorAsync(root, leafCount, kept.Nonce, kept.ToSigned(), cancellationToken).ConfigureAwait(false);
        record.Transactions.Add(AnchorTransactionRecord.From(signed, _clock.GetUtcNow()));
        Save(record);
        await _chain.BroadcastAsync(signed.Raw, cancellationToken).ConfigureAwait(false);
        LogReplaced(record.Id, kept.Hash, signed.Hash, signed.Nonce);
    }

    private async Task TrackAsync(AnchorRecord record, CancellationToken cancellationToken)
    {
        AnchorReceipt? receipt = null;
        ChainBlock? block = null;
        for (var i = record.Transactions.Count - 1; i >= 0 && receipt is null; i--)
        {
            var candidate = await _chain.GetReceiptAsync(record.Transactions[i].Hash, cancellationToken).ConfigureAwait(false);
            if (candidate is null) continue;
            block = await _chain.GetBlockAsync(candidate.BlockNumber, cancellationToken).ConfigureAwait(false);
            // A receipt from a block that is no longer canonical does not count.
            if (block is not null && string.Equals(block.Hash, candidate.BlockHash, StringComparison.OrdinalIgnoreCase)) receipt = candidate;
        }

        if (receipt is null)
        {
            if (record.Inclusion is { } lost)
            {
                // A receipt that a lagging or load-balanced RPC backend misses once is no reorg: only another block at
                // that height is. Until the block there is seen to differ (a chain gone shorter: once it has a block
                // there again), ask again.
                var atHeight = await _chain.GetBlockAsync(lost.BlockNumber, cancellationToken).ConfigureAwait(false);
                if (atHeight is null || string.Equals(atHeight.Hash, lost.BlockHash, StringComparison.OrdinalIgnoreCase))
                {
                    LogReceiptMissed(record.Id, lost.BlockNumber);
                    return;
                }
                LogReorged(record.Id, lost.BlockNumber, lost.BlockHash, record.Confirmations);
                record.Reorgs++;
                record.Status = AnchorStatus.Reorged;
                record.Inclusion = null;
                record.Confirmations = 0;
                Save(record);
                await SubmitAsync(record, cancellationToken).ConfigureAwait(false);
                return;
            }
            var kept = record.Transactions[^1];
            var mined = await _chain.GetNonceAsync(pending: false, cancellationToken).ConfigureAwait(false);
            if (mined > kept.Nonce)
            {
                // The nonce went to a transaction that is none of ours (or ours were dropped): anchor with a new one.
                record.Status = AnchorStatus.Pending;
                Save(record);
                LogNonceTaken(record.Id, kept.Nonce);
                await SubmitAsync(record, cancellationToken).ConfigureAwait(false);
                return;
            }
            if (!await _chain.IsKnownAsync(kept.Hash, cancellationToken).ConfigureAwait(false))
            {
                var outcome = await _chain.BroadcastAsync(kept.Raw, cancellationToken).ConfigureAwait(false);
                LogResent(record.Id, kept.Hash, kept.Nonce, outcome.ToString());
            }
            else if (_clock.GetUtcNow() - kept.SentAt > _options.ReplaceAfter)
            {
                await ReplaceAsync(record, kept, Hash256.Parse(record.Root), (ulong)record.Checkpoints.Count, cancellationToken).ConfigureAwait(false);
            }
            return;
        }

        if (!receipt.Succeeded) throw new AnchorChainException($"transaction {receipt.TransactionHash} reverted in block {receipt.BlockNumber}", isPermanent: true);
        if (receipt.Anchored is not { } anchored || anchored.Root.ToBase64() != record.Root)
            throw new AnchorChainException($"transaction {receipt.TransactionHash} has no Anchored event of root {record.Root} from contract {_chain.Options.Contract}", isPermanent: true);
        var head = await _chain.GetBlockNumberAsync(cancellationToken).ConfigureAwait(false);
        var confirmations = head >= receipt.BlockNumber ? head - receipt.BlockNumber + 1 : 0;
        var moved = record.Inclusion is { } previous && !string.Equals(previous.BlockHash, receipt.BlockHash, StringComparison.OrdinalIgnoreCase);
        if (moved)
        {
            record.Reorgs++;
            LogReorged(record.Id, record.Inclusion!.BlockNumber, record.Inclusion.BlockHash, record.Confirmations);
        }
        var changed = record.Inclusion is null || moved;
        record.Inclusion = new AnchorInclusion
        {
            Transaction = receipt.TransactionHash,
            BlockNumber = receipt.BlockNumber,
            BlockHash = receipt.BlockHash,
            BlockTime = block!.Timestamp,
            LogIndex = anchored.LogIndex,
            Sequence = anchored.Sequence,
            GasUsed = receipt.GasUsed,
            EffectiveGasPrice = receipt.EffectiveGasPrice.ToString(CultureInfo.InvariantCulture),
        };
        record.Confirmations = confirmations;
        var status = confirmations >= (ulong)_options.Confirmations ? AnchorStatus.Confirmed : AnchorStatus.Included;
        if (status != record.Status || changed)
        {
            record.Status = status;
            if (status == AnchorStatus.Confirmed)
            {
                record.ConfirmedAt = _clock.GetUtcNow();
                LogConfirmed(record.Id, receipt.TransactionHash, receipt.BlockNumber, anchored.Sequence, confirmations);
            }
            Save(record);
        }
    }

    private void Save(AnchorRecord record)
    {
        record.UpdatedAt = _clock.GetUtcNow();
        _store.Save(record);
        _current = record;
        var published = record.Clone();
        lock (_lock)
        {
            _publishedCurrent = published;
            if (published.Status == AnchorStatus.Confirmed) _publishedConfirmed = published;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "anchor {Id}: root {Root} over {Checkpoints}")]
    private partial void LogCreated(ulong id, string root, string checkpoints);

    [LoggerMessage(Level = LogLevel.Information, Message = "anchor {Id}: sent transaction {Hash} with nonce {Nonce} ({Outcome})")]
    private partial void LogSent(ulong id, string hash, ulong nonce, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "anchor {Id}: sent kept transaction {Hash} (nonce {Nonce}) again ({Outcome})")]
    private partial void LogResent(ulong id, string hash, ulong nonce, string outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "anchor {Id}: replaced {Old} by {New} (nonce {Nonce}) with higher fees")]
    private partial void LogReplaced(ulong id, string old, string @new, ulong nonce);

    [LoggerMessage(Level = LogLevel.Warning, Message = "anchor {Id}: nonce {Nonce} was used by another transaction; anchoring with a new one")]
    private partial void LogNonceTaken(ulong id, ulong nonce);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Anchor {Id}: the chain did not answer the receipt of its transaction in block {Block}, which is still there; asking again")]
    private partial void LogReceiptMissed(ulong id, ulong block);

    [LoggerMessage(Level = LogLevel.Warning, Message = "anchor {Id}: block {Block} ({Hash}) left the canonical chain at {Confirmations} confirmations; anchoring again")]
    private partial void LogReorged(ulong id, ulong block, string hash, ulong confirmations);

    [LoggerMessage(Level = LogLevel.Information, Message = "anchor {Id}: confirmed, transaction {Hash} in block {Block}, sequence {Sequence}, {Confirmations} confirmations")]
    private partial void LogConfirmed(ulong id, string hash, ulong block, ulong sequence, ulong confirmations);

    [LoggerMessage(Level = LogLevel.Error, Message = "anchor {Id}: failed for good: {Reason}")]
    private partial void LogFailed(ulong id, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "anchor {Id}: step failed ({Failures} in a row), retrying in {Seconds:0.###} s: {Reason}")]
    private partial void LogStepFailed(ulong id, int failures, double seconds, string reason);
}
