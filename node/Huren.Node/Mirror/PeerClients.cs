using System.Security.Cryptography.X509Certificates;
using Huren.Node.Hosting;
using Huren.Sdk.Client;
using Huren.Sdk.Network;

namespace Huren.Node.Mirror;

/// <summary>
/// Clients for calls to other member nodes: signed with this node's witness key, and over mutual TLS — the peer's
/// certificate pinned by the network configuration, this node's own certificate presented — when the endpoint is https.
/// </summary>
public sealed class PeerClients(NodeOptions options, NodeKeys keys, NetworkView network, IHostEnvironment environment)
{
    private readonly Lazy<X509Certificate2?> _ownCertificate = new(() =>
    {
        var cert = Path.GetFullPath(options.Keys.TlsCertificate, environment.ContentRootPath);
        var key = Path.GetFullPath(options.Keys.TlsKey, environment.ContentRootPath);
        return File.Exists(cert) && File.Exists(key) ? PinnedTls.LoadCertificate(cert, key) : null;
    });

    /// <summary>A client for <paramref name="member"/>'s node.</summary>
    public HurenClient For(TrustedMember member, TimeSpan deadline)
    {
        var endpoint = member.Endpoint ?? throw new InvalidOperationException($"the network configuration lists no endpoint for {member.Origin}");
        var identity = new ClientIdentity(Auth.ClientRegistry.PeerPrincipal(options.CityCode), keys.WitnessKey);
        if (endpoint.Scheme != Uri.UriSchemeHttps) return new HurenClient(endpoint, identity, deadline);
        var trusted = new List<string>();
        foreach (var m in network.Current?.Members ?? []) trusted.Add(m.TlsCertificateSha256);
        return new HurenClient(endpoint, identity, deadline, PinnedTls.CreateHandler(trusted, _ownCertificate.Value));
    }
}
