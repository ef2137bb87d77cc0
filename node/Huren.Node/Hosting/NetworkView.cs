using Huren.Sdk.Network;

namespace Huren.Node.Hosting;

/// <summary>The network configuration in force on this node (null for a stand-alone node). Replaced only by a valid successor.</summary>
public sealed class NetworkView(NetworkConfig? initial)
{
    private volatile NetworkConfig? _current = initial;

    /// <summary>The configuration in force.</summary>
    public NetworkConfig? Current => _current;

    /// <summary>Adopts a successor already checked with <see cref="NetworkConfigChain.VerifyNext"/>.</summary>
    public void Adopt(NetworkConfig next) => _current = next;
}
