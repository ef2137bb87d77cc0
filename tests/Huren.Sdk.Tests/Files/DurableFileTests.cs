using Huren.Sdk.Files;

namespace Huren.Sdk.Tests.Files;

public sealed class DurableFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_private_file_holds_the_text_is_owner_only_and_leaves_no_temporary_file()
    {
        var path = _dir.File(Path.Combine("keys", "log.pem"));
        DurableFile.CreatePrivate(path, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        Assert.Equal("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", File.ReadAllText(path));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["log.pem"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void An_existing_file_is_never_replaced()
    {
        var path = _dir.File("root.pub.pem");
        File.WriteAllText(path, "the key others already hold");

        var ex = Assert.Throws<IOException>(() => DurableFile.Create(path, "another key"));
        Assert.Contains("already exists", ex.Message, StringComparison.Ordinal);
        Assert.Equal("the key others already hold", File.ReadAllText(path));
        Assert.Equal(["root.pub.pem"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void A_directory_is_copied_whole_but_the_files_left_out()
    {
        var source = _dir.File("db");
        Directory.CreateDirectory(Path.Combine(source, "sub", "deeper"));
        File.WriteAllText(Path.Combine(source, "CURRENT"), "MANIFEST-000001\n");
        File.WriteAllBytes(Path.Combine(source, "sub", "deeper", "000007.sst"), [1, 2, 3]);
        File.WriteAllText(Path.Combine(source, "LOCK"), "");
        Directory.CreateDirectory(Path.Combine(source, "empty"));

        var target = _dir.File("copy");
        DurableFile.CopyDirectory(source, target, relative => relative == "LOCK");

        Assert.Equal("MANIFEST-000001\n", File.ReadAllText(Path.Combine(target, "CURRENT")));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(target, "sub", "deeper", "000007.sst")));
        Assert.False(File.Exists(Path.Combine(target, "LOCK")));
        Assert.True(Directory.Exists(Path.Combine(target, "empty")));
        // A copy never overwrites: a file already at the target is an error.
        Assert.Throws<IOException>(() => DurableFile.CopyDirectory(source, target));
    }

    [Fact]
    public void A_directory_is_synced_and_one_that_cannot_be_opened_is_a_clear_error()
    {
        if (!OperatingSystem.IsLinux()) return;
        var folder = _dir.File("synced");
        Directory.CreateDirectory(folder);
        DurableFile.SyncDirectory(folder);
        var missing = _dir.File("no-such-folder");
        var ex = Assert.Throws<IOException>(() => DurableFile.SyncDirectory(missing));
        Assert.Contains($"cannot open directory {missing} to sync it (errno 2)", ex.Message, StringComparison.Ordinal);
    }
}
