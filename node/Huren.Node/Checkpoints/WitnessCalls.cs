using Huren.Node.Network;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Network;

namespace Huren.Node.Checkpoints;

/// <summary>How the <see cref="CosignatureCollector"/> asks another member's witness to cosign (a seam for tests).</summary>
public interface IWitnessCalls
{
    /// <summary>Offers a checkpoint to <paramref name="witness"/>'s node; its answer is untrusted input.</summary>
    ValueTask<AddCheckpointResponse> AddCheckpointAsync(TrustedMember witness, AddCheckpointRequest request, CancellationToken cancellationToken);
}

/// <summary>
/// The witness calls over the network: one client per member node (mutual TLS, signed calls), kept until the member's
/// endpoint or any member's certificate pin changes in the configuration in force, then dialled again.
/// </summary>
internal sealed class PeerWitnessCalls(PeerClients peers) : IWitnessCalls, IDisposable
{
    private readonly Dictionary<string, (HurenClient Client, TrustedMember Member)> _clients = new(StringComparer.Ordinal);

    public ValueTask<AddCheckpointResponse> AddCheckpointAsync(TrustedMember witness, AddCheckpointRequest request, CancellationToken cancellationToken)
    {
        HurenClient client;
        lock (_clients)
        {
            if (_clients.TryGetValue(witness.Origin, out var known) && ReferenceEquals(known.Member, witness)) client = known.Client;
            else
            {
                // The collector passes the member of the version in force: another object means another version, whose
                // endpoint or pins may differ. The collector makes one call at a time to a member, so none is using the old client.
                known.Client?.Dispose();
                client = peers.For(witness, TimeSpan.FromSeconds(5));
                _clients[witness.Origin] = (client, witness);
            }
        }
        return client.Witness.AddCheckpointAsync(request, client.Options(cancellationToken));
    }

    public void Dispose()
    {
        lock (_clients)
        {
            foreach (var (client, _) in _clients.Values) client.Dispose();
            _clients.Clear();
        }
    }
}
