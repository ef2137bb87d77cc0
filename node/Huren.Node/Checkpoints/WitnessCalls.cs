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

/// <summary>The witness calls over the network: one client per member node (mutual TLS, signed calls), kept for the node's lifetime.</summary>
internal sealed class PeerWitnessCalls(PeerClients peers) : IWitnessCalls, IDisposable
{
    private readonly Dictionary<string, HurenClient> _clients = new(StringComparer.Ordinal);

    public ValueTask<AddCheckpointResponse> AddCheckpointAsync(TrustedMember witness, AddCheckpointRequest request, CancellationToken cancellationToken)
    {
        HurenClient client;
        lock (_clients)
        {
            if (!_clients.TryGetValue(witness.Origin, out client!)) _clients[witness.Origin] = client = peers.For(witness, TimeSpan.FromSeconds(5));
        }
        return client.Witness.AddCheckpointAsync(request, client.Options(cancellationToken));
    }

    public void Dispose()
    {
        lock (_clients)
        {
            foreach (var client in _clients.Values) client.Dispose();
            _clients.Clear();
        }
    }
}
