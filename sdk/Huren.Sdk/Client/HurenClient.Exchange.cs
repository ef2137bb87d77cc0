using Grpc.Core;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using ProtoBuf.Grpc;

namespace Huren.Sdk.Client;

public sealed partial class HurenClient
{
    /// <summary>
    /// Signs <paramref name="request"/> with the department's key and asks the department's own node, which forwards it to
    /// the provider's node. Shared: the data is checked and held by the own node until <see cref="RecordReceiptAsync"/>.
    /// </summary>
    /// <exception cref="RpcException">Refused before any entry (bad request, unknown resource) or the provider is unreachable (UNAVAILABLE).</exception>
    public async Task<ShareRequestResponse> RequestShareAsync(ShareRequest request, SigningKey key, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.TimeUnixMs == 0) request.TimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var options = new CallOptions(deadline: DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(10)), cancellationToken: cancellationToken);
        return await Exchange.RequestAsync(ShareRequestSigner.Sign(request, key), new CallContext(options)).ConfigureAwait(false);
    }

    /// <summary>The share body of a shared answer.</summary>
    /// <exception cref="InvalidDataException">The answer carries no readable share entry.</exception>
    public static (Entry Entry, DataShared Share) ReadShare(ShareRequestResponse shared)
    {
        ArgumentNullException.ThrowIfNull(shared);
        if (shared.Status != ExchangeStatus.Shared || shared.Entry is null) throw new InvalidDataException($"the exchange is {shared.Status}, not shared");
        var entry = LeafReader.Read(shared.Entry.Leaf).Entry;
        if (entry.Kind != EntryKinds.Share || !CanonicalCodec.TryDecode<DataShared>(entry.Body, out var share, out var error))
            throw new InvalidDataException($"the answer's entry is not a readable share: {entry.Kind}");
        if (!SharePayload.Digest(shared.Salt, shared.Parts).AsSpan().SequenceEqual(share!.PayloadDigest))
            throw new InvalidDataException($"the parts listed do not give the payload digest share {share.ShareId} records");
        return (entry, share);
    }

    /// <summary>
    /// Writes the department's <c>receipt</c> for a shared answer in its own city's log, referencing the provider's share
    /// entry (origin, index, leaf hash). Retried while the own node's copy of the provider's log has not reached the share.
    /// </summary>
    public async Task<SubmitResponse> RecordReceiptAsync(ShareRequestResponse shared, string consumerIssuerId, SigningKey key, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var (entry, share) = ReadShare(shared);
        var body = new DataReceived
        {
            ShareId = share.ShareId, ProviderOrigin = entry.Origin, ConsumerCode = share.ConsumerCode,
            PayloadDigest = share.PayloadDigest, DigestAlgorithm = share.DigestAlgorithm, RecordCount = share.RecordCount,
        };
        var reference = new EntryReference { Origin = entry.Origin, Index = shared.Entry!.Index, LeafHash = MerkleHash.LeafHash(shared.Entry.Leaf).ToArray(), Relation = Relations.Share };
        var receipt = Entry.Create(EntryKinds.Receipt, share.ConsumerOrigin, share.ShareId, consumerIssuerId, body, DateTimeOffset.UtcNow, reference);
        var leaf = EntrySigner.SignToLeaf(receipt, key);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                return await Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaf }, Options(cancellationToken)).ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
            {
                // The own node's copy of the provider's log has not reached the share entry yet.
                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Copies a part of shared data (released by the own node after the receipt) into <paramref name="destination"/>,
    /// checking it against the part's SHA-256 the share entry's payload digest covers.
    /// </summary>
    public async Task<ContentChunk> FetchSharedAsync(ShareRequestResponse shared, string part, Stream destination, IProgress<(long Received, long Length)>? progress = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var (entry, share) = ReadShare(shared);
        var listed = shared.Parts.Find(p => p.Name == part) ?? throw new ArgumentException($"share {share.ShareId} has no part '{part}'", nameof(part));
        var options = new CallOptions(deadline: DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(10)), cancellationToken: cancellationToken);
        var messages = Exchange.FetchAsync(new FetchRequest { ProviderOrigin = entry.Origin, ShareId = share.ShareId, Part = part }, new CallContext(options));
        return await ReceiveAsync(messages, listed.Sha256, destination, progress, cancellationToken).ConfigureAwait(false);
    }
    /// <summary>
    /// What the department's own node holds for one of its shares (data already received and checked): the provider's
    /// share entry, the parts and the salt, and the department's receipt if recorded. The answer is checked before it is
    /// returned: the share entry decodes, is for <paramref name="shareId"/>, its payload digest covers the listed parts,
    /// and a receipt listed is a <c>receipt</c> entry referencing that share entry by leaf hash.
    /// </summary>
    /// <param name="shareId">The share id (as <c>huren share request</c> printed it).</param>
    /// <param name="providerOrigin">The provider's log; null to let the node look the id up among every provider's shares it holds.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="RpcException">NOT_FOUND: nothing held for that share; PERMISSION_DENIED: another department's share.</exception>
    /// <exception cref="InvalidDataException">The node's answer does not hold together.</exception>
    public async Task<HeldShareResponse> GetHeldShareAsync(string shareId, string? providerOrigin = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(shareId);
        var held = await Exchange.GetHeldAsync(new HeldShareRequest { ShareId = shareId, ProviderOrigin = providerOrigin ?? "" }, Options(cancellationToken)).ConfigureAwait(false);
        var (entry, share) = ReadShare(AsSharedAnswer(held));
        if (share.ShareId != shareId || (providerOrigin is not null && entry.Origin != providerOrigin))
            throw new InvalidDataException($"the node answered share {share.ShareId} of {entry.Origin} for share {shareId}");
        if (held.Receipt is { } receipt)
        {
            var receiptEntry = LeafReader.TryRead(receipt.Leaf, out var leaf, out _) ? leaf!.Entry : throw new InvalidDataException($"the receipt entry {receipt.Index} does not decode");
            var shareLeafHash = MerkleHash.LeafHash(held.Share!.Leaf).ToArray();
            if (receiptEntry.Kind != EntryKinds.Receipt || receiptEntry.RecordId != shareId ||
                !receiptEntry.References.Exists(r => r.Relation == Relations.Share && r.Origin == entry.Origin && r.Index == held.Share.Index && r.LeafHash.AsSpan().SequenceEqual(shareLeafHash)))
                throw new InvalidDataException($"entry {receipt.Index} of {receipt.Origin} is not a receipt of share {shareId}");
        }
        return held;
    }

    /// <summary>A held share in the form <see cref="RecordReceiptAsync"/> and <see cref="FetchSharedAsync"/> take.</summary>
    /// <param name="held">What <see cref="GetHeldShareAsync"/> answered.</param>
    public static ShareRequestResponse AsSharedAnswer(HeldShareResponse held)
    {
        ArgumentNullException.ThrowIfNull(held);
        var answer = new ShareRequestResponse { Status = ExchangeStatus.Shared, Entry = held.Share, Salt = held.Salt };
        answer.Parts.AddRange(held.Parts);
        return answer;
    }

    /// <summary>
    /// The providing department's decision on a pending request (有条件共享): a <c>share.decision</c> entry, approved or
    /// refused with the reason, signed with the department's key in its own city's log (the request's provider log).
    /// The consumer's next request with the same share id then gets the data or the refusal.
    /// </summary>
    /// <param name="request">The pending request, as <c>Exchange.ListPending</c> listed it.</param>
    /// <param name="decision">Approved or refused.</param>
    /// <param name="reason">Why (required for a refusal; a note for an approval).</param>
    /// <param name="providerCode">The department's 统一社会信用代码.</param>
    /// <param name="issuerId">The department's issuer id (the resource's publisher).</param>
    /// <param name="key">The department's registered signing key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">No decision, or a refusal without a reason.</exception>
    public async Task<SubmitResponse> DecideShareAsync(ShareRequest request, ShareDecision decision, string reason, string providerCode, string issuerId, SigningKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(key);
        if (decision is not (ShareDecision.Approved or ShareDecision.Refused)) throw new ArgumentException("decide approved or refused", nameof(decision));
        if (decision == ShareDecision.Refused && string.IsNullOrWhiteSpace(reason)) throw new ArgumentException("a refusal needs a reason", nameof(reason));
        var body = new ShareDecided
        {
            ShareId = request.ShareId, Decision = decision, ProviderCode = providerCode, ConsumerCode = request.ConsumerCode, ConsumerOrigin = request.ConsumerOrigin,
            ResourceCode = request.ResourceCode, RecordId = request.RecordId, Purpose = request.Purpose, MatterCode = request.MatterCode, Fields = [.. request.Fields],
            ReasonCode = decision == ShareDecision.Refused ? "reviewed" : "", Reason = reason ?? "",
        };
        var entry = Entry.Create(EntryKinds.ShareDecision, request.ProviderOrigin, request.ShareId, issuerId, body, DateTimeOffset.UtcNow);
        return await Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(entry, key) }, Options(cancellationToken)).ConfigureAwait(false);
    }
}
