using System.Security.Cryptography;
using System.Text;
using Huren.Sdk.Tests;

namespace Huren.Sdk.Xml.Tests;

/// <summary>
/// Interoperability with xmlsec1 (libxmlsec1 over OpenSSL): it accepts what Huren signs, and Huren accepts what it
/// signs from a template over the same schema. Both ECDSA P-256 and RSA-2048.
/// </summary>
public class XmlSecInteropTests
{
    public static TheoryData<string> KeyTypes => new() { "p256", "rsa" };

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Xml_written_by_Huren_is_accepted_by_xmlsec1_verify_and_a_change_is_not(string keyType)
    {
        using var dir = new TempDir();
        var key = keyType == "rsa" ? XmlTestData.RsaKey : XmlTestData.EcdsaKey;
        File.WriteAllText(dir.File("pub.pem"), key.PublicKey.ToPem());
        File.WriteAllBytes(dir.File("license.xml"), XmlTestData.Signed(key));

        var (code, output) = XmlSec1.Run(dir.Path, "--verify", "--pubkey-pem", "pub.pem", XmlSec1.IdAttribute, XmlSec1.IdNode, "license.xml");
        Assert.True(code == 0, output);
        Assert.Contains("OK", output);

        var changed = Encoding.UTF8.GetString(XmlTestData.Signed(key)).Replace("长沙互认科技有限公司", "长沙互认科技有限公同", StringComparison.Ordinal);
        File.WriteAllText(dir.File("changed.xml"), changed);
        (code, output) = XmlSec1.Run(dir.Path, "--verify", "--pubkey-pem", "pub.pem", XmlSec1.IdAttribute, XmlSec1.IdNode, "changed.xml");
        Assert.True(code != 0, output);
        Assert.Contains("FAIL", output);
    }

    [Theory]
    [MemberData(nameof(KeyTypes))]
    public void Xml_signed_by_xmlsec1_from_a_template_is_accepted_by_Huren(string keyType)
    {
        using var dir = new TempDir();
        AsymmetricAlgorithm signer = keyType == "rsa" ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (signer)
        {
            File.WriteAllText(dir.File("key.pem"), signer.ExportPkcs8PrivateKeyPem());
            var expected = XmlVerificationKey.FromSubjectPublicKeyInfo(signer.ExportSubjectPublicKeyInfo());
            var method = keyType == "rsa" ? "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256" : "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";

            // The unsigned document Huren writes, with xmlsec1's signature template as the root's last child.
            var document = LicenseXmlWriter.Write(XmlTestData.Metadata(), XmlTestData.ExportedAt);
            var id = document.DocumentElement!.GetAttribute("Id");
            var template = new System.Xml.XmlDocument();
            template.LoadXml(
                "<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><SignedInfo>" +
                "<CanonicalizationMethod Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/>" +
                $"<SignatureMethod Algorithm=\"{method}\"/>" +
                $"<Reference URI=\"#{id}\"><Transforms>" +
                "<Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"/>" +
                "<Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\"/></Transforms>" +
                "<DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><DigestValue/></Reference>" +
                "</SignedInfo><SignatureValue/></Signature>");
            document.DocumentElement.AppendChild(document.ImportNode(template.DocumentElement!, true));
            File.WriteAllBytes(dir.File("template.xml"), LicenseXmlWriter.ToBytes(document));

            var (code, output) = XmlSec1.Run(dir.Path, "--sign", "--privkey-pem", "key.pem", XmlSec1.IdAttribute, XmlSec1.IdNode,
                "--output", "signed.xml", "template.xml");
            Assert.True(code == 0, output);
            var signed = File.ReadAllBytes(dir.File("signed.xml"));
            Assert.Contains("<SignatureValue>", Encoding.UTF8.GetString(signed));

            var result = new LicenseXmlVerifier(expected).Verify(signed);
            Assert.True(result.IsValid, result.Reason);
            Assert.Equal(XmlTestData.Metadata().LicenseId, result.Metadata!.LicenseId);

            // And Huren refuses the xmlsec1 document once changed, or checked against another key.
            var changed = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed).Replace("2024-03-01", "2024-03-02", StringComparison.Ordinal));
            Assert.Equal(LicenseXmlVerdict.BadSignature, new LicenseXmlVerifier(expected).Verify(changed).Verdict);
            var otherKey = keyType == "rsa" ? XmlTestData.RsaKey.PublicKey : XmlTestData.EcdsaKey.PublicKey;
            Assert.Equal(LicenseXmlVerdict.BadSignature, new LicenseXmlVerifier(otherKey).Verify(signed).Verdict);
        }
    }
}
