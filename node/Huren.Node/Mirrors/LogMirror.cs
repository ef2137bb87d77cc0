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
public sealed partial class LogMirror
{
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

    /// <summary>Received entries checked at once (in parallel) even before a checkpoint covers them, so a forged entry stops the mirror early.</summary>
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
        _checkpoint = new OriginCheckpoint(log);
        _appender = new LogAppender(log, state, [state, _checkpoint], events, health, logger);
    }

    /// <summary>The key space of <paramref name="origin"/>'s evidence in <paramref name="store"/>: its checkpoints whose roots a mirror could not reproduce.</summary>
    public static KeySpace EvidenceSpace(IKeyValueStore store, string origin) => new(store, StoreFamily.Checkpoints, "evidence/" + origin);

    /// <summary>The origin followed.</summary>
    public string Origin => _log.Origin;

    /// <summary>Set when the mirror stopped on a fault it must not retry (root mismatch, forged entry).</summary>
    public string? Fault { get; private set; }

    /// <summary>The mirrored log (its status map is recomputed with every stored run).</summary>
    public MerkleLog Log => _log;

    /// <summary>
    /// Told (origin, checkpoint note, reason) when the origin signed a status-map root its entries do not give: the node
    /// records it like an equivocation (its witness's evidence and quarantine). Set once at start.
    /// </summary>
    public Action<string, string, string>? MapForkFound { get; set; }

    /// <summary>Follows until cancelled or faulted, reconnecting with back-off.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested && Fault is null)
        {
            try
            {
                await FollowOnceAsync(stoppingToken).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(200);
            }
            catch (RpcException ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogDisconnected(_logger, Origin, ex.StatusCode, backoff.TotalSeconds);
            }
            catch (HttpRequestException ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogUnreachable(_logger, Origin, ex.Message, backoff.TotalSeconds);
            }
            catch (AppendFailedException ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Nothing of the run was stored: follow again from the durable size once the store recovers.
                LogStoreFailed(_logger, Origin, ex.Message, backoff.TotalSeconds);
            }
            catch (Exception ex) when (stoppingToken.IsCancellationRequested && ex is OperationCanceledException or RpcException)
            {
                // The node is stopping: the stream was cancelled under us.
                return;
            }
            _pending.Clear();
            _received.Clear();
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

    private async Task FollowOnceAsync(CancellationToken stoppingToken)
    {
        using var client = _connect();
        _pending.Clear();
        _received.Clear();
        var request = new FollowRequest { Origin = Origin, FromIndex = _log.Size };
        await foreach (var message in client.Ledger.FollowAsync(request, new ProtoBuf.Grpc.CallContext(new CallOptions(cancellationToken: stoppingToken))).ConfigureAwait(false))
        {
            if (message.Entry is { } entry) Accept(entry);
            else if (message.Checkpoint is { } checkpoint) Integrate(checkpoint);
            if (Fault is not null) return;
        }
    }

    private void Accept(LogEntry entry)
    {
        var expected = _log.Size + (ulong)_pending.Count + (ulong)_received.Count;
        if (entry.Origin != Origin || entry.Index != expected)
            throw new RpcException(new Status(StatusCode.DataLoss, $"expected {Origin}#{expected}, got {entry.Origin}#{entry.Index}"));
        _received.Add(entry);
        if (_received.Count >= CheckChunk) CheckReceived();
    }

    /// <summary>
    /// The stateless checks (decode, signature, schema) of the entries received since the last check, spread over the
    /// cores: they are most of a mirror's work per entry. Each sees the state committed so far, as it would one by one
    /// (entries are checked no earlier than when they arrived). Stops the mirror at the first entry that fails.
    /// </summary>
    private bool CheckReceived()
    {
        if (_received.Count == 0) return true;
        var items = new AppendItem?[_received.Count];
        var refusals = new AdmissionException?[_received.Count];
        Parallel.For(0, _received.Count, i =>
        {
            var leaf = _received[i].Leaf;
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
        for (var i = 0; i < items.Length; i++)
        {
            if (refusals[i] is { } refused)
            {
                Stop($"entry {Origin}#{_received[i].Index} fails its checks: {refused.Message}");
                _received.Clear();
                return false;
            }
            _pending.Add(items[i]!);
        }
        _received.Clear();
        return true;
    }

    private void Integrate(CheckpointResponse checkpoint)
    {
        var verified = SignedNote.TryParse(checkpoint.Note, out var offered, out var noteError)
            ? _checkpoints().Verify(offered, _time.GetUtcNow())
            : CheckpointVerifier.Malformed(noteError);
        if (!verified.IsValid)
        {
            Stop($"checkpoint of {Origin} at size {checkpoint.Size} does not verify: {verified.Failure}");
            return;
        }
        var size = verified.Checkpoint!.Size;
        Hash256? mapRoot = null;
        if (verified.Checkpoint.Extensions.Any(StatusMapLine.IsStatusMapLine))
        {
            if (!StatusMapLine.TryFind(verified.Checkpoint, out var line, out var lineError))
            {
                Stop($"checkpoint of {Origin} at size {size} has a bad status-map line: {lineError}");
                return;
            }
            mapRoot = line;
        }
        if (size <= _log.Size)
        {
            // Already stored up to there; a checkpoint for the same size may carry new cosignatures. Size 0 included: an
            // empty log's signed checkpoint (root SHA-256 of nothing) is served by its mirrors as by its own node.
            if (size == _log.Size && _log.RootAt(size).AsSpan().SequenceEqual(verified.Checkpoint.RootHash))
            {
                if (mapRoot is { } claimed && _log.StatusMap.Tree.TryGetRoot(size, out var recomputed) && recomputed != claimed)
                {
                    MapFork(size, verified.Note!.ToUtf8(),
                        $"status map root of {Origin} at size {size} recomputed from its entries is {recomputed}, its signed checkpoint says {claimed}");
                    return;
                }
                var note = verified.Note!.ToUtf8();
                if (_log.Store.GetCheckpoint(size) is { } stored && stored.AsSpan().SequenceEqual(note)) return;
                _log.Store.PutCheckpoint(size, note);
                _events?.Publish(new LogEvent(Origin, LogEventKind.Checkpoint, size, Note: note));
            }
            return;
        }
        if (!CheckReceived()) return;
        var count = (int)(size - _log.Size);
        if (count > _pending.Count) throw new RpcException(new Status(StatusCode.DataLoss, $"checkpoint {size} is beyond the {_log.Size + (ulong)_pending.Count} entries received"));

        var run = _pending.GetRange(0, count);
        _checkpoint.Expect(size, verified.Checkpoint.RootHash.ToArray(), verified.Note!.ToUtf8(), mapRoot);
        var outcome = _appender.Append(run, refusalEndsBatch: true);
        if (outcome.Refusal is AdmissionException { Kind: RejectionKind.Unavailable } behind)
        {
            // The run references a third log this node's copy has not reached yet: nothing was stored; follow again later.
            throw new RpcException(new Status(StatusCode.Unavailable, behind.Message));
        }
        if (outcome.Refusal is AdmissionException refused)
        {
            Stop($"{Origin} wrote an entry its own rules refuse: {refused.Message}");
            return;
        }
        if (outcome.Refusal is BatchRefusedException mismatch)
        {
            if (_checkpoint.MapMismatch)
            {
                MapFork(size, verified.Note!.ToUtf8(), mismatch.Message);
                return;
            }
            // Keep the signed checkpoint as evidence of what the origin claimed for the entries it sent.
            _evidence.PutNow(SizeKey(size), verified.Note!.ToUtf8());
            Stop(mismatch.Message);
            return;
        }
        if (outcome.Failure is { } failure) throw failure;
        _pending.RemoveRange(0, count);
        LogMirrored(_logger, Origin, size);
    }

    /// <summary>The origin signed a map root its entries do not give: kept as evidence, reported, and the mirror stops.</summary>
    private void MapFork(ulong size, byte[] note, string reason)
    {
        _evidence.PutNow(SizeKey(size), note);
        Stop(reason);
        MapForkFound?.Invoke(Origin, System.Text.Encoding.UTF8.GetString(note), reason);
    }

    private static byte[] SizeKey(ulong size)
    {
        var key = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(key, size);
        return key;
    }

    private void Stop(string fault)
    {
        Fault = fault;
        LogFault(_logger, Origin, fault);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mirror of {Origin} stored up to size {Size}")]
    private static partial void LogMirrored(ILogger logger, string origin, ulong size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror of {Origin} disconnected ({Status}); retrying in {Seconds} s")]
    private static partial void LogDisconnected(ILogger logger, string origin, StatusCode status, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror of {Origin} cannot reach the node ({Error}); retrying in {Seconds} s")]
    private static partial void LogUnreachable(ILogger logger, string origin, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Mirror of {Origin} could not store a run ({Error}); following again in {Seconds} s")]
    private static partial void LogStoreFailed(ILogger logger, string origin, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "ALARM: mirror of {Origin} stopped: {Fault}")]
    private static partial void LogFault(ILogger logger, string origin, string fault);
}
