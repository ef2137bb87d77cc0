using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Huren.Node.Content;

/// <summary>
/// Reads one stored object back, a chunk at a time, decrypting and authenticating each chunk before handing it out: a
/// damaged or altered file fails at the first chunk that does not authenticate (<see cref="ContentException"/>). Not
/// thread-safe.
/// </summary>
public sealed class ContentReader : IDisposable
{
    private readonly Stream _file;
    private readonly byte[] _header;
    private readonly byte[] _trailer;
    private readonly AesGcm _aes;
    private readonly int _chunkSize;
    private readonly long _chunks;
    private readonly int _largestChunk;
    private byte[]? _cipher;
    private long _index;

    private ContentReader(Stream file, byte[] header, byte[] trailer, AesGcm aes, int chunkSize, ContentInfo info)
    {
        _file = file;
        _header = header;
        _trailer = trailer;
        _aes = aes;
        _chunkSize = chunkSize;
        Info = info;
        _chunks = ContentObjectFormat.ChunkCount(info.Length, chunkSize);
        // Sized by the object's largest chunk: a 4 KB record must not cost a 256 KB array on the large-object heap per
        // read (at an exchange each, those arrays kept the background GC busy).
        _largestChunk = (int)Math.Min(chunkSize, info.Length);
        _cipher = ArrayPool<byte>.Shared.Rent(_largestChunk + ContentObjectFormat.TagSize);
    }

    /// <summary>The object.</summary>
    public ContentInfo Info { get; }

    /// <summary>The largest chunk <see cref="ReadChunkAsync"/> returns for this object (the object's length when it is one chunk).</summary>
    public int ChunkSize => _largestChunk;

    /// <summary>Reads the stored form in <paramref name="file"/> (a file or a row's bytes), which the reader then owns.</summary>
    internal static ContentReader Open(Stream file, string expectedSha256Hex, ContentKeys keys)
    {
        try
        {
            var start = new byte[Math.Min(file.Length, 8 + 1 + 255 + 16 + 4)];
            file.ReadExactly(start);
            if (!ContentObjectFormat.TryReadHeader(start, out var headerLength, out var keyId, out var objectId, out var chunkSize))
                throw new ContentException($"object {expectedSha256Hex} is damaged: its header is not huren-content/v1");
            if (file.Length < headerLength + ContentObjectFormat.TagSize + ContentObjectFormat.TrailerSize)
                throw new ContentException($"object {expectedSha256Hex} is damaged: it is too short");
            var trailer = new byte[ContentObjectFormat.TrailerSize];
            file.Position = file.Length - trailer.Length;
            file.ReadExactly(trailer);
            var length = BinaryPrimitives.ReadInt64BigEndian(trailer.AsSpan(64));
            var chunks = length < 0 ? -1 : ContentObjectFormat.ChunkCount(length, chunkSize);
            if (chunks < 0 || headerLength + length + chunks * ContentObjectFormat.TagSize + ContentObjectFormat.TrailerSize != file.Length)
                throw new ContentException($"object {expectedSha256Hex} is damaged: its size does not match the length it states");
            var info = new ContentInfo(trailer[..32], trailer[32..64], length, keyId);
            if (!string.Equals(info.Sha256Hex, expectedSha256Hex, StringComparison.Ordinal))
                throw new ContentException($"object {expectedSha256Hex} is damaged: its trailer names {info.Sha256Hex}");
            var aes = new AesGcm(ContentObjectFormat.ObjectKey(keys.Get(keyId), objectId), ContentObjectFormat.TagSize);
            file.Position = headerLength;
            return new ContentReader(file, start[..headerLength], trailer, aes, chunkSize, info);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Decrypts the next chunk into <paramref name="destination"/> (at least <see cref="ChunkSize"/> bytes, or what is left of the object).</summary>
    /// <returns>The number of plaintext bytes; 0 after the last chunk.</returns>
    /// <exception cref="ContentException">The chunk does not authenticate: the file was altered or damaged.</exception>
    public async ValueTask<int> ReadChunkAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_index >= _chunks) return 0;
        var final = _index == _chunks - 1;
        var plain = final ? (int)(Info.Length - _index * _chunkSize) : _chunkSize;
        var cipher = _cipher ?? throw new ObjectDisposedException(nameof(ContentReader));
        await _file.ReadExactlyAsync(cipher.AsMemory(0, plain + ContentObjectFormat.TagSize), cancellationToken).ConfigureAwait(false);
        var nonce = new byte[12];
        ContentObjectFormat.Nonce(nonce, _index);
        var ad = ContentObjectFormat.AssociatedData(_header, _index, final, final ? _trailer : []);
        try
        {
            _aes.Decrypt(nonce, cipher.AsSpan(0, plain), cipher.AsSpan(plain, ContentObjectFormat.TagSize), destination.Span[..plain], ad);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new ContentException($"object {Info.Sha256Hex} is damaged or altered: chunk {_index} does not authenticate under data key '{Info.KeyId}'");
        }
        _index++;
        // An empty object's one chunk holds nothing; report the end.
        return plain;
    }

    /// <summary>
    /// The whole object as pieces to stream, each its own array of at most <see cref="Sdk.Client.HurenClient.TransferChunkSize"/>
    /// bytes (below the large-object threshold; a message may still be in flight when the next piece is read).
    /// </summary>
    /// <exception cref="ContentException">A chunk does not authenticate: the file was altered or damaged.</exception>
    public async IAsyncEnumerable<byte[]> ReadPiecesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        const int pieceBytes = Sdk.Client.HurenClient.TransferChunkSize;
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            int n;
            while ((n = await ReadChunkAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                for (var at = 0; at < n; at += pieceBytes) yield return buffer.AsSpan(at, Math.Min(pieceBytes, n - at)).ToArray();
            }
        }
        finally
        {
            // Plaintext: cleared before the pool hands it out again.
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _aes.Dispose();
        _file.Dispose();
        // Ciphertext, as on disk: nothing to clear.
        if (Interlocked.Exchange(ref _cipher, null) is { } cipher) ArrayPool<byte>.Shared.Return(cipher);
    }
}

/// <summary>Reading small objects whole.</summary>
public static class ContentReaderExtensions
{
    /// <summary>The whole object, which must be at most <paramref name="maxBytes"/> (for small JSON documents only).</summary>
    /// <exception cref="ContentException">The object is larger, or damaged.</exception>
    public static async Task<byte[]> ReadAllAsync(this ContentReader reader, long maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.Info.Length > maxBytes) throw new ContentException($"object {reader.Info.Sha256Hex} holds {reader.Info.Length} bytes, more than the {maxBytes} read whole");
        var all = new byte[reader.Info.Length];
        var at = 0;
        int n;
        // Each chunk is decrypted in place: every chunk but the last is ChunkSize long, the last is what is left.
        while ((n = await reader.ReadChunkAsync(all.AsMemory(at), cancellationToken).ConfigureAwait(false)) > 0) at += n;
        return all;
    }
}
