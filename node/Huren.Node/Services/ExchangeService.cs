using System.Collections.Concurrent;
using Grpc.Core;
using Huren.Node.Auth;
using Huren.Node.Content;
using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Network;
using Huren.Node.Storage;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Schemas.Validation;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using ProtoBuf.Grpc;

namespace Huren.Node.Services;

/// <summary>
/// The Exchange gRPC service (docs/exchange.md). The consumer side (<see cref="RequestAsync"/>, <see cref="FetchAsync"/>)
/// talks only to its own departments and, as a peer, to the provider's node; the provider side (<see cref="ProvideAsync"/>)
/// answers only peers.
/// </summary>
public sealed partial class ExchangeService(
    ExchangeSettings settings, ContentStore store, ContentIndex index, LedgerStates states, LogDirectory logs, Sequencer sequencer,
    NetworkView network, PeerClients peers, TimeProvider time) : IExchangeService
{
    private readonly ConcurrentDictionary<string, SigningKey> _departmentKeys = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public async ValueTask<ShareRequestResponse> RequestAsync(SignedShareRequest request, CallContext context = default)
    {
        // A counter (窗口) acts for its department too: a 政务服务中心 window asks for the data its matter needs.
        var principal = RpcErrors.Require(context.ServerCallContext!, ClientRole.Issuer, ClientRole.Counter);
        var asked = ShareRequestSigner.Read(request) ?? throw RpcErrors.InvalidArgument("request_bytes: not a ShareRequest");
        if (!string.Equals(asked.ConsumerIssuerId, principal.IssuerId, StringComparison.Ordinal))
            throw RpcErrors.PermissionDenied($"consumer_issuer_id {asked.ConsumerIssuerId} is not the caller's department {principal.IssuerId}");
        if (!string.Equals(asked.ConsumerOrigin, settings.Origin, StringComparison.Ordinal))
            throw RpcErrors.InvalidArgument($"consumer_origin {asked.ConsumerOrigin} is not this node's log {settings.Origin}: a department asks its own city's node");
        if (RequestProblem(asked) is { } problem) throw RpcErrors.InvalidArgument(problem);
        if (!states.Own.TryGetIssuer(asked.ConsumerIssuerId, out var consumer) || consumer.Revoked)
            throw RpcErrors.PermissionDenied($"{asked.ConsumerIssuerId} is not a registered department of {settings.Origin}");
        if (!ShareRequestSigner.Verify(request, states.Own.RegisteredKey(consumer.Registration.PublicKey)))
            throw RpcErrors.PermissionDenied($"the request's signature does not verify under {asked.ConsumerIssuerId}'s registered key");
        if (string.Equals(asked.ProviderOrigin, settings.Origin, StringComparison.Ordinal))
            throw RpcErrors.InvalidArgument("provider_origin is this node's own log: cross-city exchange only");
        if (index.FindHeld(asked.ProviderOrigin, asked.ShareId) is { } held)
        {
            if (!string.Equals(held.ConsumerIssuerId, principal.IssuerId, StringComparison.Ordinal)) throw RpcErrors.AlreadyExists($"share id {asked.ShareId} is taken");
            if (!Answers(CanonicalCodec.Decode<DataShared>(LeafReader.Read(held.ShareLeaf).Entry.Body), asked))
                throw RpcErrors.AlreadyExists($"share id {asked.ShareId} names a share (entry {held.ShareIndex} of {held.ProviderOrigin}) made for another request; ask with a new share id");
            return HeldAnswer(held);
        }
        if (index.RefusedData(asked.ProviderOrigin, asked.ShareId) is { } refusedBefore)
            throw RpcErrors.FailedPrecondition($"this node refused the data it received for share {asked.ShareId} of {asked.ProviderOrigin} ({refusedBefore}); ask with a new share id");
        var member = network.Current?.ByOrigin(asked.ProviderOrigin) ?? throw RpcErrors.NotFound($"provider_origin {asked.ProviderOrigin} is not a member of the network");
        // One connection to the provider's node for all requests (no TLS handshake per request).
        var client = peers.Shared(member);
        var options = new CallOptions(deadline: DateTime.UtcNow.AddMinutes(10), cancellationToken: context.CancellationToken);
        await using var stream = client.Exchange.ProvideAsync(request, new CallContext(options)).GetAsyncEnumerator(context.CancellationToken);
        ProvideMessage header;
        try
        {
            if (!await stream.MoveNextAsync().ConfigureAwait(false)) throw RpcErrors.Unavailable($"the provider's node {asked.ProviderOrigin} answered nothing; nothing was recorded here");
            header = stream.Current;
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown)
        {
            throw RpcErrors.Unavailable($"the provider's node {asked.ProviderOrigin} ({member.Endpoint}) is unreachable or failed: {ex.Status.Detail}; nothing was recorded or stored here for share {asked.ShareId}; try again later");
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted && ex.Status.Detail.Contains(Auth.CallsInFlight.Setting, StringComparison.Ordinal))
        {
            // The provider holds as many of this city's requests as it takes at once: the department cannot act on
            // that limit (it is this node's), but asking again shortly can succeed, which UNAVAILABLE says (the SDK retries it).
            throw RpcErrors.Unavailable($"the provider's node {asked.ProviderOrigin} is busy with this city's requests ({ex.Status.Detail}); nothing was recorded or stored here for share {asked.ShareId}; try again shortly");
        }
        catch (RpcException ex)
        {
            throw new RpcException(new Status(ex.StatusCode, $"the provider's node {asked.ProviderOrigin} refused the request: {ex.Status.Detail}"));
        }
        if (header.Status is ExchangeStatus.Pending or ExchangeStatus.Refused)
        {
            if (header.Status == ExchangeStatus.Refused) CheckProviderEntry(header.Entry, asked, EntryKinds.ShareDecision);
            return new ShareRequestResponse { Status = header.Status, Entry = header.Entry, ReasonCode = header.ReasonCode, Reason = header.Reason };
        }
        if (header.Status != ExchangeStatus.Shared) throw RpcErrors.DataLoss($"the provider's node {asked.ProviderOrigin} answered status {header.Status}");
        var share = CheckProviderEntry(header.Entry, asked, EntryKinds.Share);
        var body = CanonicalCodec.TryDecode<DataShared>(share.Body, out var decoded, out var error) ? decoded! : throw RpcErrors.DataLoss($"the share entry's body does not decode: {error}");
        if (!SharePayload.Digest(header.Salt, header.Parts).AsSpan().SequenceEqual(body.PayloadDigest))
            throw RefusedData(asked.ProviderOrigin, asked.ShareId, "the parts the provider announced do not give the payload digest its share entry records");
        if (ShareBeyondRequest(asked, body, header.Parts) is { } beyond) throw RefusedData(asked.ProviderOrigin, asked.ShareId, beyond);
        // The small parts and the held row are written in one synced write: both, or neither.
        using var batch = index.CreateBatch();
        var received = await ReceivePartsAsync(stream, header, asked.ProviderOrigin, asked.ShareId, batch, context.CancellationToken).ConfigureAwait(false);
        var keep = new HeldShare
        {
            ProviderOrigin = asked.ProviderOrigin, ShareId = asked.ShareId, ConsumerIssuerId = asked.ConsumerIssuerId,
            ShareIndex = header.Entry!.Index, ShareLeaf = header.Entry.Leaf, Salt = header.Salt,
        };
        foreach (var part in received)
        {
            keep.PartNames.Add(part.Name);
            keep.PartSha256s.Add(part.Sha256);
            keep.PartLengths.Add(part.Length);
        }
        index.PutHeld(batch, keep);
        index.Write(batch);
        await WaitForShareCopyAsync(asked.ProviderOrigin, keep.ShareIndex, context.CancellationToken).ConfigureAwait(false);
        return HeldAnswer(keep);
    }

    /// <summary>
    /// Waits (at most 2 s) until this node's copy of the provider's log holds the share entry, which its mirror receives
    /// within moments: the department's receipt, checked by the ledger against that copy, is then admitted at its first
    /// submission rather than after the SDK's retry delay. Answering without it is still correct (the SDK retries).
    /// </summary>
    private async Task WaitForShareCopyAsync(string providerOrigin, ulong shareIndex, CancellationToken cancellationToken)
    {
        if (logs.Find(providerOrigin) is not { } copy || copy.Size > shareIndex) return;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            while (true)
            {
                // Asked before the size is read, so that growth in between is not missed.
                var grown = logs.Growth(copy);
                if (copy.Size > shareIndex) return;
                await grown.WaitAsync(limit.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The copy lags: answer anyway.
        }
    }

    /// <summary>Whether <paramref name="share"/> was made for <paramref name="asked"/> (asked again, a request differs only in its time and signature).</summary>
    internal static bool Answers(DataShared share, ShareRequest asked)
        => share.ConsumerOrigin == asked.ConsumerOrigin && share.ConsumerCode == asked.ConsumerCode && share.ResourceId == asked.ResourceCode && share.RecordId == asked.RecordId
           && share.Purpose == asked.Purpose && share.MatterCode == asked.MatterCode && share.LegalBasis == asked.LegalBasis
           && share.Fields.SequenceEqual(asked.Fields, StringComparer.Ordinal);

    /// <summary>
    /// Whether the provider's share and parts stay within what the department asked, or why not: the same resource,
    /// record, purpose, matter and legal basis; data items it asked for (fewer is minimisation); parts named by those
    /// items or the fields part, each once. The department's receipt acknowledges the share, so it must not acknowledge
    /// a purpose or data it never asked for.
    /// </summary>
    internal static string? ShareBeyondRequest(ShareRequest asked, DataShared share, List<SharePart> parts)
    {
        if (share.ResourceId != asked.ResourceCode || share.RecordId != asked.RecordId)
            return $"the share is of {share.ResourceId}/{share.RecordId}, not the {asked.ResourceCode}/{asked.RecordId} asked for";
        if (share.Purpose != asked.Purpose || share.MatterCode != asked.MatterCode || share.LegalBasis != asked.LegalBasis)
            return "the share's purpose, matter code or legal basis is not the request's";
        foreach (var field in share.Fields)
        {
            if (!asked.Fields.Contains(field)) return $"the share names data item '{field}', which was not asked for";
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var part in parts)
        {
            if (!seen.Add(part.Name) || (part.Name != SharePayload.FieldsPart && !share.Fields.Contains(part.Name)))
                return $"part '{part.Name}' is not a data item of the share, or comes twice";
        }
        return null;
    }

    /// <summary>
    /// Records that the data of a share was refused (the ledger then refuses the department's receipt of it: a receipt
    /// says the data arrived whole) and gives the DATA_LOSS answer.
    /// </summary>
    private RpcException RefusedData(string providerOrigin, string shareId, string reason)
    {
        index.PutRefusedData(providerOrigin, shareId, reason);
        return RpcErrors.DataLoss($"the data received for share {shareId} was refused and discarded: {reason}; no receipt can be written for it");
    }

    private static ShareRequestResponse HeldAnswer(HeldShare held)
    {
        var answer = new ShareRequestResponse
        {
            Status = ExchangeStatus.Shared, Salt = held.Salt,
            Entry = new LogEntry { Origin = held.ProviderOrigin, Index = held.ShareIndex, Leaf = held.ShareLeaf },
        };
        for (var i = 0; i < held.PartNames.Count; i++) answer.Parts.Add(new SharePart { Name = held.PartNames[i], Sha256 = held.PartSha256s[i], Length = held.PartLengths[i] });
        return answer;
    }

    /// <summary>
    /// The provider's entry, checked before anything is believed: it decodes, is of <paramref name="kind"/> in the
    /// provider's log, about this request, addressed to this log and department, and signed by a key the provider
    /// registered (from this node's copy of the provider's log).
    /// </summary>
    private Entry CheckProviderEntry(LogEntry? logEntry, ShareRequest asked, string kind)
    {
        if (logEntry is null || !LeafReader.TryRead(logEntry.Leaf, out var leaf, out var error)) throw RpcErrors.DataLoss($"the provider's answer carries no readable entry");
        var entry = leaf!.Entry;
        if (entry.Kind != kind || entry.Origin != asked.ProviderOrigin || logEntry.Origin != asked.ProviderOrigin || entry.RecordId != asked.ShareId)
            throw RpcErrors.DataLoss($"the provider's answer carries a {entry.Kind} entry of {entry.Origin} for {entry.RecordId}, not a {kind} entry of {asked.ProviderOrigin} for {asked.ShareId}");
        if (states.Get(asked.ProviderOrigin) is not { } provider || !provider.TryGetIssuer(entry.IssuerId, out var issuer))
            throw RpcErrors.Unavailable($"this node's copy of {asked.ProviderOrigin} does not know {entry.IssuerId} yet; try again once it has caught up");
        if (!SignedEntryVerifier.Verify(leaf.Signed, provider.RegisteredKey(issuer.Registration.PublicKey), out var signatureError))
            throw RpcErrors.DataLoss($"the provider's {kind} entry is not signed by {entry.IssuerId}'s registered key: {signatureError}");
        if (kind == EntryKinds.Share)
        {
            if (!CanonicalCodec.TryDecode<DataShared>(entry.Body, out var share, out _) || share!.ConsumerOrigin != settings.Origin || share.ConsumerCode != asked.ConsumerCode)
                throw RpcErrors.DataLoss($"the provider's share entry for {asked.ShareId} is not addressed to {asked.ConsumerCode} in {settings.Origin}");
        }
        return entry;
    }

    /// <summary>
    /// Writes each announced part into the content store as it arrives (a small part into <paramref name="batch"/>, a
    /// large one as a file) and checks its length and SHA-256; on any mismatch every file written for this share is
    /// removed and the call fails (the batch is not written): nothing is held, and the refusal is recorded so that no
    /// receipt can follow (<see cref="RefusedData"/>). A transfer that breaks off is no refusal: nothing is held, and
    /// the department may ask again under the same share id.
    /// </summary>
    private async Task<List<SharePart>> ReceivePartsAsync(IAsyncEnumerator<ProvideMessage> stream, ProvideMessage header, string providerOrigin, string shareId, StoreBatch batch, CancellationToken cancellationToken)
    {
        var written = new List<ContentInfo>();
        try
        {
            byte[] pending = [];
            var offset = 0;
            foreach (var part in header.Parts)
            {
                using var writer = store.BeginWrite(provisional: true);
                var remaining = part.Length;
                while (remaining > 0)
                {
                    if (offset == pending.Length)
                    {
                        // The piece used up goes back for the next message (TransferMarshalling); the writer kept no reference to it.
                        TransferMarshalling.ReturnData(pending);
                        pending = [];
                        if (!await stream.MoveNextAsync().ConfigureAwait(false))
                            throw new ContentException($"the provider's stream for share {shareId} ended {remaining} bytes before the end of part {part.Name}");
                        pending = stream.Current.Data;
                        offset = 0;
                        continue;
                    }
                    var n = (int)Math.Min(remaining, pending.Length - offset);
                    await writer.WriteAsync(pending.AsMemory(offset, n), cancellationToken).ConfigureAwait(false);
                    offset += n;
                    remaining -= n;
                }
                var (info, duplicate) = await writer.CompleteAsync(batch, cancellationToken).ConfigureAwait(false);
                if (!duplicate && !writer.Inline) written.Add(info);
                if (!info.Sha256.AsSpan().SequenceEqual(part.Sha256))
                    throw new ContentException($"part {part.Name} has SHA-256 {info.Sha256Hex}, not the {Convert.ToHexStringLower(part.Sha256)} the share entry's payload digest covers");
            }
            if (offset != pending.Length || await stream.MoveNextAsync().ConfigureAwait(false))
                throw new ContentException($"the provider sent more than the parts of share {shareId}");
            foreach (var info in written) store.Settle(info);
            written.Clear();
            return header.Parts;
        }
        catch (ContentException ex)
        {
            throw RefusedData(providerOrigin, shareId, ex.Message);
        }
        catch (Exception ex) when (ex is RpcException or IOException)
        {
            // The transfer broke off (the connection, the provider's node, or this node's disk), which says nothing
            // against the data: nothing is kept, and the provider sends the same share again when asked again.
            var detail = ex is RpcException rpc ? rpc.Status.Detail : ex.Message;
            throw RpcErrors.Unavailable($"the transfer of share {shareId} from {providerOrigin} broke off ({detail}); nothing was kept here; ask again with the same share id");
        }
        finally
        {
            // Refused, cancelled or failed otherwise: nothing refers to what was written (the batch with the held rows is
            // not written), so it goes, except files another writer (another share, a department's upload) stored
            // meanwhile with the same content and relies on.
            foreach (var info in written) store.Discard(info);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ContentChunk> FetchAsync(FetchRequest request, CallContext context = default)
    {
        var principal = RpcErrors.Require(context.ServerCallContext!, ClientRole.Issuer, ClientRole.Counter);
        var held = index.FindHeld(request.ProviderOrigin, request.ShareId) ?? throw RpcErrors.NotFound($"this node holds no data of share {request.ShareId} from {request.ProviderOrigin}");
        if (!string.Equals(held.ConsumerIssuerId, principal.IssuerId, StringComparison.Ordinal))
            throw RpcErrors.PermissionDenied($"share {request.ShareId} was requested by {held.ConsumerIssuerId}, not {principal.IssuerId}");
        if (!states.Own.TryGetReceipt(request.ProviderOrigin, request.ShareId, out _))
            throw RpcErrors.FailedPrecondition($"share {request.ShareId} has no receipt in {settings.Origin} yet: the data is released only after the department's receipt entry is recorded");
        var at = held.PartNames.IndexOf(request.Part);
        if (at < 0) throw RpcErrors.NotFound($"share {request.ShareId} has no part '{request.Part}' (parts: {string.Join(", ", held.PartNames)})");
        using var reader = store.OpenRead(held.PartSha256s[at]);
        yield return new ContentChunk { Length = reader.Info.Length, Sha256 = reader.Info.Sha256, Sm3 = reader.Info.Sm3 };
        await foreach (var piece in reader.ReadPiecesAsync(context.CancellationToken).ConfigureAwait(false)) yield return new ContentChunk { Data = piece };
    }

    /// <inheritdoc/>
    public ValueTask<PendingRequestsResponse> ListPendingAsync(PendingRequestsRequest request, CallContext context = default)
    {
        var principal = RpcErrors.Require(context.ServerCallContext!, ClientRole.Issuer, ClientRole.Operator);
        var answer = new PendingRequestsResponse();
        if (request.ShareId.Length > 0)
        {
            if (index.FindPending(request.ShareId) is { } one && MayDecide(one)) answer.Requests.Add(new SignedShareRequest { RequestBytes = one.RequestBytes, Signature = one.Signature });
            return ValueTask.FromResult(answer);
        }
        // Pending rows are this node's own; the page token names its own log.
        var page = new ListPager(request.PageSize, request.PageToken);
        page.Fill([states.Own], state => state.Origin, (_, after) => index.PendingAfter(after), (_, pending) =>
        {
            if (!MayDecide(pending)) return null;
            answer.Requests.Add(new SignedShareRequest { RequestBytes = pending.RequestBytes, Signature = pending.Signature });
            return 16 + pending.RequestBytes.Length + pending.Signature.Length;
        });
        answer.NextPageToken = page.NextPageToken;
        return ValueTask.FromResult(answer);

        // Undecided, and the caller's to decide (an operator sees every department's).
        bool MayDecide(PendingRequest pending)
            => (principal.Role != ClientRole.Issuer || string.Equals(pending.ProviderIssuerId, principal.IssuerId, StringComparison.Ordinal))
               && !states.Own.TryGetDecision(pending.ShareId, out _);
    }

    /// <inheritdoc/>
    public ValueTask<CatalogListResponse> ListCatalogAsync(CatalogListRequest request, CallContext context = default)
    {
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Issuer, ClientRole.Counter, ClientRole.Auditor, ClientRole.Operator);
        var answer = new CatalogListResponse();
        if (request.ResourceCode.Length > 0)
        {
            // One code: a look-up in each log, no scan (a code is listed once per city that publishes it).
            foreach (var state in states.All())
            {
                if (request.Origin.Length > 0 && request.Origin != state.Origin) continue;
                if (state.TryGetCatalog(request.ResourceCode, out var resource) && logs.Find(state.Origin)?.GetLeaf(resource.Index) is { } leaf)
                    answer.Entries.Add(new LogEntry { Origin = state.Origin, Index = resource.Index, Leaf = leaf });
            }
            return ValueTask.FromResult(answer);
        }
        // Each state with its log, whose leaves the answer carries.
        var kept = new List<(LogStateMachine State, MerkleLog Log)>();
        foreach (var state in states.All())
        {
            if (logs.Find(state.Origin) is { } log) kept.Add((state, log));
        }
        var page = new ListPager(request.PageSize, request.PageToken);
        page.Fill(kept, pair => pair.State.Origin, (pair, after) => pair.State.CatalogAfter(after), (pair, resource) =>
        {
            if (pair.Log.GetLeaf(resource.Index) is not { } leaf) return null;
            answer.Entries.Add(new LogEntry { Origin = pair.State.Origin, Index = resource.Index, Leaf = leaf });
            return 32 + leaf.Length;
        }, request.Origin);
        answer.NextPageToken = page.NextPageToken;
        return ValueTask.FromResult(answer);
    }

    /// <summary>Why a request is malformed, or null.</summary>
    /// <summary>How far a request's signing time may be from this node's clock: a signed request is not good for ever.</summary>
    internal static readonly TimeSpan RequestTimeWindow = TimeSpan.FromMinutes(10);

    /// <summary>
    /// What is wrong with a request before anything is looked up, or null: its fields' form and limits
    /// (<see cref="BodyValidator.Validate(ShareRequest)"/>), and its signing time within <see cref="RequestTimeWindow"/>.
    /// Both nodes ask, so a request refused here leaves no entry and tells nothing of what the provider holds.
    /// </summary>
    private string? RequestProblem(ShareRequest asked)
    {
        var validation = BodyValidator.Validate(asked);
        if (!validation.IsValid) return validation.Errors[0].Message;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (Math.Abs(now - asked.TimeUnixMs) > (long)RequestTimeWindow.TotalMilliseconds)
            return $"time_unix_ms: the request was signed {TimeSpan.FromMilliseconds(now - asked.TimeUnixMs).TotalMinutes:F0} min from this node's clock (at most {RequestTimeWindow.TotalMinutes:F0}); sign it anew";
        return null;
    }
}
