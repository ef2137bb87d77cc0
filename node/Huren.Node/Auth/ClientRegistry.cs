using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Huren.Node.Network;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;

namespace Huren.Node.Auth;

/// <summary>
/// The key an issuer registered (and not revoked) in the node's own log holds there (its SubjectPublicKeyInfo), or
/// null when there is no such issuer.
/// </summary>
public delegate byte[]? RegisteredIssuerKey(string issuerId);

/// <summary>
/// The node's clients, and the check of a call credential against them: the configured clients (<c>Huren:Clients</c>),
/// the network's member nodes, and every issuer registered in the node's own log, as principal <c>&lt;issuer id&gt;</c>
/// with its registered key (so registering an issuer makes it a client without a settings edit or a restart, and
/// revoking it ends that at once).
/// </summary>
public sealed class ClientRegistry
{
    /// <summary>How far a credential's time may be from the node's clock.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>The principal name a member node signs its calls with.</summary>
    public static string PeerPrincipal(string cityCode) => PeerClients.PrincipalOf(cityCode);

    private readonly Dictionary<string, ClientPrincipal> _principals;
    private readonly TimeProvider _time;
    private readonly NetworkView? _network;
    private readonly string _ownCity;
    private readonly RegisteredIssuerKey? _registeredIssuerKey;
    private readonly Func<string, bool>? _issuerRevoked;
    // Parsed keys of registered issuers, by issuer id, with the registered bytes they were parsed from.
    private readonly ConcurrentDictionary<string, (byte[] Spki, ClientPrincipal Principal)> _issuers = new(StringComparer.Ordinal);

    // Credentials whose signature verified, with their time. A client signs the same credential for every call to a
    // method within one second (Ed25519 is deterministic), so under load most calls repeat one; checking it once saves
    // a signature verification per call (the profile's top cost after gRPC itself). It changes no answer: the same
    // header, method and key always verify the same way, and the time window is still checked on every call.
    private readonly ConcurrentDictionary<(string Header, string Method, KeyId Key), long> _verified = new();
    private const int VerifiedLimit = 4096;

    /// <summary>Loads and validates the configured clients; throws naming the bad setting.</summary>
    /// <param name="clients">The configured clients (<c>Huren:Clients</c>).</param>
    /// <param name="baseDirectory">Where relative key paths are read from.</param>
    /// <param name="time">The clock a credential's time is checked against.</param>
    /// <param name="ownCity">This node's city code: every credential must name it.</param>
    /// <param name="network">The network configuration in force (member nodes as peers); none for a node alone.</param>
    /// <param name="registeredIssuerKey">The key of an issuer registered in the own log, by issuer id.</param>
    /// <param name="issuerRevoked">Whether the own log holds an issuer revoked.</param>
    public ClientRegistry(IReadOnlyDictionary<string, ClientOptions> clients, string baseDirectory, TimeProvider time, string ownCity, NetworkView? network = null,
        RegisteredIssuerKey? registeredIssuerKey = null, Func<string, bool>? issuerRevoked = null)
    {
        _time = time;
        _registeredIssuerKey = registeredIssuerKey;
        _issuerRevoked = issuerRevoked;
        _network = network;
        _ownCity = ownCity;
        _principals = new(StringComparer.Ordinal);
        foreach (var (name, options) in clients)
        {
            if (!Enum.TryParse<ClientRole>(options.Role, ignoreCase: true, out var role))
                throw new InvalidOperationException($"Huren:Clients:{name}:Role must be operator, auditor, counter or issuer, got '{options.Role}'");
            if (role is ClientRole.Issuer or ClientRole.Counter && string.IsNullOrEmpty(options.IssuerId))
                throw new InvalidOperationException($"Huren:Clients:{name}:IssuerId is required for role {role}");
            var pem = options.PublicKey.Contains("-----BEGIN", StringComparison.Ordinal)
                ? options.PublicKey
                : File.ReadAllText(Path.Combine(baseDirectory, options.PublicKey));
            Sdk.Crypto.PublicKey key;
            try
            {
                key = Sdk.Crypto.PublicKey.FromPem(pem);
            }
            catch (FormatException ex)
            {
                throw new InvalidOperationException($"Huren:Clients:{name}:PublicKey: {ex.Message}", ex);
            }
            _principals[name] = new ClientPrincipal(name, role, options.IssuerId, key);
        }
    }

    /// <summary>The configured principals.</summary>
    public IReadOnlyCollection<ClientPrincipal> Principals => _principals.Values;

    /// <summary>
    /// Whether <paramref name="principal"/> is a configured issuer or counter client of an issuer this node's log holds
    /// revoked: it then acts for no one (gRPC calls and the counter page alike), as the issuer's own key stops at once.
    /// </summary>
    public bool ActsForRevokedIssuer(ClientPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return principal.IssuerId is { } issuerId && principal.Role is ClientRole.Issuer or ClientRole.Counter && _issuerRevoked?.Invoke(issuerId) == true;
    }

    /// <summary>
    /// A member node of the network in force, keyed by its witness key (Ed25519, from the network configuration), so
    /// peers need no per-node client settings and a member removed from the configuration loses access at once.
    /// </summary>
    private ClientPrincipal? PeerFromNetwork(string name)
    {
        if (_network?.Current is not { } config || !name.StartsWith("node-", StringComparison.Ordinal)) return null;
        var city = name["node-".Length..];
        if (city == _ownCity || config.ByCity(city) is not { } member) return null;
        return new ClientPrincipal(name, ClientRole.Peer, null, member.WitnessKey.PublicKey);
    }

    /// <summary>An issuer registered and not revoked in the node's own log, acting with its registered key.</summary>
    private ClientPrincipal? RegisteredIssuer(string name)
    {
        if (_registeredIssuerKey?.Invoke(name) is not { } spki) return null;
        if (_issuers.TryGetValue(name, out var known) && known.Spki.AsSpan().SequenceEqual(spki)) return known.Principal;
        Sdk.Crypto.PublicKey key;
        try
        {
            key = Sdk.Crypto.PublicKey.FromSubjectPublicKeyInfo(spki);
        }
        catch (FormatException)
        {
            return null;
        }
        var principal = new ClientPrincipal(name, ClientRole.Issuer, name, key);
        _issuers[name] = (spki, principal);
        return principal;
    }

    private bool PeerCertificateMatches(string name, string? presented)
    {
        var member = _network?.Current?.ByCity(name["node-".Length..]);
        if (member is null) return false;
        // A configuration without certificates (a loopback test network over cleartext) relies on the signature alone.
        if (string.IsNullOrEmpty(member.TlsCertificateSha256)) return true;
        return presented is not null && string.Equals(member.TlsCertificateSha256, presented, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether <paramref name="sha256"/> is the TLS certificate of a member of the network in force.</summary>
    public bool IsMemberCertificate(string sha256)
    {
        if (_network?.Current is not { } config) return false;
        foreach (var m in config.Members)
        {
            if (string.Equals(m.TlsCertificateSha256, sha256, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    /// <summary>
    /// Whether <paramref name="principal"/>, authenticated at a call's start, still acts now: still a configured client,
    /// member node or registered issuer with the same role and key, a peer still presenting its member's certificate, and
    /// no revoked issuer. A call that runs for long (a follower's stream) asks again as it goes, so a revocation or a
    /// member's removal ends it as it would refuse a new call.
    /// </summary>
    public bool StillActs(ClientPrincipal principal, string? clientCertificateSha256, [NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var name = principal.Name;
        var current = Find(name);
        if (current is null || current.Role != principal.Role || current.Key.Id != principal.Key.Id)
        {
            reason = $"'{name}' is no longer a client, member node or registered issuer of this node with the key this call was made with";
            return false;
        }
        if (current.Role == ClientRole.Peer && !PeerCertificateMatches(name, clientCertificateSha256))
        {
            reason = $"peer '{name}' no longer presents the TLS certificate the network configuration lists for it";
            return false;
        }
        if (ActsForRevokedIssuer(current))
        {
            reason = RevokedIssuer(current);
            return false;
        }
        reason = null;
        return true;
    }

    /// <summary>
    /// The principal named <paramref name="name"/>: a configured client first, then a member node, then a registered
    /// issuer, so neither of the later ones can take a configured name.
    /// </summary>
    private ClientPrincipal? Find(string name) => _principals.GetValueOrDefault(name) ?? PeerFromNetwork(name) ?? RegisteredIssuer(name);

    /// <summary>Why <paramref name="principal"/>, acting for a revoked issuer, is refused (calls and counter sign-ins alike).</summary>
    internal static string RevokedIssuer(ClientPrincipal principal) => $"'{principal.Name}' acts for issuer {principal.IssuerId}, which this node's log has revoked";

    /// <summary>Checks a credential for <paramref name="method"/>; null with the reason when it is refused.</summary>
    public ClientPrincipal? Authenticate(string? header, string method, out string? error) => Authenticate(header, method, null, out error);

    /// <summary>
    /// Checks a credential for <paramref name="method"/> on a connection whose client presented the certificate with
    /// <paramref name="clientCertificateSha256"/> (null: none). A peer node must present the certificate the network
    /// configuration lists for it: node-to-node calls are mutually authenticated by TLS and by the signed credential.
    /// </summary>
    public ClientPrincipal? Authenticate(string? header, string method, string? clientCertificateSha256, out string? error)
    {
        if (string.IsNullOrEmpty(header))
        {
            error = $"no credential: send 'authorization: Huren <principal>:{_ownCity}:<unix seconds>:<signature>'";
            return null;
        }
        if (!CallCredential.TryParse(header, out var name, out var node, out var seconds, out var signature))
        {
            error = $"malformed credential: expected 'Huren <principal>:<node>:<unix seconds>:<base64 signature>', <node> being this node's city code {_ownCity}";
            return null;
        }
        // A credential must name the node it is for: otherwise a node that received one could replay it, within the
        // window, at another node where the same principal is known (an auditor configured at several cities).
        if (node is null)
        {
            error = $"credential names no node (the huren-call/v1 form, no longer accepted): sign huren-call/v2 naming this node's city code {_ownCity} (docs/protocol.md, 'Call credentials')";
            return null;
        }
        if (!string.Equals(node, _ownCity, StringComparison.Ordinal))
        {
            error = $"credential is for node {node}, not this node ({_ownCity})";
            return null;
        }
        var principal = Find(name);
        if (principal is null)
        {
            error = $"unknown principal '{name}' (not a configured client, a member node or an issuer registered in this node's log)";
            return null;
        }
        if (principal.Role == ClientRole.Peer && !PeerCertificateMatches(name, clientCertificateSha256))
        {
            error = $"peer '{name}' did not present the TLS certificate the network configuration lists for it";
            return null;
        }
        var skew = _time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253_402_300_799));
        var inWindow = skew.Duration() <= Window;
        // The signature first: a revocation or a stale clock is told only to whoever holds the principal's key.
        var cacheKey = (header, method, principal.Key.Id);
        if (!_verified.ContainsKey(cacheKey))
        {
            if (!principal.Key.Verify(CallCredential.SignedMessage(name, node, method, seconds), signature))
            {
                error = $"credential signature of '{name}' does not verify for {method}";
                return null;
            }
            if (_verified.Count >= VerifiedLimit) ForgetOldCredentials();
            if (inWindow) _verified.TryAdd(cacheKey, seconds);
        }
        // A configured client acts for its issuer (department): once the log revokes that issuer, it acts for no one,
        // as a registered issuer's own key stops at once (its reads of held data and content included).
        if (ActsForRevokedIssuer(principal))
        {
            error = RevokedIssuer(principal);
            return null;
        }
        // Checked on every call, remembered signature or not: the cache cannot stretch the window.
        if (!inWindow)
        {
            error = $"credential time is {skew.TotalSeconds:F0} s from the node's clock (window {Window.TotalSeconds:F0} s)";
            return null;
        }
        error = null;
        return principal;
    }

    private void ForgetOldCredentials()
    {
        // Keep only credentials of the last few seconds; if a burst of distinct ones fills the cache, start over.
        var recent = _time.GetUtcNow().ToUnixTimeSeconds() - 2;
        foreach (var (key, seconds) in _verified)
        {
            if (seconds < recent) _verified.TryRemove(key, out _);
        }
        if (_verified.Count >= VerifiedLimit) _verified.Clear();
    }
}
