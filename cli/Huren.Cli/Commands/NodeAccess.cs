using System.CommandLine;
using Grpc.Core;
using Huren.Cli.Profiles;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Evidence;
using Huren.Sdk.Network;

namespace Huren.Cli.Commands;

/// <summary>
/// The options of every command that calls a node: which profile, which city's node, acting as whom; and
/// <c>--json</c>. One instance per command (System.CommandLine options belong to one command).
/// </summary>
internal sealed class NodeAccessOptions
{
    private readonly string _defaultAs;

    public NodeAccessOptions(string defaultAs)
    {
        _defaultAs = defaultAs;
        Profile = new Option<string?>("--profile") { Description = $"The CLI profile (cli.json written by 'huren network init'). Default: ${CliProfile.EnvironmentVariable}, else ./{CliProfile.DefaultFileName}." };
        City = new Option<string?>("--city") { Description = "Which city's node to call, by 6-digit code (e.g. 430200). Default: the profile's first city." };
        As = new Option<string?>("--as") { Description = $"Act as: operator, auditor, counter, issuer, a principal name or an issuer id from the profile. Default: {defaultAs}." };
        Json = new Option<bool>("--json") { Description = "Print the result as JSON (for scripts)." };
    }

    public Option<string?> Profile { get; }

    public Option<string?> City { get; }

    public Option<string?> As { get; }

    public Option<bool> Json { get; }

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(Profile);
        command.Options.Add(City);
        command.Options.Add(As);
        command.Options.Add(Json);
    }

    /// <summary>Loads the profile and connects to the chosen city's node as the chosen credential.</summary>
    /// <exception cref="CliException">The profile, city, credential or key is missing or invalid.</exception>
    public NodeSession Open(ParseResult parse, string? cityOverride = null, string? asOverride = null)
    {
        var profile = CliProfile.Load(CliProfile.Locate(parse.GetValue(Profile)));
        var network = profile.LoadGenesis();
        var cityCode = cityOverride ?? parse.GetValue(City);
        var city = cityCode is null ? profile.Cities[0] : profile.City(cityCode);
        var credential = city.Credential(asOverride ?? parse.GetValue(As) ?? _defaultAs);
        return new NodeSession(profile, network, city, credential, parse.GetValue(Json));
    }
}

/// <summary>
/// A connection to one city's node as one credential of a profile, with the network configuration to pin TLS
/// certificates and name logs.
/// </summary>
internal sealed class NodeSession : IDisposable
{
    /// <summary>Deadline of each call: generous, since a loaded 2-core machine may take seconds to answer.</summary>
    private static readonly TimeSpan CallDeadline = TimeSpan.FromSeconds(30);

    /// <summary>How long a connection to a node (TCP and TLS handshake) may take: a node that is up answers in milliseconds.</summary>
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly List<HurenClient> _clients = [];

    public NodeSession(CliProfile profile, TrustedNetwork network, CliCityProfile city, CliCredential credential, bool json)
    {
        Profile = profile;
        Network = network;
        City = city;
        Credential = credential;
        AsJson = json;
        Key = profile.LoadSigningKey(credential.PrivateKey);
        Client = Connect(city, credential.Principal, Key);
    }

    public CliProfile Profile { get; }

    public TrustedNetwork Network { get; private set; }

    public CliCityProfile City { get; }

    public CliCredential Credential { get; }

    /// <summary>The credential's private key: signs calls and, for issuers and counters, their entries.</summary>
    public SigningKey Key { get; }

    public bool AsJson { get; }

    /// <summary>The client of the chosen city's node.</summary>
    public HurenClient Client { get; }

    /// <summary>Checks evidence against the profile's network configuration.</summary>
    public EvidenceVerifier Verifier => _verifier ??= new EvidenceVerifier(Network);

    private EvidenceVerifier? _verifier;

    /// <summary>Checks sealed documents and seal evidence against the profile's network configuration.</summary>
    public SealEvidenceVerifier SealVerifier => _sealVerifier ??= new SealEvidenceVerifier(Verifier);

    private SealEvidenceVerifier? _sealVerifier;

    /// <summary>
    /// The node's verdict on <paramref name="question"/>, believed only as far as its evidence goes (the SDK's rule);
    /// the node holds the answer up to <paramref name="waitForFinality"/> for it to become final.
    /// </summary>
    public async Task<VerifiedLicense> VerifyAsync(LicenseQuestion question, TimeSpan waitForFinality, DateOnly? day, CancellationToken cancellationToken)
    {
        // Evidence may be signed with keys of a newer configuration version (a rotation): follow the node's chain first.
        await FollowChainAsync(cancellationToken).ConfigureAwait(false);
        return await Client.VerifyLicenseAsync(question, Verifier, new LicenseVerifyOptions { Day = day, WaitForFinality = waitForFinality }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Moves to the newest configuration version the node holds, each version checked against the one before and kept
    /// beside the profile's genesis ('huren network pull'); returns the versions pulled.
    /// </summary>
    public async Task<IReadOnlyList<int>> FollowChainAsync(CancellationToken cancellationToken)
    {
        var (newest, pulled) = await Commands.Network.NetworkConfigCommands.FollowAsync(this, cancellationToken).ConfigureAwait(false);
        if (pulled.Count > 0)
        {
            Network = newest;
            _verifier = null;
            _sealVerifier = null;
        }
        return pulled;
    }

    /// <summary>The log origin of the chosen city (e.g. <c>huren.cz-t/430100</c>).</summary>
    public string Origin => OriginOf(City.CityCode);

    /// <summary>The log origin of <paramref name="cityOrOrigin"/>: a member's 6-digit city code, or an origin as is.</summary>
    /// <exception cref="CliException">Neither a member's city code nor a member's origin.</exception>
    public string OriginOf(string cityOrOrigin)
    {
        if (Network.ByCity(cityOrOrigin) is { } byCity) return byCity.Origin;
        if (Network.ByOrigin(cityOrOrigin) is { } byOrigin) return byOrigin.Origin;
        throw new CliException($"'{cityOrOrigin}' is neither a city code nor a log origin of network {Network.NetworkId} (members: {string.Join(", ", Network.Members.Select(m => $"{m.CityCode} {m.Origin}"))})");
    }

    /// <summary>A client of another city's node, with a credential of that city (by role, principal or issuer id).</summary>
    public HurenClient ClientOf(CliCityProfile city, CliCredential credential)
        => Connect(city, credential.Principal, Profile.LoadSigningKey(credential.PrivateKey));

    /// <summary>Call options with the default deadline.</summary>
    public CallOptions Options(CancellationToken cancellationToken = default) => Client.Options(cancellationToken);

    /// <summary>Describes the node for messages: <c>430100 长沙市 (https://127.0.0.1:7101)</c>.</summary>
    public string Describe(CliCityProfile? city = null)
    {
        city ??= City;
        return $"{city.CityCode} {city.Name} ({city.Endpoint})";
    }

    private HurenClient Connect(CliCityProfile city, string principal, SigningKey key)
    {
        var endpoint = city.EndpointUri;
        HttpMessageHandler? handler = null;
        TimeSpan? connectTimeout = null;
        if (endpoint.Scheme == Uri.UriSchemeHttps)
        {
            // The node must present the certificate the network configuration pins for that city.
            var pin = Network.ByCity(city.CityCode)?.TlsCertificateSha256;
            if (string.IsNullOrWhiteSpace(pin)) throw new CliException($"the network configuration pins no TLS certificate for city {city.CityCode}, so its HTTPS node cannot be trusted");
            var sockets = PinnedTls.CreateHandler([pin]);
            sockets.ConnectTimeout = ConnectTimeout;
            handler = sockets;
            connectTimeout = ConnectTimeout;
        }
        var client = new HurenClient(endpoint, new ClientIdentity(principal, key, city.CityCode), CallDeadline, handler, new NodeTimeouts(endpoint, connectTimeout));
        _clients.Add(client);
        return client;
    }

    public void Dispose()
    {
        foreach (var client in _clients) client.Dispose();
    }
}
