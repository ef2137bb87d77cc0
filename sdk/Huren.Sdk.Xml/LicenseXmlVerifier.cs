using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using System.Xml.Schema;
using Huren.Schemas.Xml;

namespace Huren.Sdk.Xml;

/// <summary>
/// Checks signed license XML against the key the caller expects (an issuing department's or a node's export key),
/// accepting exactly one shape: one enveloped <c>Signature</c>, last child of the root, with one <c>Reference</c> to
/// the root (<c>""</c> or <c>#</c> the root's <c>Id</c>), transforms enveloped-signature then exclusive C14N,
/// SHA-256, ecdsa-sha256 or rsa-sha256 matching the key, and no comments, processing instructions, DTD, duplicated
/// <c>Id</c>s, <c>Object</c> or <c>Manifest</c>. Anything else is refused with its reason before any cryptography, so
/// a valid signature can never vouch for content other than the document's root as a reader sees it. Total: never
/// throws on bad input.
/// </summary>
public sealed class LicenseXmlVerifier
{
    /// <summary>The largest document read: 1 MiB (license metadata is a few kilobytes).</summary>
    public const int MaxDocumentBytes = 1024 * 1024;

    private static readonly Lazy<XmlSchemaSet> Schema = new(LoadSchema, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly string[] IdAttributeNames = ["Id", "ID", "id"];

    // XmlSchemaSet promises nothing about concurrent use; validating a few kilobytes is cheap, so one at a time.
    private static readonly Lock SchemaLock = new();

    private readonly XmlVerificationKey _expectedKey;

    /// <summary>A verifier that accepts only signatures by <paramref name="expectedKey"/>.</summary>
    public LicenseXmlVerifier(XmlVerificationKey expectedKey)
    {
        ArgumentNullException.ThrowIfNull(expectedKey);
        _expectedKey = expectedKey;
        XmlDsigAlgorithms.EnsureRegistered();
    }

    /// <summary>Checks a document read from <paramref name="xml"/> (at most <see cref="MaxDocumentBytes"/>).</summary>
    /// <exception cref="IOException">The stream cannot be read (an I/O fault, not a verdict).</exception>
    public LicenseXmlVerification Verify(Stream xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = xml.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxDocumentBytes) return Fail(LicenseXmlVerdict.Malformed, $"more than {MaxDocumentBytes} bytes");
        }
        return Verify(buffer.ToArray());
    }

    /// <summary>Checks a document's bytes.</summary>
    public LicenseXmlVerification Verify(byte[] xml)
    {
        ArgumentNullException.ThrowIfNull(xml);
        if (xml.Length > MaxDocumentBytes) return Fail(LicenseXmlVerdict.Malformed, $"{xml.Length} bytes, more than {MaxDocumentBytes}");
        if (!TryLoad(xml, out var document, out var loadError)) return Fail(LicenseXmlVerdict.Malformed, loadError);
        var root = document.DocumentElement!;
        if (root.LocalName != LicenseXmlSchema.RootElement || root.NamespaceURI != LicenseXmlSchema.Namespace)
            return Fail(LicenseXmlVerdict.SchemaInvalid, $"the root is {{{root.NamespaceURI}}}{root.LocalName}, not {{{LicenseXmlSchema.Namespace}}}{LicenseXmlSchema.RootElement}");

        if (CheckShape(document, root) is { } refusal) return refusal;
        if (Validate(document) is { } schemaError) return Fail(LicenseXmlVerdict.SchemaInvalid, schemaError);
        var signature = (XmlElement)document.GetElementsByTagName("Signature", XmlDsigAlgorithms.DsigNamespace)[0]!;
        return CheckSignature(document, root, signature);
    }

    /// <summary>
    /// The <c>LicenseId</c> a license document names, read without checking its signature: only to find out which
    /// license's issuer key to verify it with (then <see cref="Verify(byte[])"/>, whose verified metadata must name the
    /// same license). False with the reason when the bytes are not such a document. Never throws.
    /// </summary>
    public static bool TryReadLicenseId(byte[] xml, out string licenseId, out string error)
    {
        ArgumentNullException.ThrowIfNull(xml);
        licenseId = "";
        if (xml.Length > MaxDocumentBytes) { error = $"{xml.Length} bytes, more than {MaxDocumentBytes}"; return false; }
        if (!TryLoad(xml, out var document, out error)) return false;
        var root = document.DocumentElement!;
        if (root.LocalName != LicenseXmlSchema.RootElement || root.NamespaceURI != LicenseXmlSchema.Namespace)
        {
            error = $"the root is {{{root.NamespaceURI}}}{root.LocalName}, not {{{LicenseXmlSchema.Namespace}}}{LicenseXmlSchema.RootElement}";
            return false;
        }
        foreach (XmlNode node in root.ChildNodes)
        {
            if (node is XmlElement { LocalName: "LicenseId" } element && element.NamespaceURI == LicenseXmlSchema.Namespace && element.InnerText.Length > 0)
            {
                licenseId = element.InnerText;
                return true;
            }
        }
        error = "the document names no LicenseId";
        return false;
    }

    private static bool TryLoad(byte[] xml, out XmlDocument document, out string error)
    {
        document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        error = "";
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersFromEntities = 0,
            MaxCharactersInDocument = MaxDocumentBytes,
        };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(xml, writable: false), settings);
            document.Load(reader);
            return document.DocumentElement is not null;
        }
        catch (XmlException ex)
        {
            error = xml.AsSpan().IndexOf("<!DOCTYPE"u8) >= 0
                ? "a DTD (<!DOCTYPE>) is refused: its entities and defaults could change what was signed"
                : $"not well-formed XML: {ex.Message}";
            return false;
        }
    }

    /// <summary>The refusals that come before any cryptography, each with its reason.</summary>
    private LicenseXmlVerification? CheckShape(XmlDocument document, XmlElement root)
    {
        if (document.SelectSingleNode("//comment()") is not null)
            return Fail(LicenseXmlVerdict.Refused, "the document carries a comment; exclusive C14N does not sign comments, so text could read differently from what was signed");
        if (root.SelectSingleNode("descendant-or-self::node()/processing-instruction()") is not null)
            return Fail(LicenseXmlVerdict.Refused, "a processing instruction inside the signed element");

        var signatures = document.GetElementsByTagName("Signature", XmlDsigAlgorithms.DsigNamespace);
        if (signatures.Count == 0) return Fail(LicenseXmlVerdict.Refused, "the document is not signed (no ds:Signature)");
        if (signatures.Count > 1) return Fail(LicenseXmlVerdict.Refused, $"{signatures.Count} ds:Signature elements; exactly one is allowed (a second one is a signature-wrapping attempt)");
        var signature = (XmlElement)signatures[0]!;
        if (signature.ParentNode != root || LastElementChild(root) != signature)
            return Fail(LicenseXmlVerdict.Refused, "the ds:Signature is not the last child of the document root");
        foreach (var name in new[] { "Object", "Manifest" })
        {
            if (signature.GetElementsByTagName(name, XmlDsigAlgorithms.DsigNamespace).Count > 0)
                return Fail(LicenseXmlVerdict.Refused, $"ds:{name} inside the signature is refused: it can carry content the reader never sees");
        }

        var signedInfo = DsigChild(signature, "SignedInfo");
        if (signedInfo is null) return Fail(LicenseXmlVerdict.Refused, "the signature has no ds:SignedInfo");
        var canonicalization = DsigChild(signedInfo, "CanonicalizationMethod")?.GetAttribute("Algorithm");
        if (canonicalization != XmlDsigAlgorithms.ExcC14n)
            return Fail(LicenseXmlVerdict.Refused, $"CanonicalizationMethod {canonicalization} is refused; only exclusive C14N without comments ({XmlDsigAlgorithms.ExcC14n})");
        var method = DsigChild(signedInfo, "SignatureMethod")?.GetAttribute("Algorithm");
        if (method is not (XmlDsigAlgorithms.EcdsaSha256 or XmlDsigAlgorithms.RsaSha256))
            return Fail(LicenseXmlVerdict.Refused, $"SignatureMethod {method} is refused; only {XmlDsigAlgorithms.EcdsaSha256} or {XmlDsigAlgorithms.RsaSha256}");
        if (method != _expectedKey.SignatureMethod)
            return Fail(LicenseXmlVerdict.WrongKey, $"signed with {method}, but the expected key verifies {_expectedKey.SignatureMethod}");

        var references = signedInfo.GetElementsByTagName("Reference", XmlDsigAlgorithms.DsigNamespace);
        if (references.Count != 1) return Fail(LicenseXmlVerdict.Refused, $"{references.Count} ds:Reference elements; exactly one, to the document root, is allowed");
        var reference = (XmlElement)references[0]!;
        if (CheckReference(document, root, reference) is { } referenceError) return Fail(LicenseXmlVerdict.Refused, referenceError);
        return null;
    }

    private static string? CheckReference(XmlDocument document, XmlElement root, XmlElement reference)
    {
        if (!reference.HasAttribute("URI")) return "the ds:Reference has no URI; it must name the document root";
        var uri = reference.GetAttribute("URI");
        var ids = IdOwners(document);
        foreach (var (id, owners) in ids)
        {
            if (owners.Count > 1) return $"Id \"{id}\" is on {owners.Count} elements; a duplicated Id lets a reference point at a copy";
        }
        if (uri.Length > 0)
        {
            if (!uri.StartsWith('#') || uri.Contains('(', StringComparison.Ordinal))
                return $"Reference URI \"{uri}\" is refused: only \"\" or \"#\" and the root's Id (no external, relative or XPointer URIs)";
            var id = uri[1..];
            if (!ids.TryGetValue(id, out var owner)) return $"Reference URI \"{uri}\" names no element";
            if (owner[0] != root)
                return $"Reference URI \"{uri}\" names a {owner[0].LocalName} element, not the document root (a moved Id: the signed element is not the one read)";
        }

        var transforms = DsigChild(reference, "Transforms");
        var algorithms = new List<string>();
        if (transforms is not null)
        {
            foreach (XmlNode node in transforms.ChildNodes)
            {
                if (node is XmlElement transform) algorithms.Add(transform.GetAttribute("Algorithm"));
            }
        }
        foreach (var algorithm in algorithms)
        {
            if (algorithm is not (XmlDsigAlgorithms.Enveloped or XmlDsigAlgorithms.ExcC14n))
                return $"Transform {algorithm} is refused{TransformHint(algorithm)}; only enveloped-signature then exclusive C14N";
        }
        if (algorithms.Count != 2 || algorithms[0] != XmlDsigAlgorithms.Enveloped || algorithms[1] != XmlDsigAlgorithms.ExcC14n)
            return $"the transforms must be exactly enveloped-signature then exclusive C14N, got [{string.Join(", ", algorithms)}]";
        var digest = DsigChild(reference, "DigestMethod")?.GetAttribute("Algorithm");
        if (digest != XmlDsigAlgorithms.Sha256) return $"DigestMethod {digest} is refused; only SHA-256 ({XmlDsigAlgorithms.Sha256})";
        return null;
    }

    private static string TransformHint(string algorithm) => algorithm switch
    {
        SignedXml.XmlDsigXsltTransformUrl => " (XSLT can make the signed bytes anything)",
        SignedXml.XmlDsigXPathTransformUrl or "http://www.w3.org/2002/06/xmldsig-filter2" => " (XPath can sign a part other than the one read)",
        SignedXml.XmlDsigExcC14NWithCommentsTransformUrl or SignedXml.XmlDsigC14NWithCommentsTransformUrl => " (comments would be signed)",
        _ => "",
    };

    private LicenseXmlVerification CheckSignature(XmlDocument document, XmlElement root, XmlElement signature)
    {
        // KeyInfo is not signed, so anyone may add to it; SignedXml reads some of what may stand there (EncryptedKey, say)
        // into exceptions of its own. Huren reads a key from it only to compare with the expected one.
        if (UnreadKeyInfo(signature) is { } unread)
            return Fail(LicenseXmlVerdict.Refused, $"the signature's KeyInfo holds {unread}, which Huren does not read (only KeyValue, X509Data or KeyName)");
        var signedXml = new SignedXml(document);
        try
        {
            signedXml.LoadXml(signature);
            if (KeyInfoMismatch(signedXml.KeyInfo) is { } keyError) return Fail(LicenseXmlVerdict.WrongKey, keyError);
            if (!signedXml.CheckSignature(_expectedKey.Algorithm))
                return Fail(LicenseXmlVerdict.BadSignature, "the signature does not verify with the expected key: the content was changed or another key signed it");
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            // e.g. a SignatureValue or DigestValue that is not base64.
            return Fail(LicenseXmlVerdict.BadSignature, $"the signature cannot be checked: {ex.Message}");
        }
        LicenseMetadata metadata;
        DateTimeOffset exportedAt;
        try
        {
            (metadata, exportedAt) = LicenseXmlReader.Read(root);
        }
        // ArgumentException: a date the schema allows that no DateTimeOffset holds (9999-12-31T23:59:59-14:00).
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
            return Fail(LicenseXmlVerdict.SchemaInvalid, $"a value the schema let through cannot be read: {ex.Message}");
        }
        var statusText = ChildText(root, "Status");
        if (LicenseMetadata.StatusName(metadata.StatusCode) != statusText)
            return Fail(LicenseXmlVerdict.SchemaInvalid, $"Status code {metadata.StatusCode} is {LicenseMetadata.StatusName(metadata.StatusCode)}, but the text says {statusText}");
        return new LicenseXmlVerification(LicenseXmlVerdict.Valid, null) { Metadata = metadata, ExportedAt = exportedAt };
    }

    /// <summary>The name of the first element of the signature's KeyInfo other than KeyValue, X509Data or KeyName, or null.</summary>
    private static string? UnreadKeyInfo(XmlElement signature)
    {
        foreach (var node in signature.ChildNodes)
        {
            if (node is not XmlElement { LocalName: "KeyInfo", NamespaceURI: SignedXml.XmlDsigNamespaceUrl } keyInfo) continue;
            foreach (var child in keyInfo.ChildNodes)
            {
                if (child is XmlElement element && !(element.NamespaceURI == SignedXml.XmlDsigNamespaceUrl && element.LocalName is "KeyValue" or "X509Data" or "KeyName"))
                    return $"{{{element.NamespaceURI}}}{element.LocalName}";
            }
        }
        return null;
    }

    /// <summary>A key the document carries must be the expected one (the document never chooses the key).</summary>
    private string? KeyInfoMismatch(KeyInfo? keyInfo)
    {
        if (keyInfo is null) return null;
        foreach (var clause in keyInfo)
        {
            byte[]? spki = clause switch
            {
                RSAKeyValue rsa => rsa.Key.ExportSubjectPublicKeyInfo(),
                KeyInfoX509Data x509 when x509.Certificates is { Count: > 0 } certificates => ((X509Certificate2)certificates[0]!).PublicKey.ExportSubjectPublicKeyInfo(),
                _ => null,
            };
            if (spki is not null && !spki.AsSpan().SequenceEqual(_expectedKey.SubjectPublicKeyInfo))
                return "the signature's KeyInfo carries another key than the expected one";
        }
        return null;
    }

    private static string? Validate(XmlDocument document)
    {
        var errors = new StringBuilder();
        try
        {
            lock (SchemaLock)
            {
                document.Schemas = Schema.Value;
                document.Validate((_, e) =>
                {
                    if (errors.Length == 0) errors.Append(e.Message);
                });
            }
        }
        catch (XmlSchemaValidationException ex)
        {
            return ex.Message;
        }
        return errors.Length == 0 ? null : errors.ToString();
    }

    private static XmlSchemaSet LoadSchema()
    {
        var set = new XmlSchemaSet { XmlResolver = null };
        using var stream = LicenseXmlSchema.OpenXsd();
        using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        set.Add(LicenseXmlSchema.Namespace, reader);
        set.Compile();
        return set;
    }

    private static Dictionary<string, List<XmlElement>> IdOwners(XmlDocument document)
    {
        var owners = new Dictionary<string, List<XmlElement>>(StringComparer.Ordinal);
        foreach (XmlElement element in document.GetElementsByTagName("*"))
        {
            foreach (var name in IdAttributeNames)
            {
                var attribute = element.GetAttributeNode(name);
                if (attribute is null) continue;
                if (!owners.TryGetValue(attribute.Value, out var list)) owners[attribute.Value] = list = [];
                if (!list.Contains(element)) list.Add(element);
            }
        }
        return owners;
    }

    private static XmlElement? LastElementChild(XmlElement parent)
    {
        for (var node = parent.LastChild; node is not null; node = node.PreviousSibling)
        {
            if (node is XmlElement element) return element;
        }
        return null;
    }

    private static XmlElement? DsigChild(XmlElement parent, string name)
    {
        foreach (XmlNode node in parent.ChildNodes)
        {
            if (node is XmlElement element && element.LocalName == name && element.NamespaceURI == XmlDsigAlgorithms.DsigNamespace) return element;
        }
        return null;
    }

    private static string ChildText(XmlElement root, string name)
    {
        foreach (XmlNode node in root.ChildNodes)
        {
            if (node is XmlElement element && element.LocalName == name && element.NamespaceURI == LicenseXmlSchema.Namespace) return element.InnerText;
        }
        return "";
    }

    private static LicenseXmlVerification Fail(LicenseXmlVerdict verdict, string reason) => new(verdict, reason);
}
