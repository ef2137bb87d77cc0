using System.Text.Json;
using System.Text.Json.Serialization;

namespace Huren.Sdk.Network;

/// <summary>
/// A version of the network configuration (<c>huren-network/v1</c>, ../shared/spec/network-config.md): members, their
/// public keys and endpoints, the witness threshold. Version 1 is the genesis; each later version chains to the
/// previous one and is signed by a majority of its members' root keys (see <see cref="NetworkConfigChain"/>).
/// </summary>
public sealed class NetworkConfig
{
    /// <summary>The format this version reads and writes.</summary>
    public const string FormatV1 = "huren-network/v1";

    /// <summary>The largest witness threshold: a checkpoint note holds at most 32 signature lines, and two are its origin's (Ed25519 and SM2).</summary>
    public const int MaxWitnessThreshold = Notes.SignedNote.MaxSignatures - 2;

    /// <summary>Always <see cref="FormatV1"/>.</summary>
    [JsonPropertyName("format")] public string Format { get; set; } = FormatV1;

    /// <summary>The network id, e.g. <c>cz-t</c>.</summary>
    [JsonPropertyName("networkId")] public string NetworkId { get; set; } = "";

    /// <summary>Human-readable name.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";

    /// <summary>1 for the genesis, then +1 per version.</summary>
    [JsonPropertyName("version")] public int Version { get; set; } = 1;

    /// <summary>Hex SHA-256 of the previous version's exact file bytes; null for the genesis.</summary>
    [JsonPropertyName("previous")] public string? Previous { get; set; }

    /// <summary>Cosignatures from members other than the origin that make a checkpoint final.</summary>
    [JsonPropertyName("witnessThreshold")] public int WitnessThreshold { get; set; } = 1;

    /// <summary>Version of the license-type catalog the network uses.</summary>
    [JsonPropertyName("licenseCatalogVersion")] public string LicenseCatalogVersion { get; set; } = "1";

    /// <summary>The member cities.</summary>
    [JsonPropertyName("members")] public List<NetworkMember> Members { get; set; } = [];

    /// <summary>Signatures of the previous version's members' root keys over the canonical form.</summary>
    [JsonPropertyName("signatures")] public List<NetworkSignature> Signatures { get; set; } = [];

    /// <summary>The member whose log is <paramref name="origin"/>, if any.</summary>
    public NetworkMember? MemberByOrigin(string origin)
    {
        foreach (var m in Members)
        {
            if (string.Equals(m.Origin, origin, StringComparison.Ordinal)) return m;
        }
        return null;
    }

    /// <summary>The member with city code <paramref name="cityCode"/>, if any.</summary>
    public NetworkMember? MemberByCity(string cityCode)
    {
        foreach (var m in Members)
        {
            if (string.Equals(m.CityCode, cityCode, StringComparison.Ordinal)) return m;
        }
        return null;
    }

    internal static readonly JsonSerializerOptions Json = new()
    {
        // A null where the model has none ("cityCode": null) is a malformed document, not a null to trip over later.
        RespectNullableAnnotations = true,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The document as indented UTF-8 JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    /// <summary>Parses and checks the document's shape; the message names what is wrong.</summary>
    /// <exception cref="FormatException">Not a valid configuration.</exception>
    public static NetworkConfig Parse(string json)
    {
        NetworkConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<NetworkConfig>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new FormatException(Files.JsonProblem.Describe("network configuration", json, ex, Json), ex);
        }
        if (config is null) throw new FormatException("network configuration is empty");
        if (config.Format != FormatV1) throw new FormatException($"format '{config.Format}' is not {FormatV1}");
        if (string.IsNullOrWhiteSpace(config.NetworkId)) throw new FormatException("networkId is required");
        if (config.Version < 1) throw new FormatException($"version must be at least 1, got {config.Version}");
        if (config.Version == 1 && config.Previous is not null) throw new FormatException("the genesis (version 1) has no previous");
        if (config.Version > 1 && config.Previous is not { Length: 64 }) throw new FormatException($"version {config.Version} must name previous (hex SHA-256 of version {config.Version - 1})");
        if (config.Members.Count == 0) throw new FormatException("members is empty");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var position = 0; position < config.Members.Count; position++)
        {
            var m = config.Members[position] ?? throw new FormatException($"members[{position}] is null");
            if (m.CityCode.Length != 6 || !m.CityCode.All(char.IsAsciiDigit)) throw new FormatException($"members: cityCode '{m.CityCode}' is not a 6-digit code");
            if (!seen.Add(m.CityCode)) throw new FormatException($"members: city {m.CityCode} appears twice");
            var origin = $"huren.{config.NetworkId}/{m.CityCode}";
            if (m.Origin != origin) throw new FormatException($"members[{m.CityCode}].origin must be '{origin}', got '{m.Origin}'");
            if (string.IsNullOrEmpty(m.LogKey)) throw new FormatException($"members[{m.CityCode}].logKey is required");
            if (string.IsNullOrEmpty(m.WitnessKey)) throw new FormatException($"members[{m.CityCode}].witnessKey is required");
            if (string.IsNullOrEmpty(m.RootKey)) throw new FormatException($"members[{m.CityCode}].rootKey is required");
            if (m.RetiredKeys is null) throw new FormatException($"members[{m.CityCode}].retiredKeys is null");
            for (var i = 0; i < m.RetiredKeys.Count; i++)
            {
                var r = m.RetiredKeys[i];
                var at = $"members[{m.CityCode}].retiredKeys[{i}]";
                if (r is null) throw new FormatException($"{at} is null");
                if (!RetiredKey.Kinds.Contains(r.Kind)) throw new FormatException($"{at}.kind '{r.Kind}' is not one of {string.Join(", ", RetiredKey.Kinds)}");
                if (string.IsNullOrWhiteSpace(r.Key)) throw new FormatException($"{at}.key is required");
                try
                {
                    r.End();
                }
                catch (FormatException ex)
                {
                    throw new FormatException($"{at}: {ex.Message}", ex);
                }
                if (r.NotAfter is null && r.RetiredAtSize == 0 && !r.Revoked) throw new FormatException($"{at} has no end: give notAfter, retiredAtSize or revoked");
            }
        }
        if (config.WitnessThreshold < 0 || config.WitnessThreshold > config.Members.Count - 1)
            throw new FormatException($"witnessThreshold {config.WitnessThreshold} must be between 0 and {config.Members.Count - 1} (members other than the origin)");
        if (config.WitnessThreshold > MaxWitnessThreshold)
            throw new FormatException($"witnessThreshold {config.WitnessThreshold} is above {MaxWitnessThreshold}: a checkpoint holds at most {Notes.SignedNote.MaxSignatures} signature lines, {Notes.SignedNote.MaxSignatures - MaxWitnessThreshold} of them the origin's own");
        for (var i = 0; i < config.Signatures.Count; i++)
        {
            if (config.Signatures[i] is null) throw new FormatException($"signatures[{i}] is null");
        }
        return config;
    }
}

/// <summary>A member city.</summary>
public sealed class NetworkMember
{
    /// <summary>6-digit 行政区划代码.</summary>
    [JsonPropertyName("cityCode")] public string CityCode { get; set; } = "";

    /// <summary>Name.</summary>
    [JsonPropertyName("name")] public string Name { get; set; } = "";

    /// <summary><c>huren.&lt;network&gt;/&lt;city&gt;</c>.</summary>
    [JsonPropertyName("origin")] public string Origin { get; set; } = "";

    /// <summary>C2SP verifier key (Ed25519, type 0x01) of the log's checkpoints.</summary>
    [JsonPropertyName("logKey")] public string LogKey { get; set; } = "";

    /// <summary>C2SP verifier key (type 0x04, cosignature/v1) of the city's witness.</summary>
    [JsonPropertyName("witnessKey")] public string WitnessKey { get; set; } = "";

    /// <summary>PEM SubjectPublicKeyInfo of the SM2 checkpoint key.</summary>
    [JsonPropertyName("sm2PublicKey")] public string Sm2PublicKey { get; set; } = "";

    /// <summary>PEM SubjectPublicKeyInfo of the city root key (registers issuers, signs configuration updates).</summary>
    [JsonPropertyName("rootKey")] public string RootKey { get; set; } = "";

    /// <summary>The node's gRPC endpoint.</summary>
    [JsonPropertyName("endpoint")] public string Endpoint { get; set; } = "";

    /// <summary>Hex SHA-256 of the node's TLS certificate (DER).</summary>
    [JsonPropertyName("tlsCertificateSha256")] public string TlsCertificateSha256 { get; set; } = "";

    /// <summary>Keys this member used before a rotation, kept so older evidence still verifies.</summary>
    [JsonPropertyName("retiredKeys")] public List<RetiredKey> RetiredKeys { get; set; } = [];
}

/// <summary>
/// A key a member no longer signs with (a rotation), kept so that what it signed before its end still verifies. At
/// least one of <see cref="NotAfter"/>, <see cref="RetiredAtSize"/> or <see cref="Revoked"/> ends it.
/// </summary>
public sealed class RetiredKey
{
    /// <summary>The kinds of key a member can retire.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["log", "witness", "sm2", "root", "tls"];

    /// <summary>log, witness, sm2, root or tls.</summary>
    [JsonPropertyName("kind")] public string Kind { get; set; } = "";

    /// <summary>The key, in the same form as the member field it replaced.</summary>
    [JsonPropertyName("key")] public string Key { get; set; } = "";

    /// <summary>The origin size from which it no longer signs; 0 when the end is a time only.</summary>
    [JsonPropertyName("retiredAtSize")] public ulong RetiredAtSize { get; set; }

    /// <summary>
    /// The end: the last moment (RFC 3339 with offset, e.g. <c>2026-12-02T15:00:00Z</c>) at which it may sign. A
    /// checkpoint signed with it counts when a cosignature dates it at or before this; a cosignature made with it when
    /// its own timestamp is at or before this. Null when not given.
    /// </summary>
    [JsonPropertyName("notAfter")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? NotAfter { get; set; }

    /// <summary>The key that replaces it (the member's key of the same kind in this or a later version), when named.</summary>
    [JsonPropertyName("successor")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Successor { get; set; }

    /// <summary>Whether the key is compromised: nothing it signed counts, whenever.</summary>
    [JsonPropertyName("revoked")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Revoked { get; set; }

    /// <summary>The parsed <see cref="NotAfter"/>, or null when not given.</summary>
    /// <exception cref="FormatException">It is not an RFC 3339 time with an offset.</exception>
    public DateTimeOffset? End()
    {
        if (NotAfter is null) return null;
        if (!NotAfter.Contains('T', StringComparison.Ordinal) || !(NotAfter.EndsWith('Z') || NotAfter.LastIndexOfAny(['+', '-']) > NotAfter.IndexOf('T', StringComparison.Ordinal))
            || !DateTimeOffset.TryParse(NotAfter, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var end))
            throw new FormatException($"notAfter '{NotAfter}' is not an RFC 3339 time with an offset (e.g. 2026-12-02T15:00:00Z)");
        return end;
    }
}

/// <summary>One member's signature over a configuration version.</summary>
public sealed class NetworkSignature
{
    /// <summary>The signing member (of the previous version).</summary>
    [JsonPropertyName("cityCode")] public string CityCode { get; set; } = "";

    /// <summary>Base64 signature by that member's root key over <see cref="NetworkConfigChain.CanonicalBytes"/>.</summary>
    [JsonPropertyName("signature")] public string Signature { get; set; } = "";
}
