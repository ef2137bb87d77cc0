using Huren.Anchoring.Chain;
using Huren.Sdk.Tests;
using Nethereum.KeyStore;
using Nethereum.KeyStore.Model;

namespace Huren.Anchoring.Tests;

/// <summary>Anchoring accounts from key files: hex or a V3 keystore.</summary>
public class EvmAccountTests
{
    [Fact]
    public void A_hex_key_file_written_owner_only_reads_back_as_the_same_account()
    {
        using var dir = new TempDir();
        var account = EvmAccount.Generate();
        account.WriteKeyFile(dir.File("anchor.key"));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.File("anchor.key")));
        Assert.Equal(account.Address, EvmAccount.FromKeyFile(dir.File("anchor.key")).Address);
        // The well-known first Anvil account, as its key is printed (0x-prefixed hex).
        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", EvmAccount.FromPrivateKeyHex("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80").Address);
    }

    [Fact]
    public void A_keystore_needs_its_password_and_bad_files_are_named_in_the_error()
    {
        using var dir = new TempDir();
        var account = EvmAccount.Generate();
        account.WriteKeyFile(dir.File("hex.key"));
        var key = Convert.FromHexString(File.ReadAllText(dir.File("hex.key")).Trim()[2..]);
        var json = new KeyStoreScryptService().EncryptAndGenerateKeyStoreAsJson("s3cret", key, account.Address, new ScryptParams { N = 1024, R = 8, P = 1, Dklen = 32 });
        File.WriteAllText(dir.File("keystore.json"), json);
        Assert.Equal(account.Address, EvmAccount.FromKeyFile(dir.File("keystore.json"), "s3cret").Address);
        Assert.Contains("needs its password", Assert.Throws<FormatException>(() => EvmAccount.FromKeyFile(dir.File("keystore.json"))).Message);
        Assert.Contains("wrong password", Assert.Throws<FormatException>(() => EvmAccount.FromKeyFile(dir.File("keystore.json"), "guess")).Message);
        Assert.Contains("missing.key", Assert.Throws<FormatException>(() => EvmAccount.FromKeyFile(dir.File("missing.key"))).Message);
        File.WriteAllText(dir.File("short.key"), "0x1234");
        Assert.Contains("64 hex digits", Assert.Throws<FormatException>(() => EvmAccount.FromKeyFile(dir.File("short.key"))).Message);
    }
}
