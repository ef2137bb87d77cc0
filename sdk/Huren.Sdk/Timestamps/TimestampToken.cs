using System.Diagnostics.CodeAnalysis;
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
            token = new TimestampToken(bytes, new TimeStampToken(new CmsSignedData(bytes)));
            error = null;
            return true;
        }
        catch (Exception ex) when (ex is CmsException or TspException or IOException or ArgumentException or InvalidCastException or InvalidOperationException)
        {
            error = $"not an RFC 3161 time-stamp token: {ex.Message}";
            return false;
        }
    }
}
