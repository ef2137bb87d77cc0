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
}
