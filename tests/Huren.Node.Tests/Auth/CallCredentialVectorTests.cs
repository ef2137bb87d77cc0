using System.Text.Json;
using Huren.Node.Auth;
using Huren.Node.Tests.Ledger;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;

namespace Huren.Node.Tests.Auth;

/// <summary>
/// The worked call-credential examples of docs/protocol.md (one per algorithm, fixed keys and time, the exact header,
/// kept in <c>TestVectors/call-credentials.json</c>, signed with OpenSSL): the SDK signs exactly those bytes, reproduces
/// the deterministic Ed25519 header, and the node's <see cref="ClientRegistry"/> accepts each header for its method, at
/// the node it names and at that time only; the document quotes the same headers.
/// </summary>
public sealed class CallCredentialVectorTests
{
    private sealed record Vector(string Algorithm, string Principal, string Node, string Method, long UnixSeconds, string PrivateKeyPem, string PublicKeyPem, string SignedMessageHex, string Header);

    private static string RepositoryFile(params string[] path)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Huren.slnx"))) return Path.Combine([dir.FullName, .. path]);
        }
        throw new DirectoryNotFoundException("repository root (Huren.slnx) not found above the test assembly");
    }

    private static readonly Lazy<Vector[]> Vectors = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepositoryFile("tests", "Huren.Node.Tests", "TestVectors", "call-credentials.json")));
        return [.. doc.RootElement.GetProperty("vectors").EnumerateArray().Select(v => new Vector(
            v.GetProperty("algorithm").GetString()!, v.GetProperty("principal").GetString()!, v.GetProperty("node").GetString()!, v.GetProperty("method").GetString()!,
            v.GetProperty("unixSeconds").GetInt64(), v.GetProperty("privateKeyPem").GetString()!, v.GetProperty("publicKeyPem").GetString()!,
            v.GetProperty("signedMessageHex").GetString()!, v.GetProperty("header").GetString()!))];
    });

    [Fact]
    public void Every_algorithm_has_a_vector_and_the_protocol_document_quotes_each_header()
    {
        Assert.Equal(["ecdsa-p256-sha256", "ed25519", "sm2-sm3"], Vectors.Value.Select(v => v.Algorithm).Order());
        var document = File.ReadAllText(RepositoryFile("docs", "protocol.md"));
        foreach (var v in Vectors.Value) Assert.Contains("  " + v.Header + "\n", document, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sdk_signs_exactly_the_documented_bytes_and_reproduces_the_Ed25519_header()
    {
        foreach (var v in Vectors.Value)
        {
            var key = SigningKey.FromPem(v.PrivateKeyPem);
            Assert.Equal(PublicKey.FromPem(v.PublicKeyPem).Id, key.PublicKey.Id);
            Assert.Equal(v.SignedMessageHex, Convert.ToHexStringLower(CallCredential.SignedMessage(v.Principal, v.Node, v.Method, v.UnixSeconds)));
            Assert.True(CallCredential.TryParse(v.Header, out var principal, out var node, out var seconds, out var signature), v.Algorithm);
            Assert.Equal((v.Principal, v.Node, v.UnixSeconds), (principal, node, seconds));
            Assert.True(key.PublicKey.Verify(Convert.FromHexString(v.SignedMessageHex), signature), v.Algorithm);
        }
        var ed25519 = Vectors.Value.Single(v => v.Algorithm == "ed25519");
        Assert.Equal(ed25519.Header, CallCredential.Create(ed25519.Principal, ed25519.Node, SigningKey.FromPem(ed25519.PrivateKeyPem), ed25519.Method, DateTimeOffset.FromUnixTimeSeconds(ed25519.UnixSeconds)));
    }

    [Fact]
    public void The_node_accepts_each_header_for_its_method_within_five_minutes_only()
    {
        var time = new FixedTime(DateTimeOffset.FromUnixTimeSeconds(Vectors.Value[0].UnixSeconds));
        var clients = Vectors.Value.ToDictionary(v => v.Principal, v => new ClientOptions { Role = "issuer", IssuerId = v.Principal, PublicKey = v.PublicKeyPem });
        var registry = new ClientRegistry(clients, Path.GetTempPath(), time, Vectors.Value[0].Node);
        foreach (var v in Vectors.Value)
        {
            time.Now = DateTimeOffset.FromUnixTimeSeconds(v.UnixSeconds).AddMinutes(4);
            Assert.Equal(v.Principal, registry.Authenticate(v.Header, v.Method, out var error)?.Name);
            Assert.Null(error);
            Assert.Null(registry.Authenticate(v.Header, "/huren.v1.Ledger/GetEntry", out error));
            Assert.Contains("does not verify", error, StringComparison.Ordinal);
            time.Now = DateTimeOffset.FromUnixTimeSeconds(v.UnixSeconds).AddMinutes(6);
            Assert.Null(registry.Authenticate(v.Header, v.Method, out error));
            Assert.Contains("window", error, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// The replay that naming the node prevents: Zhuzhou's node (430200), where the same auditor key is configured,
    /// receives the auditor's credential and presents it at Changsha within the window. Changsha refuses it, as it
    /// refuses the first form of the credential (no node named), whose signature is valid and which it used to accept.
    /// </summary>
    [Fact]
    public void A_credential_made_for_another_node_or_naming_none_is_refused_though_its_signature_is_valid()
    {
        var time = new FixedTime(DateTimeOffset.FromUnixTimeSeconds(1_795_420_800));
        var key = SigningKey.FromPem(Vectors.Value.Single(v => v.Algorithm == "ed25519").PrivateKeyPem);
        var clients = new Dictionary<string, ClientOptions> { ["auditor"] = new() { Role = "auditor", PublicKey = key.PublicKey.ToPem() } };
        var changsha = new ClientRegistry(clients, Path.GetTempPath(), time, "430100");
        var zhuzhou = new ClientRegistry(clients, Path.GetTempPath(), time, "430200");
        const string method = "/huren.v1.Content/Get";

        var forZhuzhou = CallCredential.Create("auditor", "430200", key, method, time.Now);
        Assert.NotNull(zhuzhou.Authenticate(forZhuzhou, method, out _));
        Assert.Null(changsha.Authenticate(forZhuzhou, method, out var error));
        Assert.Equal("credential is for node 430200, not this node (430100)", error);

        // The same text with the node changed: the signature no longer matches.
        var relabelled = forZhuzhou.Replace(":430200:", ":430100:", StringComparison.Ordinal);
        Assert.Null(changsha.Authenticate(relabelled, method, out error));
        Assert.Contains("does not verify", error, StringComparison.Ordinal);

        // One signature, one header: leading zeros in the seconds, or whitespace in the base64, are not the credential.
        var parts = forZhuzhou.Split(':');
        Assert.NotNull(zhuzhou.Authenticate(string.Join(':', parts), method, out _));
        Assert.Null(zhuzhou.Authenticate(string.Join(':', parts[0], parts[1], "0" + parts[2], parts[3]), method, out error));
        Assert.StartsWith("malformed credential", error, StringComparison.Ordinal);
        Assert.Null(zhuzhou.Authenticate(string.Join(':', parts[0], parts[1], parts[2], parts[3][..8] + " " + parts[3][8..]), method, out error));
        Assert.StartsWith("malformed credential", error, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => CallCredential.Create("auditor", "", key, method, time.Now));
        Assert.Throws<ArgumentException>(() => CallCredential.Create("auditor", "430:100", key, method, time.Now));
        Assert.Throws<ArgumentException>(() => CallCredential.Create("a:b", "430100", key, method, time.Now));

        // huren-call/v1: principal, method and second signed, no node.
        var seconds = time.Now.ToUnixTimeSeconds();
        var v1 = key.Sign(System.Text.Encoding.UTF8.GetBytes($"huren-call/v1\nauditor\n{method}\n{seconds}\n"));
        Assert.Null(changsha.Authenticate($"Huren auditor:{seconds}:{Convert.ToBase64String(v1)}", method, out error));
        Assert.StartsWith("credential names no node", error, StringComparison.Ordinal);
        Assert.Contains("430100", error, StringComparison.Ordinal);
    }
}
