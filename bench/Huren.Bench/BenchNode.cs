using Huren.Node.Checkpoints;
using Huren.Node.Hosting;
using Huren.Schemas.Envelope;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Huren.Bench;

/// <summary>
/// A real city node composed by <see cref="NodeApp"/> over a folder (keys, data): either started with Kestrel on an
/// ephemeral loopback port (HTTP/2, the real services and authorization), or only built, so that the bench can
/// write through the node's own sequencer without gRPC. The folder keeps the private keys of the root and of the
/// bench's clients, so a cached data folder can be reopened by a later run.
/// </summary>
internal sealed class BenchNode : IAsyncDisposable
{
    /// <summary>Client principals: name → (role, issuer id).</summary>
    public static readonly (string Name, string Role, string? IssuerId)[] Principals =
    [
        ("operator", "operator", null),
        ("auditor", "auditor", null),
        ("counter", "counter", "430100-window"),
        ("amr", "issuer", AmrIssuer),
        ("p256", "issuer", P256Issuer),
        ("sm2", "issuer", Sm2Issuer),
        ("ed25519", "issuer", Ed25519Issuer),
    ];

    public const string AmrIssuer = "430100-amr";
    public const string P256Issuer = "430100-p256";
    public const string Sm2Issuer = "430100-sm2";
    public const string Ed25519Issuer = "430100-ed25519";

    private readonly Dictionary<string, SigningKey> _clientKeys = new(StringComparer.Ordinal);
    private WebApplication? _app;

    private BenchNode(string dir, SigningKey rootKey)
    {
        Dir = dir;
        RootKey = rootKey;
    }

    public string Dir { get; }

    public SigningKey RootKey { get; }

    public Uri Endpoint { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>Opens the node folder <paramref name="dir"/>, creating its root and client keys when missing.</summary>
    public static BenchNode Open(string dir)
    {
        var keys = Path.Combine(dir, "keys");
        Directory.CreateDirectory(keys);
        var root = LoadOrCreate(Path.Combine(keys, "root.bench.pem"), SignatureAlgorithm.Ed25519);
        File.WriteAllText(Path.Combine(keys, "root.pub.pem"), root.PublicKey.ToPem());
        var node = new BenchNode(dir, root);
        foreach (var (name, _, _) in Principals)
        {
            var key = LoadOrCreate(Path.Combine(keys, $"client-{name}.bench.pem"), SignatureAlgorithm.Ed25519);
            File.WriteAllText(Path.Combine(keys, $"client-{name}.pub.pem"), key.PublicKey.ToPem());
            node._clientKeys[name] = key;
        }
        return node;
    }

    private static SigningKey LoadOrCreate(string path, SignatureAlgorithm algorithm)
    {
        if (File.Exists(path)) return SigningKey.FromPem(File.ReadAllText(path));
        var key = SigningKey.Generate(algorithm);
        File.WriteAllText(path, key.ToPem());
        return key;
    }

    private string[] Arguments(bool listen)
    {
        var args = new List<string>
        {
            $"--contentRoot={Dir}",
            "--Logging:LogLevel:Default=Warning",
            $"--Huren:NetworkId={BenchLedger.NetworkId}",
            $"--Huren:CityCode={BenchLedger.City}",
            "--Huren:DataPath=data",
            "--Huren:CreateMissingKeys=true",
        };
        if (listen)
        {
            args.Add("--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0");
            args.Add("--Kestrel:Endpoints:Grpc:Protocols=Http2");
        }
        foreach (var (name, role, issuer) in Principals)
        {
            args.Add($"--Huren:Clients:{name}:Role={role}");
            args.Add($"--Huren:Clients:{name}:PublicKey=keys/client-{name}.pub.pem");
            if (issuer is not null) args.Add($"--Huren:Clients:{name}:IssuerId={issuer}");
        }
        return [.. args];
    }

    /// <summary>Composes the node without starting it: its services (sequencer, log, state) are usable, no port is opened.</summary>
    public WebApplication Build()
    {
        _app = NodeApp.Build(Arguments(listen: false));
        return _app;
    }

    /// <summary>Composes and starts the node on an ephemeral loopback port; <paramref name="settings"/> are added as <c>--key=value</c> arguments.</summary>
    public async Task StartAsync(params string[] settings)
    {
        _app = NodeApp.Build([.. Arguments(listen: true), .. settings]);
        await _app.StartAsync();
        Endpoint = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public HurenClient Client(string principal) => new(Endpoint, new ClientIdentity(principal, _clientKeys[principal], BenchLedger.City));

    public ClientIdentity Identity(string principal) => new(principal, _clientKeys[principal], BenchLedger.City);

    /// <summary>The one-member network configuration an offline verifier of this node's evidence holds.</summary>
    public NetworkConfig Network()
    {
        var keys = Services.GetRequiredService<NodeKeys>();
        var signer = Services.GetRequiredService<NodeCheckpointSigner>();
        var config = new NetworkConfig { NetworkId = BenchLedger.NetworkId, Name = "bench", WitnessThreshold = 0 };
        config.Members.Add(new NetworkMember
        {
            CityCode = BenchLedger.City, Name = "长沙", Origin = BenchLedger.Origin, LogKey = signer.LogVerifierKey.ToString(),
            WitnessKey = NoteVerifierKey.ForCosigner(BenchLedger.Origin + "/witness", keys.WitnessKey.PublicKey).ToString(),
            RootKey = RootKey.PublicKey.ToPem(), Endpoint = Endpoint?.ToString() ?? "http://127.0.0.1:1",
        });
        return NetworkConfig.Parse(config.ToJson());
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
