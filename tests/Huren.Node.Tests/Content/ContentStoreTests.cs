using System.Security.Cryptography;
using Huren.Node.Content;
using Huren.Sdk.Crypto;
using Huren.Sdk.Tests;

namespace Huren.Node.Tests.Content;

/// <summary>
/// The content store on disk: objects round-trip across chunk boundaries, are addressed by SHA-256 and SM3, hold no
/// plaintext, and any change to a stored file (a byte, a dropped or swapped chunk, the clear trailer, another object's
/// chunk) is refused at read; a rotated data key keeps older objects readable while it stays configured.
/// </summary>
public sealed class ContentStoreTests : IDisposable
{
    private const int Chunk = 4096;
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private ContentStore Store(string active = "k1", params string[] keyIds)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in keyIds.Length == 0 ? [active] : keyIds)
        {
            var path = _dir.File($"data-{id}.key");
            if (!File.Exists(path)) File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            files[id] = path;
        }
        return new ContentStore(_dir.File("content"), new ContentKeys(files, active, _dir.Path), Chunk, 1024 * 1024);
    }

    private static async Task<ContentInfo> PutAsync(ContentStore store, byte[] data, int piece = 1000)
    {
        using var writer = store.BeginWrite();
        for (var at = 0; at < data.Length; at += piece) await writer.WriteAsync(data.AsMemory(at, Math.Min(piece, data.Length - at)));
        return (await writer.CompleteAsync()).Info;
    }

    private static async Task<byte[]> ReadAsync(ContentStore store, byte[] sha256, byte[]? sm3 = null)
    {
        using var reader = sm3 is null ? store.OpenRead(sha256) : store.OpenRead(default, sm3);
        return await reader.ReadAllAsync(long.MaxValue);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData(Chunk + 1)]
    [InlineData(3 * Chunk)]
    [InlineData(10 * Chunk + 123)]
    public async Task An_object_round_trips_and_is_found_by_both_digests(int length)
    {
        var store = Store();
        var data = RandomNumberGenerator.GetBytes(length);
        var info = await PutAsync(store, data);
        Assert.Equal(Digests.Sha256(data), info.Sha256);
        Assert.Equal(Digests.Sm3(data), info.Sm3);
        Assert.Equal(length, info.Length);
        Assert.Equal(data, await ReadAsync(store, info.Sha256));
        Assert.Equal(data, await ReadAsync(store, info.Sha256, info.Sm3));
        Assert.Equal(data, await ReadAsync(store, [], info.Sm3));
        // Chunk by chunk into a buffer of the reader's ChunkSize, which is the object's largest chunk (not 256 KB for a small object).
        using var reader = store.OpenRead(info.Sha256);
        Assert.Equal(Math.Min(Chunk, length), reader.ChunkSize);
        var buffer = new byte[reader.ChunkSize];
        using var read = new MemoryStream();
        int n;
        while ((n = await reader.ReadChunkAsync(buffer)) > 0) read.Write(buffer, 0, n);
        Assert.Equal(data, read.ToArray());
    }

    [Fact]
    public async Task The_same_content_twice_is_stored_once()
    {
        var store = Store();
        var data = RandomNumberGenerator.GetBytes(3 * Chunk);
        await PutAsync(store, data);
        using var writer = store.BeginWrite();
        await writer.WriteAsync(data);
        Assert.True((await writer.CompleteAsync()).Duplicate);
        Assert.Single(Directory.GetFiles(Path.Combine(store.Folder, "objects")));
        Assert.Empty(Directory.GetFiles(Path.Combine(store.Folder, "tmp")));
    }

    [Fact]
    public async Task No_stored_file_holds_the_plaintext_or_a_piece_of_it()
    {
        var store = Store();
        var text = System.Text.Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"法定代表人\":\"张三\",\"住所\":\"湖南省长沙市岳麓区\"}", 400)));
        await PutAsync(store, text);
        var needle = System.Text.Encoding.UTF8.GetBytes("湖南省长沙市");
        foreach (var file in store.Files())
        {
            var bytes = File.ReadAllBytes(file);
            Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{file} holds plaintext");
            Assert.True(bytes.AsSpan().IndexOf(text.AsSpan(0, 64)) < 0, $"{file} holds plaintext");
        }
    }

    public static TheoryData<string> Alterations => new() { "flip a ciphertext byte", "flip a tag byte", "change the trailer's length", "change the trailer's SM3", "drop the last chunk", "swap two chunks", "chunk from another object", "truncate" };

    [Theory]
    [MemberData(nameof(Alterations))]
    public async Task A_stored_file_altered_on_disk_is_refused_when_read(string alteration)
    {
        var store = Store();
        var data = RandomNumberGenerator.GetBytes(3 * Chunk + 10);
        var info = await PutAsync(store, data);
        var other = await PutAsync(store, RandomNumberGenerator.GetBytes(3 * Chunk + 10));
        var path = Path.Combine(store.Folder, "objects", info.Sha256Hex);
        var bytes = File.ReadAllBytes(path);
        var headerLength = 8 + 1 + 2 + 16 + 4; // key id "k1"
        var chunk = Chunk + 16;
        switch (alteration)
        {
            case "flip a ciphertext byte": bytes[headerLength + 5] ^= 1; break;
            case "flip a tag byte": bytes[headerLength + Chunk + 3] ^= 1; break;
            case "change the trailer's length": bytes[^1] ^= 1; break;
            case "change the trailer's SM3": bytes[^9] ^= 1; break;
            case "drop the last chunk": bytes = [.. bytes[..(headerLength + 3 * chunk)], .. bytes[^72..]]; break;
            case "swap two chunks":
                var first = bytes[headerLength..(headerLength + chunk)];
                bytes[(headerLength + chunk)..(headerLength + 2 * chunk)].CopyTo(bytes, headerLength);
                first.CopyTo(bytes, headerLength + chunk);
                break;
            case "chunk from another object":
                File.ReadAllBytes(Path.Combine(store.Folder, "objects", other.Sha256Hex))[headerLength..(headerLength + chunk)].CopyTo(bytes, headerLength);
                break;
            case "truncate": bytes = bytes[..^100]; break;
        }
        File.WriteAllBytes(path, bytes);
        var ex = await Assert.ThrowsAsync<ContentException>(() => ReadAsync(store, info.Sha256));
        Assert.Contains(info.Sha256Hex, ex.Message);
        Assert.False(ex.NotFound);
    }

    [Fact]
    public async Task After_a_key_rotation_old_objects_are_read_with_their_key_and_new_ones_use_the_new_key()
    {
        var before = Store("k1", "k1");
        var old = RandomNumberGenerator.GetBytes(2 * Chunk);
        var oldInfo = await PutAsync(before, old);
        Assert.Equal("k1", oldInfo.KeyId);

        var after = Store("k2", "k1", "k2");
        var fresh = RandomNumberGenerator.GetBytes(2 * Chunk);
        var freshInfo = await PutAsync(after, fresh);
        Assert.Equal("k2", freshInfo.KeyId);
        Assert.Equal(old, await ReadAsync(after, oldInfo.Sha256));
        Assert.Equal(fresh, await ReadAsync(after, freshInfo.Sha256));

        // With k1 no longer configured, its objects cannot be read, and the error says which key is missing.
        var withoutOld = Store("k2", "k2");
        var ex = Assert.Throws<ContentKeyException>(() => withoutOld.OpenRead(oldInfo.Sha256));
        Assert.Contains("'k1'", ex.Message);
    }

    [Fact]
    public async Task An_object_over_the_limit_is_refused_and_leaves_nothing()
    {
        var store = Store();
        using (var writer = store.BeginWrite())
        {
            await writer.WriteAsync(new byte[1024 * 1024]);
            var ex = await Assert.ThrowsAsync<ContentException>(async () => await writer.WriteAsync(new byte[1]));
            Assert.Contains("MaxObjectBytes", ex.Message);
        }
        Assert.Empty(store.Files());
    }

    [Fact]
    public void An_unknown_object_is_not_found()
    {
        var ex = Assert.Throws<ContentException>(() => Store().OpenRead(new byte[32]));
        Assert.True(ex.NotFound);
    }

    [Fact]
    public void A_directory_is_synced_and_one_that_cannot_be_opened_is_a_clear_error()
    {
        if (!OperatingSystem.IsLinux()) return;
        var folder = _dir.File("synced");
        Directory.CreateDirectory(folder);
        DirectorySync.Flush(folder);
        var missing = _dir.File("no-such-folder");
        var ex = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));
        Assert.Contains($"cannot open directory {missing} to sync it (errno 2)", ex.Message, StringComparison.Ordinal);
    }
}
