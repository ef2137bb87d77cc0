using Huren.Node.Hosting;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Tests;

namespace Huren.Node.Tests.Hosting;

/// <summary>Keys a fresh local node generates: owner-only private files, and a root pair a crash cut short made anew.</summary>
public sealed class NodeKeysTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Missing_keys_are_generated_private_ones_readable_by_the_owner_only()
    {
        var keys = NodeKeys.Load(new NodeKeyFiles(), _dir.Path, createMissing: true);
        Assert.Equal(SignatureAlgorithm.Sm2Sm3, keys.RootKey.Algorithm);
        foreach (var file in new[] { "log-ed25519.pem", "log-sm2.pem", "witness-ed25519.pem", "root.pem" })
        {
            var path = Path.Combine(_dir.Path, "keys", file);
            if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        // Loaded again, the same keys: nothing is replaced.
        Assert.Equal(keys.RootKey.Id, NodeKeys.Load(new NodeKeyFiles(), _dir.Path, createMissing: true).RootKey.Id);
    }

    [Fact]
    public void A_root_private_key_left_without_its_public_file_is_replaced_by_a_new_pair()
    {
        Directory.CreateDirectory(_dir.File("keys"));
        File.WriteAllText(_dir.File(Path.Combine("keys", "root.pem")), "cut short by a crash");
        var keys = NodeKeys.Load(new NodeKeyFiles(), _dir.Path, createMissing: true);
        var root = SigningKey.FromPem(File.ReadAllText(_dir.File(Path.Combine("keys", "root.pem"))));
        Assert.Equal(keys.RootKey.Id, root.PublicKey.Id);
    }
}
