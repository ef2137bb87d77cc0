using System.Diagnostics.CodeAnalysis;
using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Cms;
using Org.BouncyCastle.Cms;
using Org.BouncyCastle.Tsp;

namespace Huren.Sdk.Timestamps;

/// <summary>
/// An RFC 3161 time-stamp token (a CMS SignedData whose content is a TSTInfo), kept as the exact DER bytes it arrived
/// as; the fields are read from those bytes. Checking it is <see cref="TimestampVerifier"/>'s job.
/// </summary>
public sealed class TimestampToken
{
    private readonly byte[] _encoded;

    private TimestampToken(byte[] encoded, TimeStampToken token)
    {
        _encoded = encoded;
        Inner = token;
        var info = token.TimeStampInfo;
        GenTime = new DateTimeOffset(DateTime.SpecifyKind(info.GenTime, DateTimeKind.Utc));
        Policy = info.Policy;
        SerialNumber = info.SerialNumber.ToString(16);
        Nonce = info.Nonce?.ToByteArrayUnsigned();
        ImprintAlgorithm = info.MessageImprintAlgOid;
        MessageImprint = info.GetMessageImprintDigest();
    }

    internal TimeStampToken Inner { get; }

    /// <summary>The time the TSA states (UTC).</summary>
    public DateTimeOffset GenTime { get; }

    /// <summary>The TSA policy OID under which the token was issued.</summary>
    public string Policy { get; }

    /// <summary>The token's serial number, lower-case hex.</summary>
    public string SerialNumber { get; }

    /// <summary>The request's nonce echoed back (unsigned big-endian), or null.</summary>
    public byte[]? Nonce { get; }

    /// <summary>The OID of the message imprint's hash algorithm.</summary>
    public string ImprintAlgorithm { get; }

    /// <summary>The time-stamped digest.</summary>
    public byte[] MessageImprint { get; }

    /// <summary>The exact DER bytes (a CMS ContentInfo), as received; what bundles and stores keep.</summary>
    public byte[] ToArray() => (byte[])_encoded.Clone();

    /// <summary>Reads a token from its DER bytes.</summary>
    /// <exception cref="FormatException">Not a time-stamp token; the message says why.</exception>
    public static TimestampToken Parse(ReadOnlySpan<byte> der) =>
        TryParse(der, out var token, out var error) ? token : throw new FormatException(error);

    /// <summary>Reads a token from its DER bytes; false, with the reason, for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<byte> der, [NotNullWhen(true)] out TimestampToken? token, [NotNullWhen(false)] out string? error)
    {
        token = null;
        var bytes = der.ToArray();
        try
        {
            // The outer ContentInfo is not covered by the signature, so check it is what RFC 3161 says (id-signedData,
            // nothing after it) instead of letting a changed wrapper pass.
            var info = ContentInfo.GetInstance(Asn1Object.FromByteArray(bytes));
            if (!CmsObjectIdentifiers.SignedData.Equals(info.ContentType))
            {
                error = $"not an RFC 3161 time-stamp token: content type {info.ContentType} is not id-signedData";
                return false;
            }
            var parsed = new TimeStampToken(new CmsSignedData(info));
            // Read every part now, so that a malformed certificate set fails here and not in the verifier.
            _ = parsed.GetCertificates().EnumerateMatches(null).Count();
            token = new TimestampToken(bytes, parsed);
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is CmsException or TspException or IOException or ArgumentException or InvalidCastException or InvalidOperationException or FormatException or Org.BouncyCastle.Security.Certificates.CertificateException)
        {
            error = $"not an RFC 3161 time-stamp token: {ex.Message}";
            return false;
        }
    }
}
