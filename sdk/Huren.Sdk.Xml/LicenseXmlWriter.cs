using System.Text;
using System.Xml;
using Huren.Schemas.Xml;

namespace Huren.Sdk.Xml;

/// <summary>
/// Writes a license's metadata as an unsigned <c>LicenseMetadata</c> document (<c>license-metadata-v1.xsd</c>), the
/// root carrying the <c>Id</c> the signature references. <see cref="LicenseXmlSigner"/> signs it.
/// </summary>
public static class LicenseXmlWriter
{
    /// <summary>The unsigned document, whitespace kept as written (it is part of what gets signed).</summary>
    public static XmlDocument Write(LicenseMetadata metadata, DateTimeOffset exportedAt)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        using var buffer = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, IndentChars = "  " };
        using (var writer = XmlWriter.Create(buffer, settings))
        {
            const string ns = LicenseXmlSchema.Namespace;
            writer.WriteStartDocument();
            writer.WriteStartElement(LicenseXmlSchema.RootElement, ns);
            writer.WriteAttributeString("Id", IdOf(metadata.LicenseId));
            writer.WriteAttributeString("version", LicenseXmlSchema.Version);
            writer.WriteElementString("LicenseId", ns, metadata.LicenseId);
            writer.WriteElementString("TypeName", ns, metadata.TypeName);
            writer.WriteElementString("TypeCode", ns, metadata.TypeCode);
            writer.WriteElementString("Name", ns, metadata.Name);
            writer.WriteElementString("LicenseNumber", ns, metadata.LicenseNumber);
            writer.WriteStartElement("Holder", ns);
            writer.WriteElementString("Name", ns, metadata.HolderName);
            writer.WriteElementString("CodeType", ns, metadata.HolderCodeType);
            if (metadata.HolderIdCommitment.Length > 0) writer.WriteElementString("IdCommitment", ns, Convert.ToBase64String(metadata.HolderIdCommitment));
            else writer.WriteElementString("Code", ns, metadata.HolderCode);
            writer.WriteEndElement();
            writer.WriteStartElement("IssuingAuthority", ns);
            writer.WriteElementString("Name", ns, metadata.IssuingAuthority);
            writer.WriteElementString("Code", ns, metadata.IssuingAuthorityCode);
            writer.WriteEndElement();
            writer.WriteElementString("IssueDate", ns, metadata.IssueDate);
            writer.WriteElementString("ValidFrom", ns, metadata.ValidFrom);
            if (metadata.ValidUntil.Length > 0) writer.WriteElementString("ValidUntil", ns, metadata.ValidUntil);
            writer.WriteStartElement("Status", ns);
            writer.WriteAttributeString("code", metadata.StatusCode);
            writer.WriteString(LicenseMetadata.StatusName(metadata.StatusCode) ?? throw new ArgumentException($"unknown status code '{metadata.StatusCode}'", nameof(metadata)));
            writer.WriteEndElement();
            writer.WriteElementString("JurisdictionCode", ns, metadata.JurisdictionCode);
            writer.WriteStartElement("DocumentDigest", ns);
            writer.WriteAttributeString("algorithm", metadata.DigestAlgorithm);
            writer.WriteString(Convert.ToBase64String(metadata.DocumentDigest));
            writer.WriteEndElement();
            if (metadata.Fields.Count > 0)
            {
                writer.WriteStartElement("Fields", ns);
                foreach (var field in metadata.Fields)
                {
                    writer.WriteStartElement("Field", ns);
                    writer.WriteAttributeString("name", field.Name);
                    writer.WriteString(field.Value);
                    writer.WriteEndElement();
                }
                writer.WriteEndElement();
            }
            if (metadata.LedgerEntry is { } entry)
            {
                writer.WriteStartElement("LedgerEntry", ns);
                writer.WriteAttributeString("origin", entry.Origin);
                writer.WriteAttributeString("index", XmlConvert.ToString(entry.Index));
                writer.WriteAttributeString("leafHash", Convert.ToBase64String(entry.LeafHash));
                writer.WriteEndElement();
            }
            writer.WriteElementString("ExportedAt", ns, XmlConvert.ToString(exportedAt, "yyyy-MM-dd'T'HH:mm:sszzz"));
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }
        buffer.Position = 0;
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        document.Load(buffer);
        return document;
    }

    /// <summary>The root's <c>Id</c>: <c>license-</c> and the license id (an XML NCName: other characters become <c>_</c>).</summary>
    public static string IdOf(string licenseId)
    {
        var id = new StringBuilder("license-", 8 + licenseId.Length);
        foreach (var c in licenseId) id.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        return id.ToString();
    }

    /// <summary>The document's UTF-8 bytes, exactly as they are (no re-indenting, which would break a signature).</summary>
    public static byte[] ToBytes(XmlDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
        {
            document.Save(writer);
        }
        return buffer.ToArray();
    }
}
