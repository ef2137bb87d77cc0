using Grpc.Core;
using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Merkle;
using Huren.Sdk.Notes;
using Huren.Sdk.StatusMap;

namespace Huren.Node.Mirrors;

/// <summary>
/// Follows one other member's log: streams its entries from the mirror's own size, checks each one (signature,
/// schema, the issuer's authorization by that city's own issuer entries), and stores a run of entries only after the
/// root recomputed over them equals the root of the origin's signed checkpoint for that size. A mismatch stops this
/// mirror with an alarm and keeps the checkpoint as evidence; a broken connection is retried with back-off.
/// </summary>
/// <remarks>
/// Pipelined (issue 17): received entries are checked in background chunks while more arrive, and a run is written
/// (ledger rules, status map, synced write) off the follow loop while the next run is received and checked. A run's
/// write is always finished, and its outcome acted on, before the next checkpoint is looked at, before the next run
/// is written, and before a follow ends; so runs are stored in order, one at a time, each only when its checkpoint
/// matches, exactly as without the pipeline.
/// </remarks>
public sealed partial class LogMirror
{
    // The wait before following again after a follow ends, doubling to 5 s while follows store nothing.
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(200);
    private readonly MerkleLog _log;
    private readonly LogStateMachine _state;
    private readonly Func<CheckpointVerifier> _checkpoints;
    private readonly TimeProvider _time;
    private readonly Func<HurenClient> _connect;
    private readonly KeySpace _evidence;
    private readonly ILogger _logger;
    private readonly LogEvents? _events;
    private readonly LogAppender _appender;
    private readonly OriginCheckpoint _checkpoint;
    private readonly List<AppendItem> _pending = [];
    private readonly List<LogEntry> _received = [];
    private readonly Queue<Task<CheckedChunk>> _checking = new();
    private Task<Exception?>? _writing;
    private CancellationTokenSource? _follow;
    private ulong _nextIndex;
    private long _uncoveredBytes;
    // One reference, so a reader never sees a fault with the other fault's kind.
    private volatile Stopped? _stopped;
    // The origin's signed checkpoints of runs this mirror refused (see RefusedSpace), each until entries stored since
    // show it was the same tree; whether any is kept, so a mirror that never refused reads nothing for them.
    private readonly KeySpace _refusedSpace;
    private bool _anyRefused;

    /// <summary>
    /// Leaf bytes received that no checkpoint covers yet (held in memory, decoded, until one does) after which the follow
    /// ends with DATA_LOSS: a peer that streams entries and never a checkpoint must not exhaust this node's memory. An
    /// honest origin signs a checkpoint of a busy log at least every <c>Huren:Sequencer:CheckpointFinalWait</c> (50 ms by
    /// default; the interval, 10 ms, once the last is final) and after every batch it sends on its own; 256 MiB is about
    /// 150,000 entries of 700 bytes (each counted with <see cref="EntryOverheadBytes"/>).
    /// </summary>
    public long MaxUncoveredBytes { get; init; } = 256L << 20;

    /// <summary>Received entries checked at once (in parallel, in the background) even before a checkpoint covers them, so the checks keep pace with the stream.</summary>
    private const int CheckChunk = 256;

    /// <summary>A mirror of <paramref name="log"/>, checked with the origin's own rules (<paramref name="state"/>).</summary>
    /// <param name="log">The mirrored log.</param>
    /// <param name="state">The origin's ledger rules over the mirrored log.</param>
    /// <param name="checkpoints">Verifies the origin's checkpoint signatures.</param>
    /// <param name="connect">A client of the origin's node.</param>
    /// <param name="evidence">Where a checkpoint whose root the mirror could not reproduce is kept.</param>
    /// <param name="events">Where stored runs and notes are announced.</param>
    /// <param name="health">Where failed writes are counted.</param>
    /// <param name="logger">Logs.</param>
    public LogMirror(
        MerkleLog log, LogStateMachine state, CheckpointVerifier checkpoints, Func<HurenClient> connect,
        KeySpace evidence, LogEvents? events, AppendHealth? health, ILogger logger)
        : this(log, state, () => checkpoints, connect, evidence, events, health, logger, TimeProvider.System)
    {
    }

    /// <summary>
    /// A mirror that takes the origin's checkpoint verifier from the configuration in force at each checkpoint
    /// (<paramref name="checkpoints"/>), so a rotated key is followed without a restart, and judges a checkpoint signed
    /// with a retired key by when it arrives (<paramref name="time"/>).
    /// </summary>
    public LogMirror(
        MerkleLog log, LogStateMachine state, Func<CheckpointVerifier> checkpoints, Func<HurenClient> connect,
        KeySpace evidence, LogEvents? events, AppendHealth? health, ILogger logger, TimeProvider time)
    {
        _log = log;
        _state = state;
        _checkpoints = checkpoints;
        _time = time;
        _connect = connect;
        _evidence = evidence;
        _events = events;
        _logger = logger;
        _checkpoint = new OriginCheckpoint(log, events);
        _appender = new LogAppender(log, state, [state, _checkpoint], events, health, logger);
        _refusedSpace = RefusedSpace(evidence.Store, log.Origin);
        try
        {
            _anyRefused = _refusedSpace.Last() is not null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Looked for at every run, then, and a store that cannot be read fails the follow there.
            _anyRefused = true;
        }
    }

    /// <summary>The key space of <paramref name="origin"/>'s evidence in <paramref name="store"/>: its checkpoints whose roots a mirror could not reproduce.</summary>
    public static KeySpace EvidenceSpace(IKeyValueStore store, string origin) => new(store, StoreFamily.Checkpoints, "evidence/" + origin);

    /// <summary>The origin followed.</summary>
    public string Origin => _log.Origin;

    /// <summary>
    /// Set when the mirror stopped on a fault: a refusal (<see cref="FaultIsRefusal"/>), checked again when the mirror
    /// next runs, or a proof that the origin signed something false (root mismatch, fork), never retried.
    /// </summary>
    public string? Fault => _stopped?.Reason;

    /// <summary>
    /// Whether <see cref="Fault"/> is a refusal by the rules and keys of the network configuration in force here — a
    /// checkpoint that does not verify, an entry the origin's rules refuse — which a later version may lift: an origin
    /// that adopted a version rotating its root or log key before this node did writes entries or signs checkpoints
    /// with the new key. False for a root mismatch or a fork (their evidence is kept) and a malformed status-map line:
    /// no version makes those right.
    /// </summary>
    public bool FaultIsRefusal => _stopped?.IsRefusal ?? false;

    /// <summary>The mirrored log (its status map is recomputed with every stored run).</summary>
    public MerkleLog Log => _log;

    /// <summary>The origin's ledger rules the mirror checks its entries with.</summary>
    public LogStateMachine State => _state;

    /// <summary>
    /// Told (origin, checkpoint note, reason) when the origin signed a tree root or a status-map root that the entries
    /// this mirror stored under its other signed checkpoints do not give (a fork): the node records it like an
    /// equivocation (its witness's evidence and quarantine). Set once at start.
    /// </summary>
    public Action<string, string, string>? ForkFound { get; set; }

    /// <summary>
    /// Completes when a kept log next grows (<see cref="LogDirectory.Growth"/>); set once at start. With it, a run that
    /// references another log beyond this node's copy is followed again as soon as the copy holds the entry, at most
    /// <see cref="MaxOtherLogWait"/> later, instead of after a back-off that guesses (and reconnects in between).
    /// </summary>
    public Func<MerkleLog, Task>? OtherLogGrowth { get; set; }

    /// <summary>The longest wait for another log's copy to catch up before following again anyway.</summary>
    public static readonly TimeSpan MaxOtherLogWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Follows until cancelled or faulted, reconnecting with back-off. A refusal that stopped an earlier run
    /// (<see cref="FaultIsRefusal"/>) is cleared first: this run follows again from the durable size and checks what
    /// was refused again, under the configuration in force now; a refusal that still holds stops it again.
    /// </summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        if (_stopped is { IsRefusal: true, Reason: var refused })
        {
            LogFollowingAgain(_logger, Origin, _log.Size, refused);
            _stopped = null;
        }
        // A refused run's signed checkpoint kept from before a restart, at a size this copy already holds.
        if (Fault is null) SettleStoredRefusals();
        var backoff = FirstBackoff;
        while (!stoppingToken.IsCancellationRequested && Fault is null)
        {
            var sizeBefore = _log.Size;
            Exception? ended = null;
            try
            {
                await FollowOnceAsync(stoppingToken).ConfigureAwait(false);
                backoff = FirstBackoff;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is RpcException or HttpRequestException or AppendFailedException or AdmissionException { WaitsFor: not null })
            {
                ended = ex;
            }
            catch (Exception ex) when (stoppingToken.IsCancellationRequested && ex is OperationCanceledException or RpcException)
            {
                // The node is stopping: the stream was cancelled under us.
                return;
            }
            // A follow that stored runs was a working connection: its end starts the back-off afresh. (A live stream
            // never returns, so nothing else reset it: over a node's life every interruption, such as a run that
            // references a third log this node has not caught up yet, doubled it, up to 5 s.) Not after a store that
            // failed: a failing disk is given the longer waits.
            if (_log.Size > sizeBefore && ended is not AppendFailedException) backoff = FirstBackoff;
            switch (ended)
            {
                case RpcException ex: LogDisconnected(_logger, Origin, ex.StatusCode, ex.Status.Detail, backoff.TotalSeconds); break;
                case HttpRequestException ex: LogUnreachable(_logger, Origin, ex.Message, backoff.TotalSeconds); break;
                // Nothing of the run was stored: follow again from the durable size once the store recovers.
                case AppendFailedException ex: LogStoreFailed(_logger, Origin, ex.Message, backoff.TotalSeconds); break;
                case AdmissionException { WaitsFor: var (log, size) }: LogOtherLogBehind(_logger, Origin, log.Origin, log.Size, size); break;
            }
            _pending.Clear();
            _received.Clear();
            _checking.Clear();
            if (ended is AdmissionException { WaitsFor: var (behind, needed) } && OtherLogGrowth is { } growth)
            {
                if (await CaughtUpAsync(behind, needed, growth, stoppingToken).ConfigureAwait(false)) continue;
                if (stoppingToken.IsCancellationRequested) return;
            }
            try
            {
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    /// <summary>Whether the copy <paramref name="other"/> reached <paramref name="size"/> entries within <see cref="MaxOtherLogWait"/>.</summary>
    private async Task<bool> CaughtUpAsync(MerkleLog other, ulong size, Func<MerkleLog, Task> growth, CancellationToken stoppingToken)
    {
        var deadline = _time.GetUtcNow() + MaxOtherLogWait;
        while (other.Size < size)
        {
            // Armed before the size is read again, so growth in between is not missed.
            var grew = growth(other);
            if (other.Size >= size) break;
            var left = deadline - _time.GetUtcNow();
            if (left <= TimeSpan.Zero) return false;
            try
            {
                await grew.WaitAsync(left, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                return false;
            }
        }
        return true;
    }

    private async Task FollowOnceAsync(CancellationToken stoppingToken)
    {
        using var client = _connect();
        using var follow = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _follow = follow;
        _pending.Clear();
        _received.Clear();
        _checking.Clear();
        _nextIndex = _log.Size;
        _uncoveredBytes = 0;
        var request = new FollowRequest { Origin = Origin, FromIndex = _log.Size, MaxEntries = CheckChunk };
        var completed = false;
        try
        {
            await foreach (var message in client.Ledger.FollowAsync(request, new ProtoBuf.Grpc.CallContext(new CallOptions(cancellationToken: follow.Token))).ConfigureAwait(false))
            {
                if (message.Entry is { } entry) Accept(entry);
                else if (message.Entries.Count > 0)
                {
                    foreach (var each in message.Entries) Accept(each);
                }
                else if (message.Checkpoint is { } checkpoint) await IntegrateAsync(checkpoint).ConfigureAwait(false);
                else if (message.Cosigned is { } cosigned) await IntegrateAsync(cosigned, resent: true).ConfigureAwait(false);
                if (Fault is not null) break;
            }
            completed = true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException && follow.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
            // Cancelled by the run being written: it stopped the mirror or ended the follow; its outcome says which.
            completed = true;
        }
        finally
        {
            // The next follow starts from the durable size, and a run's outcome may stop the mirror: never leave a write
            // behind. When the follow already failed, that failure is the one reported; the run's own is logged.
            var writeError = await FinishWriteAsync().ConfigureAwait(false);
            await DrainChecksAsync().ConfigureAwait(false);
            _follow = null;
            if (writeError is not null)
            {
                if (completed) throw writeError;
                LogStoreFailed(_logger, Origin, writeError.Message, 0);
            }
        }
    }

    /// <summary>What the mirror holds per uncovered entry beside its leaf bytes (message, check result, decoded entry), as counted against <see cref="MaxUncoveredBytes"/>.</summary>
    public const int EntryOverheadBytes = 1024;

    private static long HeldBytes(byte[] leaf) => leaf.Length + EntryOverheadBytes;

    private void Accept(LogEntry entry)
    {
        var expected = _nextIndex;
        if (entry.Origin != Origin || entry.Index != expected)
            throw new RpcException(new Status(StatusCode.DataLoss, $"expected {Origin}#{expected}, got {entry.Origin}#{entry.Index}"));
        if (entry.Leaf.Length == 0) throw new RpcException(new Status(StatusCode.DataLoss, $"{Origin}#{entry.Index} has no leaf bytes"));
        _nextIndex++;
        // What an entry costs held in memory, not only its leaf: tiny leaves must not get round the limit.
        _uncoveredBytes += HeldBytes(entry.Leaf);
        if (_uncoveredBytes > MaxUncoveredBytes)
            throw new RpcException(new Status(StatusCode.DataLoss, $"{Origin} sent more than {MaxUncoveredBytes >> 20} MiB of entries (up to #{entry.Index}, counted with {EntryOverheadBytes} bytes each held beside its leaf) with no checkpoint covering them"));
        _received.Add(entry);
        if (_received.Count >= CheckChunk) StartCheck();
    }

    /// <summary>
    /// Starts the stateless checks (decode, signature, schema) of the entries received since the last chunk, spread over
    /// the cores in the background while the follow loop goes on receiving: they are most of a mirror's work per entry.
    /// </summary>
    private void StartCheck()
    {
        if (_received.Count == 0) return;
        var entries = _received.ToArray();
        _received.Clear();
        _checking.Enqueue(Task.Run(() => Check(entries)));
    }

    private CheckedChunk Check(LogEntry[] entries)
    {
        var items = new AppendItem?[entries.Length];
        var refusals = new AdmissionException?[entries.Length];
        Parallel.For(0, entries.Length, i =>
        {
            var leaf = entries[i].Leaf;
            try
            {
                var decoded = _state.CheckStateless(leaf);
                items[i] = new AppendItem(leaf, decoded.LeafHash, decoded);
            }
            catch (AdmissionException ex)
            {
                refusals[i] = ex;
            }
        });
        return new CheckedChunk(entries, items, refusals);
    }

    /// <summary>
    /// Moves every received entry, checked, into the pending run, in order; called with no write in flight. An entry
    /// refused by its early check is checked again now, against the state of every run stored before it (its signer's
    /// key may have been registered by a run that was still being written when the entry was first checked), its
    /// signature left to the in-order check if its key is still unknown (an earlier entry of its own run may register
    /// it); if it fails otherwise, the mirror stops at it.
    /// </summary>
    private async Task<bool> CollectCheckedAsync()
    {
        StartCheck();
        while (_checking.TryDequeue(out var next))
        {
            var chunk = await next.ConfigureAwait(false);
            for (var i = 0; i < chunk.Items.Length; i++)
            {
                var item = chunk.Items[i];
                if (chunk.Refusals[i] is not null)
                {
                    var leaf = chunk.Entries[i].Leaf;
                    try
                    {
                        var decoded = _state.CheckStatelessSignerInBatch(leaf);
                        item = new AppendItem(leaf, decoded.LeafHash, decoded);
                    }
                    catch (AdmissionException refused)
                    {
                        Stop($"entry {Origin}#{chunk.Entries[i].Index} fails its checks: {refused.Message}", refusal: true);
                        _checking.Clear();
                        return false;
                    }
                }
                _pending.Add(item!);
            }
        }
        return true;
    }

    /// <summary>Waits for checks still running (their results are dropped) so none outlives the follow.</summary>
    private async Task DrainChecksAsync()
    {
        while (_checking.TryDequeue(out var next))
        {
            try
            {
                await next.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A check that threw rather than refusing: the follow is ending anyway and starts again from the durable size.
                LogStoreFailed(_logger, Origin, ex.Message, 0);
            }
        }
        _received.Clear();
    }

    /// <summary>
    /// Acts on a checkpoint of the origin: one beyond the stored size ends a run, which is stored; one at or below it
    /// whose root is this copy's at that size is kept with the cosignatures it carries (<paramref name="resent"/>: a
    /// checkpoint sent again beside the ordered sequence, which never starts a run).
    /// </summary>
    private async Task IntegrateAsync(CheckpointResponse checkpoint, bool resent = false)
    {
        // The run being written decides the durable size this checkpoint is compared with, and may stop the mirror.
        if (await FinishWriteAsync().ConfigureAwait(false) is { } writeError) throw writeError;
        if (Fault is not null) return;
        var verified = SignedNote.TryParse(checkpoint.Note, out var offered, out var noteError)
            ? _checkpoints().Verify(offered, _time.GetUtcNow())
            : CheckpointVerifier.Malformed(noteError);
        if (!verified.IsValid)
        {
            Stop($"checkpoint of {Origin} at size {checkpoint.Size} does not verify: {verified.Failure}", refusal: true);
            return;
        }
        var size = verified.Checkpoint!.Size;
        Hash256? mapRoot = null;
        if (verified.Checkpoint.Extensions.Any(StatusMapLine.IsStatusMapLine))
        {
            if (!StatusMapLine.TryFind(verified.Checkpoint, out var line, out var lineError))
            {
                Stop($"checkpoint of {Origin} at size {size} has a bad status-map line: {lineError}", refusal: false);
                return;
            }
            mapRoot = line;
        }
        if (size <= _log.Size)
        {
            // Already stored up to there; a checkpoint at or below the stored size may carry new cosignatures. Size 0
            // included: an empty log's signed checkpoint (root SHA-256 of nothing) is served by its mirrors as by its own node.
            var held = _log.RootAt(size);
            if (!held.AsSpan().SequenceEqual(verified.Checkpoint.RootHash))
            {
                // The entries stored here came under other checkpoints this origin signed: two trees, a split view.
                Fork(size, verified.Note!.ToUtf8(),
                    $"{Origin} signed size {size} with root {new Hash256(verified.Checkpoint.RootHash)}, but the entries this mirror stored under its signed checkpoints give root {new Hash256(held)}");
                return;
            }
            // A size inside a run stored in one batch has no map version of its own: derived from the leaves, as a witness does.
            if (mapRoot is { } claimed && _log.StatusMap.DeriveRoot(size) is { } recomputed && recomputed != claimed)
            {
                Fork(size, verified.Note!.ToUtf8(),
                    $"status map root of {Origin} at size {size} recomputed from its entries is {recomputed}, its signed checkpoint says {claimed}");
                return;
            }
            if (KeptNote(size, verified) is { } note)
            {
                _log.Store.PutCheckpoint(size, note);
                _events?.Publish(new LogEvent(Origin, LogEventKind.Checkpoint, size, Note: note));
            }
            return;
        }
        var runNote = verified.Note!.ToUtf8();
        if (ContradictsRefused(size, verified.Checkpoint.RootHash, runNote)) return;
        if (resent) return;
        if (!await CollectCheckedAsync().ConfigureAwait(false))
        {
            KeepRefused(size, runNote);
            return;
        }
        // Compared before narrowing: a size 2^31 or more beyond the stored one would wrap to a negative count.
        if (size - _log.Size > (ulong)_pending.Count) throw new RpcException(new Status(StatusCode.DataLoss, $"checkpoint {size} is beyond the {_log.Size + (ulong)_pending.Count} entries received"));
        var count = (int)(size - _log.Size);

        var run = _pending.GetRange(0, count);
        _pending.RemoveRange(0, count);
        foreach (var item in run) _uncoveredBytes -= HeldBytes(item.Leaf);
        if (!RunKeepsToRefusals(size, run)) return;
        var from = _log.Size;
        _checkpoint.Expect(size, verified.Checkpoint.RootHash.ToArray(), runNote, mapRoot);
        // Written off the follow loop: the next run's entries are received and checked meanwhile. A run that stops the
        // mirror or must end the follow cancels the stream at once, as the follow loop would have without the pipeline.
        var follow = _follow;
        _writing = Task.Run(() =>
        {
            var error = Stored(from, size, runNote, _appender.Append(run, refusalEndsBatch: true));
            if (error is not null || Fault is not null) follow?.Cancel();
            return error;
        });
    }

    /// <summary>
    /// Waits for the run being written, if any. Returns the exception the follow should end with (the store failed,
    /// or the run references a third log not yet caught up; nothing of the run was stored), or null.
    /// </summary>
    private async Task<Exception?> FinishWriteAsync()
    {
        if (_writing is not { } writing) return null;
        _writing = null;
        try
        {
            return await writing.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The appender reports storage faults in its outcome; reaching here is a bug. Nothing acknowledged: follow again.
            return new AppendFailedException($"the mirror of {Origin} could not store a run ({ex.Message})", ex);
        }
    }

    /// <summary>Acts on what the appender did with the run up to <paramref name="size"/>: stop with evidence, or log it stored; returns the exception the follow ends with, if any.</summary>
    private Exception? Stored(ulong from, ulong size, byte[] note, BatchOutcome outcome)
    {
        if (outcome.Refusal is AdmissionException { Kind: RejectionKind.Unavailable } behind)
        {
            // The run references a third log this node's copy has not reached yet: nothing was stored; follow again
            // once it has (the refusal names the copy and the size), or later when it names none.
            return behind.WaitsFor is not null ? behind : new RpcException(new Status(StatusCode.Unavailable, behind.Message));
        }
        if (outcome.Refusal is AdmissionException refused)
        {
            Stop($"{Origin} wrote an entry its own rules refuse: {refused.Message}", refusal: true);
            KeepRefused(size, note);
            return null;
        }
        if (outcome.Refusal is BatchRefusedException mismatch)
        {
            if (_checkpoint.MapMismatch)
            {
                Fork(size, note, mismatch.Message);
                return null;
            }
            // Keep the signed checkpoint as evidence of what the origin claimed for the entries it sent.
            _evidence.PutNow(SizeKey(size), note);
            Stop(mismatch.Message, refusal: false);
            return null;
        }
        if (outcome.Failure is { } failure) return failure;
        LogMirrored(_logger, Origin, size);
        // Refused runs inside the run just stored were found to be its tree before it was written: settled.
        if (_anyRefused) DropRefusals(RefusedIn(from, size).ConvertAll(r => r.Key));
        return null;
    }

    /// <summary>Entries received together and checked in the background; a refusal is final only once re-checked.</summary>
    private sealed record CheckedChunk(LogEntry[] Entries, AppendItem?[] Items, AdmissionException?[] Refusals);

    /// <summary>
    /// The note to keep for <paramref name="size"/> now that <paramref name="verified"/> came, or null to keep what is
    /// stored: a note with the stored one's text gains the lines it verified that the stored one lacks (a cosignature
    /// once kept is never dropped, so an origin cannot take finality back by sending its note again without them); a
    /// note with other text for a size already kept is not taken.
    /// </summary>
    private byte[]? KeptNote(ulong size, CheckpointVerification verified)
    {
        if (_log.Store.GetCheckpoint(size) is not { } stored) return verified.Note!.ToUtf8();
        if (!SignedNote.TryParse(stored, out var kept, out _) || !string.Equals(kept.Text, verified.Note!.Text, StringComparison.Ordinal)) return null;
        var added = new List<NoteSignature>();
        foreach (var line in verified.Signatures!.Verified)
        {
            var signature = line.Signature;
            if (!kept.Signatures.Any(k => k.KeyId == signature.KeyId && string.Equals(k.Name, signature.Name, StringComparison.Ordinal))) added.Add(signature);
        }
        if (added.Count == 0 || kept.Signatures.Count + added.Count > SignedNote.MaxSignatures) return null;
        return kept.WithSignatures(added).ToUtf8();
    }

    /// <summary>The origin signed a root its entries do not give: kept as evidence, reported, and the mirror stops.</summary>
    private void Fork(ulong size, byte[] note, string reason)
    {
        _evidence.PutNow(SizeKey(size), note);
        Stop(reason, refusal: false);
        ForkFound?.Invoke(Origin, System.Text.Encoding.UTF8.GetString(note), reason);
    }

    private static byte[] SizeKey(ulong size)
    {
        var key = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(key, size);
        return key;
    }

    private void Stop(string fault, bool refusal)
    {
        _stopped = new Stopped(fault, refusal);
        LogFault(_logger, Origin, fault);
    }

    private sealed record Stopped(string Reason, bool IsRefusal);

    /// <summary>A checkpoint the origin signed for a run this mirror refused: its size, root and note, and its row's key.</summary>
    private sealed record RefusedRun(ulong Size, byte[] Root, byte[] Note, byte[] Key);

    /// <summary>
    /// The key space of <paramref name="origin"/>'s refused runs in <paramref name="store"/>: for each run a mirror
    /// refused (an entry the origin's rules or checks refuse), the origin's signed checkpoint of it, by size. A refusal
    /// is checked again later (<see cref="FaultIsRefusal"/>); the note keeps the origin to the tree it signed then, so
    /// that another tree served afterwards is found as a fork, across restarts too.
    /// </summary>
    public static KeySpace RefusedSpace(IKeyValueStore store, string origin) => new(store, StoreFamily.Checkpoints, "refused/" + origin);

    /// <summary>
    /// Keeps the origin's signed checkpoint of a run refused at <paramref name="size"/>. Called after the mirror stopped
    /// on the refusal, so a store that fails here does not hide the alarm; the failure is logged.
    /// </summary>
    private void KeepRefused(ulong size, byte[] note)
    {
        try
        {
            _refusedSpace.PutNow(SizeKey(size), note);
            _anyRefused = true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogRefusedNotKept(_logger, Origin, size, ex.Message);
        }
    }

    /// <summary>
    /// The refused runs kept at sizes in (<paramref name="after"/>, <paramref name="upTo"/>], in order, each whose note
    /// still verifies under the configuration in force. One that no longer does (its key revoked or retired since: the
    /// note binds the origin no more, e.g. a stolen key's) is dropped.
    /// </summary>
    private List<RefusedRun> RefusedIn(ulong after, ulong upTo)
    {
        var kept = new List<RefusedRun>();
        if (!_anyRefused || upTo <= after) return kept;
        var rows = new List<KeyValuePair<byte[], byte[]>>();
        foreach (var row in _refusedSpace.ScanFrom(SizeKey(after + 1)))
        {
            if (row.Key.Length == 8 && System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(row.Key) > upTo) break;
            rows.Add(row);
        }
        var unbinding = new List<byte[]>();
        foreach (var (key, note) in rows)
        {
            var size = key.Length == 8 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(key) : 0;
            var verified = key.Length == 8 && SignedNote.TryParse(note, out var parsed, out _) ? _checkpoints().Verify(parsed, _time.GetUtcNow()) : null;
            if (verified is { IsValid: true } && verified.Checkpoint!.Size == size) kept.Add(new RefusedRun(size, verified.Checkpoint.RootHash.ToArray(), note, key));
            else unbinding.Add(key);
        }
        DropRefusals(unbinding);
        return kept;
    }

    /// <summary>Deletes the refused runs' rows <paramref name="keys"/> (settled, unbinding, or reported as a fork and kept as evidence).</summary>
    private void DropRefusals(List<byte[]> keys)
    {
        if (keys.Count == 0) return;
        using var batch = _refusedSpace.Store.CreateBatch();
        foreach (var key in keys) _refusedSpace.Delete(batch, key);
        _refusedSpace.Store.Write(batch);
        _anyRefused = _refusedSpace.Last() is not null;
    }

    /// <summary>
    /// Whether the origin's signed checkpoint at <paramref name="size"/> (<paramref name="root"/>, <paramref name="note"/>)
    /// contradicts the one it signed for a run this mirror refused at that size: two trees of one size, a fork (the
    /// mirror stops with both roots named, the new note kept as evidence).
    /// </summary>
    private bool ContradictsRefused(ulong size, ReadOnlySpan<byte> root, byte[] note)
    {
        if (!_anyRefused || RefusedIn(size - 1, size) is not [var refused] || root.SequenceEqual(refused.Root)) return false;
        Fork(size, note, $"{Origin} signed size {size} with root {new Hash256(root)}, and before that with root {new Hash256(refused.Root)} for a run this mirror refused");
        return true;
    }

    /// <summary>
    /// Whether the run up to <paramref name="size"/> gives, at the size of each refused run inside it, the root the origin
    /// signed for that run; if not, the origin signed two trees (a fork: the mirror stops, the refused run's note is kept
    /// as evidence) and nothing of the run is written.
    /// </summary>
    private bool RunKeepsToRefusals(ulong size, List<AppendItem> run)
    {
        if (!_anyRefused) return true;
        var refusals = RefusedIn(_log.Size, size);
        if (refusals.Count == 0) return true;
        // Not written: only the frontier of this copy is read, while no write is in flight.
        var staging = _log.BeginStaging(new LogCommit());
        var next = 0;
        for (var k = 0; k < run.Count && next < refusals.Count; k++)
        {
            staging.Append(run[k].Leaf, run[k].LeafHash, "");
            if (staging.Size != refusals[next].Size) continue;
            var root = staging.Root();
            if (!root.AsSpan().SequenceEqual(refusals[next].Root))
            {
                var refused = refusals[next];
                Fork(refused.Size, refused.Note,
                    $"{Origin} signed size {refused.Size} with root {new Hash256(refused.Root)} for a run this mirror refused, but the entries it sent since under its checkpoint of size {size} give root {new Hash256(root)}");
                return false;
            }
            next++;
        }
        return true;
    }

    /// <summary>
    /// Refused runs at sizes this copy already holds (kept before a restart): each must be the stored tree, else the
    /// origin signed two trees (a fork, reported once: the note moves to the evidence); either way the row goes.
    /// </summary>
    private void SettleStoredRefusals()
    {
        if (!_anyRefused) return;
        var refusals = RefusedIn(0, _log.Size);
        foreach (var refused in refusals)
        {
            var held = _log.RootAt(refused.Size);
            if (Fault is not null || held.AsSpan().SequenceEqual(refused.Root)) continue;
            Fork(refused.Size, refused.Note,
                $"{Origin} signed size {refused.Size} with root {new Hash256(refused.Root)} for a run this mirror refused, but the entries it stored under the origin's signed checkpoints give root {new Hash256(held)}");
        }
        DropRefusals(refusals.ConvertAll(r => r.Key));
    }

    // Debug: a busy origin's mirror stores a run per checkpoint, hundreds a second; progress is the huren_mirror_size metric.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Mirror of {Origin} stored up to size {Size}")]
    private static partial void LogMirrored(ILogger logger, string origin, ulong size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror of {Origin} disconnected ({Status}: {Detail}); retrying in {Seconds} s")]
    private static partial void LogDisconnected(ILogger logger, string origin, StatusCode status, string detail, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror of {Origin} cannot reach the node ({Error}); retrying in {Seconds} s")]
    private static partial void LogUnreachable(ILogger logger, string origin, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mirror of {Origin} could not store a run ({Error}); following again in {Seconds} s")]
    private static partial void LogStoreFailed(ILogger logger, string origin, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mirror of {Origin} waits for this node's copy of {Other} to grow from {Size} to {Needed} entries: a run references it")]
    private static partial void LogOtherLogBehind(ILogger logger, string origin, string other, ulong size, ulong needed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror of {Origin} follows again from size {Size}, checking again under the network configuration in force what stopped it: {Fault}")]
    private static partial void LogFollowingAgain(ILogger logger, string origin, ulong size, string fault);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mirror of {Origin} could not keep the signed checkpoint of the run it refused at size {Size} ({Error}): a second tree served at that size later is not found by this mirror")]
    private static partial void LogRefusedNotKept(ILogger logger, string origin, ulong size, string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "ALARM: mirror of {Origin} stopped: {Fault}")]
    private static partial void LogFault(ILogger logger, string origin, string fault);
}
