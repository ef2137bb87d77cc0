using Huren.Sdk.Crypto;
using System.Security.Cryptography.X509Certificates;
using Huren.Sdk.Client;
using Huren.Sdk.Network;

namespace Huren.Node.Network;

/// <summary>
/// Clients for calls to other member nodes: signed with this node's witness key, and over mutual TLS — the called
/// member's certificate pinned by the network configuration, this node's own certificate presented — when the endpoint
/// is https.
/// </summary>
/// <param name="cityCode">This node's city code (its peer principal is <c>node-&lt;city&gt;</c>).</param>
/// <param name="witnessKey">This node's witness key, which signs its calls to peers.</param>
/// <param name="ownCertificate">This node's TLS certificate with its key, loaded when first needed; null when it has none.</param>
public sealed class PeerClients(string cityCode, SigningKey witnessKey, Func<X509Certificate2?> ownCertificate) : IDisposable
{
    private readonly Lazy<X509Certificate2?> _ownCertificate = new(ownCertificate);
    private readonly Dictionary<string, (HurenClient Client, TrustedMember Member)> _shared = new(StringComparer.Ordinal);
    private readonly List<HurenClient> _retired = [];

    /// <summary>This node's city code.</summary>
    public string CityCode => cityCode;

    /// <summary>The principal name a member node calls others as: <c>node-&lt;city&gt;</c>.</summary>
    public static string PrincipalOf(string cityCode) => $"node-{cityCode}";

    /// <summary>A client for <paramref name="member"/>'s node.</summary>
    public HurenClient For(TrustedMember member, TimeSpan deadline)
    {
        var endpoint = member.Endpoint ?? throw new InvalidOperationException($"the network configuration lists no endpoint for {member.Origin}");
        var identity = new ClientIdentity(PrincipalOf(cityCode), witnessKey, member.CityCode);
        if (endpoint.Scheme != Uri.UriSchemeHttps) return new HurenClient(endpoint, identity, deadline);
        // Only the called member's certificate: another member answering at its address (a moved DNS name, a routed
        // port) would otherwise read what this node sends it and answer for it. An empty pin matches no certificate.
        return new HurenClient(endpoint, identity, deadline, PinnedTls.CreateHandler([member.TlsCertificateSha256], _ownCertificate.Value));
    }

    /// <summary>
    /// A client for <paramref name="member"/>'s node kept for every call to it, so that calls share one connection
    /// (HTTP/2 streams) instead of each dialling and shaking hands anew; not to be disposed by the caller. Calls set
    /// their own deadlines. Dialled again when the configuration in force gives another member object (its endpoint
    /// or pin may have changed).
    /// </summary>
    public HurenClient Shared(TrustedMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        lock (_shared)
        {
            if (_shared.TryGetValue(member.Origin, out var known))
            {
                if (ReferenceEquals(known.Member, member)) return known.Client;
                // Calls in flight may still use it: disposed when the node stops (versions of the configuration are few).
                _retired.Add(known.Client);
            }
            var client = For(member, TimeSpan.FromMinutes(10));
            _shared[member.Origin] = (client, member);
            return client;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_shared)
        {
            foreach (var (client, _) in _shared.Values) client.Dispose();
            foreach (var client in _retired) client.Dispose();
            _shared.Clear();
            _retired.Clear();
        }
    }
}
