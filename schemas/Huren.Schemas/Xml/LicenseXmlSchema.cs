namespace Huren.Schemas.Xml;

/// <summary>
/// The XML form of a license's metadata (<c>license-metadata-v1.xsd</c>, embedded): names and the schema file. The
/// SDK's <c>Huren.Sdk.Xml</c> writes, signs and verifies documents of this form.
/// </summary>
public static class LicenseXmlSchema
{
    /// <summary>The target namespace.</summary>
    public const string Namespace = "urn:huren:xml:license:1";

    /// <summary>The root element's local name.</summary>
    public const string RootElement = "LicenseMetadata";

    /// <summary>The value of the root's <c>version</c> attribute.</summary>
    public const string Version = "1";

    /// <summary>The manifest resource name of the XSD.</summary>
    public const string ResourceName = "Huren.Schemas.license-metadata-v1.xsd";

    /// <summary>Opens the embedded XSD (the caller disposes the stream).</summary>
    public static Stream OpenXsd()
        => typeof(LicenseXmlSchema).Assembly.GetManifestResourceStream(ResourceName)
           ?? throw new InvalidOperationException($"the XSD resource {ResourceName} is missing from {typeof(LicenseXmlSchema).Assembly.GetName().Name}");
}
