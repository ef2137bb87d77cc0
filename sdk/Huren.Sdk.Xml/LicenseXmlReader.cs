using System.Xml;
using Huren.Schemas.Bodies;
using Huren.Schemas.Xml;

namespace Huren.Sdk.Xml;

/// <summary>Reads <see cref="LicenseMetadata"/> back from a root that passed the schema (so every required element is there).</summary>
internal static class LicenseXmlReader
{
    public static (LicenseMetadata Metadata, DateTimeOffset ExportedAt) Read(XmlElement root)
    {
        var holder = Child(root, "Holder")!;
        var authority = Child(root, "IssuingAuthority")!;
        var digest = Child(root, "DocumentDigest")!;
        var fields = new List<LicenseField>();
        if (Child(root, "Fields") is { } list)
        {
            foreach (XmlNode node in list.ChildNodes)
            {
                if (node is XmlElement field) fields.Add(new LicenseField { Name = field.GetAttribute("name"), Value = field.InnerText });
            }
        }
        LedgerPosition? ledger = null;
        if (Child(root, "LedgerEntry") is { } entry)
        {
            ledger = new LedgerPosition(entry.GetAttribute("origin"), XmlConvert.ToUInt64(entry.GetAttribute("index")),
                Convert.FromBase64String(entry.GetAttribute("leafHash")));
        }
        var commitment = Child(holder, "IdCommitment");
        var metadata = new LicenseMetadata
        {
            LicenseId = Text(root, "LicenseId"),
            TypeName = Text(root, "TypeName"),
            TypeCode = Text(root, "TypeCode"),
            Name = Text(root, "Name"),
            LicenseNumber = Text(root, "LicenseNumber"),
            HolderName = Text(holder, "Name"),
            HolderCodeType = Text(holder, "CodeType"),
            HolderCode = commitment is null ? Text(holder, "Code") : "",
            HolderIdCommitment = commitment is null ? [] : Convert.FromBase64String(commitment.InnerText),
            IssuingAuthority = Text(authority, "Name"),
            IssuingAuthorityCode = Text(authority, "Code"),
            IssueDate = Text(root, "IssueDate"),
            ValidFrom = Text(root, "ValidFrom"),
            ValidUntil = Child(root, "ValidUntil")?.InnerText ?? "",
            StatusCode = Child(root, "Status")!.GetAttribute("code"),
            JurisdictionCode = Text(root, "JurisdictionCode"),
            DocumentDigest = Convert.FromBase64String(digest.InnerText),
            DigestAlgorithm = digest.GetAttribute("algorithm"),
            Fields = fields,
            LedgerEntry = ledger,
        };
        return (metadata, XmlConvert.ToDateTimeOffset(Text(root, "ExportedAt")));
    }

    private static XmlElement? Child(XmlElement parent, string name)
    {
        foreach (XmlNode node in parent.ChildNodes)
        {
            if (node is XmlElement element && element.LocalName == name && element.NamespaceURI == LicenseXmlSchema.Namespace) return element;
        }
        return null;
    }

    private static string Text(XmlElement parent, string name) => Child(parent, name)?.InnerText ?? "";
}
