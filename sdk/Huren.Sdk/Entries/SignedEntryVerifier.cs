using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Entries;

/// <summary>Checks a <see cref="SignedEntry"/>'s signature over its stored entry bytes, never re-encoding them.</summary>
public static class SignedEntryVerifier
{
    /// <summary>
    /// True when <paramref name="signed"/> names <paramref name="key"/>, uses its algorithm, and the signature over
    /// <see cref="SignedEntry.EntryBytes"/> verifies; otherwise false with the reason.
    /// </summary>
    public static bool Verify(SignedEntry signed, PublicKey key, out string? error)
    {
        if (!key.Id.Matches(signed.SignerKeyId))
        {
            error = "signerKeyId does not match the signer's public key";
            return false;
        }
        if (signed.Algorithm != key.Algorithm)
        {
            error = $"algorithm {signed.Algorithm} does not match the signer's {key.Algorithm} key";
            return false;
        }
        if (!key.Verify(signed.EntryBytes, signed.Signature))
        {
            error = "signature does not verify over the entry bytes";
            return false;
        }
        error = null;
        return true;
    }
}
