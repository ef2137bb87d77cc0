using System.Formats.Asn1;
using System.Text;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Node.CounterDesk;

/// <summary>
/// Signatures made in the clerk's browser with WebCrypto, in the form the ledger keeps. WebCrypto signs Ed25519 (64
/// bytes, as the ledger stores it) and ECDSA P-256 (r ‖ s, 64 bytes, which the ledger stores as DER); it has no SM2, so
/// an SM2 counter key cannot sign in a browser.
/// </summary>
public static class BrowserSignature
{
    /// <summary>The text a clerk's key signs to open a session: bound to this node, the principal and a one-time nonce.</summary>
    public static byte[] LoginMessage(string origin, string principal, string nonce)
        => Encoding.UTF8.GetBytes($"huren-counter-login/v1\n{origin}\n{principal}\n{nonce}\n");

    /// <summary>
    /// The signature as the ledger keeps it for <paramref name="algorithm"/>: Ed25519 as is, ECDSA r ‖ s as a DER
    /// SEQUENCE of two INTEGERs; null when the bytes cannot be a WebCrypto signature of that algorithm.
    /// </summary>
    public static byte[]? ToLedgerForm(SignatureAlgorithm algorithm, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        if (signature.Length != 64) return null;
        switch (algorithm)
        {
            case SignatureAlgorithm.Ed25519:
                return signature;
            case SignatureAlgorithm.EcdsaP256Sha256:
                var writer = new AsnWriter(AsnEncodingRules.DER);
                using (writer.PushSequence())
                {
                    writer.WriteIntegerUnsigned(Minimal(signature.AsSpan(0, 32)));
                    writer.WriteIntegerUnsigned(Minimal(signature.AsSpan(32, 32)));
                }
                return writer.Encode();
            default:
                return null;
        }
    }

    /// <summary>Big-endian bytes without leading zeros (DER integers are minimal; the writer adds a 0x00 for the sign).</summary>
    private static ReadOnlySpan<byte> Minimal(ReadOnlySpan<byte> value)
    {
        while (value.Length > 1 && value[0] == 0) value = value[1..];
        return value;
    }

    /// <summary>Whether <paramref name="signature"/> (WebCrypto form) by <paramref name="key"/> verifies over <paramref name="message"/>.</summary>
    public static bool Verify(PublicKey key, byte[] message, byte[] signature)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ToLedgerForm(key.Algorithm, signature) is { } ledgerForm && key.Verify(message, ledgerForm);
    }
}
