using Huren.Schemas.Envelope;
using Huren.Sdk.Tests.Crypto;

namespace Huren.Sdk.Tests.Seals;

/// <summary>OpenSSL reads every structure Huren writes for seals.</summary>
public class SesOpenSslTests
{
    [OpenSslFact]
    public void Openssl_asn1parse_reads_the_seal_and_the_signature_Huren_writes()
    {
        using var dir = new TempDir();
        foreach (var algorithm in new[] { SignatureAlgorithm.Sm2Sm3, SignatureAlgorithm.EcdsaP256Sha256 })
        {
            var kit = new SealTestKit(algorithm);
            var seal = kit.Seal(extensions: [new Huren.Sdk.Seals.SesExtension("1.2.156.3005.99.1", true, [7])]);
            var signature = kit.Sign(seal);
            File.WriteAllBytes(dir.File("seal.der"), seal.Der);
            File.WriteAllBytes(dir.File("signature.der"), signature.Der);

            var (code, output) = OpenSsl.Run(dir.Path, "asn1parse", "-inform", "DER", "-in", "seal.der", "-i");
            Assert.True(code == 0, output);
            Assert.Contains("IA5STRING         :ES", output);
            Assert.Contains(":43010020250001", output);
            Assert.Contains("GENERALIZEDTIME   :20250101000000Z", output);
            Assert.Contains("BOOLEAN           :255", output);
            Assert.DoesNotContain("Error", output);

            (code, output) = OpenSsl.Run(dir.Path, "asn1parse", "-inform", "DER", "-in", "signature.der", "-i");
            Assert.True(code == 0, output);
            Assert.Contains(":license-decision-2025-0001.ofd", output);
            Assert.Contains("GENERALIZEDTIME   :20250601023000Z", output);
            Assert.Contains(algorithm == SignatureAlgorithm.Sm2Sm3 ? ":SM2-with-SM3" : ":ecdsa-with-SHA256", output);
            Assert.DoesNotContain("Error", output);

            // The certificates inside are X.509 that openssl reads, with the signature algorithm the seal names.
            File.WriteAllBytes(dir.File("signer.der"), kit.SignerCertificate.Der);
            (code, output) = OpenSsl.Run(dir.Path, "x509", "-inform", "DER", "-in", "signer.der", "-noout", "-text");
            Assert.True(code == 0, output);
            Assert.Contains(algorithm == SignatureAlgorithm.Sm2Sm3 ? "SM2-with-SM3" : "ecdsa-with-SHA256", output);
        }
    }

    [OpenSslFact]
    public void Openssl_verifies_the_certificates_Huren_issues_SM3withSM2_and_ecdsa()
    {
        using var dir = new TempDir();
        foreach (var algorithm in new[] { SignatureAlgorithm.Sm2Sm3, SignatureAlgorithm.EcdsaP256Sha256 })
        {
            var kit = new SealTestKit(algorithm);
            File.WriteAllText(dir.File("maker.pem"), System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE", kit.MakerCertificate.Der));
            File.WriteAllText(dir.File("signer.pem"), System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE", kit.SignerCertificate.Der));
            // OpenSSL 3.0 checks an SM2 certificate signature with the GM/T 0009 user id only when told to.
            string[] distid = algorithm == SignatureAlgorithm.Sm2Sm3 ? ["-vfyopt", "distid:1234567812345678"] : [];
            var (code, output) = OpenSsl.Run(dir.Path, ["verify", "-attime", "1748736000", .. distid, "-CAfile", "maker.pem", "signer.pem"]);
            Assert.True(code == 0, output);
            Assert.Contains("signer.pem: OK", output);
            // A certificate of another issuer does not verify under the maker.
            var other = new SealTestKit(algorithm);
            File.WriteAllText(dir.File("other.pem"), System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE", other.SignerCertificate.Der));
            Assert.NotEqual(0, OpenSsl.Run(dir.Path, ["verify", "-attime", "1748736000", .. distid, "-CAfile", "maker.pem", "other.pem"]).ExitCode);
        }
    }
}
