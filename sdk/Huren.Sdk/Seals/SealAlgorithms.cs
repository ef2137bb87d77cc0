using Huren.Schemas.Envelope;

namespace Huren.Sdk.Seals;

/// <summary>The signature algorithm OIDs of seals and seal certificates.</summary>
public static class SealAlgorithms
{
    /// <summary>SM2 with SM3 (GM/T 0006): <c>1.2.156.10197.1.501</c>; user id <c>1234567812345678</c>.</summary>
    public const string Sm2WithSm3 = "1.2.156.10197.1.501";

    /// <summary>ECDSA with SHA-256 (RFC 5758): <c>1.2.840.10045.4.3.2</c>, on P-256; for test networks.</summary>
    public const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";

    /// <summary>The OID for a key's algorithm.</summary>
    /// <exception cref="ArgumentException">Not SM2 or P-256: seals use no other.</exception>
    public static string OidOf(SignatureAlgorithm algorithm) => algorithm switch
    {
        SignatureAlgorithm.Sm2Sm3 => Sm2WithSm3,
        SignatureAlgorithm.EcdsaP256Sha256 => EcdsaWithSha256,
        _ => throw new ArgumentException($"seals are signed with SM2 or P-256, not {algorithm}", nameof(algorithm)),
    };

    /// <summary>The key algorithm an OID names, or false for an OID seals do not use.</summary>
    public static bool TryGetAlgorithm(string oid, out SignatureAlgorithm algorithm)
    {
        algorithm = oid switch
        {
            Sm2WithSm3 => SignatureAlgorithm.Sm2Sm3,
            EcdsaWithSha256 => SignatureAlgorithm.EcdsaP256Sha256,
            _ => SignatureAlgorithm.Unspecified,
        };
        return algorithm != SignatureAlgorithm.Unspecified;
    }
}
