using System.Text.Json;
using Nethereum.KeyStore;
using Nethereum.Signer;

namespace Huren.Anchoring.Chain;

/// <summary>
/// An EVM account that anchors (one per member): its secp256k1 key and address. A key file holds either the private
/// key as hex (64 digits, optionally 0x-prefixed, what <c>cast wallet new</c> prints) or an Ethereum V3 keystore JSON
/// (scrypt or PBKDF2, password given separately).
/// </summary>
public sealed class EvmAccount
{
    private EvmAccount(EthECKey key)
    {
        Key = key;
        Address = key.GetPublicAddress();
    }

    internal EthECKey Key { get; }

    /// <summary>The EIP-55 checksummed address.</summary>
    public string Address { get; }

    /// <summary>A new random account.</summary>
    public static EvmAccount Generate() => new(EthECKey.GenerateKey());

    /// <summary>The account of a hex private key.</summary>
    /// <exception cref="FormatException">Not 32 bytes of hex.</exception>
    public static EvmAccount FromPrivateKeyHex(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var text = hex.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) text = text[2..];
        if (text.Length != 64 || !text.All(Uri.IsHexDigit)) throw new FormatException("an EVM private key is 64 hex digits (optionally 0x-prefixed)");
        return new(new EthECKey(text));
    }

    /// <summary>Loads the account from a key file: hex, or a V3 keystore with <paramref name="password"/>.</summary>
    /// <exception cref="FormatException">Unreadable key file, or a keystore without the right password; the message says which.</exception>
    public static EvmAccount FromKeyFile(string path, string? password = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"anchoring key file {path}: {ex.Message}", ex);
        }
        if (!text.StartsWith('{')) return FromPrivateKeyHex(text);
        if (password is null) throw new FormatException($"anchoring key file {path} is a keystore and needs its password");
        try
        {
            return new(new EthECKey(new KeyStoreService().DecryptKeyStoreFromJson(password, text), true));
        }
        catch (Exception ex) when (ex is JsonException or Newtonsoft.Json.JsonException or ArgumentException or InvalidOperationException or System.Security.SecurityException or Nethereum.KeyStore.Crypto.DecryptionException)
        {
            throw new FormatException($"anchoring key file {path}: not a readable keystore or a wrong password ({ex.Message})", ex);
        }
    }

    /// <summary>Writes the private key as hex, readable by its owner only.</summary>
    public void WriteKeyFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write("0x" + Convert.ToHexStringLower(Key.GetPrivateKeyAsBytes()) + "\n");
    }
}
