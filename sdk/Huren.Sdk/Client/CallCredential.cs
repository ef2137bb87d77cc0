using System.Globalization;
using System.Text;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Client;

/// <summary>
/// Huren's per-call client credential: the caller signs <c>huren-call/v1\n&lt;principal&gt;\n&lt;method&gt;\n&lt;unix seconds&gt;\n</c>
/// with its key and sends <c>authorization: Huren &lt;principal&gt;:&lt;unix seconds&gt;:&lt;base64 signature&gt;</c>.
/// The node maps the principal to a role and checks the signature and that the time is within its window.
/// </summary>
public static class CallCredential
{
    /// <summary>The metadata key carrying the credential.</summary>
    public const string Header = "authorization";

    /// <summary>The authorization scheme.</summary>
    public const string Scheme = "Huren";

    /// <summary>The exact bytes a caller signs.</summary>
    public static byte[] SignedMessage(string principal, string method, long unixSeconds)
        => Encoding.UTF8.GetBytes($"huren-call/v1\n{principal}\n{method}\n{unixSeconds.ToString(CultureInfo.InvariantCulture)}\n");

    /// <summary>Builds the header value for a call to <paramref name="method"/> (e.g. <c>/huren.v1.Ledger/Submit</c>).</summary>
    public static string Create(string principal, SigningKey key, string method, DateTimeOffset now)
    {
        var seconds = now.ToUnixTimeSeconds();
        var signature = key.Sign(SignedMessage(principal, method, seconds));
        return $"{Scheme} {principal}:{seconds.ToString(CultureInfo.InvariantCulture)}:{Convert.ToBase64String(signature)}";
    }

    /// <summary>Splits a header value into its parts; false when it is not a Huren credential.</summary>
    public static bool TryParse(string? value, out string principal, out long unixSeconds, out byte[] signature)
    {
        principal = "";
        unixSeconds = 0;
        signature = [];
        if (value is null || !value.StartsWith(Scheme + " ", StringComparison.Ordinal)) return false;
        var parts = value[(Scheme.Length + 1)..].Split(':');
        if (parts.Length != 3 || parts[0].Length == 0) return false;
        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out unixSeconds)) return false;
        try
        {
            signature = Convert.FromBase64String(parts[2]);
        }
        catch (FormatException)
        {
            return false;
        }
        principal = parts[0];
        return true;
    }
}
