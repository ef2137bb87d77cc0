using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Schemas.Validation;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Huren.Sdk.Seals;

namespace Huren.Sdk.Client;

public sealed partial class HurenClient
{
    /// <summary>Most entries one <see cref="SubmitBatchAsync(IReadOnlyList{byte[]}, CancellationToken)"/> call carries (the node's default batch size).</summary>
    public const int MaxBatchEntries = 512;

    /// <summary>
    /// Submits signed entries (exact <c>SignedEntry</c> bytes) as one atomic batch, and checks that the node answered
    /// once per entry, in order, naming each entry's own bytes (its leaf hash). Either every entry is durable when this
    /// returns, or the node refused the batch and wrote none of it (the <see cref="Grpc.Core.RpcException"/> names the
    /// refused entry by its position).
    /// </summary>
    /// <param name="signedEntries">1 to <see cref="MaxBatchEntries"/> leaves.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Where each entry landed, in the order given.</returns>
    /// <exception cref="ArgumentException">No leaves, or more than <see cref="MaxBatchEntries"/>; nothing was sent.</exception>
    /// <exception cref="UntrustedAnswerException">The node answered for other bytes, or for another number of entries.</exception>
    /// <exception cref="Grpc.Core.RpcException">The node refused the batch or is unreachable.</exception>
    public async Task<IReadOnlyList<SubmitResponse>> SubmitBatchAsync(IReadOnlyList<byte[]> signedEntries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(signedEntries);
        if (signedEntries.Count is 0 or > MaxBatchEntries)
            throw new ArgumentException($"a batch holds 1 to {MaxBatchEntries} entries, not {signedEntries.Count}", nameof(signedEntries));
        var request = new SubmitBatchRequest { SignedEntries = [.. signedEntries] };
        var response = await Ledger.SubmitBatchAsync(request, Options(cancellationToken)).ConfigureAwait(false);
        if (response.Results.Count != signedEntries.Count)
            throw new UntrustedAnswerException($"the node answered a batch of {signedEntries.Count} entries with {response.Results.Count} results");
        for (var i = 0; i < signedEntries.Count; i++)
        {
            var leafHash = MerkleHash.LeafHash(signedEntries[i]);
            if (!leafHash.AsSpan().SequenceEqual(response.Results[i].LeafHash))
            {
                throw new UntrustedAnswerException($"the node acknowledged entry {i} of the batch with leaf hash {Convert.ToHexStringLower(response.Results[i].LeafHash)}, not the hash of the signed entry ({Convert.ToHexStringLower(leafHash.AsSpan())})");
            }
        }
        return response.Results;
    }

    /// <summary>
    /// Checks each entry as the node will (as <see cref="SubmitAsync(Entry, SigningKey, CancellationToken)"/> does),
    /// signs each encoding once with <paramref name="key"/> and submits them as one atomic batch
    /// (<see cref="SubmitBatchAsync(IReadOnlyList{byte[]}, CancellationToken)"/>).
    /// </summary>
    /// <exception cref="ArgumentException">An entry is not valid (the message names it); nothing was sent.</exception>
    /// <exception cref="UntrustedAnswerException">The node answered for other bytes, or for another number of entries.</exception>
    /// <exception cref="Grpc.Core.RpcException">The node refused the batch or is unreachable.</exception>
    public Task<IReadOnlyList<SubmitResponse>> SubmitBatchAsync(IReadOnlyList<Entry> entries, SigningKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(key);
        var leaves = new byte[entries.Count][];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i] ?? throw new ArgumentException($"entry {i} of the batch is null", nameof(entries));
            var validation = EntryValidator.Validate(entry);
            if (!validation.IsValid) throw new ArgumentException($"entry {i} of the batch ({entry.Kind}) is not valid: {validation}", nameof(entries));
            if (SealEntryRules.Check(entry, SealChecks) is { IsValid: false } seal) throw new ArgumentException($"entry {i} of the batch ({entry.Kind}) is not valid: {seal.Reason}", nameof(entries));
            leaves[i] = EntrySigner.SignToLeaf(entry, key);
        }
        return SubmitBatchAsync(leaves, cancellationToken);
    }
}
