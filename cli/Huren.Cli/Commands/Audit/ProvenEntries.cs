using Grpc.Core;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;

namespace Huren.Cli.Commands.Audit;

/// <summary>
/// Entries of any log a node keeps, believed only with an RFC 9162 inclusion proof to that log's latest checkpoint as the
/// node holds it, whose signatures verify against the network configuration: how the audit reads the share a receipt
/// references in another city's log without trusting the node's word.
/// </summary>
internal sealed class ProvenEntries(HurenClient client, TrustedNetwork network, CancellationToken cancellationToken)
{
    private readonly Dictionary<string, (ulong Size, byte[] Root)?> _checkpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _checkpointProblems = new(StringComparer.Ordinal);

    /// <summary>
    /// The entry (origin, index) with the leaf hash <paramref name="leafHash"/>, proven to be in the log; or null and,
    /// as the problem, why it could not be found or proven.
    /// </summary>
    public async Task<(Entry? Entry, string? Problem)> GetAsync(string origin, ulong index, byte[] leafHash)
    {
        if (await CheckpointAsync(origin).ConfigureAwait(false) is not { } checkpoint)
        {
            return (null, _checkpointProblems[origin]);
        }
        if (index >= checkpoint.Size)
        {
            return (null, $"the node's latest checkpoint of {origin} has size {checkpoint.Size}: it has not reached entry {index}, so the entry cannot be checked");
        }
        try
        {
            var options = client.Options(cancellationToken);
            var entry = await client.Ledger.GetEntryAsync(new GetEntryRequest { Origin = origin, Index = index }, options).ConfigureAwait(false);
            var hash = MerkleHash.LeafHash(entry.Leaf);
            if (!hash.AsSpan().SequenceEqual(leafHash))
            {
                return (null, $"entry {index} of {origin} has the leaf hash {Convert.ToHexStringLower(hash.AsSpan())}, not the referenced {Convert.ToHexStringLower(leafHash)}");
            }
            var proof = await client.Ledger.GetInclusionProofAsync(new InclusionProofRequest { Origin = origin, Index = index, TreeSize = checkpoint.Size }, client.Options(cancellationToken)).ConfigureAwait(false);
            if (!MerkleProofVerifier.TryVerifyInclusion(index, checkpoint.Size, hash.AsSpan(), proof.Hashes, checkpoint.Root, out var proofError))
            {
                return (null, $"entry {index} of {origin} is not proven in the checkpoint of size {checkpoint.Size}: {proofError}");
            }
            return LeafReader.TryRead(entry.Leaf, out var decoded, out var readError)
                ? (decoded!.Entry, null)
                : (null, $"entry {index} of {origin} does not decode: {readError}");
        }
        catch (RpcException ex)
        {
            return (null, $"the node did not give entry {index} of {origin}: {CliApp.Describe(ex)}");
        }
    }

    private async Task<(ulong Size, byte[] Root)?> CheckpointAsync(string origin)
    {
        if (_checkpoints.TryGetValue(origin, out var known)) return known;
        (ulong, byte[])? result = null;
        if (network.ByOrigin(origin) is not { } member)
        {
            _checkpointProblems[origin] = $"{origin} is not a log of network {network.NetworkId}";
        }
        else
        {
            try
            {
                var response = await client.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = origin }, client.Options(cancellationToken)).ConfigureAwait(false);
                var verification = member.CheckpointVerifier.Verify(response.Note);
                if (verification.IsValid) result = (verification.Checkpoint!.Size, verification.Checkpoint.GetRootHash());
                else _checkpointProblems[origin] = $"the node's latest checkpoint of {origin} does not verify: {verification.Failure}";
            }
            catch (RpcException ex)
            {
                _checkpointProblems[origin] = $"the node gave no checkpoint of {origin}: {CliApp.Describe(ex)}";
            }
        }
        _checkpoints[origin] = result;
        return result;
    }
}
