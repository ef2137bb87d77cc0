using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Tests.Crypto;

/// <summary>Huren and the machine's OpenSSL 3 accept each other's keys and signatures.</summary>
public class OpenSslInteropTests
{
    private static readonly byte[] Message = "cross-region license 互认 interop"u8.ToArray();

    [OpenSslFact]
    public void Sm2_signature_made_by_Huren_verifies_with_openssl()
    {
        using var dir = new TempDir();
        var key = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        File.WriteAllText(dir.File("pub.pem"), key.PublicKey.ToPem());
        File.WriteAllBytes(dir.File("msg"), Message);
        File.WriteAllBytes(dir.File("sig"), key.Sign(Message));
        var (code, output) = OpenSsl.Run(dir.Path, "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "msg",
            "-sigfile", "sig", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678");
        Assert.True(code == 0, output);
        Assert.Contains("Signature Verified Successfully", output);
        File.WriteAllBytes(dir.File("msg"), [.. Message, 0]);
        Assert.NotEqual(0, OpenSsl.Run(dir.Path, "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "msg",
            "-sigfile", "sig", "-digest", "sm3", "-pkeyopt", "distid:1234567812345678").ExitCode);
    }

    [OpenSslFact]
    public void Sm2_signature_made_by_openssl_verifies_with_Huren_and_keys_are_read_both_ways()
    {
        using var dir = new TempDir();
        Assert.Equal(0, OpenSsl.Run(dir.Path, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:SM2", "-out", "key.pem").ExitCode);
        Assert.Equal(0, OpenSsl.Run(dir.Path, "pkey", "-in", "key.pem", "-pubout", "-out", "pub.pem").ExitCode);
        File.WriteAllBytes(dir.File("msg"), Message);
        var (code, output) = OpenSsl.Run(dir.Path, "dgst", "-sm3", "-sign", "key.pem", "-sigopt", "distid:1234567812345678", "-out", "sig", "msg");
        Assert.True(code == 0, output);
        var pub = PublicKey.FromPem(File.ReadAllText(dir.File("pub.pem")));
        Assert.Equal(SignatureAlgorithm.Sm2Sm3, pub.Algorithm);
        Assert.True(pub.Verify(Message, File.ReadAllBytes(dir.File("sig"))));
        var priv = SigningKey.FromPem(File.ReadAllText(dir.File("key.pem")));
        Assert.Equal(pub.Id, priv.Id);

        // And openssl reads Huren's SM2 private key as an SM2 key.
        File.WriteAllText(dir.File("huren.pem"), SigningKey.Generate(SignatureAlgorithm.Sm2Sm3).ToPem());
        var text = OpenSsl.Run(dir.Path, "pkey", "-in", "huren.pem", "-text", "-noout");
        Assert.True(text.ExitCode == 0, text.Output);
        Assert.Contains("SM2", text.Output);
    }

    [OpenSslFact]
    public void P256_signatures_interoperate_both_ways()
    {
        using var dir = new TempDir();
        var key = SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256);
        File.WriteAllText(dir.File("pub.pem"), key.PublicKey.ToPem());
        File.WriteAllBytes(dir.File("msg"), Message);
        File.WriteAllBytes(dir.File("sig"), key.Sign(Message));
        var verify = OpenSsl.Run(dir.Path, "dgst", "-sha256", "-verify", "pub.pem", "-signature", "sig", "msg");
        Assert.True(verify.ExitCode == 0, verify.Output);

        Assert.Equal(0, OpenSsl.Run(dir.Path, "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "key2.pem").ExitCode);
        Assert.Equal(0, OpenSsl.Run(dir.Path, "dgst", "-sha256", "-sign", "key2.pem", "-out", "sig2", "msg").ExitCode);
        var theirs = SigningKey.FromPem(File.ReadAllText(dir.File("key2.pem")));
        Assert.Equal(SignatureAlgorithm.EcdsaP256Sha256, theirs.Algorithm);
        Assert.True(theirs.PublicKey.Verify(Message, File.ReadAllBytes(dir.File("sig2"))));
    }

    [OpenSslFact]
    public void Ed25519_signatures_interoperate_both_ways()
    {
        using var dir = new TempDir();
        var key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        File.WriteAllText(dir.File("pub.pem"), key.PublicKey.ToPem());
        File.WriteAllBytes(dir.File("msg"), Message);
        File.WriteAllBytes(dir.File("sig"), key.Sign(Message));
        var verify = OpenSsl.Run(dir.Path, "pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "msg", "-sigfile", "sig");
        Assert.True(verify.ExitCode == 0, verify.Output);

        Assert.Equal(0, OpenSsl.Run(dir.Path, "genpkey", "-algorithm", "ED25519", "-out", "key2.pem").ExitCode);
        Assert.Equal(0, OpenSsl.Run(dir.Path, "pkeyutl", "-sign", "-inkey", "key2.pem", "-rawin", "-in", "msg", "-out", "sig2").ExitCode);
        var theirs = SigningKey.FromPem(File.ReadAllText(dir.File("key2.pem")));
        Assert.True(theirs.PublicKey.Verify(Message, File.ReadAllBytes(dir.File("sig2"))));
    }
}
