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
    public DecodedLeaf Check(byte[] leaf)
    {
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
        var key = resolveKey(keyId)
            ?? throw new AdmissionException(RejectionKind.PermissionDenied, $"signer key {keyId} is unknown to this log");
        if (!SignedEntryVerifier.Verify(signed, key, out error))
            throw new AdmissionException(RejectionKind.PermissionDenied, error!);
        return decoded;
    }
}
