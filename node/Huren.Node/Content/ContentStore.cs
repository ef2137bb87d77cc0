namespace Huren.Node.Content;

/// <summary>
/// The node's content store: full record data and files, off the ledger, one encrypted file per object under
/// <c>objects/&lt;sha256 hex&gt;</c>, also reachable by SM3 through <c>sm3/&lt;sm3 hex&gt;</c> (a symbolic link), written
/// through a temporary file in <c>tmp/</c> so that an object is either absent or complete (docs/decisions.md, "Content
/// store: files the node manages"). Thread-safe.
/// </summary>
public sealed class ContentStore
{
    private readonly string _objects;
    private readonly string _sm3;
    private readonly string _temp;
    private readonly ContentKeys _keys;
    private readonly int _chunkSize;
    private readonly long _maxBytes;

    /// <summary>A store in <paramref name="folder"/> (created if missing); leftover temporary files are removed.</summary>
    public ContentStore(string folder, ContentKeys keys, int chunkSize, long maxBytes)
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
        _chunkSize = chunkSize;
        _maxBytes = maxBytes;
    }

    /// <summary>The store's folder.</summary>
    public string Folder { get; }

    /// <summary>The largest object accepted.</summary>
    public long MaxObjectBytes => _maxBytes;

    /// <summary>Starts writing a new object under the active data key.</summary>
    /// <exception cref="ContentKeyException">The active key cannot be read.</exception>
    public ContentWriter BeginWrite()
    {
        var key = _keys.Get(_keys.ActiveKeyId);
        var temp = Path.Combine(_temp, Guid.NewGuid().ToString("N"));
        return new ContentWriter(this, temp, _keys.ActiveKeyId, key, _chunkSize, _maxBytes);
    }

    /// <summary>Opens the object with SHA-256 <paramref name="sha256"/> (32 bytes) or SM3 <paramref name="sm3"/>.</summary>
    /// <exception cref="ContentException">No such object (<see cref="ContentException.NotFound"/>), or a damaged one.</exception>
    public ContentReader OpenRead(ReadOnlySpan<byte> sha256, ReadOnlySpan<byte> sm3 = default)
    {
        string hex;
        if (sha256.Length == 32) hex = Convert.ToHexStringLower(sha256);
        else if (sm3.Length == 32)
        {
            var link = new FileInfo(Path.Combine(_sm3, Convert.ToHexStringLower(sm3)));
            if (link.LinkTarget is not { } target) throw new ContentException($"no object with SM3 {Convert.ToHexStringLower(sm3)}", notFound: true);
            hex = Path.GetFileName(target);
        }
        else throw new ArgumentException("give a 32-byte SHA-256 or SM3 digest");
        var path = Path.Combine(_objects, hex);
        if (!File.Exists(path)) throw new ContentException($"no object with SHA-256 {hex}", notFound: true);
        var reader = ContentReader.Open(path, hex, _keys);
        if (sm3.Length == 32 && !reader.Info.Sm3.AsSpan().SequenceEqual(sm3))
        {
            reader.Dispose();
            throw new ContentException($"object {hex} does not have SM3 {Convert.ToHexStringLower(sm3)}");
        }
        return reader;
    }

    /// <summary>Whether an object with this SHA-256 is stored.</summary>
    public bool Contains(ReadOnlySpan<byte> sha256) => sha256.Length == 32 && File.Exists(Path.Combine(_objects, Convert.ToHexStringLower(sha256)));

    /// <summary>Removes an object (and its SM3 link): data that failed its check after it was stored.</summary>
    public void Delete(ContentInfo info)
    {
        File.Delete(Path.Combine(_sm3, Convert.ToHexStringLower(info.Sm3)));
        File.Delete(Path.Combine(_objects, info.Sha256Hex));
    }

    /// <summary>Every file the store holds (objects, links, temporary files): what a scan for plaintext reads.</summary>
    public IEnumerable<string> Files() => Directory.EnumerateFiles(Folder, "*", SearchOption.AllDirectories);

    /// <summary>
    /// Moves a completed (synced) temporary file to its address and syncs the directories that name it, so that the
    /// object is durable before anything refers to it; true when the same content was already there.
    /// </summary>
    internal bool Commit(string tempPath, ContentInfo info)
    {
        var path = Path.Combine(_objects, info.Sha256Hex);
        bool duplicate;
        try
        {
            // Same SHA-256 = same content: the first stored copy stays, under whichever key it was written.
            File.Move(tempPath, path, overwrite: false);
            DirectorySync.Flush(_objects);
            duplicate = false;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(tempPath);
            duplicate = true;
        }
        var link = Path.Combine(_sm3, Convert.ToHexStringLower(info.Sm3));
        if (!File.Exists(link) && new FileInfo(link).LinkTarget is null)
        {
            try
            {
                File.CreateSymbolicLink(link, Path.Combine("..", "objects", info.Sha256Hex));
                DirectorySync.Flush(_sm3);
            }
            catch (IOException) when (new FileInfo(link).LinkTarget is not null)
            {
                // Another upload of the same content made it first.
            }
        }
        return duplicate;
    }
}
