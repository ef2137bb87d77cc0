using Grpc.Core;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;

namespace Huren.Sdk.Client;

public sealed partial class HurenClient
{
    /// <summary>
    /// Collects the exchange bundle of share <paramref name="shareId"/> from this node (which keeps copies of every log):
    /// the share entry in the provider's log, the receipt referencing it in the consumer's log, the registrations (and
    /// revocations) of the two departments that signed them, each with its inclusion proof to a final checkpoint of its
    /// log (waited for up to <paramref name="waitFinal"/>). Check it with <see cref="ExchangeEvidenceVerifier"/> before
    /// believing or keeping it. Needs a credential that sees every entry (auditor or operator).
    /// </summary>
    /// <exception cref="InvalidOperationException">No such share, no receipt of it yet, or no final checkpoint covering them in time; the message says which.</exception>
    public Task<EvidenceBundle> GetExchangeEvidenceAsync(string shareId, TrustedNetwork network, TimeSpan waitFinal, CancellationToken cancellationToken = default)
        => GetExchangeEvidenceAsync(shareId, null, network, waitFinal, cancellationToken);

    /// <summary>
    /// Like <see cref="GetExchangeEvidenceAsync(string, TrustedNetwork, TimeSpan, CancellationToken)"/>, for the share of
    /// <paramref name="shareId"/> in <paramref name="providerOrigin"/>'s log: share ids are chosen by consumers and unique
    /// only within one log, so another log may hold a share of the same id.
    /// </summary>
    /// <param name="shareId">The share id.</param>
    /// <param name="providerOrigin">The provider's log (<c>huren.&lt;network&gt;/&lt;city&gt;</c>), or null for the one log that holds a share of that id.</param>
    /// <param name="network">The network configuration the bundle is checked against.</param>
    /// <param name="waitFinal">How long to wait for the receipt and for final checkpoints.</param>
    /// <param name="cancellationToken">Cancels the waits and calls.</param>
    /// <exception cref="InvalidOperationException">No such share, several and no provider given, no receipt of it yet, or no final checkpoint covering them in time; the message says which.</exception>
    public async Task<EvidenceBundle> GetExchangeEvidenceAsync(string shareId, string? providerOrigin, TrustedNetwork network, TimeSpan waitFinal, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(shareId);
        ArgumentNullException.ThrowIfNull(network);
        var deadline = DateTime.UtcNow + waitFinal;
        (LogEntry At, DecodedLeaf Leaf) share, receipt;
        while (true)
        {
            // This node's copies of the two logs may lag the cities' own: asked again until the receipt is there.
            (share, receipt) = await FindExchangeAsync(shareId, providerOrigin, cancellationToken).ConfigureAwait(false);
            if (receipt.Leaf is not null) break;
            if (DateTime.UtcNow >= deadline)
            {
                throw new InvalidOperationException(share.Leaf is null
                    ? $"no log this node keeps has a share entry {shareId}{(providerOrigin is null ? "" : $" in {providerOrigin}")}"
                    : $"share {shareId} ({share.At.Origin}#{share.At.Index}) has no receipt in any log this node keeps yet");
            }
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        var wanted = new Dictionary<string, SortedSet<ulong>>(StringComparer.Ordinal)
        {
            [share.At.Origin] = [share.At.Index],
            [receipt.At.Origin] = [receipt.At.Index],
        };
        foreach (var (origin, issuerId) in new[] { (share.At.Origin, share.Leaf.Entry.IssuerId), (receipt.At.Origin, receipt.Leaf.Entry.IssuerId) })
        {
            // The department's registration (and revocation, if any) in its own log: the key its entry is checked with.
            await foreach (var e in TraceAsync(issuerId, cancellationToken).ConfigureAwait(false))
            {
                if (e.Origin != origin || !LeafReader.TryRead(e.Leaf, out var read, out _)) continue;
                if (read!.Entry.Kind is EntryKinds.IssuerRegister or EntryKinds.IssuerRevoke) wanted[origin].Add(e.Index);
            }
        }

        var bundle = new EvidenceBundle { Network = network.NetworkId, Subject = shareId, CreatedAt = DateTimeOffset.UtcNow, ConfigVersion = network.Version };
        foreach (var (origin, indexes) in wanted)
        {
            var (size, note) = await FinalCheckpointAsync(network, origin, indexes.Max + 1, deadline, cancellationToken).ConfigureAwait(false);
            bundle.Checkpoints[origin] = note;
            foreach (var index in indexes)
            {
                var leaf = (await Ledger.GetEntryAsync(new GetEntryRequest { Origin = origin, Index = index }, Options(cancellationToken)).ConfigureAwait(false)).Leaf;
                var proof = await Ledger.GetInclusionProofAsync(new InclusionProofRequest { Origin = origin, Index = index, TreeSize = size }, Options(cancellationToken)).ConfigureAwait(false);
                bundle.Entries.Add(new BundleEntry { Origin = origin, Index = index, Leaf = Convert.ToBase64String(leaf), TreeSize = size, InclusionProof = proof.Hashes.ConvertAll(Convert.ToBase64String) });
            }
        }
        bundle.Verdict = new BundleVerdict
        {
            Status = ExchangeEvidenceVerifier.Received, Reason = $"share {shareId} of {share.At.Origin} received in {receipt.At.Origin}",
            AsOf = new BundleCheckpointRef { Origin = share.At.Origin, Size = bundle.Entries.Find(e => e.Origin == share.At.Origin)!.TreeSize },
        };
        return bundle;
    }

    /// <summary>
    /// The share entry of <paramref name="shareId"/> (in <paramref name="providerOrigin"/>'s log when given) and the
    /// receipt that acknowledges it: one referencing it and keeping <see cref="ReceiptRule"/> with it, of any that point
    /// at it (defaults when there is none yet).
    /// </summary>
    /// <exception cref="InvalidOperationException">Several share entries of that id and no provider given.</exception>
    private async Task<((LogEntry At, DecodedLeaf Leaf) Share, (LogEntry At, DecodedLeaf Leaf) Receipt)> FindExchangeAsync(string shareId, string? providerOrigin, CancellationToken cancellationToken)
    {
        var shares = new List<(LogEntry At, DecodedLeaf Leaf)>();
        var receipts = new List<(LogEntry At, DecodedLeaf Leaf)>();
        await foreach (var e in TraceAsync(shareId, cancellationToken).ConfigureAwait(false))
        {
            if (!LeafReader.TryRead(e.Leaf, out var read, out _)) continue;
            if (read!.Entry.Kind == EntryKinds.Share && (providerOrigin is null || e.Origin == providerOrigin)) shares.Add((e, read));
            else if (read.Entry.Kind == EntryKinds.Receipt) receipts.Add((e, read));
        }
        if (shares.Count == 0) return (default, default);
        if (shares.Count > 1) throw new InvalidOperationException($"share id {shareId} names share entries in {string.Join(", ", shares.Select(s => s.At.Origin))}; an exchange bundle is about one: name its provider");
        var share = shares[0];
        var shareHash = MerkleHash.LeafHash(share.At.Leaf);
        var receipt = receipts.Find(r => r.Leaf.Entry.References.Exists(x => x.Relation == Relations.Share && x.Origin == share.At.Origin && x.Index == share.At.Index && shareHash.AsSpan().SequenceEqual(x.LeafHash))
            && CanonicalCodec.TryDecode<Huren.Schemas.Bodies.DataReceived>(r.Leaf.Entry.Body, out var body, out _) && ReceiptRule.Check(share.Leaf.Entry, share.At.Index, body!, r.At.Origin) is null);
        return (share, receipt);
    }

    /// <summary>
    /// The node's newest final checkpoint of <paramref name="origin"/> (asked for as such: a busy log's newest is often
    /// still being cosigned) once it covers <paramref name="atLeast"/> entries; checked here to verify under
    /// <paramref name="network"/> and carry its witness threshold of cosignatures (a node that predates the question
    /// answers its newest); asked again (every 200 ms) until <paramref name="deadline"/>.
    /// </summary>
    /// <param name="network">The network configuration the note is checked against.</param>
    /// <param name="origin">The log.</param>
    /// <param name="atLeast">The least size wanted (0: any).</param>
    /// <param name="deadline">When to give up (UTC).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The checkpoint's size and its note, verbatim.</returns>
    /// <exception cref="InvalidOperationException">No such checkpoint by the deadline (the message says what the node held), or the origin is no log of the network.</exception>
    /// <exception cref="RpcException">The node refused the call for another reason, or is unreachable.</exception>
    public async Task<(ulong Size, string Note)> FinalCheckpointAsync(TrustedNetwork network, string origin, ulong atLeast, DateTime deadline, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(network);
        var member = network.ByOrigin(origin) ?? throw new InvalidOperationException($"{origin} is not a log of network {network.NetworkId}");
        while (true)
        {
            CheckpointResponse? checkpoint = null;
            try
            {
                checkpoint = await Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = origin, Final = true }, Options(cancellationToken)).ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                // No final checkpoint of that log at the node yet.
            }
            var verified = checkpoint is null ? null : member.VerifyCheckpoint(checkpoint.Note);
            string state;
            if (verified is null) state = "the node holds no final checkpoint of it yet";
            else if (!verified.IsValid) state = $"its checkpoint does not verify: {verified.Failure}";
            else if (verified.Checkpoint!.Size < atLeast) state = $"its newest final checkpoint has size {verified.Checkpoint.Size}, below {atLeast}";
            else if (network.Finality(verified) is { IsFinal: false } finality) state = $"its checkpoint of size {verified.Checkpoint.Size} has {finality.ValidCosignatures} of {finality.Threshold} witness cosignatures";
            else return (verified.Checkpoint.Size, checkpoint!.Note);
            if (DateTime.UtcNow >= deadline)
                throw new InvalidOperationException($"no final checkpoint of {origin}{(atLeast == 0 ? "" : $" covering entry {atLeast - 1}")} in time: {state}");
            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }
    }
}
