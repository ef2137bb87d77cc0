using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Huren.Cli.Profiles;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using PublicKey = Huren.Sdk.Crypto.PublicKey;

namespace Huren.Cli.Tests.Network;

public sealed class NetworkInitTests : IDisposable
{
    private static readonly string[] Cities = ["430100", "430200", "430300"];
    private static readonly string[] CityNames = ["长沙市 Changsha", "株洲市 Zhuzhou", "湘潭市 Xiangtan"];

    private readonly string _root = Path.Combine(Path.GetTempPath(), "huren-net-" + Guid.NewGuid().ToString("N"));

    private string Dir => Path.Combine(_root, "net");

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    private async Task<NetworkConfig> InitAsync(params string[] extra)
    {
        var (code, _, error) = await CliRunner.RunAsync(["network", "init", "--dir", Dir, .. extra]);
        Assert.True(code == 0, error);
        return NetworkConfig.Parse(await File.ReadAllTextAsync(Path.Combine(Dir, "genesis.json")));
    }

    private string CityFile(string city, string relative) => Path.Combine(Dir, city, relative);

    private SigningKey PrivateKey(string city, string relative) => SigningKey.FromPem(File.ReadAllText(CityFile(city, relative)));

    [Fact]
    public async Task Genesis_lists_the_three_cities_with_the_keys_written_in_their_folders()
    {
        var genesis = await InitAsync();

        Assert.Equal("cz-t", genesis.NetworkId);
        Assert.Equal(1, genesis.Version);
        Assert.Null(genesis.Previous);
        Assert.Equal(1, genesis.WitnessThreshold);
        Assert.Equal("1", genesis.LicenseCatalogVersion);
        Assert.Empty(genesis.Signatures);
        Assert.Equal(Cities, genesis.Members.Select(m => m.CityCode));
        Assert.Equal(CityNames, genesis.Members.Select(m => m.Name));
        var message = Encoding.UTF8.GetBytes("huren network init test\n");
        for (var i = 0; i < Cities.Length; i++)
        {
            var city = Cities[i];
            var member = genesis.MemberByCity(city)!;
            var origin = $"huren.cz-t/{city}";
            Assert.Equal(origin, member.Origin);
            Assert.Equal($"https://127.0.0.1:{7101 + i}", member.Endpoint);

            // logKey: a type 0x01 vkey named by the origin, of the key in keys/log-ed25519.pem.
            var logKey = NoteVerifierKey.Parse(member.LogKey);
            Assert.Equal(NoteSignatureType.Ed25519, logKey.Type);
            Assert.Equal(origin, logKey.Name);
            var logSigner = NoteSignerKey.ForEd25519(origin, PrivateKey(city, "keys/log-ed25519.pem"));
            var note = logSigner.Sign(message);
            Assert.True(note.IsFrom(logKey));
            Assert.True(logKey.VerifySignature(message, note.Signature, out _));

            // witnessKey: a type 0x04 vkey named <origin>/witness, of the key in keys/witness-ed25519.pem.
            var witnessKey = NoteVerifierKey.Parse(member.WitnessKey);
            Assert.Equal(NoteSignatureType.CosignatureV1, witnessKey.Type);
            Assert.Equal(origin + "/witness", witnessKey.Name);
            var cosigner = NoteSignerKey.ForCosigner(origin + "/witness", PrivateKey(city, "keys/witness-ed25519.pem"));
            var body = Encoding.UTF8.GetBytes($"{origin}\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n");
            var cosignature = cosigner.Cosign(body, 1_700_000_000);
            Assert.True(cosignature.IsFrom(witnessKey));
            Assert.True(witnessKey.VerifySignature(body, cosignature.Signature, out var time));
            Assert.Equal(1_700_000_000UL, time);
            Assert.NotEqual(logKey.PublicKey.SubjectPublicKeyInfo, witnessKey.PublicKey.SubjectPublicKeyInfo);

            // sm2PublicKey: the public half of keys/log-sm2.pem.
            var sm2 = PrivateKey(city, "keys/log-sm2.pem");
            Assert.Equal(SignatureAlgorithm.Sm2Sm3, sm2.Algorithm);
            Assert.True(PublicKey.FromPem(member.Sm2PublicKey).Verify(message, sm2.Sign(message)));

            // rootKey: the public half of keys/root.pem (SM2), also in keys/root.pub.pem for the node.
            var root = PrivateKey(city, "keys/root.pem");
            Assert.Equal(SignatureAlgorithm.Sm2Sm3, root.Algorithm);
            var rootPublic = PublicKey.FromPem(member.RootKey);
            Assert.True(rootPublic.Verify(message, root.Sign(message)));
            Assert.Equal(rootPublic.Id, PublicKey.FromPem(File.ReadAllText(CityFile(city, "keys/root.pub.pem"))).Id);
            Assert.NotEqual(rootPublic.Id, PublicKey.FromPem(member.Sm2PublicKey).Id);

            // tlsCertificateSha256: SHA-256 of the DER of keys/tls.crt.pem, whose key is keys/tls.key.pem.
            using var certificate = X509Certificate2.CreateFromPemFile(CityFile(city, "keys/tls.crt.pem"), CityFile(city, "keys/tls.key.pem"));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(certificate.RawData)), member.TlsCertificateSha256);
            Assert.True(certificate.HasPrivateKey);
            Assert.Equal("1.2.840.10045.2.1", certificate.PublicKey.Oid.Value);
            using var tlsKey = certificate.GetECDsaPrivateKey();
            Assert.NotNull(tlsKey);
            Assert.Equal(256, tlsKey.KeySize);
            Assert.True(certificate.MatchesHostname("127.0.0.1"));
        }
        Assert.Equal(genesis.Members.Count, genesis.Members.Select(m => m.LogKey).Distinct().Count());
    }

    [Fact]
    public async Task Genesis_holds_no_private_key_and_private_key_files_are_owner_only()
    {
        await InitAsync();

        var text = await File.ReadAllTextAsync(Path.Combine(Dir, "genesis.json"));
        Assert.DoesNotContain("PRIVATE KEY", text);
        Assert.DoesNotContain("PRIVATE+KEY", text);
        var privateFiles = Directory.EnumerateFiles(Dir, "*.pem", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("PRIVATE KEY", StringComparison.Ordinal))
            .ToList();
        // Per city: log, SM2 log, witness, root, TLS key and 6 client keys (operator, auditor, counter, amr, seals, approval).
        Assert.Equal(Cities.Length * 11, privateFiles.Count);
        foreach (var file in privateFiles)
        {
            Assert.Contains($"{Path.DirectorySeparatorChar}keys{Path.DirectorySeparatorChar}", file);
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        foreach (var file in Directory.EnumerateFiles(Dir, "*.json", SearchOption.AllDirectories))
            Assert.DoesNotContain("PRIVATE KEY", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Each_city_node_settings_reference_files_that_exist()
    {
        var genesis = await InitAsync();

        foreach (var city in Cities)
        {
            var folder = Path.Combine(Dir, city);
            using var settings = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "appsettings.json")));
            var grpc = settings.RootElement.GetProperty("Kestrel").GetProperty("Endpoints").GetProperty("Grpc");
            Assert.Equal(genesis.MemberByCity(city)!.Endpoint, grpc.GetProperty("Url").GetString());
            Assert.Equal("Http1AndHttp2", grpc.GetProperty("Protocols").GetString());

            var huren = settings.RootElement.GetProperty("Huren");
            Assert.Equal("cz-t", huren.GetProperty("NetworkId").GetString());
            Assert.Equal(city, huren.GetProperty("CityCode").GetString());
            Assert.False(huren.GetProperty("CreateMissingKeys").GetBoolean());
            var data = Path.GetFullPath(huren.GetProperty("DataPath").GetString()!, folder);
            Assert.True(Directory.Exists(data));
            Assert.Empty(Directory.EnumerateFileSystemEntries(data));
            var config = Path.GetFullPath(huren.GetProperty("NetworkConfig").GetString()!, folder);
            Assert.Equal(Path.Combine(Dir, "genesis.json"), config);

            var keys = huren.GetProperty("Keys");
            string KeyPath(string setting)
            {
                var path = Path.GetFullPath(keys.GetProperty(setting).GetString()!, folder);
                Assert.True(File.Exists(path), $"{city} Huren:Keys:{setting} → {path}");
                return path;
            }
            Assert.Equal(SignatureAlgorithm.Ed25519, SigningKey.FromPem(File.ReadAllText(KeyPath("LogKey"))).Algorithm);
            Assert.Equal(SignatureAlgorithm.Sm2Sm3, SigningKey.FromPem(File.ReadAllText(KeyPath("Sm2LogKey"))).Algorithm);
            Assert.Equal(SignatureAlgorithm.Ed25519, SigningKey.FromPem(File.ReadAllText(KeyPath("WitnessKey"))).Algorithm);
            Assert.Equal(PublicKey.FromPem(genesis.MemberByCity(city)!.RootKey).Id, PublicKey.FromPem(File.ReadAllText(KeyPath("RootPublicKey"))).Id);

            var clients = huren.GetProperty("Clients");
            var expected = new Dictionary<string, (string Role, string? IssuerId)>
            {
                ["operator"] = ("operator", null),
                ["auditor"] = ("auditor", null),
                ["counter"] = ("counter", $"{city}-window"),
                ["amr"] = ("issuer", $"{city}-amr"),
                ["seals"] = ("issuer", $"{city}-seals"),
                ["approval"] = ("issuer", $"{city}-approval"),
            };
            Assert.Equal(expected.Keys.Order(), clients.EnumerateObject().Select(p => p.Name).Order());
            foreach (var (name, (role, issuerId)) in expected)
            {
                var client = clients.GetProperty(name);
                Assert.Equal(role, client.GetProperty("Role").GetString());
                Assert.Equal(issuerId, client.TryGetProperty("IssuerId", out var id) ? id.GetString() : null);
                var publicPath = Path.GetFullPath(client.GetProperty("PublicKey").GetString()!, folder);
                Assert.True(File.Exists(publicPath), $"{city} client {name} → {publicPath}");
                var publicKey = PublicKey.FromPem(File.ReadAllText(publicPath));
                var privateKey = SigningKey.FromPem(File.ReadAllText(Path.Combine(Path.GetDirectoryName(publicPath)!, name + ".pem")));
                // Issuers sign with P-256 (their key also signs license XML exports), the others with Ed25519.
                Assert.Equal(role == "issuer" ? SignatureAlgorithm.EcdsaP256Sha256 : SignatureAlgorithm.Ed25519, privateKey.Algorithm);
                Assert.Equal(publicKey.Id, privateKey.PublicKey.Id);
            }
        }
    }

    [Fact]
    public async Task Profile_loads_and_names_the_endpoints_and_local_credentials()
    {
        var genesis = await InitAsync("--base-port", "7201");

        var profile = CliProfile.Load(Path.Combine(Dir, "cli.json"));
        Assert.Equal(CliProfile.FormatV1, profile.Format);
        Assert.Equal("cz-t", profile.NetworkId);
        Assert.Equal(Path.Combine(Dir, "genesis.json"), profile.ResolvePath(profile.Genesis));
        Assert.Equal(genesis.ToJson(), profile.LoadGenesis().Config.ToJson());
        Assert.Equal(Cities, profile.Cities.Select(c => c.CityCode));
        Assert.Equal(CityNames, profile.Cities.Select(c => c.Name));
        Assert.Equal("https://127.0.0.1:7201", profile.City("430100").Endpoint);
        Assert.Equal("https://127.0.0.1:7202", profile.City("430200").Endpoint);
        Assert.Equal(new Uri("https://127.0.0.1:7203"), profile.City("430300").EndpointUri);
        Assert.Null(profile.FindCity("430400"));
        Assert.Throws<CliException>(() => profile.City("430400"));

        foreach (var city in profile.Cities)
        {
            Assert.Equal(genesis.MemberByCity(city.CityCode)!.Endpoint, city.Endpoint);
            var rootKey = profile.LoadSigningKey(city.RootKey!);
            Assert.Equal(PublicKey.FromPem(genesis.MemberByCity(city.CityCode)!.RootKey).Id, rootKey.PublicKey.Id);

            using var settings = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Dir, city.CityCode, "appsettings.json")));
            var clients = settings.RootElement.GetProperty("Huren").GetProperty("Clients");
            Assert.Equal(6, city.Credentials.Count);
            foreach (var credential in city.Credentials)
            {
                // The private key the CLI signs with matches the public key the node knows the principal by.
                var configured = clients.GetProperty(credential.Principal);
                Assert.Equal(credential.Role, configured.GetProperty("Role").GetString());
                var nodeKey = PublicKey.FromPem(File.ReadAllText(Path.Combine(Dir, city.CityCode, configured.GetProperty("PublicKey").GetString()!)));
                Assert.Equal(nodeKey.Id, profile.LoadSigningKey(credential.PrivateKey).PublicKey.Id);
                Assert.False(Path.IsPathRooted(credential.PrivateKey));
            }

            Assert.Equal("operator", city.Credential("operator").Principal);
            Assert.Equal("auditor", city.Credential(CliRoles.Auditor).Principal);
            Assert.Equal($"{city.CityCode}-window", city.Credential(CliRoles.Counter).IssuerId);
            var amr = city.Credential($"{city.CityCode}-amr");
            Assert.Equal("amr", amr.Principal);
            Assert.Equal(CliRoles.Issuer, amr.Role);
            Assert.Equal("市场监督管理局", amr.Name);
            Assert.Same(amr, city.Credential(CliRoles.Issuer));
            Assert.Same(amr, city.FindByIssuerId($"{city.CityCode}-amr"));
            Assert.Throws<CliException>(() => city.Credential("nobody"));
        }
        var (issuerCity, issuer) = profile.IssuerCredential("430200-amr");
        Assert.Equal("430200", issuerCity.CityCode);
        Assert.Equal("430200/keys/clients/amr.pem", issuer.PrivateKey);
        Assert.Throws<CliException>(() => profile.IssuerCredential("430200-tax"));
    }

    [Fact]
    public async Task A_second_init_into_the_same_folder_is_refused_unless_forced()
    {
        await InitAsync();
        var genesisPath = Path.Combine(Dir, "genesis.json");
        var first = await File.ReadAllBytesAsync(genesisPath);
        var firstLogKey = await File.ReadAllTextAsync(CityFile("430100", "keys/log-ed25519.pem"));

        var (code, output, error) = await CliRunner.RunAsync("network", "init", "--dir", Dir);
        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains("not empty", error);
        Assert.Contains("--force", error);
        Assert.DoesNotContain("   at ", error);
        Assert.Equal("", output);
        Assert.Equal(first, await File.ReadAllBytesAsync(genesisPath));
        Assert.Equal(firstLogKey, await File.ReadAllTextAsync(CityFile("430100", "keys/log-ed25519.pem")));

        // Any non-empty folder is refused, not only a previous network.
        var other = Path.Combine(_root, "other");
        Directory.CreateDirectory(other);
        await File.WriteAllTextAsync(Path.Combine(other, "notes.txt"), "keep");
        Assert.Equal(ExitCodes.Error, (await CliRunner.RunAsync("network", "init", "--dir", other)).ExitCode);
        Assert.False(File.Exists(Path.Combine(other, "genesis.json")));

        // --force replaces the network (new keys, fresh data) and leaves unrelated files alone.
        await File.WriteAllTextAsync(Path.Combine(Dir, "notes.txt"), "keep");
        await File.WriteAllTextAsync(CityFile("430100", "data/stale"), "old log");
        var genesis = await InitAsync("--force");
        Assert.NotEqual(first, await File.ReadAllBytesAsync(genesisPath));
        Assert.NotEqual(firstLogKey, await File.ReadAllTextAsync(CityFile("430100", "keys/log-ed25519.pem")));
        Assert.Equal("keep", await File.ReadAllTextAsync(Path.Combine(Dir, "notes.txt")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(CityFile("430100", "data")));
        Assert.Equal(NoteSignerKey.ForEd25519("huren.cz-t/430100", PrivateKey("430100", "keys/log-ed25519.pem")).VerifierKey.ToString(),
            genesis.MemberByCity("430100")!.LogKey);
    }

    [Fact]
    public async Task Options_set_the_network_id_ports_and_threshold_and_json_reports_them()
    {
        var (code, output, error) = await CliRunner.RunAsync("network", "init", "--dir", Dir, "--network", "hn-test", "--base-port", "9001", "--threshold", "2", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("hn-test", root.GetProperty("networkId").GetString());
        Assert.Equal(Path.Combine(Dir, "cli.json"), root.GetProperty("profile").GetString());
        Assert.Equal(Path.Combine(Dir, "genesis.json"), root.GetProperty("genesis").GetString());
        Assert.Equal([9001, 9002, 9003], root.GetProperty("cities").EnumerateArray().Select(c => c.GetProperty("port").GetInt32()));
        Assert.Equal(Cities, root.GetProperty("cities").EnumerateArray().Select(c => c.GetProperty("cityCode").GetString()));

        var genesis = NetworkConfig.Parse(await File.ReadAllTextAsync(Path.Combine(Dir, "genesis.json")));
        Assert.Equal("hn-test", genesis.NetworkId);
        Assert.Equal(2, genesis.WitnessThreshold);
        Assert.Equal("huren.hn-test/430300", genesis.Members[2].Origin);
        Assert.Equal("huren.hn-test/430300", NoteVerifierKey.Parse(genesis.Members[2].LogKey).Name);
        Assert.Equal("huren.hn-test/430300/witness", NoteVerifierKey.Parse(genesis.Members[2].WitnessKey).Name);
        Assert.Equal("https://127.0.0.1:9003", genesis.Members[2].Endpoint);
        foreach (var city in root.GetProperty("cities").EnumerateArray())
            Assert.Equal(genesis.MemberByCity(city.GetProperty("cityCode").GetString()!)!.TlsCertificateSha256, city.GetProperty("tlsCertificateSha256").GetString());
        Assert.Equal("hn-test", CliProfile.Load(Path.Combine(Dir, "cli.json")).NetworkId);
    }

    [Fact]
    public async Task The_text_summary_names_cities_ports_and_the_profile()
    {
        var (code, output, error) = await CliRunner.RunAsync("network", "init", "--dir", Dir);
        Assert.True(code == 0, error);
        foreach (var city in Cities) Assert.Contains(city, output);
        foreach (var port in new[] { "7101", "7102", "7103" }) Assert.Contains($"https://127.0.0.1:{port}", output);
        Assert.Contains(Path.Combine(Dir, "cli.json"), output);
        Assert.Contains(Path.Combine(Dir, "genesis.json"), output);
    }

    [Theory]
    [InlineData("--threshold", "3", "--threshold")]
    [InlineData("--threshold", "-1", "--threshold")]
    [InlineData("--base-port", "0", "--base-port")]
    [InlineData("--base-port", "65534", "--base-port")]
    [InlineData("--network", "cz t", "--network")]
    [InlineData("--network", "cz/t", "--network")]
    public async Task Bad_options_are_an_error_and_write_nothing(string option, string value, string named)
    {
        var (code, _, error) = await CliRunner.RunAsync("network", "init", "--dir", Dir, option, value);
        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains(named, error);
        Assert.DoesNotContain("   at ", error);
        Assert.False(Directory.Exists(Dir));
    }

    [Fact]
    public async Task Dir_is_required()
    {
        var (code, _, error) = await CliRunner.RunAsync("network", "init");
        Assert.Equal(ExitCodes.Error, code);
        Assert.Contains("--dir", error);
    }

    [Fact]
    public async Task Help_describes_the_commands_and_says_private_keys_stay_out_of_the_genesis()
    {
        foreach (var args in new[] { new[] { "network", "--help" }, ["network", "init", "--help"], ["network", "init", "-h"] })
        {
            var (code, output, _) = await CliRunner.RunAsync(args);
            Assert.Equal(0, code);
            Assert.Contains("Usage", output);
        }
        var help = (await CliRunner.RunAsync("network", "init", "--help")).Output;
        Assert.Contains("never go into genesis.json", help);
        foreach (var option in new[] { "--dir", "--network", "--base-port", "--threshold", "--force", "--json" }) Assert.Contains(option, help);
        Assert.Contains("network", (await CliRunner.RunAsync("--help")).Output);
    }
}
