using System.Buffers;
using System.Security.Cryptography;
using Huren.Node.Storage;
using Huren.Sdk.Crypto;

namespace Huren.Node.Content;

/// <summary>
/// Writes one object into the store as it arrives: plaintext is digested and encrypted a chunk at a time. The stored
/// bytes are kept in memory while they fit the store's inline limit and go to a temporary file once they do not;
/// <see cref="CompleteAsync"/> puts a small object into the node's database (in the caller's batch, or on its own) and
/// moves a file to its address. Disposing without completing deletes the temporary file. Holds one plaintext and one
/// ciphertext chunk in memory (and at most the inline limit of stored bytes), never a large object. Not thread-safe.
/// </summary>
public sealed class ContentWriter : IDisposable
{
    private readonly ContentStore _store;
    private readonly string _tempPath;
    private readonly byte[] _header;
    private readonly AesGcm _aes;
    private readonly int _chunkSize;
    private readonly long _maxBytes;
    private readonly byte[] _plain;
    private readonly byte[] _cipher;
    private readonly ContentDigest _digest = new();
    private MemoryStream? _memory;
    private FileStream? _file;
    private int _filled;
    private long _index;
    private bool _done;

    internal ContentWriter(ContentStore store, string tempPath, string keyId, byte[] dataKey, int chunkSize, long maxBytes)
    {
        _store = store;
        _tempPath = tempPath;
        _chunkSize = chunkSize;
        _maxBytes = maxBytes;
        var objectId = RandomNumberGenerator.GetBytes(ContentObjectFormat.ObjectIdSize);
        _header = ContentObjectFormat.Header(keyId, objectId, chunkSize);
        _aes = new AesGcm(ContentObjectFormat.ObjectKey(dataKey, objectId), ContentObjectFormat.TagSize);
        _plain = ArrayPool<byte>.Shared.Rent(chunkSize);
        _cipher = ArrayPool<byte>.Shared.Rent(chunkSize + ContentObjectFormat.TagSize);
        if (store.InlineMaxBytes > 0) _memory = new MemoryStream();
        else OpenFile();
        Output.Write(_header);
        KeyId = keyId;
    }

    /// <summary>The data key id the object is written under.</summary>
    public string KeyId { get; }

    /// <summary>Plaintext bytes written so far.</summary>
    public long Length => _digest.Length;

    /// <summary>Whether a stored file may still be discarded (<see cref="ContentStore.BeginWrite"/>).</summary>
    internal bool Provisional { get; init; }

    /// <summary>After <see cref="CompleteAsync"/>: true when the object was stored in the database rather than as a file.</summary>
    public bool Inline { get; private set; }

    private Stream Output => (Stream?)_file ?? _memory!;

    /// <summary>Appends <paramref name="data"/>.</summary>
    /// <exception cref="ContentException">The object would exceed the store's size limit.</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (_digest.Length + data.Length > _maxBytes)
            throw new ContentException($"the object exceeds the content store's limit of {_maxBytes} bytes (Huren:Content:MaxObjectBytes)");
        await _digest.AppendAsync(data, cancellationToken).ConfigureAwait(false);
        while (data.Length > 0)
        {
            // A full chunk is encrypted only once more data arrives: the last chunk is written by Complete, marked final.
            if (_filled == _chunkSize) WriteChunk(final: false, []);
            var n = Math.Min(_chunkSize - _filled, data.Length);
            data.Span[..n].CopyTo(_plain.AsSpan(_filled));
            _filled += n;
            data = data[n..];
        }
    }

    /// <summary>
    /// Writes the final chunk and the trailer and stores the object: one within the inline limit as rows of the node's
    /// database — added to <paramref name="batch"/> when one is given, so that the object becomes durable in the same
    /// write as the rows that refer to it, else written (synced) at once — and a larger one as a synced file moved to its
    /// address.
    /// </summary>
    /// <returns>The object; <c>Duplicate</c> when the store already held the same content (nothing new is stored then).</returns>
    public async ValueTask<(ContentInfo Info, bool Duplicate)> CompleteAsync(StoreBatch? batch = null, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        cancellationToken.ThrowIfCancellationRequested();
        var length = _digest.Length;
        var (sha256, sm3) = await _digest.FinishAsync().ConfigureAwait(false);
        var trailer = ContentObjectFormat.Trailer(sha256, sm3, length);
        WriteChunk(final: true, trailer);
        Reserve(trailer.Length);
        Output.Write(trailer);
        var info = new ContentInfo(sha256, sm3, length, KeyId);
        bool duplicate;
        if (_memory is { } memory)
        {
            Inline = true;
            duplicate = _store.CommitInline(memory.GetBuffer().AsSpan(0, (int)memory.Length), info, batch);
        }
        else
        {
            var file = _file!;
            file.Flush(flushToDisk: true);
            await file.DisposeAsync().ConfigureAwait(false);
            duplicate = _store.Commit(_tempPath, info, Provisional);
        }
        Release();
        return (info, duplicate);
    }

    private void WriteChunk(bool final, byte[] trailer)
    {
        var nonce = new byte[12];
        ContentObjectFormat.Nonce(nonce, _index);
        var ad = ContentObjectFormat.AssociatedData(_header, _index, final, trailer);
        _aes.Encrypt(nonce, _plain.AsSpan(0, _filled), _cipher.AsSpan(0, _filled), _cipher.AsSpan(_filled, ContentObjectFormat.TagSize), ad);
        Reserve(_filled + ContentObjectFormat.TagSize);
        Output.Write(_cipher.AsSpan(0, _filled + ContentObjectFormat.TagSize));
        // The plaintext buffer is cleared before reuse and on release.
        _plain.AsSpan(0, _filled).Clear();
        _filled = 0;
        _index++;
    }

    /// <summary>Moves the bytes kept in memory to the temporary file once <paramref name="more"/> bytes would not fit the inline limit.</summary>
    private void Reserve(int more)
    {
        if (_memory is not { } memory || memory.Length + more <= _store.InlineMaxBytes) return;
        OpenFile();
        _file!.Write(memory.GetBuffer().AsSpan(0, (int)memory.Length));
        _memory = null;
    }

    private void OpenFile() =>
        // Synchronous writes: a chunk goes to the page cache in microseconds, and Linux has no asynchronous file writes
        // (an async write is a thread-pool hop per chunk, measured slower on a 100 MB transfer); the sync is at the end.
        _file = new FileStream(_tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.None);

    private void Release()
    {
        if (_done) return;
        _done = true;
        _memory = null;
        _aes.Dispose();
        _digest.Dispose();
        _plain.AsSpan(0, Math.Min(_plain.Length, _chunkSize)).Clear();
        ArrayPool<byte>.Shared.Return(_plain);
        ArrayPool<byte>.Shared.Return(_cipher);
    }

    /// <summary>Abandons an object not completed: its temporary file (if it has one) is deleted.</summary>
    public void Dispose()
    {
        if (_done) return;
        if (_file is not null)
        {
            _file.Dispose();
            File.Delete(_tempPath);
        }
        Release();
    }
}
