using System.Buffers.Binary;

namespace Huren.Sdk.Notes;

/// <summary>Checks single <c>cosignature/v1</c> lines (c2sp.org/tlog-cosignature, Ed25519, type 0x04).</summary>
public static class CosignatureVerifier
{
    /// <summary>
    /// Whether <paramref name="cosignature"/> is <paramref name="witnessKey"/>'s valid cosignature of
    /// <paramref name="checkpointBody"/> (name and key ID must match the key); <paramref name="unixSeconds"/> receives its
    /// timestamp when it is.
    /// </summary>
    /// <exception cref="ArgumentException">The key is not a cosigner (type 0x04) key.</exception>
    public static bool Verify(string checkpointBody, NoteSignature cosignature, NoteVerifierKey witnessKey, out ulong unixSeconds)
    {
        ArgumentNullException.ThrowIfNull(checkpointBody);
        ArgumentNullException.ThrowIfNull(cosignature);
        ArgumentNullException.ThrowIfNull(witnessKey);
        if (witnessKey.Type != NoteSignatureType.CosignatureV1)
            throw new ArgumentException($"a witness key is type 0x04, got type 0x{(byte)witnessKey.Type:x2}", nameof(witnessKey));
        unixSeconds = 0;
        if (!cosignature.IsFrom(witnessKey) || !NoteSyntax.IsWellFormedUtf16(checkpointBody)) return false;
        if (!witnessKey.VerifySignature(NoteSyntax.StrictUtf8.GetBytes(checkpointBody), cosignature.Signature, out var time)) return false;
        unixSeconds = time!.Value;
        return true;
    }

    /// <summary>Reads the timestamp of a cosignature line without verifying it (false when it is not 72 bytes long).</summary>
    public static bool TryReadTimestamp(NoteSignature cosignature, out ulong unixSeconds)
    {
        ArgumentNullException.ThrowIfNull(cosignature);
        unixSeconds = 0;
        if (cosignature.Signature.Length != NoteVerifierKey.CosignatureLength) return false;
        unixSeconds = BinaryPrimitives.ReadUInt64BigEndian(cosignature.Signature);
        return true;
    }
}
