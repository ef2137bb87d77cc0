using Huren.Node.Hosting;
using Huren.Node.Storage;
using Huren.Schemas.Envelope;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Huren.Node.Tests.Integration;

/// <summary>
/// A real city node on an ephemeral loopback port: Kestrel over HTTP/2, real RocksDB in a temp folder, the real
/// services and authorization. Clients talk to it with the SDK client. Restartable on the same folder.
/// </summary>
internal sealed class TestNode : IAsyncDisposable
{
    public const string City = "430100";
    public const string Origin = "huren.cz-t/430100";
    public const string RootId = "430100-root";
    public const string AmrIssuer = "430100-amr";
    public const string Counter = "430100-window";

    private WebApplication? _app;
    private readonly Dictionary<string, SigningKey> _clientKeys = new(StringComparer.Ordinal);

    private readonly Func<string, IKeyValueStore>? _store;
    private string[] _settings = [];

    private TestNode(string dir, Func<string, IKeyValueStore>? store)
    {
        Dir = dir;
        _store = store;
    }

    public string Dir { get; }

    public SigningKey RootKey { get; private set; } = null!;

    public Uri Endpoint { get; private set; } = null!;

    public IServiceProvider Services => _app!.Services;

    /// <summary>Starts a node; <paramref name="store"/> wraps or replaces its RocksDB store (given the data folder), e.g. to inject faults.</summary>
    /// <param name="store">Makes the node's store from its data folder (default: RocksDB).</param>
    /// <param name="settings">More command-line settings, e.g. <c>--Huren:Sequencer:CheckpointInterval=00:00:00</c>.</param>
    public static async Task<TestNode> StartAsync(Func<string, IKeyValueStore>? store = null, params string[] settings)
    {
        var node = new TestNode(Path.Combine(Path.GetTempPath(), "huren-node-" + Guid.NewGuid().ToString("N")), store) { _settings = settings };
        Directory.CreateDirectory(Path.Combine(node.Dir, "keys"));
        node.RootKey = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        await File.WriteAllTextAsync(Path.Combine(node.Dir, "keys", "root.pub.pem"), node.RootKey.PublicKey.ToPem());
        foreach (var name in new[] { "operator", "auditor", "counter", "amr", "other" })
        {
            node._clientKeys[name] = SigningKey.Generate(SignatureAlgorithm.Ed25519);
            await File.WriteAllTextAsync(Path.Combine(node.Dir, "keys", $"client-{name}.pub.pem"), node._clientKeys[name].PublicKey.ToPem());
        }
        await node.StartAppAsync();
        return node;
    }

    private async Task StartAppAsync()
    {
        string[] args =
        [
            $"--contentRoot={Dir}",
            "--Kestrel:Endpoints:Grpc:Url=http://127.0.0.1:0",
            "--Kestrel:Endpoints:Grpc:Protocols=Http2",
            "--Logging:LogLevel:Default=Warning",
            "--Huren:NetworkId=cz-t",
            $"--Huren:CityCode={City}",
            "--Huren:DataPath=data",
            "--Huren:CreateMissingKeys=true",
            "--Huren:Clients:operator:Role=operator", "--Huren:Clients:operator:PublicKey=keys/client-operator.pub.pem",
            "--Huren:Clients:auditor:Role=auditor", "--Huren:Clients:auditor:PublicKey=keys/client-auditor.pub.pem",
            "--Huren:Clients:counter:Role=counter", $"--Huren:Clients:counter:IssuerId={Counter}", "--Huren:Clients:counter:PublicKey=keys/client-counter.pub.pem",
            "--Huren:Clients:amr:Role=issuer", $"--Huren:Clients:amr:IssuerId={AmrIssuer}", "--Huren:Clients:amr:PublicKey=keys/client-amr.pub.pem",
            "--Huren:Clients:other:Role=issuer", "--Huren:Clients:other:IssuerId=430100-other", "--Huren:Clients:other:PublicKey=keys/client-other.pub.pem",
            .. _settings,
        ];
        _app = _store is null
            ? NodeApp.Build(args)
            : NodeApp.Build(args, builder => builder.Services.AddSingleton(_ => _store(Path.Combine(Dir, "data"))));
        await _app.StartAsync();
        Endpoint = Addresses[0];
    }

    /// <summary>Stops the node and starts it again on the same folder (a restart).</summary>
    public async Task RestartAsync()
    {
        await StopAppAsync();
        await StartAppAsync();
    }

    public HurenClient Client(string principal) => new(Endpoint, new ClientIdentity(principal, _clientKeys[principal], City));

    public HurenClient Anonymous() => new(Endpoint, null);

    /// <summary>Every address the node listens on (the first is <see cref="Endpoint"/>; settings may add endpoints).</summary>
    public IReadOnlyList<Uri> Addresses => [.. _app!.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a))];

    /// <summary>The call-credential key of client <paramref name="principal"/> (to make credentials by hand).</summary>
    public SigningKey ClientKey(string principal) => _clientKeys[principal];

    private async Task StopAppAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAppAsync();
        if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
    }
}
