using Org.BouncyCastle.Asn1;

namespace Huren.Sdk.Seals;

/// <summary>
/// The value rules of seal structures, one set for what Huren reads and what it writes: a builder refuses what a
/// parser would refuse. Each returns null when the value is acceptable, else what is wrong, naming the field.
/// </summary>
internal static class SesRules
{
    public static string? Check(SesSealInfo info, SesFormat format)
    {
        if (info is null) return "eSealInfo: missing";
        if (info.Header is null) return "header: missing";
        if (format == SesFormat.V4 && info.Header.Version != 4)
            return $"header.version: must be 4 for a GB/T 38540 seal, got {info.Header.Version}";
        if (format == SesFormat.V1 && info.Header.Version is < 1 or > 3)
            return $"header.version: must be 1 to 3 for a GM/T 0031 seal, got {info.Header.Version}";
        return Ia5(info.Header.VendorId, "header.vid", SesLimits.MaxIdLength, allowEmpty: true)
            ?? Ia5(info.EsId, "esID", SesLimits.MaxIdLength, allowEmpty: false)
            ?? Check(info.Property, format)
            ?? Check(info.Picture)
            ?? Check(info.Extensions, "extDatas");
    }

    public static string? CheckSignedBy(string algorithm, byte[] certificate, byte[] signature, string path)
    {
        if (algorithm is null || !SealAlgorithms.TryGetAlgorithm(algorithm, out _))
            return $"{path}.signatureAlgorithm: {algorithm ?? "(missing)"} is not SM2-with-SM3 ({SealAlgorithms.Sm2WithSm3}) or ecdsa-with-SHA256 ({SealAlgorithms.EcdsaWithSha256})";
        return Bytes(certificate, $"{path}.cert", SesLimits.MaxCertificateBytes)
            ?? Bytes(signature, $"{path}.signature", SesLimits.MaxSignatureBytes);
    }

    public static string? Check(TbsSign tbs, SesFormat format)
    {
        if (tbs is null) return "toSign: missing";
        if (tbs.Seal is null) return "toSign.eseal: missing";
        if (tbs.Seal.Format != format) return $"toSign.eseal: a {tbs.Seal.Format} seal inside a {format} signature";
        if (format == SesFormat.V4 && tbs.Version != 4) return $"toSign.version: must be 4 for a GB/T 38540 signature, got {tbs.Version}";
        if (format == SesFormat.V1 && tbs.Version is < 1 or > 3) return $"toSign.version: must be 1 to 3 for a GM/T 0031 signature, got {tbs.Version}";
        if (tbs.DataHash is null || tbs.DataHash.Length != 32) return $"toSign.dataHash: must be the 32-byte SM3 of the document, got {tbs.DataHash?.Length ?? 0} bytes";
        return Ia5(tbs.PropertyInfo, "toSign.propertyInfo", SesLimits.MaxPropertyInfoLength, allowEmpty: true)
            ?? Check(tbs.Extensions, "toSign.extDatas");
    }

    public static string? CheckTimeStamp(byte[]? timeStamp)
        => timeStamp is null ? null : Bytes(timeStamp, "timeStamp", SesLimits.MaxExtensionBytes);

    private static string? Check(SesPropertyInfo property, SesFormat format)
    {
        if (property is null) return "property: missing";
        if (property.Type < 1) return $"property.type: must be a positive seal type, got {property.Type}";
        if (string.IsNullOrEmpty(property.Name)) return "property.name: must not be empty";
        if (property.Name.Length > SesLimits.MaxNameLength) return $"property.name: longer than {SesLimits.MaxNameLength} characters";
        if (property.Certificates is null || property.CertificateDigests is null) return "property.certList: missing";
        if (format == SesFormat.V1 && property.CertListType != SesCertListType.Certificates) return "property.certList: a GM/T 0031 seal lists certificates";
        switch (property.CertListType)
        {
            case SesCertListType.Certificates:
                if (property.Certificates.Count == 0) return "property.certList: lists no certificate";
                if (property.CertificateDigests.Count != 0) return "property.certList: certListType 1 (certificates) with certificate digests";
                if (property.Certificates.Count > SesLimits.MaxCertificates) return $"property.certList: more than {SesLimits.MaxCertificates} certificates";
                for (var i = 0; i < property.Certificates.Count; i++)
                {
                    if (Bytes(property.Certificates[i], $"property.certList[{i}]", SesLimits.MaxCertificateBytes) is { } error) return error;
                }
                break;
            case SesCertListType.CertificateDigests:
                if (property.CertificateDigests.Count == 0) return "property.certList: lists no certificate digest";
                if (property.Certificates.Count != 0) return "property.certList: certListType 2 (certificate digests) with certificates";
                if (property.CertificateDigests.Count > SesLimits.MaxCertificates) return $"property.certList: more than {SesLimits.MaxCertificates} certificate digests";
                for (var i = 0; i < property.CertificateDigests.Count; i++)
                {
                    var digest = property.CertificateDigests[i];
                    if (digest is null || string.IsNullOrEmpty(digest.Type) || digest.Type.Length > 32 || !DerPrintableString.IsPrintableString(digest.Type))
                        return $"property.certList[{i}].type: must be a PrintableString digest name such as sm3";
                    if (Bytes(digest.Value, $"property.certList[{i}].value", 64) is { } error) return error;
                }
                break;
            default:
                return $"property.certListType: must be 1 (certificates) or 2 (certificate digests), got {(int)property.CertListType}";
        }
        if (property.ValidEnd < property.ValidStart)
            return $"property.validEnd: {property.ValidEnd:O} is before validStart {property.ValidStart:O}";
        return null;
    }

    private static string? Check(SesPictureInfo picture)
    {
        if (picture is null) return "picture: missing";
        if (Ia5(picture.Type, "picture.type", SesLimits.MaxIdLength, allowEmpty: false) is { } error) return error;
        if (picture.Data is null || picture.Data.Length == 0) return "picture.data: empty";
        if (picture.Data.Length > SesLimits.MaxPictureBytes)
            return $"picture.data: {picture.Data.Length} bytes, more than the {SesLimits.MaxPictureBytes}-byte limit";
        if (picture.WidthMm is < 1 or > SesLimits.MaxPictureMm) return $"picture.width: must be 1 to {SesLimits.MaxPictureMm} mm, got {picture.WidthMm}";
        if (picture.HeightMm is < 1 or > SesLimits.MaxPictureMm) return $"picture.height: must be 1 to {SesLimits.MaxPictureMm} mm, got {picture.HeightMm}";
        return null;
    }

    private static string? Check(IReadOnlyList<SesExtension>? extensions, string path)
    {
        if (extensions is null) return null;
        if (extensions.Count > SesLimits.MaxExtensions) return $"{path}: more than {SesLimits.MaxExtensions} extensions";
        for (var i = 0; i < extensions.Count; i++)
        {
            var extension = extensions[i];
            if (extension is null || !DerObjectIdentifier.TryFromID(extension.Oid, out _)) return $"{path}[{i}].extnID: not an OID";
            if (extension.Value is null || extension.Value.Length > SesLimits.MaxExtensionBytes)
                return $"{path}[{i}].extnValue: missing or more than {SesLimits.MaxExtensionBytes} bytes";
        }
        return null;
    }

    private static string? Ia5(string? value, string field, int maxLength, bool allowEmpty)
    {
        if (value is null) return $"{field}: missing";
        if (!allowEmpty && value.Length == 0) return $"{field}: must not be empty";
        if (value.Length > maxLength) return $"{field}: longer than {maxLength} characters";
        foreach (var c in value)
        {
            if (c > 0x7F) return $"{field}: not IA5 (ASCII) text";
        }
        return null;
    }

    private static string? Bytes(byte[]? value, string field, int maxLength)
    {
        if (value is null || value.Length == 0) return $"{field}: empty";
        return value.Length > maxLength ? $"{field}: {value.Length} bytes, more than the {maxLength}-byte limit" : null;
    }
}
