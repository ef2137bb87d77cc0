using System.Globalization;
using System.Text;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using ProtoBuf;

namespace Huren.Sdk.Entries;

/// <summary>
/// The payload digest a <c>share</c> entry records: SHA-256 of the manifest text
/// <c>"huren-share-payload/v1\n" ‖ hex(salt) "\n" ‖ for each part: name "\n" length "\n" hex(SHA-256) "\n"</c>. The 32-byte
/// random salt travels only with the data, so the digest on the ledger cannot be matched against guessed field values
/// (a salted commitment); the provider computes it before sending, the consumer's node from what it received.
/// </summary>
public static class SharePayload
{
    /// <summary>The part holding the requested fields as a JSON object.</summary>
    public const string FieldsPart = "fields.json";

    /// <summary>The payload digest of <paramref name="parts"/> under <paramref name="salt"/>.</summary>
    public static byte[] Digest(ReadOnlySpan<byte> salt, IEnumerable<SharePart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var text = new StringBuilder("huren-share-payload/v1\n").Append(Convert.ToHexStringLower(salt)).Append('\n');
        foreach (var part in parts)
        {
            text.Append(part.Name).Append('\n').Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append(Convert.ToHexStringLower(part.Sha256)).Append('\n');
        }
        return Digests.Sha256(Encoding.UTF8.GetBytes(text.ToString()));
    }
}

/// <summary>Signing and reading a consumer's <see cref="ShareRequest"/>: <c>"huren-share-request/v1\n" ‖ exact request bytes</c>.</summary>
public static class ShareRequestSigner
{
    private static readonly byte[] Context = "huren-share-request/v1\n"u8.ToArray();

    /// <summary>Encodes <paramref name="request"/> once and signs those bytes with the department's key.</summary>
    public static SignedShareRequest Sign(ShareRequest request, SigningKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        using var stream = new MemoryStream();
        Serializer.Serialize(stream, request);
        var bytes = stream.ToArray();
        return new SignedShareRequest { RequestBytes = bytes, Signature = key.Sign([.. Context, .. bytes]) };
    }

    /// <summary>Whether <paramref name="signed"/>'s signature verifies under <paramref name="key"/>.</summary>
    public static bool Verify(SignedShareRequest signed, PublicKey key)
    {
        ArgumentNullException.ThrowIfNull(signed);
        ArgumentNullException.ThrowIfNull(key);
        return key.Verify([.. Context, .. signed.RequestBytes], signed.Signature);
    }

    /// <summary>The request inside <paramref name="signed"/>, or null when its bytes do not decode.</summary>
    public static ShareRequest? Read(SignedShareRequest signed)
    {
        ArgumentNullException.ThrowIfNull(signed);
        try
        {
            return Serializer.Deserialize<ShareRequest>(signed.RequestBytes.AsSpan());
        }
        catch (Exception ex) when (ex is ProtoException or EndOfStreamException or InvalidOperationException or OverflowException)
        {
            return null;
        }
    }
}
