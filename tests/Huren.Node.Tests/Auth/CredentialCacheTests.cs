using Huren.Node.Auth;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;

namespace Huren.Node.Tests.Auth;

/// <summary>Verified call credentials are remembered, and remembering one changes no answer.</summary>
public sealed class CredentialCacheTests
{
    private const string Method = "/huren.v1.Ledger/Submit";
    private readonly SigningKey _key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly FixedTime _time = new(DateTimeOffset.UtcNow);
    private readonly ClientRegistry _registry;

    public CredentialCacheTests()
    {
        var clients = new Dictionary<string, ClientOptions>
        {
            ["amr"] = new() { Role = "issuer", IssuerId = "430100-amr", PublicKey = _key.PublicKey.ToPem() },
        };
        _registry = new ClientRegistry(clients, Path.GetTempPath(), _time, "430100");
    }

    [Fact]
    public void A_repeated_credential_authenticates_each_time_and_only_for_its_method_and_window()
    {
        var header = CallCredential.Create("amr", "430100", _key, Method, _time.Now);
        Assert.Equal("amr", _registry.Authenticate(header, Method, out var error)?.Name);
        Assert.Null(error);
        Assert.Equal("amr", _registry.Authenticate(header, Method, out _)?.Name);

        // The same header for another method was never signed for it.
        Assert.Null(_registry.Authenticate(header, "/huren.v1.Ledger/GetEntry", out error));
        Assert.Contains("does not verify", error);

        // Another signature under the same principal and time is checked, not taken from the remembered one.
        var parts = header.Split(':');
        var forged = $"{parts[0]}:{parts[1]}:{parts[2]}:{Convert.ToBase64String(new byte[64])}";
        Assert.Null(_registry.Authenticate(forged, Method, out error));
        Assert.Contains("does not verify", error);

        // Once the node's clock leaves the window, a remembered credential is refused like any other.
        _time.Now += ClientRegistry.Window + TimeSpan.FromMinutes(1);
        Assert.Null(_registry.Authenticate(header, Method, out error));
        Assert.Contains("window", error);
    }

    [Fact]
    public void A_configured_client_of_a_revoked_issuer_is_refused_even_with_a_remembered_credential()
    {
        var revoked = new HashSet<string>(StringComparer.Ordinal);
        var clients = new Dictionary<string, ClientOptions>
        {
            ["amr"] = new() { Role = "issuer", IssuerId = "430100-amr", PublicKey = _key.PublicKey.ToPem() },
            ["window"] = new() { Role = "counter", IssuerId = "430100-amr", PublicKey = _key.PublicKey.ToPem() },
            ["operator"] = new() { Role = "operator", PublicKey = _key.PublicKey.ToPem() },
        };
        var registry = new ClientRegistry(clients, Path.GetTempPath(), _time, "430100", issuerRevoked: revoked.Contains);
        var headers = clients.Keys.ToDictionary(name => name, name => CallCredential.Create(name, "430100", _key, Method, _time.Now));
        foreach (var (name, header) in headers) Assert.NotNull(registry.Authenticate(header, Method, out _));

        revoked.Add("430100-amr");
        foreach (var name in new[] { "amr", "window" })
        {
            Assert.Null(registry.Authenticate(headers[name], Method, out var error));
            Assert.Equal($"'{name}' acts for issuer 430100-amr, which this node's log has revoked", error);
        }
        Assert.NotNull(registry.Authenticate(headers["operator"], Method, out _));

        // Without the key, a revoked department's client and a stale credential get the answer any forger gets.
        var junk = Convert.ToBase64String(new byte[64]);
        Assert.Null(registry.Authenticate($"Huren window:430100:{_time.Now.ToUnixTimeSeconds()}:{junk}", Method, out var refusal));
        Assert.Equal($"credential signature of 'window' does not verify for {Method}", refusal);
        Assert.Null(registry.Authenticate($"Huren operator:430100:{_time.Now.AddHours(-1).ToUnixTimeSeconds()}:{junk}", Method, out refusal));
        Assert.Equal($"credential signature of 'operator' does not verify for {Method}", refusal);
        // With it, the reason.
        Assert.Null(registry.Authenticate(CallCredential.Create("operator", "430100", _key, Method, _time.Now.AddHours(-1)), Method, out refusal));
        Assert.Contains("from the node's clock", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_distinct_credentials_keep_working_past_the_cache_limit()
    {
        for (var i = 0; i < 5000; i++)
        {
            var header = CallCredential.Create("amr", "430100", _key, Method + i, _time.Now);
            Assert.NotNull(_registry.Authenticate(header, Method + i, out _));
        }
        var last = CallCredential.Create("amr", "430100", _key, Method, _time.Now);
        Assert.NotNull(_registry.Authenticate(last, Method, out _));
    }
}
