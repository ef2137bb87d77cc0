using System.Text.Json;
using System.Text.Json.Serialization;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;

namespace Huren.Cli.Profiles;

/// <summary>
/// A CLI profile (<c>huren-cli-profile/v1</c>, usually <c>cli.json</c>): which network the CLI talks to, where its
/// configuration is, and per city the node endpoint and the local credentials (principal name + private key file) the
/// CLI signs calls and entries with. Written by <c>huren network init</c>, read by the commands that call nodes.
/// Every path in the file is relative to the folder that holds the profile (absolute paths are kept as they are), so
/// the folder can be moved as a whole. The file names private key files; it never contains a key.
/// </summary>
/// <remarks>
/// <code>
/// {
///   "format": "huren-cli-profile/v1",
///   "networkId": "cz-t",
///   "genesis": "genesis.json",
///   "cities": [
///     {
///       "cityCode": "430100",
///       "name": "长沙市 Changsha",
///       "endpoint": "http://127.0.0.1:7101",
///       "rootKey": "430100/keys/root.pem",
///       "credentials": [
///         { "role": "operator", "principal": "operator", "privateKey": "430100/keys/clients/operator.pem" },
///         { "role": "counter", "principal": "counter", "issuerId": "430100-window", "privateKey": "…" },
///         { "role": "issuer", "principal": "amr", "issuerId": "430100-amr", "name": "市场监督管理局", "privateKey": "…" }
///       ]
///     }
///   ]
/// }
/// </code>
/// </remarks>
public sealed class CliProfile
{
    /// <summary>The format this version reads and writes.</summary>
    public const string FormatV1 = "huren-cli-profile/v1";

    /// <summary>The profile's usual file name.</summary>
    public const string DefaultFileName = "cli.json";

    /// <summary>Environment variable naming the profile when no path is given.</summary>
    public const string EnvironmentVariable = "HUREN_PROFILE";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Always <see cref="FormatV1"/>.</summary>
    [JsonPropertyName("format")] public string Format { get; set; } = FormatV1;

    /// <summary>The network id, e.g. <c>cz-t</c>.</summary>
    [JsonPropertyName("networkId")] public string NetworkId { get; set; } = "";

    /// <summary>Path of the network's genesis configuration (version 1).</summary>
    [JsonPropertyName("genesis")] public string Genesis { get; set; } = "";

    /// <summary>The member cities the CLI knows, with their local credentials.</summary>
    [JsonPropertyName("cities")] public List<CliCityProfile> Cities { get; set; } = [];

    /// <summary>The folder relative paths are resolved from (the profile file's folder once loaded or saved).</summary>
    [JsonIgnore] public string BaseDirectory { get; set; } = Directory.GetCurrentDirectory();

    /// <summary>
    /// The profile path to use: <paramref name="explicitPath"/> if given, else <c>$HUREN_PROFILE</c>, else
    /// <c>cli.json</c> in the current folder.
    /// </summary>
    public static string Locate(string? explicitPath)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath)) return Path.GetFullPath(explicitPath);
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return Path.GetFullPath(string.IsNullOrWhiteSpace(fromEnvironment) ? DefaultFileName : fromEnvironment);
    }

    /// <summary>Reads and checks a profile; relative paths in it are then resolved from its folder.</summary>
    /// <exception cref="CliException">Missing, unreadable or invalid; the message names the file and the problem.</exception>
    public static CliProfile Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new CliException($"profile '{full}' does not exist (create one with 'huren network init')");
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"profile '{full}' cannot be read: {ex.Message}", ex);
        }
        CliProfile profile;
        try
        {
            profile = Parse(text);
        }
        catch (FormatException ex)
        {
            throw new CliException($"profile '{full}': {ex.Message}", ex);
        }
        profile.BaseDirectory = Path.GetDirectoryName(full)!;
        return profile;
    }

    /// <summary>Parses and checks profile JSON (paths stay relative to <see cref="BaseDirectory"/>).</summary>
    /// <exception cref="FormatException">Not a valid profile; the message says why.</exception>
    public static CliProfile Parse(string json)
    {
        CliProfile? profile;
        try
        {
            profile = JsonSerializer.Deserialize<CliProfile>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new FormatException(Sdk.Files.JsonProblem.Describe("the profile", json, ex, Json), ex);
        }
        if (profile is null) throw new FormatException("the profile is empty");
        if (profile.Validate() is { } error) throw new FormatException(error);
        return profile;
    }

    /// <summary>Names the first problem, or null.</summary>
    public string? Validate()
    {
        if (Format != FormatV1) return $"format '{Format}' is not {FormatV1}";
        if (string.IsNullOrWhiteSpace(NetworkId)) return "networkId is required";
        if (string.IsNullOrWhiteSpace(Genesis)) return "genesis is required";
        if (Cities is null || Cities.Count == 0) return "cities is empty";
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var city in Cities)
        {
            if (city is null) return "cities: an entry is null";
            if (city.CityCode is not { Length: 6 } || !city.CityCode.All(char.IsAsciiDigit)) return $"cities: cityCode '{city.CityCode}' is not a 6-digit code";
            if (!seen.Add(city.CityCode)) return $"cities: city {city.CityCode} appears twice";
            if (!Uri.TryCreate(city.Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                return $"cities[{city.CityCode}].endpoint '{city.Endpoint}' is not an http(s) URL";
            var principals = new HashSet<string>(StringComparer.Ordinal);
            foreach (var credential in city.Credentials ?? [])
            {
                if (credential is null) return $"cities[{city.CityCode}].credentials: an entry is null";
                if (string.IsNullOrWhiteSpace(credential.Principal) || credential.Principal.Contains(':'))
                    return $"cities[{city.CityCode}].credentials: principal '{credential.Principal}' must be a non-empty name without ':'";
                if (!principals.Add(credential.Principal)) return $"cities[{city.CityCode}].credentials: principal '{credential.Principal}' appears twice";
                if (credential.Role is not (CliRoles.Operator or CliRoles.Auditor or CliRoles.Counter or CliRoles.Issuer))
                    return $"cities[{city.CityCode}].credentials[{credential.Principal}].role must be operator, auditor, counter or issuer, got '{credential.Role}'";
                if (credential.Role is CliRoles.Counter or CliRoles.Issuer && string.IsNullOrWhiteSpace(credential.IssuerId))
                    return $"cities[{city.CityCode}].credentials[{credential.Principal}].issuerId is required for role {credential.Role}";
                if (string.IsNullOrWhiteSpace(credential.PrivateKey)) return $"cities[{city.CityCode}].credentials[{credential.Principal}].privateKey is required";
            }
        }
        return null;
    }

    /// <summary>The profile as indented UTF-8 JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    /// <summary>Writes the profile to <paramref name="path"/>; its folder becomes <see cref="BaseDirectory"/>.</summary>
    /// <exception cref="InvalidOperationException">The profile is not valid.</exception>
    public void Save(string path)
    {
        if (Validate() is { } error) throw new InvalidOperationException($"refusing to save an invalid profile: {error}");
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        File.WriteAllText(full, ToJson());
        BaseDirectory = Path.GetDirectoryName(full)!;
    }

    /// <summary>A path from the profile, made absolute against <see cref="BaseDirectory"/>.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(path, BaseDirectory);

    /// <summary>The city with code <paramref name="cityCode"/>, if the profile has it.</summary>
    public CliCityProfile? FindCity(string cityCode)
        => Cities.FirstOrDefault(c => string.Equals(c.CityCode, cityCode, StringComparison.Ordinal));

    /// <summary>The city with code <paramref name="cityCode"/>.</summary>
    /// <exception cref="CliException">Not in the profile.</exception>
    public CliCityProfile City(string cityCode)
        => FindCity(cityCode) ?? throw new CliException($"city '{cityCode}' is not in the profile (known: {string.Join(", ", Cities.Select(c => c.CityCode))})");

    /// <summary>The city and credential acting for issuer <paramref name="issuerId"/>, in any city.</summary>
    /// <exception cref="CliException">No credential in the profile acts for it.</exception>
    public (CliCityProfile City, CliCredential Credential) IssuerCredential(string issuerId)
    {
        foreach (var city in Cities)
        {
            if (city.FindByIssuerId(issuerId) is { } credential) return (city, credential);
        }
        throw new CliException($"no credential in the profile acts for issuer '{issuerId}'");
    }

    /// <summary>
    /// Reads the genesis configuration the profile names, and moves to the newest version pulled beside it
    /// (<c>network-versions/v&lt;N&gt;.json</c>, 'huren network pull'), each checked against the one before.
    /// </summary>
    /// <exception cref="CliException">Missing, unreadable or invalid, or a pulled version that does not chain.</exception>
    public TrustedNetwork LoadGenesis()
    {
        if (string.IsNullOrWhiteSpace(Genesis)) throw new CliException("the profile names no genesis");
        var path = ResolvePath(Genesis);
        try
        {
            return NetworkConfigChain.FollowStored(TrustedNetwork.Parse(File.ReadAllBytes(path)), Commands.Network.NetworkConfigCommands.VersionsFolder(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new CliException($"network configuration '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>Reads a private key file named in the profile (PKCS#8 PEM).</summary>
    /// <exception cref="CliException">Missing, unreadable or not a supported key.</exception>
    public SigningKey LoadSigningKey(string path)
    {
        var full = ResolvePath(path);
        try
        {
            return SigningKey.FromPem(File.ReadAllText(full));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            throw new CliException($"private key '{full}': {ex.Message}", ex);
        }
    }
}

/// <summary>The roles a credential can have (the node's <c>Huren:Clients:&lt;name&gt;:Role</c>).</summary>
public static class CliRoles
{
    /// <summary>Runs the node; submits root-signed issuer registrations.</summary>
    public const string Operator = "operator";

    /// <summary>Reads and traces everything.</summary>
    public const string Auditor = "auditor";

    /// <summary>A service window (窗口) acting for an issuer id.</summary>
    public const string Counter = "counter";

    /// <summary>An issuing department acting for its issuer id.</summary>
    public const string Issuer = "issuer";
}

/// <summary>One city in a profile.</summary>
public sealed class CliCityProfile
{
    /// <summary>6-digit 行政区划代码.</summary>
    [JsonPropertyName("cityCode")] public string CityCode { get; set; } = "";

    /// <summary>Name.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";

    /// <summary>The node's gRPC endpoint.</summary>
    [JsonPropertyName("endpoint")] public string Endpoint { get; set; } = "";

    /// <summary>Path of the city root's private key (SM2), which signs issuer registrations; null when not held here.</summary>
    [JsonPropertyName("rootKey")] public string? RootKey { get; set; }

    /// <summary>The local credentials for this city's node.</summary>
    [JsonPropertyName("credentials")] public List<CliCredential> Credentials { get; set; } = [];

    /// <summary>The node endpoint as a URI.</summary>
    [JsonIgnore] public Uri EndpointUri => new(Endpoint);

    /// <summary>The first credential of <paramref name="role"/>, if any.</summary>
    public CliCredential? FindByRole(string role)
        => Credentials.FirstOrDefault(c => string.Equals(c.Role, role, StringComparison.OrdinalIgnoreCase));

    /// <summary>The credential acting for <paramref name="issuerId"/>, preferring an issuer over a counter.</summary>
    public CliCredential? FindByIssuerId(string issuerId)
        => Credentials.Where(c => string.Equals(c.IssuerId, issuerId, StringComparison.Ordinal))
            .OrderBy(c => c.Role == CliRoles.Issuer ? 0 : 1)
            .FirstOrDefault();

    /// <summary>The credential with principal name <paramref name="principal"/>, if any.</summary>
    public CliCredential? FindByPrincipal(string principal)
        => Credentials.FirstOrDefault(c => string.Equals(c.Principal, principal, StringComparison.Ordinal));

    /// <summary>
    /// The credential named by <paramref name="roleOrIssuerId"/>: a principal name, then a role, then an issuer id.
    /// </summary>
    /// <exception cref="CliException">None matches.</exception>
    public CliCredential Credential(string roleOrIssuerId)
        => FindByPrincipal(roleOrIssuerId) ?? FindByRole(roleOrIssuerId) ?? FindByIssuerId(roleOrIssuerId)
            ?? throw new CliException($"city {CityCode} has no credential for '{roleOrIssuerId}' (known: {string.Join(", ", Credentials.Select(c => c.Principal))})");
}

/// <summary>A local credential: the principal name a node knows, its role, and the private key file.</summary>
public sealed class CliCredential
{
    /// <summary>operator, auditor, counter or issuer (<see cref="CliRoles"/>).</summary>
    [JsonPropertyName("role")] public string Role { get; set; } = "";

    /// <summary>The principal name (the node's <c>Huren:Clients</c> key) calls are signed as.</summary>
    [JsonPropertyName("principal")] public string Principal { get; set; } = "";

    /// <summary>For counters and issuers: the issuer id it acts for.</summary>
    [JsonPropertyName("issuerId")] public string? IssuerId { get; set; }

    /// <summary>Display name, e.g. the department (市场监督管理局).</summary>
    [JsonPropertyName("name")] public string? Name { get; set; }

    /// <summary>Path of the private key (PKCS#8 PEM).</summary>
    [JsonPropertyName("privateKey")] public string PrivateKey { get; set; } = "";
}
