using System.Globalization;
using System.Text;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Client;

/// <summary>
/// Huren's per-call client credential: the caller signs
/// <c>huren-call/v2\n&lt;principal&gt;\n&lt;node&gt;\n&lt;method&gt;\n&lt;unix seconds&gt;\n</c> with its key and sends
/// <c>authorization: Huren &lt;principal&gt;:&lt;node&gt;:&lt;unix seconds&gt;:&lt;base64 signature&gt;</c>, where
/// <c>&lt;node&gt;</c> is the city code of the node called. The node maps the principal to a role and checks that the
/// credential names it, the signature, and that the time is within its window. Naming the node is what keeps a node
/// that receives a credential from replaying it at another node where the same principal is known.
/// </summary>
public static class CallCredential
{
    /// <summary>The metadata key carrying the credential.</summary>
    public const string Header = "authorization";

    /// <summary>The authorization scheme.</summary>
    public const string Scheme = "Huren";

    /// <summary>The exact bytes a caller signs for a call to <paramref name="method"/> at the node of city <paramref name="node"/>.</summary>
    public static byte[] SignedMessage(string principal, string node, string method, long unixSeconds)
        => Encoding.UTF8.GetBytes($"huren-call/v2\n{principal}\n{node}\n{method}\n{unixSeconds.ToString(CultureInfo.InvariantCulture)}\n");

    /// <summary>
    /// Builds the header value for a call to <paramref name="method"/> (e.g. <c>/huren.v1.Ledger/Submit</c>) at the node
    /// of city <paramref name="node"/> (its 6-digit city code, as the network configuration lists it).
    /// </summary>
    /// <exception cref="ArgumentException">The principal or node is empty or holds a ':' (the header could not carry it).</exception>
    public static string Create(string principal, string node, SigningKey key, string method, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (string.IsNullOrEmpty(principal) || principal.Contains(':', StringComparison.Ordinal)) throw new ArgumentException($"a principal name is not empty and holds no ':', got '{principal}'", nameof(principal));
        if (string.IsNullOrEmpty(node) || node.Contains(':', StringComparison.Ordinal)) throw new ArgumentException($"the node is the called node's city code (not empty, no ':'), got '{node}'", nameof(node));
        var seconds = now.ToUnixTimeSeconds();
        var signature = key.Sign(SignedMessage(principal, node, method, seconds));
        return $"{Scheme} {principal}:{node}:{seconds.ToString(CultureInfo.InvariantCulture)}:{Convert.ToBase64String(signature)}";
    }

    /// <summary>
    /// Splits a header value into its parts; false when it is not a Huren credential, or not in its one spelling (the
    /// seconds without sign or leading zeros, the signature in standard base64 with padding and nothing else), so that a
    /// signature has one header. <paramref name="node"/> is null
    /// for the first form of the credential (<c>huren-call/v1</c>, <c>Huren &lt;principal&gt;:&lt;unix seconds&gt;:&lt;signature&gt;</c>),
    /// which named no node, so that a node can say why it refuses one.
    /// </summary>
    public static bool TryParse(string? value, out string principal, out string? node, out long unixSeconds, out byte[] signature)
    {
        principal = "";
        node = null;
        unixSeconds = 0;
        signature = [];
        if (value is null || !value.StartsWith(Scheme + " ", StringComparison.Ordinal)) return false;
        var parts = value[(Scheme.Length + 1)..].Split(':');
        if (parts.Length is not (3 or 4) || parts[0].Length == 0) return false;
        var named = parts.Length == 4;
        if (named && parts[1].Length == 0) return false;
        // Digits only (NumberStyles.None), and no leading zero but in "0" itself.
        if (!long.TryParse(parts[^2], NumberStyles.None, CultureInfo.InvariantCulture, out unixSeconds) || (parts[^2].Length > 1 && parts[^2][0] == '0')) return false;
        try
        {
            signature = Convert.FromBase64String(parts[^1]);
        }
        catch (FormatException)
        {
            return false;
        }
        if (Convert.ToBase64String(signature) != parts[^1]) return false;
        principal = parts[0];
        node = named ? parts[1] : null;
        return true;
    }
}
