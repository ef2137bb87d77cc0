using ProtoBuf;

namespace Huren.Node.Ledger;

/// <summary>
/// Keys of the derived-state rows of one city log, and their protobuf-net encoding. Ids are printable ASCII without
/// spaces (the schema validators make sure), so a space separates the parts of a compound key.
/// </summary>
internal static class StateKeys
{
    public const string IssuerPrefix = "issuer/";
    public const string KeyPrefix = "key/";
    public const string LicensePrefix = "license/";
    public const string DigestPrefix = "digest/";
    public const string AcceptedPrefix = "accepted/";
    public const string SealPrefix = "seal/";
    public const string SealUsePrefix = "sealuse/";
    public const string SharePrefix = "share/";
    public const string ReceiptPrefix = "receipt/";
    public const string CatalogPrefix = "catalog/";
    public const string DecisionPrefix = "decision/";
    public const string RecordKindPrefix = "record/";
    public const string Meta = "meta/state";

    public static string Issuer(string issuerId) => IssuerPrefix + issuerId;

    public static string Key(ReadOnlySpan<byte> keyId) => KeyPrefix + Convert.ToHexStringLower(keyId);

    public static string License(string licenseId) => LicensePrefix + licenseId;

    public static string Digest(ReadOnlySpan<byte> digest) => DigestPrefix + Convert.ToHexStringLower(digest);

    public static string Accepted(string fromOrigin, string licenseId) => $"{AcceptedPrefix}{fromOrigin} {licenseId}";

    public static string Seal(string sealId) => SealPrefix + sealId;

    public static string SealUse(ReadOnlySpan<byte> signatureSha256) => SealUsePrefix + Convert.ToHexStringLower(signatureSha256);

    public static string Share(string shareId) => SharePrefix + shareId;

    public static string Receipt(string providerOrigin, string shareId) => $"{ReceiptPrefix}{providerOrigin} {shareId}";

    public static string Catalog(string resourceCode) => CatalogPrefix + resourceCode;

    public static string Decision(string shareId) => DecisionPrefix + shareId;

    public static string RecordKind(string recordId) => RecordKindPrefix + recordId;

    public static byte[] Encode(object record)
    {
        using var stream = new MemoryStream(256);
        Serializer.NonGeneric.Serialize(stream, record);
        return stream.ToArray();
    }

    /// <summary>Decodes a stored row; a row that does not decode means the store is damaged, which no entry can fix.</summary>
    public static T Decode<T>(string key, byte[] value)
    {
        try
        {
            return Serializer.Deserialize<T>(value.AsSpan());
        }
        catch (Exception ex) when (ex is ProtoException or EndOfStreamException or InvalidOperationException or OverflowException)
        {
            throw new InvalidDataException($"derived-state row '{key}' does not decode as {typeof(T).Name}: {ex.Message}", ex);
        }
    }
}
