using System.Security.Cryptography;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;

namespace Huren.Sdk.Xml.Tests;

/// <summary>
/// Every way to make a valid signature vouch for something other than what a reader sees is refused, each with its
/// own reason, and before any cryptography.
/// </summary>
public class LicenseXmlWrappingTests
{
    private static readonly byte[] Valid = XmlTestData.Signed();
    private const string Dsig = "http://www.w3.org/2000/09/xmldsig#";

    public static TheoryData<string> Cases => new(Corpus().Keys);

    [Fact]
    public void The_unaltered_document_is_valid()
        => Assert.True(Verify(Valid).IsValid, Verify(Valid).Reason);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Wrapping_variant_is_refused_with_its_reason(string name)
    {
        var (xml, verdict, reason) = Corpus()[name];
        var result = Verify(xml);
        Assert.Equal(verdict, result.Verdict);
        Assert.Contains(reason, result.Reason);
        Assert.Null(result.Metadata);
    }

    [Fact]
    public void A_comment_inside_signed_text_still_verifies_cryptographically_yet_is_refused()
    {
        // Exclusive C14N without comments drops the comment, so the signature holds: the attack is real, and only
        // the shape check stops it (a reader that stops at the comment would see 长沙 instead of the whole name).
        var xml = XmlTestData.Edit(Valid, (d, ns) =>
        {
            var name = XmlTestData.Select(d, ns, "//l:Holder/l:Name");
            var text = name.InnerText;
            name.InnerText = "";
            name.AppendChild(d.CreateTextNode(text[..2]));
            name.AppendChild(d.CreateComment(""));
            name.AppendChild(d.CreateTextNode(text[2..]));
        });
        var document = new XmlDocument { PreserveWhitespace = true };
        document.Load(new MemoryStream(xml));
        var signed = new SignedXml(document);
        signed.LoadXml((XmlElement)document.GetElementsByTagName("Signature", Dsig)[0]!);
        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(XmlTestData.EcdsaKey.PublicKey.SubjectPublicKeyInfo, out _);
        Assert.True(signed.CheckSignature(key));

        var result = Verify(xml);
        Assert.Equal(LicenseXmlVerdict.Refused, result.Verdict);
        Assert.Contains("comment", result.Reason);
    }

    [Fact]
    public void KeyInfo_may_name_the_expected_key_but_never_another()
    {
        var rsa = XmlTestData.Rsa.Value;
        using var other = RSA.Create(2048);
        byte[] SignWithKeyInfo(RSA? inKeyInfo, string? uri = null)
        {
            var document = LicenseXmlWriter.Write(XmlTestData.Metadata(), XmlTestData.ExportedAt);
            var signed = new SignedXml(document) { SigningKey = rsa };
            signed.SignedInfo!.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
            signed.SignedInfo.SignatureMethod = SignedXml.XmlDsigRSASHA256Url;
            var reference = new Reference(uri ?? "#" + document.DocumentElement!.GetAttribute("Id")) { DigestMethod = SignedXml.XmlDsigSHA256Url };
            reference.AddTransform(new XmlDsigEnvelopedSignatureTransform());
            reference.AddTransform(new XmlDsigExcC14NTransform());
            signed.AddReference(reference);
            if (inKeyInfo is not null)
            {
                signed.KeyInfo = new KeyInfo();
                signed.KeyInfo.AddClause(new RSAKeyValue(inKeyInfo));
            }
            signed.ComputeSignature();
            document.DocumentElement!.AppendChild(document.ImportNode(signed.GetXml(), true));
            return LicenseXmlWriter.ToBytes(document);
        }
        var verifier = new LicenseXmlVerifier(XmlTestData.RsaKey.PublicKey);
        Assert.True(verifier.Verify(SignWithKeyInfo(rsa)).IsValid);
        var result = verifier.Verify(SignWithKeyInfo(other));
        Assert.Equal(LicenseXmlVerdict.WrongKey, result.Verdict);
        Assert.Contains("KeyInfo carries another key", result.Reason);

        // URI="" (the whole document) names the root as well, and is accepted.
        var whole = verifier.Verify(SignWithKeyInfo(null, ""));
        Assert.True(whole.IsValid, whole.Reason);
    }

    [Fact]
    public void Bad_input_never_throws()
    {
        var random = new Random(36903);
        var verifier = new LicenseXmlVerifier(XmlTestData.EcdsaKey.PublicKey);
        for (var i = 0; i < 500; i++)
        {
            var mutant = (byte[])Valid.Clone();
            mutant[random.Next(mutant.Length)] = (byte)random.Next(256);
            var result = verifier.Verify(mutant);
            // A byte outside the signed content (quote style, whitespace before the root) may keep it valid; then
            // what is read must still be exactly what was signed.
            if (result.IsValid)
            {
                Assert.Equal(XmlTestData.Metadata().HolderName, result.Metadata!.HolderName);
                Assert.Equal(XmlTestData.Metadata().Fields.Select(f => f.Value), result.Metadata.Fields.Select(f => f.Value));
            }
        }
        Assert.Equal(LicenseXmlVerdict.Malformed, verifier.Verify([]).Verdict);
        Assert.Equal(LicenseXmlVerdict.Malformed, verifier.Verify(new byte[LicenseXmlVerifier.MaxDocumentBytes + 1]).Verdict);
        Assert.Equal(LicenseXmlVerdict.Malformed, verifier.Verify(new MemoryStream(new byte[LicenseXmlVerifier.MaxDocumentBytes + 1])).Verdict);
    }

    [Fact]
    public void Key_info_the_verifier_does_not_read_is_refused_not_an_exception()
    {
        // KeyInfo is not signed: anyone may add an EncryptedKey with an empty DataReference, which SignedXml.LoadXml
        // turned into an ArgumentNullException out of Verify.
        const string Xenc = "http://www.w3.org/2001/04/xmlenc#";
        var xml = XmlTestData.Edit(Valid, (d, _) =>
        {
            var signature = (XmlElement)d.GetElementsByTagName("Signature", Dsig)[0]!;
            var keyInfo = d.CreateElement("ds", "KeyInfo", Dsig);
            var encryptedKey = keyInfo.AppendChild(d.CreateElement("xenc", "EncryptedKey", Xenc))!;
            var cipherData = encryptedKey.AppendChild(d.CreateElement("xenc", "CipherData", Xenc))!;
            cipherData.AppendChild(d.CreateElement("xenc", "CipherValue", Xenc))!.InnerText = "AA==";
            encryptedKey.AppendChild(d.CreateElement("xenc", "ReferenceList", Xenc))!.AppendChild(d.CreateElement("xenc", "DataReference", Xenc));
            signature.AppendChild(keyInfo);
        });
        var result = Verify(xml);
        Assert.Equal(LicenseXmlVerdict.Refused, result.Verdict);
        Assert.Contains("EncryptedKey, which Huren does not read", result.Reason);
    }

    [Fact]
    public void An_export_time_no_date_type_holds_is_schema_invalid_not_an_exception()
    {
        // Signed by the expected key: the schema allows the value, DateTimeOffset does not hold it in UTC.
        var document = LicenseXmlWriter.Write(XmlTestData.Metadata(), XmlTestData.ExportedAt);
        var ns = new XmlNamespaceManager(document.NameTable);
        ns.AddNamespace("l", document.DocumentElement!.NamespaceURI);
        XmlTestData.Select(document, ns, "//l:ExportedAt").InnerText = "9999-12-31T23:59:59-14:00";
        LicenseXmlSigner.Sign(document, XmlTestData.EcdsaKey);
        using var signed = new MemoryStream();
        document.Save(signed);
        var result = Verify(signed.ToArray());
        Assert.Equal(LicenseXmlVerdict.SchemaInvalid, result.Verdict);
        Assert.Contains("cannot be read", result.Reason);
    }

    private static LicenseXmlVerification Verify(byte[] xml) => new LicenseXmlVerifier(XmlTestData.EcdsaKey.PublicKey).Verify(xml);

    private static Dictionary<string, (byte[] Xml, LicenseXmlVerdict Verdict, string Reason)> Corpus()
    {
        var refused = LicenseXmlVerdict.Refused;
        var cases = new Dictionary<string, (byte[], LicenseXmlVerdict, string)>
        {
            ["a second Signature"] = (Edit((d, ns) =>
            {
                var signature = XmlTestData.Select(d, ns, "/l:LicenseMetadata/ds:Signature");
                d.DocumentElement!.InsertBefore(signature.CloneNode(true), signature);
            }), refused, "2 ds:Signature elements; exactly one is allowed"),
            ["a Signature nested in an element"] = (Edit((d, ns) =>
                XmlTestData.Select(d, ns, "//l:Holder").AppendChild(XmlTestData.Select(d, ns, "//ds:Signature"))), refused, "not the last child of the document root"),
            ["the Signature not last"] = (Edit((d, ns) =>
                d.DocumentElement!.AppendChild(XmlTestData.Select(d, ns, "//l:ExportedAt").CloneNode(true))), refused, "not the last child of the document root"),
            ["no Signature"] = (Edit((d, ns) => d.DocumentElement!.RemoveChild(XmlTestData.Select(d, ns, "//ds:Signature"))), refused, "not signed"),
            ["moved Id: the signed element wrapped under a forged root"] = (Edit((d, ns) =>
            {
                // Classic XSW: a new root with the attacker's content; the signed original moved inside it.
                var original = d.DocumentElement!;
                var forged = (XmlElement)original.CloneNode(true);
                forged.SetAttribute("Id", "license-forged");
                forged.RemoveChild(forged.SelectSingleNode("ds:Signature", ns)!);
                ((XmlElement)forged.SelectSingleNode("l:Holder/l:Name", ns)!).InnerText = "冒名公司";
                var signature = (XmlElement)original.SelectSingleNode("ds:Signature", ns)!;
                original.RemoveChild(signature);
                d.RemoveChild(original);
                d.AppendChild(forged);
                forged.AppendChild(original);
                forged.AppendChild(signature);
            }), refused, "names a LicenseMetadata element, not the document root"),
            ["duplicated Id"] = (Edit((d, ns) =>
            {
                var copy = (XmlElement)d.DocumentElement!.CloneNode(true);
                copy.RemoveChild(copy.SelectSingleNode("ds:Signature", ns)!);
                d.DocumentElement.InsertBefore(copy, XmlTestData.Select(d, ns, "//l:ExportedAt"));
            }), refused, "is on 2 elements; a duplicated Id"),
            ["Reference to another element"] = (Edit((d, ns) =>
            {
                XmlTestData.Select(d, ns, "//l:Holder").SetAttribute("Id", "holder");
                XmlTestData.Select(d, ns, "//ds:Reference").SetAttribute("URI", "#holder");
            }), refused, "names a Holder element, not the document root"),
            ["Reference to an external URI"] = (Edit((d, ns) =>
                XmlTestData.Select(d, ns, "//ds:Reference").SetAttribute("URI", "http://example.invalid/license.xml")), refused, "only \"\" or \"#\" and the root's Id (no external"),
            ["Reference by XPointer"] = (Edit((d, ns) =>
                XmlTestData.Select(d, ns, "//ds:Reference").SetAttribute("URI", "#xpointer(/)")), refused, "no external, relative or XPointer URIs"),
            ["Reference naming nothing"] = (Edit((d, ns) =>
                XmlTestData.Select(d, ns, "//ds:Reference").SetAttribute("URI", "#nobody")), refused, "names no element"),
            ["Reference without URI"] = (Edit((d, ns) =>
                XmlTestData.Select(d, ns, "//ds:Reference").RemoveAttribute("URI")), refused, "has no URI"),
            ["two References"] = (Edit((d, ns) =>
            {
                var reference = XmlTestData.Select(d, ns, "//ds:Reference");
                reference.ParentNode!.AppendChild(reference.CloneNode(true));
            }), refused, "2 ds:Reference elements"),
            ["XSLT transform"] = (AddTransform(SignedXml.XmlDsigXsltTransformUrl), refused, "XSLT can make the signed bytes anything"),
            ["XPath transform"] = (AddTransform(SignedXml.XmlDsigXPathTransformUrl), refused, "XPath can sign a part other than the one read"),
            ["XPath filter 2 transform"] = (AddTransform("http://www.w3.org/2002/06/xmldsig-filter2"), refused, "XPath can sign a part"),
            ["base64 transform"] = (AddTransform(SignedXml.XmlDsigBase64TransformUrl), refused, $"Transform {SignedXml.XmlDsigBase64TransformUrl} is refused"),
            ["inclusive C14N with comments"] = (AddTransform(SignedXml.XmlDsigC14NWithCommentsTransformUrl), refused, "(comments would be signed)"),
            ["only the enveloped transform"] = (Edit((d, ns) =>
            {
                var transforms = XmlTestData.Select(d, ns, "//ds:Transforms");
                transforms.RemoveChild(transforms.LastChild!);
            }), refused, "exactly enveloped-signature then exclusive C14N"),
            ["canonicalization with comments"] = (Edit((d, ns) =>
                XmlTestData.Select(d, ns, "//ds:CanonicalizationMethod").SetAttribute("Algorithm", SignedXml.XmlDsigExcC14NWithCommentsTransformUrl)), refused, "CanonicalizationMethod"),
            ["SHA-1 digest"] = (Edit((d, ns) =>
                XmlTestData.Select(d, ns, "//ds:DigestMethod").SetAttribute("Algorithm", SignedXml.XmlDsigSHA1Url)), refused, "DigestMethod http://www.w3.org/2000/09/xmldsig#sha1 is refused"),
            ["RSA-SHA1 signature method"] = (Edit((d, ns) =>
                XmlTestData.Select(d, ns, "//ds:SignatureMethod").SetAttribute("Algorithm", SignedXml.XmlDsigRSASHA1Url)), refused, "SignatureMethod http://www.w3.org/2000/09/xmldsig#rsa-sha1 is refused"),
            ["ds:Object with content"] = (Edit((d, ns) =>
            {
                var signature = XmlTestData.Select(d, ns, "//ds:Signature");
                var obj = d.CreateElement("ds", "Object", Dsig);
                obj.AppendChild(d.DocumentElement!.CloneNode(true));
                signature.AppendChild(obj);
            }), refused, "2 ds:Signature elements"),
            ["ds:Object alone"] = (Edit((d, ns) =>
                XmlTestData.Select(d, ns, "//ds:Signature").AppendChild(d.CreateElement("ds", "Object", Dsig))), refused, "ds:Object inside the signature is refused"),
            ["comment in a text"] = (Edit((d, ns) =>
                XmlTestData.Select(d, ns, "//l:Name").AppendChild(d.CreateComment("x"))), refused, "carries a comment"),
            ["comment before the root"] = (Edit((d, _) => d.InsertBefore(d.CreateComment("x"), d.DocumentElement)), refused, "carries a comment"),
            ["processing instruction"] = (Edit((d, ns) =>
                XmlTestData.Select(d, ns, "//l:Holder").AppendChild(d.CreateProcessingInstruction("pi", "x"))), refused, "processing instruction"),
            ["DTD with an entity"] = (Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Valid)
                .Replace("<LicenseMetadata ", "<!DOCTYPE LicenseMetadata [<!ENTITY x \"互认\">]><LicenseMetadata ", StringComparison.Ordinal)
                .Replace("长沙互认", "长沙&x;", StringComparison.Ordinal)), LicenseXmlVerdict.Malformed, "a DTD (<!DOCTYPE>) is refused"),
            ["undeclared entity"] = (Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Valid).Replace("长沙互认", "长沙&x;", StringComparison.Ordinal)),
                LicenseXmlVerdict.Malformed, "not well-formed XML"),
            ["not XML"] = ("营业执照"u8.ToArray(), LicenseXmlVerdict.Malformed, "not well-formed XML"),
            ["another root element"] = ("<LicenseMetadata xmlns=\"urn:other\"/>"u8.ToArray(), LicenseXmlVerdict.SchemaInvalid, "not {urn:huren:xml:license:1}LicenseMetadata"),
            ["an unknown element"] = (Edit((d, ns) =>
                d.DocumentElement!.InsertBefore(d.CreateElement("Note", "urn:huren:xml:license:1"), XmlTestData.Select(d, ns, "//l:ExportedAt"))),
                LicenseXmlVerdict.SchemaInvalid, "Note"),
        };
        return cases;
    }

    private static byte[] Edit(Action<XmlDocument, XmlNamespaceManager> edit) => XmlTestData.Edit(Valid, edit);

    private static byte[] AddTransform(string algorithm) => Edit((d, ns) =>
    {
        var transforms = XmlTestData.Select(d, ns, "//ds:Transforms");
        var transform = d.CreateElement("ds", "Transform", Dsig);
        transform.SetAttribute("Algorithm", algorithm);
        transforms.InsertBefore(transform, transforms.LastChild);
    });
}
