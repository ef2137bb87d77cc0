using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Entries;

/// <summary>Makes <see cref="SignedEntry"/> leaves: encodes the entry once and signs those exact bytes.</summary>
public static class EntrySigner
{
    /// <summary>Encodes <paramref name="entry"/> with protobuf-net and signs the bytes.</summary>
    public static SignedEntry Sign(Entry entry, SigningKey key) => Sign(CanonicalCodec.Encode(entry), key);

    /// <summary>Signs already encoded entry bytes (kept verbatim).</summary>
    public static SignedEntry Sign(byte[] entryBytes, SigningKey key) => new()
    {
        EntryBytes = entryBytes,
        SignerKeyId = key.Id.Bytes.ToArray(),
        Algorithm = key.Algorithm,
        Signature = key.Sign(entryBytes),
    };

    /// <summary>Signs and encodes in one step: the returned bytes are the Merkle leaf to submit.</summary>
    public static byte[] SignToLeaf(Entry entry, SigningKey key) => CanonicalCodec.Encode(Sign(entry, key));
}
