using System.Security.Cryptography;

namespace Huren.Sdk.Crypto;

/// <summary>PEM framing (RFC 7468) through the platform's encoder.</summary>
internal static class PemText
{
    public static string Encode(string label, ReadOnlySpan<byte> der) => new string(PemEncoding.Write(label, der)) + "\n";

    public static byte[] Decode(string pem, string expectedLabel)
    {
        if (!PemEncoding.TryFind(pem, out var fields))
            throw new FormatException($"no PEM block found (expected '-----BEGIN {expectedLabel}-----')");
        var label = pem[fields.Label];
        if (!string.Equals(label, expectedLabel, StringComparison.Ordinal))
            throw new FormatException($"PEM block is '{label}', expected '{expectedLabel}'");
        return Convert.FromBase64String(pem[fields.Base64Data]);
    }
}
