namespace Huren.Schemas.Envelope;

/// <summary>
/// Size limits of entries, enforced by the node before it looks inside a body (docs/content-rules.md lists them with
/// every field limit). A body has no reason to be large: a license's metadata is a few kilobytes, the documents stay
/// with the issuer and only their digests are recorded. Seal entries carry the GB/T 38540 DER (a seal image, a
/// certificate list), so their limit follows the seal structures' own (2 MiB for an <c>SES_Seal</c>).
/// </summary>
public static class EntryLimits
{
    /// <summary>The largest body of every kind except the seal kinds: 64 KiB.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>The largest body of <c>seal.register</c> and <c>seal.use</c>: 3 MiB (an <c>SES_Seal</c> may be 2 MiB).</summary>
    public const int MaxSealBodyBytes = 3 * 1024 * 1024;

    /// <summary>
    /// The latest time an entry may state, in Unix milliseconds: 9999-12-30T00:00:00Z, a day short of the last instant
    /// a <see cref="DateTimeOffset"/> holds, since the rules read an entry's time as one and may add a clock skew to it
    /// or see it in China Standard Time (+08:00).
    /// </summary>
    public const long MaxTimeUnixMs = 253_402_128_000_000;

    /// <summary>The most references one entry may carry.</summary>
    public const int MaxReferences = 16;

    /// <summary>The largest body an entry of <paramref name="kind"/> may carry.</summary>
    public static int MaxBodyBytesOf(string? kind) => kind is EntryKinds.SealRegister or EntryKinds.SealUse ? MaxSealBodyBytes : MaxBodyBytes;
}
