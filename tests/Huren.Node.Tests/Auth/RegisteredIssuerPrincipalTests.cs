using Huren.Node.Auth;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;

namespace Huren.Node.Tests.Auth;

/// <summary>
/// An issuer registered (and not revoked) in the node's own log is a client principal with its registered key: SM2,
/// P-256 or Ed25519, from the first call after registration, until the registration is revoked or re-keyed.
/// </summary>
public sealed class RegisteredIssuerPrincipalTests
{
    private const string Method = "/huren.v1.Ledger/Submit";
    private readonly FixedTime _time = new(DateTimeOffset.UtcNow);
    private readonly Dictionary<string, byte[]> _registered = new(StringComparer.Ordinal);

    private ClientRegistry Registry(Dictionary<string, ClientOptions>? clients = null)
        => new(clients ?? [], Path.GetTempPath(), _time, "430100", registeredIssuerKey: id => _registered.GetValueOrDefault(id));

    public static TheoryData<SignatureAlgorithm> Algorithms => new() { SignatureAlgorithm.Sm2Sm3, SignatureAlgorithm.EcdsaP256Sha256, SignatureAlgorithm.Ed25519 };

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void A_registered_issuer_authenticates_with_its_registered_key_until_it_is_revoked(SignatureAlgorithm algorithm)
    {
        var key = SigningKey.Generate(algorithm);
        var registry = Registry();
        var header = CallCredential.Create("430100-tax", "430100", key, Method, _time.Now);

        Assert.Null(registry.Authenticate(header, Method, out var error));
        Assert.Equal("unknown principal '430100-tax' (not a configured client, a member node or an issuer registered in this node's log)", error);

        _registered["430100-tax"] = key.PublicKey.SubjectPublicKeyInfo;
        var principal = registry.Authenticate(header, Method, out error);
        Assert.Null(error);
        Assert.Equal(new ClientPrincipal("430100-tax", ClientRole.Issuer, "430100-tax", principal!.Key), principal);
        Assert.Equal(key.PublicKey.Id, principal.Key.Id);

        // Another key under the issuer's name does not verify.
        var other = CallCredential.Create("430100-tax", "430100", SigningKey.Generate(algorithm), Method, _time.Now);
        Assert.Null(registry.Authenticate(other, Method, out error));
        Assert.Contains("does not verify", error);

        // Revoked (the lookup answers null): refused at the next call, even with a credential verified before.
        _registered.Remove("430100-tax");
        Assert.Null(registry.Authenticate(header, Method, out error));
        Assert.StartsWith("unknown principal '430100-tax'", error);
    }

    [Fact]
    public void A_new_registered_key_replaces_the_old_one_and_a_configured_client_of_the_same_name_wins()
    {
        var first = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        var second = SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256);
        var registry = Registry();
        _registered["430100-tax"] = first.PublicKey.SubjectPublicKeyInfo;
        Assert.NotNull(registry.Authenticate(CallCredential.Create("430100-tax", "430100", first, Method, _time.Now), Method, out _));
        _registered["430100-tax"] = second.PublicKey.SubjectPublicKeyInfo;
        Assert.Null(registry.Authenticate(CallCredential.Create("430100-tax", "430100", first, "/huren.v1.Ledger/GetEntry", _time.Now), "/huren.v1.Ledger/GetEntry", out _));
        Assert.Equal(second.PublicKey.Id, registry.Authenticate(CallCredential.Create("430100-tax", "430100", second, Method, _time.Now), Method, out _)!.Key.Id);

        // Bytes that are no key are no principal.
        _registered["430100-bad"] = [1, 2, 3];
        Assert.Null(registry.Authenticate(CallCredential.Create("430100-bad", "430100", first, Method, _time.Now), Method, out var error));
        Assert.StartsWith("unknown principal '430100-bad'", error);

        var auditorKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var configured = Registry(new() { ["430100-tax"] = new() { Role = "auditor", PublicKey = auditorKey.PublicKey.ToPem() } });
        Assert.Null(configured.Authenticate(CallCredential.Create("430100-tax", "430100", second, Method, _time.Now), Method, out error));
        Assert.Contains("does not verify", error);
        Assert.Equal(ClientRole.Auditor, configured.Authenticate(CallCredential.Create("430100-tax", "430100", auditorKey, Method, _time.Now), Method, out _)!.Role);
    }
}
