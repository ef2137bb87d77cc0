using System.Security.Cryptography;
using System.Text;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.StatusMap;

/// <summary>
/// Keys of the status map: key = SHA-256(UTF-8 bytes of the record id), read as 256 bits, most significant bit of
/// byte 0 first; bit d chooses the child at depth d (0 = left, 1 = right).
/// </summary>
public static class StatusMapKey
{
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>SHA-256 of the record id's UTF-8 bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="recordId"/> is not valid Unicode (an unpaired surrogate).</exception>
    public static Hash256 ForRecord(string recordId)
    {
        ArgumentNullException.ThrowIfNull(recordId);
        byte[] bytes;
        try
        {
            bytes = StrictUtf8.GetBytes(recordId);
        }
        catch (EncoderFallbackException ex)
        {
            throw new ArgumentException("record id is not valid Unicode", nameof(recordId), ex);
        }
        Span<byte> hash = stackalloc byte[Hash256.Length];
        SHA256.HashData(bytes, hash);
        return new Hash256(hash);
    }

    /// <summary>Bit <paramref name="index"/> (0…255) of a 32-byte key, most significant bit of byte 0 first.</summary>
    public static int Bit(ReadOnlySpan<byte> key, int index) => (key[index >> 3] >> (7 - (index & 7))) & 1;

    /// <summary>True if the first <paramref name="bits"/> bits of the two keys are equal.</summary>
    public static bool SharesPrefix(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int bits)
    {
        var whole = bits >> 3;
        if (!a[..whole].SequenceEqual(b[..whole])) return false;
        var rest = bits & 7;
        if (rest == 0) return true;
        var mask = (byte)(0xFF << (8 - rest));
        return ((a[whole] ^ b[whole]) & mask) == 0;
    }
}
