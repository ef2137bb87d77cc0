namespace Huren.Sdk.Seals;

/// <summary>Which structure a seal or signature was read from: GB/T 38540 (v4) or GM/T 0031 (v1, read only).</summary>
public enum SesFormat
{
    /// <summary>GM/T 0031-2014: <c>SESeal</c> of 2 elements (seal info, sign info); read, never written.</summary>
    V1 = 1,
    /// <summary>GB/T 38540-2020: <c>SES_Seal</c> of 4 elements; read and written.</summary>
    V4 = 4,
}

/// <summary>How the seal names the certificates allowed to use it (<c>SES_ESPropertyInfo.certListType</c>).</summary>
public enum SesCertListType
{
    /// <summary>1: the signers' X.509 certificates, DER.</summary>
    Certificates = 1,
    /// <summary>2: digests of the signers' certificates.</summary>
    CertificateDigests = 2,
}

/// <summary><c>SES_Header</c>: <c>id</c> is always <c>ES</c>.</summary>
/// <param name="Version">4 for GB/T 38540; 1 to 3 in GM/T 0031 seals.</param>
/// <param name="VendorId">The maker's vendor id (<c>vid</c>, IA5).</param>
public sealed record SesHeader(int Version, string VendorId)
{
    /// <summary>The header id every seal carries.</summary>
    public const string Id = "ES";
}

/// <summary>A certificate digest of a <c>certDigestList</c>: <paramref name="Type"/> names the digest (Huren writes <c>sm3</c>).</summary>
/// <param name="Type">Digest algorithm name (PrintableString): <c>sm3</c> or <c>sha256</c> are the ones Huren checks.</param>
/// <param name="Value">Digest of the certificate's DER.</param>
public sealed record SesCertDigest(string Type, byte[] Value);

/// <summary>An <c>ExtData</c> of an <c>ExtensionDatas</c> list.</summary>
/// <param name="Oid">extnID, dotted.</param>
/// <param name="Critical">critical (DEFAULT FALSE: omitted from the DER when false). Huren knows no extension, so a
/// critical one makes a seal unverifiable.</param>
/// <param name="Value">extnValue.</param>
public sealed record SesExtension(string Oid, bool Critical, byte[] Value);

/// <summary><c>SES_ESPropertyInfo</c>: what the seal is and who may use it, and when.</summary>
/// <param name="Type">Seal type (印章类型), a positive integer.</param>
/// <param name="Name">Seal name (印章名称), UTF-8.</param>
/// <param name="CertListType">Whether <paramref name="Certificates"/> or <paramref name="CertificateDigests"/> is used.</param>
/// <param name="Certificates">The signers' certificates (DER), for <see cref="SesCertListType.Certificates"/>; else empty.</param>
/// <param name="CertificateDigests">The signers' certificate digests, for <see cref="SesCertListType.CertificateDigests"/>; else empty.</param>
/// <param name="CreateDate">When the seal was made (UTC).</param>
/// <param name="ValidStart">First instant of validity (UTC).</param>
/// <param name="ValidEnd">Last instant of validity (UTC).</param>
public sealed record SesPropertyInfo(
    int Type,
    string Name,
    SesCertListType CertListType,
    IReadOnlyList<byte[]> Certificates,
    IReadOnlyList<SesCertDigest> CertificateDigests,
    DateTimeOffset CreateDate,
    DateTimeOffset ValidStart,
    DateTimeOffset ValidEnd);

/// <summary><c>SES_ESPictrueInfo</c> (the standard's spelling): the seal image.</summary>
/// <param name="Type">Image type (IA5), e.g. <c>png</c>, <c>ofd</c>, <c>svg</c>.</param>
/// <param name="Data">Image bytes; at most <see cref="SesLimits.MaxPictureBytes"/>.</param>
/// <param name="WidthMm">Display width in millimetres.</param>
/// <param name="HeightMm">Display height in millimetres.</param>
public sealed record SesPictureInfo(string Type, byte[] Data, int WidthMm, int HeightMm);

/// <summary><c>SES_SealInfo</c>: what the seal-making authority (制章机构) signs.</summary>
/// <param name="Header">The header.</param>
/// <param name="EsId">The seal's id (esID, IA5).</param>
/// <param name="Property">Properties.</param>
/// <param name="Picture">The image.</param>
/// <param name="Extensions">extDatas; null when absent (an empty list is written as an empty SEQUENCE).</param>
public sealed record SesSealInfo(
    SesHeader Header,
    string EsId,
    SesPropertyInfo Property,
    SesPictureInfo Picture,
    IReadOnlyList<SesExtension>? Extensions);
