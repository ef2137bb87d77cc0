using Huren.Schemas.Bodies;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Seals;

/// <summary>Which keys may make an issuer's seals: its own signing key (when SM2 or P-256) and the seal maker keys it was registered with.</summary>
public static class SealMakerKeys
{
    /// <summary>Whether <paramref name="makerKey"/> (a maker certificate's key) is one of <paramref name="registrar"/>'s.</summary>
    public static bool IsRegistrars(PublicKey makerKey, IssuerRegistered registrar)
    {
        ArgumentNullException.ThrowIfNull(makerKey);
        ArgumentNullException.ThrowIfNull(registrar);
        if (Is(makerKey, registrar.PublicKey)) return true;
        foreach (var key in registrar.SealMakerKeys)
        {
            if (Is(makerKey, key)) return true;
        }
        return false;
    }

    /// <summary>Compared by key id, so one key matches whatever DER form it was written in; a key that does not parse matches nothing.</summary>
    private static bool Is(PublicKey key, byte[] subjectPublicKeyInfo)
    {
        try
        {
            return PublicKey.FromSubjectPublicKeyInfo(subjectPublicKeyInfo).Id == key.Id;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
