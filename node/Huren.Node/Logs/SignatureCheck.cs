using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;

namespace Huren.Node.Logs;

/// <summary>
/// The stateless part of admission: the leaf decodes canonically, names a known key, and its signature over the
/// stored entry bytes verifies, for this log's origin.
/// </summary>
public sealed class SignatureCheck(string origin, Func<KeyId, PublicKey?> resolveKey)
{
    /// <summary>Decodes and verifies <paramref name="leaf"/> or throws <see cref="AdmissionException"/>.</summary>
    public DecodedLeaf Check(byte[] leaf) => Check(leaf, deferUnknownSigner: false, out _);

    /// <summary>
    /// As <see cref="Check(byte[])"/>; with <paramref name="deferUnknownSigner"/>, a leaf whose signer key is unknown is
    /// returned decoded but unverified, with <paramref name="signerUnknown"/> set: the caller must verify it under the
    /// key an earlier entry of the same batch registers, or refuse it.
    /// </summary>
    public DecodedLeaf Check(byte[] leaf, bool deferUnknownSigner, out bool signerUnknown)
    {
        signerUnknown = false;
        if (leaf.Length == 0) throw new AdmissionException(RejectionKind.InvalidArgument, "signed entry is empty");
        if (!LeafReader.TryRead(leaf, out var decoded, out var error))
            throw new AdmissionException(RejectionKind.InvalidArgument, error!);
        var signed = decoded!.Signed;
        if (signed.Algorithm == SignatureAlgorithm.Unspecified)
            throw new AdmissionException(RejectionKind.InvalidArgument, "algorithm is not set");
        if (signed.SignerKeyId.Length != KeyId.Length)
            throw new AdmissionException(RejectionKind.InvalidArgument, $"signerKeyId must be {KeyId.Length} bytes, got {signed.SignerKeyId.Length}");
        if (!string.Equals(decoded.Entry.Origin, origin, StringComparison.Ordinal))
            throw new AdmissionException(RejectionKind.InvalidArgument, $"entry origin '{decoded.Entry.Origin}' is not this log ('{origin}')");
        var keyId = KeyId.FromBytes(signed.SignerKeyId);
        var key = resolveKey(keyId);
        if (key is null)
        {
            if (!deferUnknownSigner) throw UnknownSigner(keyId);
            signerUnknown = true;
            return decoded;
        }
        if (!SignedEntryVerifier.Verify(signed, key, out error))
            throw new AdmissionException(RejectionKind.PermissionDenied, error!);
        return decoded;
    }

    /// <summary>The refusal of an entry whose signer key the log does not hold.</summary>
    public static AdmissionException UnknownSigner(KeyId keyId) => new(RejectionKind.PermissionDenied, $"signer key {keyId} is unknown to this log");
}
