using System.Security.Cryptography;
using Huren.Node.Content;
using Huren.Node.Storage;
using Huren.Sdk.Crypto;
using Huren.Sdk.Tests;

namespace Huren.Node.Tests.Content;

/// <summary>
/// The content store: objects round-trip across chunk boundaries, are addressed by SHA-256 and SM3, hold no plaintext,
/// and any change to a stored object (a byte, a dropped or swapped chunk, the clear trailer, another object's chunk) is
/// refused at read; a rotated data key keeps older objects readable while it stays configured. Each holds both for an
/// object kept as a file and for a small one kept as a database row (inline), whose bytes are the same format.
/// </summary>
public sealed class ContentStoreTests : IDisposable
{
    private const int Chunk = 4096;

    /// <summary>The inline limit of the inline stores here: objects of up to three chunks are rows, larger ones files.</summary>
    private const int InlineLimit = 3 * Chunk + 200;

    private readonly TempDir _dir = new();
    private readonly MemoryStore _database = new();

    public void Dispose() => _dir.Dispose();

    private ContentStore Store(string active = "k1", params string[] keyIds) => Store(false, active, keyIds);

    private ContentStore Store(bool inline, string active = "k1", params string[] keyIds) => Store(inline ? _database : null, active, keyIds);

    private ContentStore Store(IKeyValueStore? database, string active = "k1", params string[] keyIds)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in keyIds.Length == 0 ? [active] : keyIds)
        {
            var path = _dir.File($"data-{id}.key");
            if (!File.Exists(path)) File.WriteAllText(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            files[id] = path;
        }
        return new ContentStore(_dir.File("content"), new ContentKeys(files, active, _dir.Path), Chunk, 1024 * 1024, database, database is null ? 0 : InlineLimit);
    }

    private static async Task<ContentInfo> PutAsync(ContentStore store, byte[] data, int piece = 1000, StoreBatch? batch = null)
    {
        using var writer = store.BeginWrite();
        for (var at = 0; at < data.Length; at += piece) await writer.WriteAsync(data.AsMemory(at, Math.Min(piece, data.Length - at)));
        return (await writer.CompleteAsync(batch)).Info;
    }

    private static async Task<byte[]> ReadAsync(ContentStore store, byte[] sha256, byte[]? sm3 = null)
    {
        using var reader = sm3 is null ? store.OpenRead(sha256) : store.OpenRead(default, sm3);
        return await reader.ReadAllAsync(long.MaxValue);
    }

    private KeySpace InlineRows => new(_database, StoreFamily.Nodes, "content-object");

    /// <summary>The store's files but its notes of the key ids in use: what an object leaves behind.</summary>
    private static IEnumerable<string> ObjectData(ContentStore store)
        => store.Files().Where(f => Path.GetFileName(Path.GetDirectoryName(f)) != "keys-used");

    private string[] ObjectFiles(ContentStore store) => Directory.GetFiles(Path.Combine(store.Folder, "objects"));

    /// <summary>An object's stored form, from its row or its file.</summary>
    private byte[] Stored(ContentStore store, ContentInfo info) =>
        InlineRows.Get(info.Sha256) ?? File.ReadAllBytes(Path.Combine(store.Folder, "objects", info.Sha256Hex));

    /// <summary>Replaces an object's stored form where it is kept, as damage or an attacker would.</summary>
    private void Replace(ContentStore store, ContentInfo info, byte[] bytes)
    {
        if (InlineRows.Get(info.Sha256) is null)
        {
            File.WriteAllBytes(Path.Combine(store.Folder, "objects", info.Sha256Hex), bytes);
            return;
        }
        using var batch = _database.CreateBatch();
        InlineRows.Put(batch, info.Sha256, bytes);
        _database.Write(batch);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, false)]
    [InlineData(Chunk - 1, false)]
    [InlineData(Chunk, false)]
    [InlineData(Chunk + 1, false)]
    [InlineData(3 * Chunk, false)]
    [InlineData(10 * Chunk + 123, false)]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(Chunk, true)]
    [InlineData(Chunk + 1, true)]
    [InlineData(2 * Chunk, true)]
    [InlineData(3 * Chunk, true)]
    [InlineData(10 * Chunk + 123, true)]
    public async Task An_object_round_trips_and_is_found_by_both_digests(int length, bool inline)
    {
        var store = Store(inline);
        var data = RandomNumberGenerator.GetBytes(length);
        var info = await PutAsync(store, data);
        // Stored form = header (31 bytes with key id "k1") + plaintext + a 16-byte tag per chunk + the 72-byte trailer.
        var storedLength = 31 + length + 16 * ContentObjectFormatChunks(length) + 72;
        var asRow = inline && storedLength <= InlineLimit;
        Assert.Equal(asRow, InlineRows.Get(info.Sha256) is not null);
        Assert.Equal(asRow ? 0 : 1, ObjectFiles(store).Length);
        Assert.Equal(storedLength, Stored(store, info).Length);
        Assert.True(store.Contains(info.Sha256));
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

    private static int ContentObjectFormatChunks(int length) => length == 0 ? 1 : (length + Chunk - 1) / Chunk;

    [Theory]
    [InlineData(3 * Chunk, false)]
    [InlineData(Chunk, true)]
    public async Task The_same_content_twice_is_stored_once(int length, bool inline)
    {
        var store = Store(inline);
        var data = RandomNumberGenerator.GetBytes(length);
        var first = await PutAsync(store, data);
        var stored = Stored(store, first);
        using var writer = store.BeginWrite();
        await writer.WriteAsync(data);
        Assert.True((await writer.CompleteAsync()).Duplicate);
        Assert.Equal(inline ? 0 : 1, ObjectFiles(store).Length);
        Assert.Empty(Directory.GetFiles(Path.Combine(store.Folder, "tmp")));
        // The first copy stays (each copy has its own object id, so a second one would differ).
        Assert.Equal(stored, Stored(store, first));
    }

    [Fact]
    public async Task A_small_object_in_a_batch_is_stored_only_when_the_batch_is_written()
    {
        var store = Store(inline: true);
        var data = RandomNumberGenerator.GetBytes(Chunk);
        ContentInfo info;
        using (var discarded = _database.CreateBatch()) info = await PutAsync(store, data, batch: discarded);
        // A batch dropped (a check failed after the object was received): nothing is stored, by either address.
        Assert.False(store.Contains(info.Sha256));
        Assert.True(Assert.Throws<ContentException>(() => store.OpenRead(default, info.Sm3)).NotFound);

        using var batch = _database.CreateBatch();
        Assert.Equal(info.Sha256, (await PutAsync(store, data, batch: batch)).Sha256);
        Assert.False(store.Contains(info.Sha256));
        _database.Write(batch);
        Assert.Equal(data, await ReadAsync(store, [], info.Sm3));
        Assert.Empty(ObjectData(store));
    }

    [Fact]
    public async Task An_object_that_outgrows_the_inline_limit_while_written_becomes_a_file_even_with_a_batch()
    {
        var store = Store(inline: true);
        var data = RandomNumberGenerator.GetBytes(InlineLimit);
        using var batch = _database.CreateBatch();
        using var writer = store.BeginWrite();
        await writer.WriteAsync(data.AsMemory(0, 100));
        Assert.Empty(Directory.GetFiles(Path.Combine(store.Folder, "tmp")));
        await writer.WriteAsync(data.AsMemory(100));
        var (info, duplicate) = await writer.CompleteAsync(batch);
        Assert.False(duplicate);
        Assert.False(writer.Inline);
        Assert.Equal(0, batch.Count);
        Assert.Single(ObjectFiles(store));
        Assert.Equal(data, await ReadAsync(store, info.Sha256, info.Sm3));
    }

    [Fact]
    public async Task Objects_stored_as_files_before_the_inline_limit_stay_readable_and_are_not_stored_again()
    {
        var data = RandomNumberGenerator.GetBytes(100);
        var old = await PutAsync(Store(inline: false), data);
        var store = Store(inline: true);
        Assert.Equal(data, await ReadAsync(store, old.Sha256));
        Assert.Equal(data, await ReadAsync(store, [], old.Sm3));
        using var writer = store.BeginWrite();
        await writer.WriteAsync(data);
        Assert.True((await writer.CompleteAsync()).Duplicate);
        Assert.Null(InlineRows.Get(old.Sha256));
    }

    [Fact]
    public async Task A_provisional_object_is_discarded_unless_another_writer_stored_the_same_content_meanwhile_or_it_was_settled()
    {
        var store = Store();
        async Task<(ContentInfo Info, bool Duplicate)> WriteAsync(byte[] data, bool provisional)
        {
            using var writer = store.BeginWrite(provisional);
            await writer.WriteAsync(data);
            return await writer.CompleteAsync();
        }

        // Alone: a failed receive takes its file away, and its SM3 address.
        var alone = RandomNumberGenerator.GetBytes(5000);
        var (info, duplicate) = await WriteAsync(alone, provisional: true);
        Assert.False(duplicate);
        store.Discard(info);
        Assert.False(store.Contains(info.Sha256));
        Assert.Empty(ObjectFiles(store));

        // Another writer (a department's upload, another share) found the file there and relies on it: it stays.
        var shared = RandomNumberGenerator.GetBytes(5000);
        var (first, _) = await WriteAsync(shared, provisional: true);
        Assert.True((await WriteAsync(shared, provisional: false)).Duplicate);
        store.Discard(first);
        Assert.Equal(shared, await ReadAsync(store, first.Sha256, first.Sm3));

        // Settled (its share checked to the end): no longer discarded; nor is an object that was never provisional.
        var settled = RandomNumberGenerator.GetBytes(5000);
        var (kept, _) = await WriteAsync(settled, provisional: true);
        store.Settle(kept);
        store.Discard(kept);
        Assert.Equal(settled, await ReadAsync(store, kept.Sha256));
        var plain = RandomNumberGenerator.GetBytes(5000);
        var (upload, _) = await WriteAsync(plain, provisional: false);
        store.Discard(upload);
        Assert.Equal(plain, await ReadAsync(store, upload.Sha256));
    }

    [Fact]
    public async Task No_file_of_the_database_holds_the_plaintext_of_a_small_object()
    {
        var folder = _dir.File("db");
        var text = System.Text.Encoding.UTF8.GetBytes("{\"法定代表人\":\"张三\",\"住所\":\"湖南省长沙市岳麓区\"}");
        using (var database = RocksStore.Open(folder))
        {
            var store = Store(database);
            var info = await PutAsync(store, text);
            Assert.Empty(ObjectFiles(store));
            Assert.Equal(text, await ReadAsync(store, info.Sha256));
        }
        var needle = System.Text.Encoding.UTF8.GetBytes("湖南省长沙市");
        var scanned = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(file);
            Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{file} holds plaintext");
            scanned += bytes.Length;
        }
        // The row is in the WAL (or a table file): the scan read it.
        Assert.True(scanned > text.Length);
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

    private static readonly string[] Alterations = ["flip a ciphertext byte", "flip a tag byte", "change the trailer's length", "change the trailer's SM3", "drop the last chunk", "swap two chunks", "chunk from another object", "truncate"];

    public static TheoryData<string, bool> AlterationsWhereKept()
    {
        var data = new TheoryData<string, bool>();
        foreach (var alteration in Alterations)
        {
            data.Add(alteration, false);
            data.Add(alteration, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(AlterationsWhereKept))]
    public async Task A_stored_object_altered_where_it_is_kept_is_refused_when_read(string alteration, bool inline)
    {
        var store = Store(inline);
        // Three full chunks and a short one: a file; with one chunk less, a row of an inline store.
        var chunks = inline ? 2 : 3;
        var length = chunks * Chunk + 10;
        var data = RandomNumberGenerator.GetBytes(length);
        var info = await PutAsync(store, data);
        var other = await PutAsync(store, RandomNumberGenerator.GetBytes(length));
        Assert.Equal(inline, InlineRows.Get(info.Sha256) is not null);
        var bytes = Stored(store, info);
        var headerLength = 8 + 1 + 2 + 16 + 4; // key id "k1"
        var chunk = Chunk + 16;
        switch (alteration)
        {
            case "flip a ciphertext byte": bytes[headerLength + 5] ^= 1; break;
            case "flip a tag byte": bytes[headerLength + Chunk + 3] ^= 1; break;
            case "change the trailer's length": bytes[^1] ^= 1; break;
            case "change the trailer's SM3": bytes[^9] ^= 1; break;
            case "drop the last chunk": bytes = [.. bytes[..(headerLength + chunks * chunk)], .. bytes[^72..]]; break;
            case "swap two chunks":
                var first = bytes[headerLength..(headerLength + chunk)];
                bytes[(headerLength + chunk)..(headerLength + 2 * chunk)].CopyTo(bytes, headerLength);
                first.CopyTo(bytes, headerLength + chunk);
                break;
            case "chunk from another object":
                Stored(store, other)[headerLength..(headerLength + chunk)].CopyTo(bytes, headerLength);
                break;
            case "truncate": bytes = bytes[..^100]; break;
        }
        Replace(store, info, bytes);
        var ex = await Assert.ThrowsAsync<ContentException>(() => ReadAsync(store, info.Sha256));
        Assert.Contains(info.Sha256Hex, ex.Message);
        Assert.False(ex.NotFound);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task After_a_key_rotation_old_objects_are_read_with_their_key_and_new_ones_use_the_new_key(bool inline)
    {
        var before = Store(inline, "k1", "k1");
        var old = RandomNumberGenerator.GetBytes(2 * Chunk);
        var oldInfo = await PutAsync(before, old);
        Assert.Equal("k1", oldInfo.KeyId);

        var after = Store(inline, "k2", "k1", "k2");
        var fresh = RandomNumberGenerator.GetBytes(2 * Chunk);
        var freshInfo = await PutAsync(after, fresh);
        Assert.Equal("k2", freshInfo.KeyId);
        Assert.Equal(old, await ReadAsync(after, oldInfo.Sha256));
        Assert.Equal(fresh, await ReadAsync(after, freshInfo.Sha256));

        // With k1 no longer configured the store does not open (its objects could not be read), and says which key is missing.
        var ex = Assert.Throws<ContentKeyException>(() => Store(inline, "k2", "k2"));
        Assert.Contains("written under data key 'k1', which must stay configured", ex.Message);
        File.WriteAllText(_dir.File("data-k1.key"), "not base64!");
        ex = Assert.Throws<ContentKeyException>(() => Store(inline, "k2", "k1", "k2"));
        Assert.Contains("'k1' is not base64", ex.Message);
    }

    [Fact]
    public async Task A_key_is_noted_as_used_before_its_first_object_and_a_key_never_used_is_not_needed()
    {
        var store = Store("k1", "k1");
        var marker = Path.Combine(store.Folder, "keys-used", "k1");
        Assert.False(File.Exists(marker));
        // A rotation to k2 before anything was stored: k1 may go.
        Assert.Equal("k2", (await PutAsync(Store("k2", "k2"), [1, 2, 3])).KeyId);
        Assert.False(File.Exists(marker));
        Assert.True(File.Exists(Path.Combine(store.Folder, "keys-used", "k2")));
        // Once k2 holds an object, a configuration without k2 is refused.
        Assert.Throws<ContentKeyException>(() => Store("k1", "k1"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_object_over_the_limit_is_refused_and_leaves_nothing(bool inline)
    {
        var store = Store(inline);
        using (var writer = store.BeginWrite())
        {
            await writer.WriteAsync(new byte[1024 * 1024]);
            var ex = await Assert.ThrowsAsync<ContentException>(async () => await writer.WriteAsync(new byte[1]));
            Assert.Contains("MaxObjectBytes", ex.Message);
        }
        Assert.Empty(ObjectData(store));
        Assert.Empty(InlineRows.Scan(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public void An_unknown_object_is_not_found()
    {
        var ex = Assert.Throws<ContentException>(() => Store().OpenRead(new byte[32]));
        Assert.True(ex.NotFound);
    }
}
