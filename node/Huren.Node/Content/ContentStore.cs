using System.Collections.Concurrent;
using Huren.Node.Storage;
using Huren.Sdk.Files;

namespace Huren.Node.Content;

/// <summary>
/// The node's content store: full record data and files, off the ledger, encrypted (<see cref="ContentObjectFormat"/>).
/// An object whose stored form is at most <see cref="InlineMaxBytes"/> — a record's JSON, a small file — is a row of the
/// node's database (key space <c>content-object</c>, by SHA-256; <c>content-sm3</c> maps its SM3 to its SHA-256), written
/// in the same synced write as the rows that refer to it. A larger one is a file under <c>objects/&lt;sha256 hex&gt;</c>,
/// also reachable by SM3 through <c>sm3/&lt;sm3 hex&gt;</c> (a symbolic link), written through a temporary file in
/// <c>tmp/</c> so that an object is either absent or complete (docs/decisions.md, "Content store: files the node
/// manages"). Objects stored as files before the inline limit existed stay readable. Thread-safe.
/// </summary>
public sealed class ContentStore
{
    private readonly string _objects;
    private readonly string _sm3;
    private readonly string _temp;
    private readonly ContentKeys _keys;
    private readonly int _chunkSize;
    private readonly long _maxBytes;
    private readonly IKeyValueStore? _database;
    private readonly KeySpace? _inlineObjects;
    private readonly KeySpace? _inlineSm3;
    private readonly string _keyIds;
    private readonly ConcurrentDictionary<string, bool> _usedKeyIds = new(StringComparer.Ordinal);

    /// <summary>
    /// A store in <paramref name="folder"/> (created if missing); leftover temporary files are removed. Every data key
    /// an object was ever written under must still be configured and readable: a key dropped after a rotation would
    /// leave its objects unreadable, found only when someone asks for one.
    /// </summary>
    /// <param name="folder">The folder of the object files.</param>
    /// <param name="keys">The node's data keys.</param>
    /// <param name="chunkSize">Plaintext bytes per encrypted chunk.</param>
    /// <param name="maxBytes">The largest object accepted.</param>
    /// <param name="database">The node's database, for small objects; null keeps every object as a file.</param>
    /// <param name="inlineMaxBytes">The largest stored form kept in <paramref name="database"/>; 0 for none.</param>
    public ContentStore(string folder, ContentKeys keys, int chunkSize, long maxBytes, IKeyValueStore? database = null, int inlineMaxBytes = 0)
    {
        Folder = folder;
        _objects = Path.Combine(folder, "objects");
        _sm3 = Path.Combine(folder, "sm3");
        _temp = Path.Combine(folder, "tmp");
        Directory.CreateDirectory(_objects);
        Directory.CreateDirectory(_sm3);
        Directory.CreateDirectory(_temp);
        // An upload cut off by a crash left only a temporary file: nothing refers to it.
        foreach (var leftover in Directory.EnumerateFiles(_temp)) File.Delete(leftover);
        _keys = keys;
        // One empty file per key id ever written under (keys-used/<id>), made before the first object under it.
        _keyIds = Path.Combine(folder, "keys-used");
        Directory.CreateDirectory(_keyIds);
        foreach (var marker in Directory.EnumerateFiles(_keyIds))
        {
            var id = Path.GetFileName(marker);
            try
            {
                _ = keys.Get(id);
            }
            catch (ContentKeyException ex)
            {
                throw new ContentKeyException($"objects in {folder} were written under data key '{id}', which must stay configured (Huren:Content:KeyFiles): {ex.Message}");
            }
            _usedKeyIds[id] = true;
        }
        _chunkSize = chunkSize;
        _maxBytes = maxBytes;
        if (database is not null && inlineMaxBytes > 0)
        {
            _database = database;
            // Ciphertext, like the hashes of this family, does not compress.
            _inlineObjects = new KeySpace(database, StoreFamily.Nodes, "content-object");
            _inlineSm3 = new KeySpace(database, StoreFamily.State, "content-sm3");
            InlineMaxBytes = inlineMaxBytes;
        }
    }

    // Provisional object files by SHA-256 hex: true once another writer stored the same content and relies on it.
    private readonly Dictionary<string, bool> _provisional = new(StringComparer.Ordinal);
    private readonly Lock _provisionalLock = new();

    /// <summary>The largest stored form (header, chunks, trailer) kept as a database row; 0 when every object is a file.</summary>
    public int InlineMaxBytes { get; }

    /// <summary>The store's folder.</summary>
    public string Folder { get; }

    /// <summary>The largest object accepted.</summary>
    public long MaxObjectBytes => _maxBytes;

    /// <summary>
    /// Starts writing a new object under the active data key. A <paramref name="provisional"/> object (data received for
    /// a share, checked only once every part has arrived) may be discarded with <see cref="Discard"/> until it is
    /// settled with <see cref="Settle"/>, unless another writer came to rely on the same content meanwhile.
    /// </summary>
    /// <exception cref="ContentKeyException">The active key cannot be read.</exception>
    public ContentWriter BeginWrite(bool provisional = false)
    {
        var key = _keys.Get(_keys.ActiveKeyId);
        if (!_usedKeyIds.ContainsKey(_keys.ActiveKeyId)) NoteKeyUsed(_keys.ActiveKeyId);
        var temp = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        return new ContentWriter(this, temp, _keys.ActiveKeyId, key, _chunkSize, _maxBytes) { Provisional = provisional };
    }

    private void NoteKeyUsed(string keyId)
    {
        try
        {
            DurableFile.Create(Path.Combine(_keyIds, keyId), "");
        }
        catch (IOException) when (File.Exists(Path.Combine(_keyIds, keyId)))
        {
            // Another writer noted it first.
        }
        _usedKeyIds[keyId] = true;
    }

    /// <summary>Opens the object with SHA-256 <paramref name="sha256"/> (32 bytes) or SM3 <paramref name="sm3"/>.</summary>
    /// <exception cref="ContentException">No such object (<see cref="ContentException.NotFound"/>), or a damaged one.</exception>
    public ContentReader OpenRead(ReadOnlySpan<byte> sha256, ReadOnlySpan<byte> sm3 = default)
    {
        string hex;
        if (sha256.Length == 32) hex = Convert.ToHexStringLower(sha256);
        else if (sm3.Length == 32)
        {
            if (_inlineSm3?.Get(sm3) is { Length: 32 } inlineSha256) hex = Convert.ToHexStringLower(inlineSha256);
            else
            {
                var link = new FileInfo(Path.Combine(_sm3, Convert.ToHexStringLower(sm3)));
                if (link.LinkTarget is not { } target) throw new ContentException($"no object with SM3 {Convert.ToHexStringLower(sm3)}", notFound: true);
                hex = Path.GetFileName(target);
            }
        }
        else throw new ArgumentException("give a 32-byte SHA-256 or SM3 digest");
        ContentReader reader;
        if (_inlineObjects?.Get(Convert.FromHexString(hex)) is { } stored)
        {
            reader = ContentReader.Open(new MemoryStream(stored, writable: false), hex, _keys);
        }
        else
        {
            var path = Path.Combine(_objects, hex);
            if (!File.Exists(path)) throw new ContentException($"no object with SHA-256 {hex}", notFound: true);
            reader = ContentReader.Open(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan), hex, _keys);
        }
        if (sm3.Length == 32 && !reader.Info.Sm3.AsSpan().SequenceEqual(sm3))
        {
            reader.Dispose();
            throw new ContentException($"object {hex} does not have SM3 {Convert.ToHexStringLower(sm3)}");
        }
        return reader;
    }

    /// <summary>Whether an object with this SHA-256 is stored.</summary>
    public bool Contains(ReadOnlySpan<byte> sha256) =>
        sha256.Length == 32 && (_inlineObjects?.Get(sha256) is not null || File.Exists(Path.Combine(_objects, Convert.ToHexStringLower(sha256))));

    /// <summary>
    /// Removes a provisional object file (and its SM3 address) that failed its check after it was stored, unless another
    /// writer stored the same content meanwhile and now relies on it (it then stays, as theirs).
    /// </summary>
    public void Discard(ContentInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        lock (_provisionalLock)
        {
            if (!_provisional.Remove(info.Sha256Hex, out var shared) || shared) return;
            File.Delete(Path.Combine(_sm3, Convert.ToHexStringLower(info.Sm3)));
            File.Delete(Path.Combine(_objects, info.Sha256Hex));
        }
    }

    /// <summary>A provisional object passed its checks: it is kept like any other.</summary>
    public void Settle(ContentInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        lock (_provisionalLock) _provisional.Remove(info.Sha256Hex);
    }

    /// <summary>
    /// Stores a small object's bytes as rows (in <paramref name="batch"/> when given, else in a synced write of their
    /// own); true, and nothing stored, when the same content is already held.
    /// </summary>
    internal bool CommitInline(ReadOnlySpan<byte> stored, ContentInfo info, StoreBatch? batch)
    {
        // Same SHA-256 = same content: the copy already held stays, as a row or as a file.
        if (Contains(info.Sha256)) return true;
        var own = batch is null ? _database!.CreateBatch() : null;
        try
        {
            var target = batch ?? own!;
            _inlineObjects!.Put(target, info.Sha256, stored);
            _inlineSm3!.Put(target, info.Sm3, info.Sha256);
            if (own is not null) _database!.Write(own);
        }
        finally
        {
            own?.Dispose();
        }
        return false;
    }

    /// <summary>Every file in the store's folder (objects, links, temporary files, the notes of key ids used): what a scan for plaintext reads, besides the database's files that hold the small objects.</summary>
    public IEnumerable<string> Files() => Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories);

    /// <summary>
    /// Moves a completed (synced) temporary file to its address and syncs the directories that name it, so that the
    /// object is durable before anything refers to it; true when the same content was already there.
    /// </summary>
    internal bool Commit(string tempPath, ContentInfo info, bool provisional)
    {
        var path = Path.Combine(_objects, info.Sha256Hex);
        bool duplicate;
        // The move and the note of who relies on the file are one step against Discard: a writer that finds the file
        // there relies on it, so a provisional writer that fails later must not take it away.
        lock (_provisionalLock)
        {
            try
            {
                // Same SHA-256 = same content: the first stored copy stays, under whichever key it was written.
                File.Move(tempPath, path, overwrite: false);
                duplicate = false;
                if (provisional) _provisional[info.Sha256Hex] = false;
            }
            catch (IOException) when (File.Exists(path))
            {
                duplicate = true;
                if (_provisional.ContainsKey(info.Sha256Hex)) _provisional[info.Sha256Hex] = true;
            }
        }
        if (duplicate) File.Delete(tempPath);
        // Also for a duplicate: the writer that moved the file into place may not have synced the folder yet, and the
        // row this writer's caller writes next would otherwise refer to a name a crash could still take away.
        DurableFile.SyncDirectory(_objects);
        var link = Path.Combine(_sm3, Convert.ToHexStringLower(info.Sm3));
        if (!File.Exists(link) && new FileInfo(link).LinkTarget is null)
        {
            try
            {
                File.CreateSymbolicLink(link, Path.Combine("..", "objects", info.Sha256Hex));
                DurableFile.SyncDirectory(_sm3);
            }
            catch (IOException) when (new FileInfo(link).LinkTarget is not null)
            {
                // Another upload of the same content made it first.
            }
        }
        return duplicate;
    }
}
