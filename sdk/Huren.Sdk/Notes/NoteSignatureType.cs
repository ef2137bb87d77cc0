namespace Huren.Sdk.Notes;

/// <summary>
/// The signature type byte of a C2SP signed-note key (c2sp.org/signed-note, "Signature types"). It is the first byte of a
/// verifier key's key material and enters the key ID, so one public key used for two types has two different key IDs.
/// </summary>
public enum NoteSignatureType : byte
{
    /// <summary><c>0x01</c>: Ed25519 (RFC 8032) over the note text; the log's interoperable checkpoint signature.</summary>
    Ed25519 = 0x01,

    /// <summary><c>0x04</c>: timestamped Ed25519 checkpoint cosignature, <c>cosignature/v1</c> (c2sp.org/tlog-cosignature).</summary>
    CosignatureV1 = 0x04,

    /// <summary>
    /// <c>0xff</c> followed by the identifier <c>huren-sm2-sm3/v1</c>: SM2-with-SM3 (user id <c>1234567812345678</c>, DER (r, s))
    /// over the note text, Huren's national-crypto checkpoint signature.
    /// </summary>
    HurenSm2Sm3 = 0xff,
}
