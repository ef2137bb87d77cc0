using Grpc.Core;
using Huren.Node.Anchoring;
using Huren.Node.Auth;
using Huren.Node.Logs;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Entries;
using ProtoBuf.Grpc;

namespace Huren.Node.Services;

/// <summary>The Ledger gRPC service: submissions to the node's own log, reads and proofs of every log it keeps.</summary>
public sealed class LedgerService(Sequencer sequencer, LogDirectory logs, NodeMetrics metrics, IHostApplicationLifetime lifetime, ClientRegistry clients, FinalCheckpoints finals) : ILedgerService
{
    /// <summary>Largest page of entries returned at once.</summary>
    public const int MaxPage = 1000;

    /// <inheritdoc/>
    public async ValueTask<SubmitResponse> SubmitAsync(SubmitRequest request, CallContext context = default)
    {
        var principal = RpcErrors.Require(context.ServerCallContext!, ClientRole.Issuer, ClientRole.Counter, ClientRole.Operator);
        return await SubmitCheckedAsync(principal, request, context.CancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<SubmitResponse> SubmitStreamAsync(IAsyncEnumerable<SubmitRequest> requests, CallContext context = default)
    {
        var principal = RpcErrors.Require(context.ServerCallContext!, ClientRole.Issuer, ClientRole.Counter, ClientRole.Operator);
        // Keep several submissions in flight so a stream fills group-commit batches, but answer in order.
        var inFlight = new Queue<Task<SubmitResponse>>();
        await foreach (var request in requests.WithCancellation(context.CancellationToken).ConfigureAwait(false))
        {
            inFlight.Enqueue(SubmitCheckedAsync(principal, request, context.CancellationToken));
            while (inFlight.Count >= 256) yield return await inFlight.Dequeue().ConfigureAwait(false);
        }
        while (inFlight.Count > 0) yield return await inFlight.Dequeue().ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<SubmitBatchResponse> SubmitBatchAsync(SubmitBatchRequest request, CallContext context = default)
    {
        var principal = RpcErrors.Require(context.ServerCallContext!, ClientRole.Issuer, ClientRole.Counter, ClientRole.Operator);
        var leaves = request.SignedEntries;
        if (leaves.Count == 0) throw RpcErrors.InvalidArgument("signed_entries is empty");
        for (var i = 0; i < leaves.Count; i++)
        {
            if (leaves[i] is not { Length: > 0 }) throw RpcErrors.InvalidArgument($"signed_entries[{i}] is empty");
        }
        try
        {
            var results = await sequencer.SubmitBatchAsync(leaves, leaf => Authorize(principal, leaf), context.CancellationToken).ConfigureAwait(false);
            var response = new SubmitBatchResponse { Results = new List<SubmitResponse>(results.Length) };
            var origin = logs.Own.Origin;
            foreach (var result in results) response.Results.Add(new SubmitResponse { Origin = origin, Index = result.Index, LeafHash = result.LeafHash, Duplicate = result.Duplicate });
            return response;
        }
        catch (AdmissionException ex)
        {
            metrics.Rejected(ex.Reason);
            throw RpcErrors.From(ex);
        }
        // A batch not written (AppendFailedException) answers UNAVAILABLE with its reason (FaultStatusInterceptor).
    }

    /// <summary>
    /// Submits one leaf for <paramref name="principal"/>, authenticated elsewhere (the counter page's session), under
    /// the same role rules as <see cref="SubmitAsync"/>: a counter only its own issuer's <c>license.use</c> and <c>receipt</c> entries.
    /// </summary>
    internal Task<SubmitResponse> SubmitOneAsync(ClientPrincipal principal, SubmitRequest request, CancellationToken cancellationToken)
    {
        if (principal.Role is not (ClientRole.Issuer or ClientRole.Counter or ClientRole.Operator))
            throw RpcErrors.PermissionDenied($"role {principal.Role.ToString().ToLowerInvariant()} of '{principal.Name}' may not submit entries");
        return SubmitCheckedAsync(principal, request, cancellationToken);
    }

    private async Task<SubmitResponse> SubmitCheckedAsync(ClientPrincipal principal, SubmitRequest request, CancellationToken cancellationToken)
    {
        if (request.SignedEntry is not { Length: > 0 }) throw RpcErrors.InvalidArgument("signed_entry is empty");
        try
        {
            var result = await sequencer.SubmitAsync(request.SignedEntry, leaf => Authorize(principal, leaf), cancellationToken).ConfigureAwait(false);
            return new SubmitResponse { Origin = logs.Own.Origin, Index = result.Index, LeafHash = result.LeafHash, Duplicate = result.Duplicate };
        }
        catch (AdmissionException ex)
        {
            metrics.Rejected(ex.Reason);
            throw RpcErrors.From(ex);
        }
        catch (AppendFailedException ex)
        {
            throw RpcErrors.Unavailable(ex.Message);
        }
    }

    /// <summary>An issuer submits only its own entries; a counter only its license uses and receipts; an operator anything.</summary>
    private static void Authorize(ClientPrincipal principal, DecodedLeaf leaf)
    {
        if (principal.Role == ClientRole.Operator) return;
        if (!string.Equals(leaf.Entry.IssuerId, principal.IssuerId, StringComparison.Ordinal))
            throw new AdmissionException(RejectionKind.PermissionDenied, $"client '{principal.Name}' acts for issuer '{principal.IssuerId}', not '{leaf.Entry.IssuerId}'");
        // A counter may also acknowledge data shared to its department (the receipt of an exchange it asked for).
        if (principal.Role == ClientRole.Counter && leaf.Entry.Kind is not (Schemas.Envelope.EntryKinds.LicenseUse or Schemas.Envelope.EntryKinds.Receipt))
            throw new AdmissionException(RejectionKind.PermissionDenied, $"a counter may only record license uses and receipts of data shared to its department, not '{leaf.Entry.Kind}'");
    }

    /// <inheritdoc/>
    public ValueTask<LogEntry> GetEntryAsync(GetEntryRequest request, CallContext context = default)
    {
        RequireReader(context);
        var log = logs.Resolve(request.Origin);
        var leaf = log.GetLeaf(request.Index) ?? throw RpcErrors.NotFound($"log {log.Origin} has no entry {request.Index} (size {log.Size})");
        return ValueTask.FromResult(new LogEntry { Origin = log.Origin, Index = request.Index, Leaf = leaf });
    }

    /// <inheritdoc/>
    public ValueTask<GetEntriesResponse> GetEntriesAsync(GetEntriesRequest request, CallContext context = default)
    {
        RequireReader(context);
        var log = logs.Resolve(request.Origin);
        var size = log.Size;
        if (request.Start > size) throw RpcErrors.InvalidArgument($"start {request.Start} is beyond the log's size {size}");
        var count = (ulong)Math.Min(request.Count == 0 ? 100u : request.Count, MaxPage);
        var end = Math.Min(size, request.Start + count);
        var response = new GetEntriesResponse { TreeSize = size, Entries = ReadPage(log, request.Start, end, PageBytes) };
        return ValueTask.FromResult(response);
    }

    /// <inheritdoc/>
    public ValueTask<CheckpointResponse> GetCheckpointAsync(CheckpointRequest request, CallContext context = default)
    {
        RequireReader(context);
        var log = logs.Resolve(request.Origin);
        if (request.Final)
        {
            if (request.Size != 0) throw RpcErrors.InvalidArgument("final asks for the newest final checkpoint: give no size with it");
            var final = finals.LatestOf(log.Origin) ?? throw RpcErrors.NotFound($"this node holds no final checkpoint of {log.Origin} yet (none with the network's threshold of witness cosignatures)");
            return ValueTask.FromResult(new CheckpointResponse { Origin = log.Origin, Size = final.Size, Note = final.Note });
        }
        (ulong Size, byte[] Note)? checkpoint = request.Size == 0
            ? log.Store.GetLatestCheckpoint()
            : log.Store.GetCheckpoint(request.Size) is { } note ? (request.Size, note) : null;
        if (checkpoint is not { } cp) throw RpcErrors.NotFound(request.Size == 0 ? $"log {log.Origin} has no checkpoint yet" : $"log {log.Origin} has no checkpoint of size {request.Size}");
        return ValueTask.FromResult(CheckpointMessage(log.Origin, cp.Size, cp.Note));
    }

    /// <inheritdoc/>
    public ValueTask<ProofResponse> GetInclusionProofAsync(InclusionProofRequest request, CallContext context = default)
    {
        RequireReader(context);
        var log = logs.Resolve(request.Origin);
        if (request.TreeSize > log.Size) throw RpcErrors.InvalidArgument($"tree_size {request.TreeSize} is beyond the log's size {log.Size}");
        if (request.Index >= request.TreeSize) throw RpcErrors.InvalidArgument($"index {request.Index} is not below tree_size {request.TreeSize}");
        return ValueTask.FromResult(new ProofResponse { Hashes = log.InclusionProof(request.Index, request.TreeSize) });
    }

    /// <inheritdoc/>
    public ValueTask<ProofResponse> GetConsistencyProofAsync(ConsistencyProofRequest request, CallContext context = default)
    {
        RequireReader(context);
        var log = logs.Resolve(request.Origin);
        if (request.ToSize > log.Size) throw RpcErrors.InvalidArgument($"to_size {request.ToSize} is beyond the log's size {log.Size}");
        if (request.FromSize > request.ToSize) throw RpcErrors.InvalidArgument($"from_size {request.FromSize} is larger than to_size {request.ToSize}");
        return ValueTask.FromResult(new ProofResponse { Hashes = log.ConsistencyProof(request.FromSize, request.ToSize) });
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<FollowMessage> FollowAsync(FollowRequest request, CallContext context = default)
    {
        var caller = RequireReader(context);
        var certificate = context.ServerCallContext!.GetHttpContext().Connection.ClientCertificate is { } presented ? PinnedTls.Fingerprint(presented) : null;
        var log = logs.Resolve(request.Origin);
        var next = request.FromIndex;
        if (next > log.Size) throw RpcErrors.InvalidArgument($"from_index {next} is beyond the log's size {log.Size}");
        // A follower's stream runs until it cancels; it must also end when this node stops, or the server's graceful
        // shutdown waits for every connected peer's stream until its timeout.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var token = stop.Token;
        // A note stored on its own before the stream began is no news to its follower.
        byte[]? lastNote = null, lastCosigned = log.Store.LastStoredAlone?.Note;
        ulong lastSize = 0;
        while (!token.IsCancellationRequested)
        {
            // Wait for growth before reading, so no append between the read and the wait is missed.
            var grown = logs.Growth(log);
            var size = log.Size;
            // Sought again after each wait: "none beyond" holds only until the log grows.
            ulong nextCheckpoint = 0;
            // A catch-up of many entries stays in this loop: stop at the follower's cancel, rather than write to a
            // finished call (which fails the call with an error logged by the server).
            while (next < size && !token.IsCancellationRequested)
            {
                EnsureStillActs(caller, certificate);
                // Each batch's own checkpoint follows its last entry, so a follower catching up stores batch by batch
                // (an issuer's registration is in force before that issuer's later entries are checked). Found with
                // one seek per run, not a read per entry.
                if (nextCheckpoint <= next) nextCheckpoint = log.Store.NextCheckpointSize(next + 1) ?? ulong.MaxValue;
                var end = Math.Min(size, nextCheckpoint);
                var message = new FollowMessage();
                if (request.MaxEntries <= 1)
                {
                    message.Entry = new LogEntry { Origin = log.Origin, Index = next, Leaf = log.GetLeaf(next)! };
                    next++;
                }
                else
                {
                    message.Entries = ReadPage(log, next, Math.Min(end, next + request.MaxEntries), PageBytes);
                    next += (ulong)message.Entries.Count;
                }
                yield return message;
                if (next == nextCheckpoint && next < size && log.Store.GetCheckpoint(next) is { } batchNote)
                {
                    lastNote = batchNote;
                    lastSize = next;
                    yield return new FollowMessage { Checkpoint = CheckpointMessage(log.Origin, next, batchNote) };
                }
            }
            // A checkpoint is sent once it covers only entries already sent, and again when it gains cosignatures. When
            // the next batch landed after the size was read, the latest is beyond what was sent: the checkpoint at the
            // size sent is sent instead, else a follower would store both batches as one run and keep no status-map
            // root at this size, and its witness could not vouch for the checkpoint its origin is offering.
            EnsureStillActs(caller, certificate);
            var sent = log.Store.GetLatestCheckpoint();
            if (sent is { } latest && latest.Size > next) sent = log.Store.GetCheckpoint(next) is { } atNext ? (next, atNext) : null;
            if (sent is { } cp && (lastNote is null || !cp.Note.AsSpan().SequenceEqual(lastNote)))
            {
                lastNote = cp.Note;
                lastSize = cp.Size;
                yield return new FollowMessage { Checkpoint = CheckpointMessage(log.Origin, cp.Size, cp.Note) };
            }
            // A checkpoint already passed that has gained cosignatures since (the latest one is rarely cosigned while
            // batches keep coming): sent beside the sequence, so followers learn its entries are final now, not when the log pauses.
            if (log.Store.LastStoredAlone is { } cosigned && cosigned.Size < lastSize && !ReferenceEquals(cosigned.Note, lastCosigned))
            {
                lastCosigned = cosigned.Note;
                yield return new FollowMessage { Cosigned = CheckpointMessage(log.Origin, cosigned.Size, cosigned.Note) };
            }
            try
            {
                // Also wake periodically: a checkpoint may be signed by the timer without a new batch.
                await grown.WaitAsync(TimeSpan.FromSeconds(1), token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// Entries <paramref name="start"/> up to <paramref name="end"/> (exclusive), stopping once their leaves pass
    /// <paramref name="maxBytes"/> (at least one entry): a page of a thousand seal leaves of a few MiB each would
    /// otherwise be built in memory for one call, and then refused by the client's message limit.
    /// </summary>
    internal static List<LogEntry> ReadPage(MerkleLog log, ulong start, ulong end, long maxBytes)
    {
        var entries = new List<LogEntry>();
        var bytes = 0L;
        for (var i = start; i < end && (i == start || bytes < maxBytes); i++)
        {
            var leaf = log.GetLeaf(i)!;
            entries.Add(new LogEntry { Origin = log.Origin, Index = i, Leaf = leaf });
            bytes += leaf.Length;
        }
        return entries;
    }

    /// <summary>Leaf bytes after which a page of entries or a run of followed entries is sent (well under gRPC's 4 MiB message limit).</summary>
    private const int PageBytes = 1 << 20;

    private static CheckpointResponse CheckpointMessage(string origin, ulong size, byte[] note)
        => new() { Origin = origin, Size = size, Note = System.Text.Encoding.UTF8.GetString(note) };

    /// <summary>Ends a follower's stream, as a new call would be refused, once its caller no longer acts (revoked, removed).</summary>
    private void EnsureStillActs(ClientPrincipal caller, string? certificate)
    {
        if (!clients.StillActs(caller, certificate, out var reason)) throw new RpcException(new Status(StatusCode.PermissionDenied, $"the stream ends: {reason}"));
    }

    private static ClientPrincipal RequireReader(CallContext context)
        => RpcErrors.Require(context.ServerCallContext!, ClientRole.Issuer, ClientRole.Counter, ClientRole.Auditor, ClientRole.Operator, ClientRole.Peer);
}
