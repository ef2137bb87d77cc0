using Huren.Schemas.Bodies;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;

namespace Huren.Sdk.Entries;

/// <summary>
/// The node's rules for an <c>issuer.register</c> entry that a reader of the log can check again from its entries and
/// the network configuration: not under the city root's own id, an id registered once (revoked or not), a key that
/// parses and is of the algorithm named, and not a city root key (current or retired) nor another issuer's key. Without
/// them a city root could give one issuer a second key, or bring a revoked one back. Shared by evidence verification
/// and the auditor's re-verification of a log; the node refuses the same entries (ALREADY_EXISTS, INVALID_ARGUMENT).
/// </summary>
public static class IssuerRegistrationRule
{
    /// <summary>Checks <paramref name="registration"/>, a registration in <paramref name="member"/>'s log.</summary>
    /// <param name="member">The city whose log holds the registration.</param>
    /// <param name="registration">The entry's body.</param>
    /// <param name="isRegistered">Whether an issuer id was registered by an earlier entry of that log.</param>
    /// <param name="keyOwner">The issuer a key was registered to by an earlier entry of that log, or null.</param>
    /// <param name="key">The registered key, when it parses.</param>
    /// <returns>Null when the registration keeps the rules; otherwise how it breaks them, e.g. <c>a second time</c>.</returns>
    public static string? Check(TrustedMember member, IssuerRegistered registration, Func<string, bool> isRegistered, Func<KeyId, string?> keyOwner, out PublicKey? key)
    {
        ArgumentNullException.ThrowIfNull(member);
        ArgumentNullException.ThrowIfNull(registration);
        ArgumentNullException.ThrowIfNull(isRegistered);
        ArgumentNullException.ThrowIfNull(keyOwner);
        key = null;
        if (registration.IssuerId == member.RootIssuerId) return "under the city root's own id";
        if (isRegistered(registration.IssuerId)) return "a second time";
        try
        {
            key = PublicKey.FromSubjectPublicKeyInfo(registration.PublicKey);
        }
        catch (FormatException ex)
        {
            return $"with a key that does not parse: {ex.Message}";
        }
        if (key.Algorithm != registration.Algorithm) return $"naming algorithm {registration.Algorithm} for a key of algorithm {key.Algorithm}";
        if (key.Id == member.RootKey.Id) return "with the city root's key";
        foreach (var retired in member.RetiredRootKeys)
        {
            if (key.Id == retired.Key.Id) return "with a retired city root key";
        }
        return keyOwner(key.Id) is { } other ? $"with the key already registered to issuer '{other}'" : null;
    }
}
