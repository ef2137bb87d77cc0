using Grpc.Core;
using Huren.Node.Ledger;
using Huren.Node.Log;
using Huren.Node.Services;
using Huren.Node.Storage;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Entries;
using Huren.Sdk.Notes;

namespace Huren.Node.Mirror;

/// <summary>
/// Follows one other member's log: streams its entries from the mirror's own size, checks each one (signature,
/// schema, the issuer's authorization by that city's own issuer entries), and stores a run of entries only after the
/// root recomputed over them equals the root of the origin's signed checkpoint for that size. A mismatch stops this
/// mirror with an alarm and keeps the checkpoint as evidence; a broken connection is retried with back-off.
/// </summary>
public sealed partial class LogMirror(
    MerkleLog log, LogStateMachine state, CheckpointVerifier checkpoints, Func<HurenClient> connect,
    LogDirectory directory, ILogStore evidence, ILogger logger)
{
    private readonly List<(byte[] Leaf, byte[] Hash, DecodedLeaf Decoded)> _pending = [];

    /// <summary>The origin followed.</summary>
    public string Origin => log.Origin;

    /// <summary>Set when the mirror stopped on a fault it must not retry (root mismatch, forged entry).</summary>
    public string? Fault { get; private set; }

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
                LogDisconnected(logger, Origin, ex.StatusCode, backoff.TotalSeconds);
            }
            catch (HttpRequestException ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogUnreachable(logger, Origin, ex.Message, backoff.TotalSeconds);
            }
            catch (Exception ex) when (stoppingToken.IsCancellationRequested && ex is OperationCanceledException or RpcException)
            {
                // The node is stopping: the stream was cancelled under us.
                return;
            }
            _pending.Clear();
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
        using var client = connect();
        _pending.Clear();
        var request = new FollowRequest { Origin = Origin, FromIndex = log.Size };
        await foreach (var message in client.Ledger.FollowAsync(request, new ProtoBuf.Grpc.CallContext(new CallOptions(cancellationToken: stoppingToken))).ConfigureAwait(false))
        {
            if (message.Entry is { } entry) Accept(entry);
            else if (message.Checkpoint is { } checkpoint) Integrate(checkpoint);
            if (Fault is not null) return;
        }
    }

    private void Accept(LogEntry entry)
    {
        var expected = log.Size + (ulong)_pending.Count;
        if (entry.Origin != Origin || entry.Index != expected)
            throw new RpcException(new Status(StatusCode.DataLoss, $"expected {Origin}#{expected}, got {entry.Origin}#{entry.Index}"));
        DecodedLeaf decoded;
        try
        {
            decoded = state.CheckStateless(entry.Leaf);
        }
        catch (AdmissionException ex)
        {
            Stop($"entry {Origin}#{entry.Index} fails its checks: {ex.Message}");
            return;
        }
        _pending.Add((entry.Leaf, MerkleLog.HashLeaf(entry.Leaf), decoded));
    }

    private void Integrate(CheckpointResponse checkpoint)
    {
        var verified = checkpoints.Verify(checkpoint.Note);
        if (!verified.IsValid)
        {
            Stop($"checkpoint of {Origin} at size {checkpoint.Size} does not verify: {verified.Failure}");
            return;
        }
        var size = verified.Checkpoint!.Size;
        if (size <= log.Size)
        {
            // Already stored up to there; a checkpoint for the same size may carry new cosignatures.
            if (size == log.Size && size > 0 && log.RootAt(size).AsSpan().SequenceEqual(verified.Checkpoint.RootHash)) log.Store.PutCheckpoint(size, verified.Note!.ToUtf8());
            return;
        }
        var count = (int)(size - log.Size);
        if (count > _pending.Count) throw new RpcException(new Status(StatusCode.DataLoss, $"checkpoint {size} is beyond the {log.Size + (ulong)_pending.Count} entries received"));

        var commit = new LogCommit();
        var staging = log.BeginStaging(commit);
        try
        {
            for (var i = 0; i < count; i++)
            {
                var (leaf, hash, decoded) = _pending[i];
                state.CheckInOrder(decoded, staging.NextIndex);
                staging.Append(leaf, hash, decoded.Entry.RecordId);
            }
        }
        catch (AdmissionException ex)
        {
            state.Discard();
            Stop($"{Origin} wrote an entry its own rules refuse: {ex.Message}");
            return;
        }
        if (!staging.Root().AsSpan().SequenceEqual(verified.Checkpoint.RootHash))
        {
            state.Discard();
            // Keep the signed checkpoint as evidence of what the origin claimed for the entries it sent.
            evidence.PutCheckpoint(size, verified.Note!.ToUtf8());
            Stop($"root of {Origin} at size {size} recomputed from its entries differs from its signed checkpoint");
            return;
        }
        commit.Checkpoint = (size, verified.Note!.ToUtf8());
        state.WriteStaged(commit);
        log.Commit(staging);
        state.Committed();
        _pending.RemoveRange(0, count);
        directory.Grew(Origin);
        LogMirrored(logger, Origin, size);
    }

    private void Stop(string fault)
    {
        Fault = fault;
        LogFault(logger, Origin, fault);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Mirror of {Origin} stored up to size {Size}")]
    private static partial void LogMirrored(ILogger logger, string origin, ulong size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror of {Origin} disconnected ({Status}); retrying in {Seconds} s")]
    private static partial void LogDisconnected(ILogger logger, string origin, StatusCode status, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror of {Origin} cannot reach the node ({Error}); retrying in {Seconds} s")]
    private static partial void LogUnreachable(ILogger logger, string origin, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "ALARM: mirror of {Origin} stopped: {Fault}")]
    private static partial void LogFault(ILogger logger, string origin, string fault);
}
