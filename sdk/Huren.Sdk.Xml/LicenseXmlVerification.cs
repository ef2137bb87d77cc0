namespace Huren.Sdk.Xml;

/// <summary>The verdict on a signed license XML document.</summary>
public enum LicenseXmlVerdict
{
    /// <summary>Well-formed, valid against the schema, in the one shape Huren accepts, signed by the expected key.</summary>
    Valid,
    /// <summary>Not well-formed XML, too large, or with a DTD or entities.</summary>
    Malformed,
    /// <summary>Not valid against <c>license-metadata-v1.xsd</c>.</summary>
    SchemaInvalid,
    /// <summary>
    /// A shape Huren refuses: no or several <c>Signature</c> elements, a misplaced signature, a <c>Reference</c> to
    /// anything but the root, duplicated or moved <c>Id</c>s, transforms other than enveloped + exclusive C14N,
    /// other algorithms, comments or processing instructions, <c>Object</c>/<c>Manifest</c>. Each one a way to make a
    /// valid signature cover something other than what a reader sees.
    /// </summary>
    Refused,
    /// <summary>The signature names, or its <c>KeyInfo</c> carries, another key than the expected one.</summary>
    WrongKey,
    /// <summary>The signature does not verify with the expected key: the content changed or another key signed.</summary>
    BadSignature,
}

/// <summary>The outcome of <see cref="LicenseXmlVerifier"/>.</summary>
/// <param name="Verdict">The verdict.</param>
/// <param name="Reason">Why, when not <see cref="LicenseXmlVerdict.Valid"/>.</param>
public sealed record LicenseXmlVerification(LicenseXmlVerdict Verdict, string? Reason)
{
    /// <summary>Whether the verdict is <see cref="LicenseXmlVerdict.Valid"/>.</summary>
    public bool IsValid => Verdict == LicenseXmlVerdict.Valid;

    /// <summary>The signed metadata, for a valid document.</summary>
    public LicenseMetadata? Metadata { get; init; }

    /// <summary>When the document says it was written, for a valid document.</summary>
    public DateTimeOffset? ExportedAt { get; init; }
}
