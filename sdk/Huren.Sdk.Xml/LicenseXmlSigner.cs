using System.Security.Cryptography.Xml;
using System.Xml;

namespace Huren.Sdk.Xml;

/// <summary>
/// Signs license XML with an enveloped XML signature: one <c>Reference</c> to the root's <c>Id</c>, transforms
/// enveloped-signature then exclusive C14N, SHA-256, ECDSA P-256 or RSA-SHA256; the <c>Signature</c> is the root's
/// last child. No <c>KeyInfo</c>: a verifier checks against the key it expects, never one the document names.
/// </summary>
public static class LicenseXmlSigner
{
    /// <summary>Adds the signature to <paramref name="document"/> (an unsigned <see cref="LicenseXmlWriter"/> document).</summary>
    /// <exception cref="ArgumentException">The root has no <c>Id</c> or is already signed.</exception>
    public static void Sign(XmlDocument document, XmlSigningKey key)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(key);
        XmlDsigAlgorithms.EnsureRegistered();
        var root = document.DocumentElement ?? throw new ArgumentException("the document has no root element", nameof(document));
        var id = root.GetAttribute("Id");
        if (id.Length == 0) throw new ArgumentException("the root element has no Id to reference", nameof(document));
        if (document.GetElementsByTagName("Signature", XmlDsigAlgorithms.DsigNamespace).Count > 0)
            throw new ArgumentException("the document is already signed", nameof(document));
        var signed = new SignedXml(document) { SigningKey = key.Algorithm };
        signed.SignedInfo!.CanonicalizationMethod = XmlDsigAlgorithms.ExcC14n;
        signed.SignedInfo.SignatureMethod = key.PublicKey.SignatureMethod;
        var reference = new Reference("#" + id) { DigestMethod = XmlDsigAlgorithms.Sha256 };
        reference.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        reference.AddTransform(new XmlDsigExcC14NTransform());
        signed.AddReference(reference);
        signed.ComputeSignature();
        root.AppendChild(document.ImportNode(signed.GetXml(), deep: true));
    }

    /// <summary>Writes and signs <paramref name="metadata"/>: the UTF-8 bytes of the signed document.</summary>
    public static byte[] Export(LicenseMetadata metadata, DateTimeOffset exportedAt, XmlSigningKey key)
    {
        var document = LicenseXmlWriter.Write(metadata, exportedAt);
        Sign(document, key);
        return LicenseXmlWriter.ToBytes(document);
    }
}
