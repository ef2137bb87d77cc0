namespace Huren.Sdk.Seals;

/// <summary>
/// The verdict on a sealed document. <see cref="SealVerifier"/> decides the cryptographic ones; <see cref="Revoked"/>
/// and <see cref="NotRegistered"/> are decided by the ledger's checks, which run only on a signature that is otherwise
/// <see cref="Valid"/>.
/// </summary>
public enum SealVerdict
{
    /// <summary>Every check passed.</summary>
    Valid,
    /// <summary>The signature, seal or a certificate cannot be read, or uses an algorithm or critical extension Huren does not know.</summary>
    Malformed,
    /// <summary>The document digest, the signer's signature or the maker's signature does not match.</summary>
    BadSignature,
    /// <summary>The signer's certificate is not in the seal's certificate list.</summary>
    SignerNotAllowed,
    /// <summary>Signed after the seal's or the signer certificate's validity ended (or the maker certificate had expired when the seal was made).</summary>
    Expired,
    /// <summary>Signed before the seal or the signer certificate was valid, before the seal was made, or in the future.</summary>
    NotYetValid,
    /// <summary>Ledger: the seal was revoked before the signing time.</summary>
    Revoked,
    /// <summary>Ledger: the seal is not registered in its owner city's log.</summary>
    NotRegistered,
}

/// <summary>The outcome of a seal check: the verdict, why, and what was read (when it could be read).</summary>
/// <param name="Verdict">The verdict.</param>
/// <param name="Reason">Why, when not <see cref="SealVerdict.Valid"/>.</param>
public sealed record SealVerification(SealVerdict Verdict, string? Reason)
{
    /// <summary>Whether the verdict is <see cref="SealVerdict.Valid"/>.</summary>
    public bool IsValid => Verdict == SealVerdict.Valid;

    /// <summary>The signature checked, when it parsed.</summary>
    public SesSignature? Signature { get; init; }

    /// <summary>The seal checked (the one inside <see cref="Signature"/>, or the one given), when it parsed.</summary>
    public SesSeal? Seal { get; init; }

    /// <summary>The signer's certificate, when it parsed.</summary>
    public SealCertificate? SignerCertificate { get; init; }

    /// <summary>The maker's certificate, when it parsed: the ledger matches its key with the registered seal maker.</summary>
    public SealCertificate? MakerCertificate { get; init; }
}
