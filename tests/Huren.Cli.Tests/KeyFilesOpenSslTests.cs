using System.Diagnostics;
using Huren.Sdk.Crypto;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;

namespace Huren.Cli.Tests;

/// <summary>
/// Every kind of private key file the project writes is PKCS#8 v1 (RFC 5208 <c>PrivateKeyInfo</c>, no attached public
/// key) and OpenSSL reads it: <c>huren keys gen</c> for SM2, P-256 and Ed25519, and every private key of
/// <c>huren network init</c> (city root, Ed25519 and SM2 log, witness, TLS, and the clients' issuer, counter, auditor and operator keys).
/// </summary>
public sealed class KeyFilesOpenSslTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "huren-keys-" + Guid.NewGuid().ToString("N"));

    [OpenSslFact]
    public async Task Openssl_pkey_reads_every_private_key_the_cli_writes()
    {
        var files = new List<string>();
        foreach (var alg in new[] { "sm2", "p256", "ed25519" })
        {
            var file = Path.Combine(_dir, "gen", $"{alg}.pem");
            var (code, _, error) = await CliRunner.RunAsync("keys", "gen", "--alg", alg, "-o", file);
            Assert.True(code == 0, error);
            files.Add(file);
        }
        var network = Path.Combine(_dir, "net");
        var (init, _, initError) = await CliRunner.RunAsync("network", "init", "--dir", network, "--base-port", "7101");
        Assert.True(init == 0, initError);
        files.AddRange(Directory.GetFiles(network, "*.pem", SearchOption.AllDirectories).Where(f => File.ReadAllText(f).Contains("PRIVATE KEY", StringComparison.Ordinal)));

        var names = files.Select(f => Path.GetFileName(f)).ToHashSet();
        foreach (var expected in new[] { "root.pem", "log-ed25519.pem", "log-sm2.pem", "witness-ed25519.pem", "tls.key.pem" }) Assert.Contains(expected, names);
        Assert.Contains(files, f => f.Contains($"keys{Path.DirectorySeparatorChar}clients{Path.DirectorySeparatorChar}", StringComparison.Ordinal)); // issuer, counter, auditor, operator keys

        foreach (var file in files)
        {
            var (exit, output) = OpenSsl("pkey", "-in", file, "-noout");
            Assert.True(exit == 0, $"openssl pkey -in {Path.GetRelativePath(_dir, file)} -noout failed: {output}");
            var pem = File.ReadAllText(file);
            Assert.StartsWith("-----BEGIN PRIVATE KEY-----", pem, StringComparison.Ordinal);
            var info = PrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(Convert.FromBase64String(string.Concat(pem.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))))));
            Assert.True(info.Version.HasValue(0), $"{file}: PKCS#8 version {info.Version}, expected 0 (v1)");
            Assert.Null(info.PublicKey);
        }
    }

    [Fact]
    public void PKCS8_v2_keys_with_the_public_key_attached_are_still_read()
    {
        // RFC 8410 §10.3 example: an Ed25519 OneAsymmetricKey (version 1) with the public key attached.
        const string v2 = "MHICAQEwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhCoB8wHQYKKoZIhvcNAQkJFDEPDA1DdXJkbGUgQ2hhaXJzgSEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=";
        var key = SigningKey.FromPkcs8(Convert.FromBase64String(v2));
        Assert.Equal("19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1", Convert.ToHexStringLower(key.PublicKey.SubjectPublicKeyInfo[^32..]));
        var v1 = PrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(key.ToPkcs8()));
        Assert.True(v1.Version.HasValue(0));
        Assert.Null(v1.PublicKey);
    }

    private static (int ExitCode, string Output) OpenSsl(params string[] args)
    {
        var psi = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }
}

/// <summary>A fact that is skipped, with a clear reason, only where openssl is not installed (.ci/run installs it).</summary>
internal sealed class OpenSslFactAttribute : FactAttribute
{
    private static readonly bool Available = Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator).Any(p => File.Exists(Path.Combine(p, "openssl"))) == true;

    public OpenSslFactAttribute()
    {
        if (!Available) Skip = "openssl is not on PATH: the key-file interop test is skipped (apt-get install openssl)";
    }
}
