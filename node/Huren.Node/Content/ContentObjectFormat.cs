using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Huren.Node.Content;

/// <summary>
/// The bytes of one stored object (<c>huren-content/v1</c>), all encrypted except the header:
/// <code>
/// header  = "HURENCO1" ‖ u8 len ‖ key id (ASCII) ‖ object id (16 random bytes) ‖ u32be chunk size
/// chunk i = AES-256-GCM(ciphertext ‖ 16-byte tag), every chunk but the last holds exactly chunk size bytes of plaintext
/// trailer = SHA-256 (32) ‖ SM3 (32) ‖ u64be plaintext length
/// </code>
/// Each object has its own key, HKDF-SHA256(data key, salt = object id, info = "huren-content/v1 chunk key"), and chunk
/// i the nonce 0x00000000 ‖ u64be(i), so no nonce repeats under a key. Chunk i's associated data is the header ‖ u64be(i)
/// ‖ u8 final, and for the final chunk also the trailer: chunks cannot be reordered, dropped, cut short or moved into
/// another object, and the digests and length in the clear trailer are authenticated by the final chunk.
/// </summary>
internal static class ContentObjectFormat
{
    public static ReadOnlySpan<byte> Magic => "HURENCO1"u8;

    public const int TagSize = 16;
    public const int TrailerSize = 72;
    public const int ObjectIdSize = 16;

    public static byte[] Header(string keyId, ReadOnlySpan<byte> objectId, int chunkSize)
    {
        var id = Encoding.ASCII.GetBytes(keyId);
        var header = new byte[Magic.Length + 1 + id.Length + ObjectIdSize + 4];
        Magic.CopyTo(header);
        header[Magic.Length] = (byte)id.Length;
        id.CopyTo(header.AsSpan(Magic.Length + 1));
        objectId.CopyTo(header.AsSpan(Magic.Length + 1 + id.Length));
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(header.Length - 4), (uint)chunkSize);
        return header;
    }

    /// <summary>Reads a header from the start of <paramref name="data"/>; false when it is not one.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> data, out int length, out string keyId, out byte[] objectId, out int chunkSize)
    {
        length = 0; keyId = ""; objectId = []; chunkSize = 0;
        if (data.Length < Magic.Length + 1 || !data[..Magic.Length].SequenceEqual(Magic)) return false;
        int idLength = data[Magic.Length];
        length = Magic.Length + 1 + idLength + ObjectIdSize + 4;
        if (idLength == 0 || data.Length < length) return false;
        keyId = Encoding.ASCII.GetString(data.Slice(Magic.Length + 1, idLength));
        objectId = data.Slice(Magic.Length + 1 + idLength, ObjectIdSize).ToArray();
        chunkSize = (int)BinaryPrimitives.ReadUInt32BigEndian(data.Slice(length - 4, 4));
        return chunkSize is >= 4096 and <= 4 * 1024 * 1024;
    }

    public static byte[] ObjectKey(byte[] dataKey, ReadOnlySpan<byte> objectId)
        => HKDF.DeriveKey(HashAlgorithmName.SHA256, dataKey, 32, objectId.ToArray(), "huren-content/v1 chunk key"u8.ToArray());

    public static void Nonce(Span<byte> nonce, long index)
    {
        nonce[..4].Clear();
        BinaryPrimitives.WriteInt64BigEndian(nonce[4..], index);
    }

    /// <summary>The associated data of chunk <paramref name="index"/>; <paramref name="trailer"/> only for the final chunk.</summary>
    public static byte[] AssociatedData(byte[] header, long index, bool final, ReadOnlySpan<byte> trailer)
    {
        var ad = new byte[header.Length + 9 + (final ? TrailerSize : 0)];
        header.CopyTo(ad, 0);
        BinaryPrimitives.WriteInt64BigEndian(ad.AsSpan(header.Length), index);
        ad[header.Length + 8] = final ? (byte)1 : (byte)0;
        if (final) trailer.CopyTo(ad.AsSpan(header.Length + 9));
        return ad;
    }

    public static byte[] Trailer(byte[] sha256, byte[] sm3, long length)
    {
        var trailer = new byte[TrailerSize];
        sha256.CopyTo(trailer, 0);
        sm3.CopyTo(trailer, 32);
        BinaryPrimitives.WriteInt64BigEndian(trailer.AsSpan(64), length);
        return trailer;
    }

    /// <summary>Number of chunks of an object of <paramref name="length"/> bytes (an empty object has one, empty).</summary>
    public static long ChunkCount(long length, int chunkSize) => length == 0 ? 1 : (length + chunkSize - 1) / chunkSize;
}
