using System.Buffers;
using System.Security.Cryptography;
using Huren.Sdk.Crypto;

namespace Huren.Node.Content;

/// <summary>
/// Writes one object into the store as it arrives: plaintext is digested and encrypted a chunk at a time into a
/// temporary file, which <see cref="CompleteAsync"/> moves to its address; disposing without completing deletes it. Holds
/// one plaintext and one ciphertext chunk in memory, never the object. Not thread-safe.
/// </summary>
public sealed class ContentWriter : IDisposable
{
    private readonly ContentStore _store;
    private readonly FileStream _file;
    private readonly string _tempPath;
    private readonly byte[] _header;
    private readonly AesGcm _aes;
    private readonly int _chunkSize;
    private readonly long _maxBytes;
    private readonly byte[] _plain;
    private readonly byte[] _cipher;
    private readonly ContentDigest _digest = new();
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
        // Synchronous writes: a chunk goes to the page cache in microseconds, and Linux has no asynchronous file writes
        // (an async write is a thread-pool hop per chunk, measured slower on a 100 MB transfer); the sync is at the end.
        _file = new FileStream(tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, FileOptions.None);
        _file.Write(_header);
        KeyId = keyId;
    }

    /// <summary>The data key id the object is written under.</summary>
    public string KeyId { get; }

    /// <summary>Plaintext bytes written so far.</summary>
    public long Length => _digest.Length;

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

    /// <summary>Writes the final chunk and the trailer, syncs the file and moves it to its address.</summary>
    /// <returns>The object; <c>Duplicate</c> when the store already held the same content.</returns>
    public async ValueTask<(ContentInfo Info, bool Duplicate)> CompleteAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        cancellationToken.ThrowIfCancellationRequested();
        var length = _digest.Length;
        var (sha256, sm3) = await _digest.FinishAsync().ConfigureAwait(false);
        var trailer = ContentObjectFormat.Trailer(sha256, sm3, length);
        WriteChunk(final: true, trailer);
        _file.Write(trailer);
        _file.Flush(flushToDisk: true);
        await _file.DisposeAsync().ConfigureAwait(false);
        var info = new ContentInfo(sha256, sm3, length, KeyId);
        var duplicate = _store.Commit(_tempPath, info);
        Release();
        return (info, duplicate);
    }

    private void WriteChunk(bool final, byte[] trailer)
    {
        var nonce = new byte[12];
        ContentObjectFormat.Nonce(nonce, _index);
        var ad = ContentObjectFormat.AssociatedData(_header, _index, final, trailer);
        _aes.Encrypt(nonce, _plain.AsSpan(0, _filled), _cipher.AsSpan(0, _filled), _cipher.AsSpan(_filled, ContentObjectFormat.TagSize), ad);
        _file.Write(_cipher.AsSpan(0, _filled + ContentObjectFormat.TagSize));
        // The plaintext buffer is cleared before reuse and on release.
        _plain.AsSpan(0, _filled).Clear();
        _filled = 0;
        _index++;
    }

    private void Release()
    {
        if (_done) return;
        _done = true;
        _aes.Dispose();
        _digest.Dispose();
        _plain.AsSpan(0, Math.Min(_plain.Length, _chunkSize)).Clear();
        ArrayPool<byte>.Shared.Return(_plain);
        ArrayPool<byte>.Shared.Return(_cipher);
    }

    /// <summary>Abandons an object not completed: its temporary file is deleted.</summary>
    public void Dispose()
    {
        if (_done) return;
        _file.Dispose();
        File.Delete(_tempPath);
        Release();
    }
}
