namespace Huren.Sdk.Notes;

/// <summary>
/// A note key (a log's Ed25519 or SM2 key, or a witness's cosignature/v1 key) that the network configuration has
/// retired: what it signed up to its end still counts, nothing later does. A revoked key (a compromised one) counts
/// for nothing, whenever it signed.
/// </summary>
public sealed class RetiredNoteKey
{
    /// <summary>A retired key.</summary>
    /// <param name="key">The key.</param>
    /// <param name="notAfter">The last moment it may sign (its end), or null when the end is given by size only.</param>
    /// <param name="retiredAtSize">For a log key, the origin size from which it no longer signs; 0 when not given.</param>
    /// <param name="revoked">Whether nothing it signed counts, whenever.</param>
    public RetiredNoteKey(NoteVerifierKey key, DateTimeOffset? notAfter, ulong retiredAtSize = 0, bool revoked = false)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
        NotAfter = notAfter;
        RetiredAtSize = retiredAtSize;
        Revoked = revoked;
    }

    /// <summary>The key.</summary>
    public NoteVerifierKey Key { get; }

    /// <summary>The last moment it may sign, or null.</summary>
    public DateTimeOffset? NotAfter { get; }

    /// <summary>The origin size from which it no longer signs; 0 when not given.</summary>
    public ulong RetiredAtSize { get; }

    /// <summary>Whether nothing it signed counts.</summary>
    public bool Revoked { get; }

    /// <summary>How the key and its end read in a refusal.</summary>
    internal string Describe(string role)
    {
        var end = NotAfter is { } t ? $" retired at {t.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}" : RetiredAtSize > 0 ? $" retired from size {RetiredAtSize}" : " retired";
        return $"{role} {Key.Name}+{Key.KeyIdHex}{(Revoked ? " revoked" : end)}";
    }
}
