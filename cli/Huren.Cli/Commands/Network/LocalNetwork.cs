using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Huren.Cli.Profiles;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Cli.Commands.Network;

/// <summary>A member city of the sample network.</summary>
internal sealed record SampleCity(string Code, string Name);

/// <summary>One file of a generated network, relative to its folder.</summary>
internal sealed record GeneratedFile(string RelativePath, string Content, bool IsPrivate);

/// <summary>A folder of a generated network; private ones (key folders) are made owner-only.</summary>
internal sealed record GeneratedDirectory(string RelativePath, bool IsPrivate);

/// <summary>What <c>network init</c> made for one city.</summary>
internal sealed record GeneratedCity(string Code, string Name, string Origin, int Port, string Endpoint, string Folder, string TlsCertificateSha256);

/// <summary>
/// A fresh local network held in memory (every key, the genesis, each node's settings and the CLI profile) until
/// <see cref="WriteTo"/> puts it on disk. Private keys go only into files marked <see cref="GeneratedFile.IsPrivate"/>
/// under each city's <c>keys/</c> folder; the genesis holds public keys only.
/// </summary>
internal sealed class LocalNetwork
{
    /// <summary>The 长株潭 sample network's cities.</summary>
    public static readonly IReadOnlyList<SampleCity> SampleCities =
    [
        new("430100", "长沙市 Changsha"),
        new("430200", "株洲市 Zhuzhou"),
        new("430300", "湘潭市 Xiangtan"),
    ];

    /// <summary>The sample network's name.</summary>
    public const string SampleNetworkName = "长株潭 Changsha–Zhuzhou–Xiangtan";

    /// <summary>File name of the genesis in the network folder.</summary>
    public const string GenesisFileName = "genesis.json";

    /// <summary>Name of the sample issuer in every city (市场监督管理局, market regulation).</summary>
    public const string SampleIssuer = "amr";

    /// <summary>Display name of <see cref="SampleIssuer"/>.</summary>
    public const string SampleIssuerName = "市场监督管理局";

    /// <summary>Name of the sample seal-making authority (制章机构) in every city, which registers the city's seals.</summary>
    public const string SampleSealMaker = "seals";

    /// <summary>Display name of <see cref="SampleSealMaker"/>.</summary>
    public const string SampleSealMakerName = "电子印章制作中心";

    /// <summary>Name of the second sample issuer in every city (行政审批服务局, administrative approval), a successor department.</summary>
    public const string SampleSuccessor = "approval";

    /// <summary>Display name of <see cref="SampleSuccessor"/>.</summary>
    public const string SampleSuccessorName = "行政审批服务局";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private LocalNetwork(NetworkConfig genesis, string genesisJson, CliProfile profile, List<GeneratedFile> files, List<GeneratedDirectory> directories, List<GeneratedCity> cities)
    {
        Genesis = genesis;
        GenesisJson = genesisJson;
        Profile = profile;
        Files = files;
        Directories = directories;
        Cities = cities;
    }

    /// <summary>The genesis configuration (version 1).</summary>
    public NetworkConfig Genesis { get; }

    /// <summary>The genesis file's exact text.</summary>
    public string GenesisJson { get; }

    /// <summary>The CLI profile (paths relative to the network folder).</summary>
    public CliProfile Profile { get; }

    /// <summary>Every file except the profile, relative to the network folder.</summary>
    public IReadOnlyList<GeneratedFile> Files { get; }

    /// <summary>Folders to create first, even when empty (each city's <c>data/</c>, <c>keys/</c>, <c>keys/clients/</c>).</summary>
    public IReadOnlyList<GeneratedDirectory> Directories { get; }

    /// <summary>The cities, in order.</summary>
    public IReadOnlyList<GeneratedCity> Cities { get; }

    /// <summary>Names the first invalid argument, or null.</summary>
    public static string? ValidateArguments(string networkId, int basePort, int threshold)
    {
        if (string.IsNullOrEmpty(networkId) || networkId.Length > 64 || !networkId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            return $"--network must be 1 to 64 letters, digits, '-', '_' or '.', got '{networkId}'";
        if (basePort < 1 || basePort > 65535 - (SampleCities.Count - 1))
            return $"--base-port must be between 1 and {65535 - (SampleCities.Count - 1)} (the cities use {SampleCities.Count} consecutive ports), got {basePort}";
        if (threshold < 0 || threshold > SampleCities.Count - 1)
            return $"--threshold must be between 0 and {SampleCities.Count - 1} (cosignatures from members other than the origin), got {threshold}";
        return null;
    }

    /// <summary>Generates every key and file of a fresh sample network; nothing is written.</summary>
    /// <exception cref="CliException">Invalid arguments.</exception>
    public static LocalNetwork Create(string networkId, int basePort, int threshold)
    {
        if (ValidateArguments(networkId, basePort, threshold) is { } error) throw new CliException(error);
        var files = new List<GeneratedFile>();
        var directories = new List<GeneratedDirectory>();
        var cities = new List<GeneratedCity>();
        var genesis = new NetworkConfig
        {
            NetworkId = networkId,
            Name = SampleNetworkName,
            Version = 1,
            Previous = null,
            WitnessThreshold = threshold,
            LicenseCatalogVersion = "1",
        };
        var profile = new CliProfile { NetworkId = networkId, Genesis = GenesisFileName };

        for (var i = 0; i < SampleCities.Count; i++)
        {
            var city = SampleCities[i];
            var origin = $"huren.{networkId}/{city.Code}";
            var port = basePort + i;
            // HTTPS with the node's own certificate, pinned in the genesis: node-to-node calls are mutual TLS.
            var endpoint = $"https://127.0.0.1:{port}";
            string InCity(string path) => $"{city.Code}/{path}";

            var log = SigningKey.Generate(SignatureAlgorithm.Ed25519);
            var sm2 = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
            var witness = SigningKey.Generate(SignatureAlgorithm.Ed25519);
            var root = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
            var tls = CreateTlsCertificate(networkId, city.Code);
            directories.Add(new(InCity("data"), false));
            directories.Add(new(InCity("keys"), true));
            directories.Add(new(InCity("keys/clients"), true));

            files.Add(new(InCity(NodeKeyPaths.Log), log.ToPem(), true));
            files.Add(new(InCity(NodeKeyPaths.Sm2Log), sm2.ToPem(), true));
            files.Add(new(InCity(NodeKeyPaths.Witness), witness.ToPem(), true));
            files.Add(new(InCity(NodeKeyPaths.Root), root.ToPem(), true));
            files.Add(new(InCity(NodeKeyPaths.RootPublic), root.PublicKey.ToPem(), false));
            files.Add(new(InCity(NodeKeyPaths.TlsCertificate), tls.CertificatePem, false));
            files.Add(new(InCity(NodeKeyPaths.TlsKey), tls.KeyPem, true));
            // The node data key that encrypts its content store (AES-256, key id k1; rotation: docs/decisions.md).
            files.Add(new(InCity("keys/data-k1.key"), Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) + "\n", true));

            var cityProfile = new CliCityProfile
            {
                CityCode = city.Code,
                Name = city.Name,
                Endpoint = endpoint,
                RootKey = InCity(NodeKeyPaths.Root),
            };
            var clients = new JsonObject();
            foreach (var client in SampleClients(city.Code))
            {
                var key = SigningKey.Generate(client.Algorithm);
                var privatePath = $"keys/clients/{client.Principal}.pem";
                var publicPath = $"keys/clients/{client.Principal}.pub.pem";
                files.Add(new(InCity(privatePath), key.ToPem(), true));
                files.Add(new(InCity(publicPath), key.PublicKey.ToPem(), false));
                var entry = new JsonObject { ["Role"] = client.Role };
                if (client.IssuerId is not null) entry["IssuerId"] = client.IssuerId;
                entry["PublicKey"] = publicPath;
                clients[client.Principal] = entry;
                cityProfile.Credentials.Add(new CliCredential
                {
                    Role = client.Role,
                    Principal = client.Principal,
                    IssuerId = client.IssuerId,
                    Name = client.Name,
                    PrivateKey = InCity(privatePath),
                });
            }
            profile.Cities.Add(cityProfile);

            // The sample departments deposit their keys with their node, so it can record shares and refusals for them.
            var departmentKeys = new JsonObject();
            foreach (var client in SampleClients(city.Code))
            {
                if (client.Role == CliRoles.Issuer && client.IssuerId is not null) departmentKeys[client.IssuerId] = $"keys/clients/{client.Principal}.pem";
            }
            files.Add(new(InCity("appsettings.json"), NodeSettings(networkId, city.Code, endpoint, clients, departmentKeys), false));

            genesis.Members.Add(new NetworkMember
            {
                CityCode = city.Code,
                Name = city.Name,
                Origin = origin,
                LogKey = NoteVerifierKey.ForEd25519(origin, log.PublicKey).ToString(),
                WitnessKey = NoteVerifierKey.ForCosigner(origin + "/witness", witness.PublicKey).ToString(),
                Sm2PublicKey = sm2.PublicKey.ToPem(),
                RootKey = root.PublicKey.ToPem(),
                Endpoint = endpoint,
                TlsCertificateSha256 = tls.Sha256,
            });
            cities.Add(new GeneratedCity(city.Code, city.Name, origin, port, endpoint, city.Code, tls.Sha256));
        }

        var genesisJson = genesis.ToJson();
        CheckGenesis(genesisJson, genesis);
        if (profile.Validate() is { } profileError) throw new InvalidOperationException($"generated profile is invalid: {profileError}");
        return new LocalNetwork(genesis, genesisJson, profile, files, directories, cities);
    }

    /// <summary>The paths under <paramref name="directory"/> that <see cref="WriteTo"/> creates or replaces.</summary>
    public static IEnumerable<string> OwnedPaths(string directory)
    {
        yield return Path.Combine(directory, GenesisFileName);
        yield return Path.Combine(directory, CliProfile.DefaultFileName);
        yield return Path.Combine(directory, NetworkConfigCommands.VersionsFolderName);
        foreach (var city in SampleCities) yield return Path.Combine(directory, city.Code);
    }

    /// <summary>
    /// Writes the network into <paramref name="directory"/> (created if missing): city folders first, then the genesis,
    /// the profile last. Private key files are created with mode 0600 inside 0700 <c>keys/</c> folders. Fails if a file
    /// already exists (the caller clears <see cref="OwnedPaths"/> first when it may replace them).
    /// </summary>
    public void WriteTo(string directory)
    {
        Directory.CreateDirectory(directory);
        foreach (var folder in Directories)
        {
            var path = Path.Combine(directory, folder.RelativePath);
            // keys/ and keys/clients/ hold private keys: owner only (0700).
            if (folder.IsPrivate && !OperatingSystem.IsWindows())
                Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            else
                Directory.CreateDirectory(path);
        }
        foreach (var file in Files)
        {
            var path = Path.Combine(directory, file.RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            WriteNew(path, file.Content, file.IsPrivate);
        }
        WriteNew(Path.Combine(directory, GenesisFileName), GenesisJson, false);
        var profilePath = Path.Combine(directory, CliProfile.DefaultFileName);
        WriteNew(profilePath, Profile.ToJson(), false);
        Profile.BaseDirectory = Path.GetFullPath(directory);
    }

    private static void CheckGenesis(string json, NetworkConfig generated)
    {
        TrustedNetwork parsed;
        try
        {
            // The one parser of member keys: every key in the genesis is readable before it is written.
            parsed = TrustedNetwork.Parse(json);
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"the generated genesis is invalid: {ex.Message}", ex);
        }
        if (parsed.Members.Count != generated.Members.Count) throw new InvalidOperationException("the generated genesis lost members on parsing");
        if (parsed.Members.Any(m => m.Sm2Key is null)) throw new InvalidOperationException("the generated genesis lacks an SM2 key");
        if (json.Contains("PRIVATE KEY", StringComparison.Ordinal)) throw new InvalidOperationException("the generated genesis contains a private key");
    }

    private sealed record SampleClient(string Principal, string Role, string? IssuerId, string? Name, SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519);

    /// <summary>
    /// The sample credentials of a city. Issuers sign with P-256 so that the key their city root registers can also
    /// sign their license XML exports (XML signature knows no Ed25519 or SM2 method other tools read, docs/seals.md).
    /// </summary>
    private static IEnumerable<SampleClient> SampleClients(string cityCode) =>
    [
        new("operator", CliRoles.Operator, null, null),
        new("auditor", CliRoles.Auditor, null, null),
        new("counter", CliRoles.Counter, $"{cityCode}-window", null),
        new(SampleIssuer, CliRoles.Issuer, $"{cityCode}-{SampleIssuer}", SampleIssuerName, SignatureAlgorithm.EcdsaP256Sha256),
        new(SampleSealMaker, CliRoles.Issuer, $"{cityCode}-{SampleSealMaker}", SampleSealMakerName, SignatureAlgorithm.EcdsaP256Sha256),
        // A second department, to show a reorganisation (机构改革): the approval bureau takes over another's licenses.
        new(SampleSuccessor, CliRoles.Issuer, $"{cityCode}-{SampleSuccessor}", SampleSuccessorName, SignatureAlgorithm.EcdsaP256Sha256),
    ];

    private static string NodeSettings(string networkId, string cityCode, string endpoint, JsonObject clients, JsonObject departmentKeys)
    {
        var settings = new JsonObject
        {
            ["Logging"] = new JsonObject
            {
                ["LogLevel"] = new JsonObject { ["Default"] = "Information", ["Microsoft.AspNetCore"] = "Warning", ["Grpc"] = "Warning" },
                ["Console"] = new JsonObject { ["FormatterName"] = "json" },
            },
            ["Kestrel"] = new JsonObject
            {
                ["Endpoints"] = new JsonObject
                {
                    ["Grpc"] = new JsonObject
                    {
                        ["Url"] = endpoint,
                        ["Protocols"] = "Http1AndHttp2",
                        ["Certificate"] = new JsonObject { ["Path"] = NodeKeyPaths.TlsCertificate, ["KeyPath"] = NodeKeyPaths.TlsKey },
                    },
                },
            },
            ["Huren"] = new JsonObject
            {
                ["NetworkId"] = networkId,
                ["CityCode"] = cityCode,
                ["DataPath"] = "data",
                ["NetworkConfig"] = "../" + GenesisFileName,
                ["CreateMissingKeys"] = false,
                ["Keys"] = new JsonObject
                {
                    ["LogKey"] = NodeKeyPaths.Log,
                    ["Sm2LogKey"] = NodeKeyPaths.Sm2Log,
                    ["WitnessKey"] = NodeKeyPaths.Witness,
                    ["RootPublicKey"] = NodeKeyPaths.RootPublic,
                },
                ["Clients"] = clients,
                ["Exchange"] = new JsonObject { ["DepartmentKeys"] = departmentKeys },
            },
        };
        return settings.ToJsonString(Json) + "\n";
    }

    private sealed record TlsMaterial(string CertificatePem, string KeyPem, string Sha256);

    /// <summary>A self-signed P-256 certificate for the node's loopback endpoint (127.0.0.1, localhost).</summary>
    private static TlsMaterial CreateTlsCertificate(string networkId, string cityCode)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN=node-{cityCode}.huren.{networkId}, O=Huren"), key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication"), new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(5));
        return new TlsMaterial(
            certificate.ExportCertificatePem() + "\n",
            key.ExportPkcs8PrivateKeyPem() + "\n",
            Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)));
    }

    private static void WriteNew(string path, string content, bool isPrivate)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        // Created with mode 0600 from the start: a private key is never readable by others, not even briefly.
        if (isPrivate && !OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        var bytes = new UTF8Encoding(false).GetBytes(content);
        stream.Write(bytes);
    }
}

/// <summary>Key file paths inside a city folder (the node's <c>Huren:Keys</c> defaults).</summary>
internal static class NodeKeyPaths
{
    public const string Log = "keys/log-ed25519.pem";
    public const string Sm2Log = "keys/log-sm2.pem";
    public const string Witness = "keys/witness-ed25519.pem";
    public const string Root = "keys/root.pem";
    public const string RootPublic = "keys/root.pub.pem";
    public const string TlsCertificate = "keys/tls.crt.pem";
    public const string TlsKey = "keys/tls.key.pem";
}
