namespace Huren.Sdk.Seals;

/// <summary>
/// The limits Huren puts on seal structures, read and written alike. GB/T 38540 sets none; these keep one seal or
/// signature from costing a verifier more than a few megabytes or a deep recursion. See docs/seals.md.
/// </summary>
public static class SesLimits
{
    /// <summary>Largest <c>SES_Seal</c> or <c>SES_Signature</c> DER: 2 MiB.</summary>
    public const int MaxStructureBytes = 2 * 1024 * 1024;

    /// <summary>Largest seal image: 1 MiB (real seal images are tens of kilobytes).</summary>
    public const int MaxPictureBytes = 1024 * 1024;

    /// <summary>Deepest nesting of constructed elements; a v4 <c>SES_Signature</c> needs 7.</summary>
    public const int MaxDepth = 16;

    /// <summary>Largest embedded certificate.</summary>
    public const int MaxCertificateBytes = 16 * 1024;

    /// <summary>Most entries in a certificate list.</summary>
    public const int MaxCertificates = 32;

    /// <summary>Most entries in an <c>ExtensionDatas</c> list.</summary>
    public const int MaxExtensions = 32;

    /// <summary>Largest extension value or time stamp.</summary>
    public const int MaxExtensionBytes = 64 * 1024;

    /// <summary>Longest esID, vendor id or picture type.</summary>
    public const int MaxIdLength = 128;

    /// <summary>Longest seal name, in characters.</summary>
    public const int MaxNameLength = 256;

    /// <summary>Longest <c>propertyInfo</c> of a signature.</summary>
    public const int MaxPropertyInfoLength = 4096;

    /// <summary>Largest picture width or height, in millimetres.</summary>
    public const int MaxPictureMm = 1000;

    /// <summary>Largest signature value or certificate digest, in bytes.</summary>
    public const int MaxSignatureBytes = 512;
}
