using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;

namespace Huren.Sdk.Crypto;

/// <summary>
/// SHA-256 and SM3 of a stream of bytes fed in pieces, with its length: how content is addressed (by either digest)
/// without holding it whole. Not thread-safe; one instance per stream.
/// </summary>
/// <remarks>
/// SM3 (<see cref="Sm3Hash"/>: about 430 MB/s on one warm core of the reference machine with OpenSSL, 150–245 MB/s
/// with BouncyCastle) is the slowest step of a large transfer.
/// Fed through <see cref="AppendAsync"/>, a stream past <see cref="PipelineBytes"/> has its SM3 computed on a worker,
/// in order, beside SHA-256 and whatever the caller does with the bytes next (encrypting, writing, receiving the next
/// piece); at most <see cref="PipelinePieces"/> copied pieces wait for it. Small objects are hashed inline.
/// </remarks>
public sealed class ContentDigest : IDisposable
{
    /// <summary>Bytes after which <see cref="AppendAsync"/> moves SM3 to a worker.</summary>
    public const int PipelineBytes = 1024 * 1024;

    /// <summary>Pieces that may wait for the SM3 worker before <see cref="AppendAsync"/> waits for it.</summary>
    public const int PipelinePieces = 32;

    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly Sm3Hash _sm3 = new();
    private Channel<(byte[] Piece, int Length)>? _pending;
    private Task? _sm3Worker;
    private bool _finished;

    /// <summary>Bytes fed so far.</summary>
    public long Length { get; private set; }

    /// <summary>Feeds <paramref name="data"/>, hashing both digests on the calling thread.</summary>
    /// <exception cref="InvalidOperationException">Finished, or pieces were fed with <see cref="AppendAsync"/> to the SM3 worker.</exception>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_finished) throw new InvalidOperationException("the digest is already finished");
        if (_pending is not null) throw new InvalidOperationException("this digest's SM3 runs on a worker: feed it with AppendAsync");
        _sha256.AppendData(data);
        _sm3.Append(data);
        Length += data.Length;
    }

    /// <summary>Feeds <paramref name="data"/>; past <see cref="PipelineBytes"/>, SM3 is computed on a worker (the bytes are copied).</summary>
    /// <exception cref="InvalidOperationException">The digest is already finished.</exception>
    public async ValueTask AppendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (_finished) throw new InvalidOperationException("the digest is already finished");
        if (_pending is null && Length + data.Length <= PipelineBytes)
        {
            Append(data.Span);
            return;
        }
        _sha256.AppendData(data.Span);
        Length += data.Length;
        if (_pending is null)
        {
            _pending = Channel.CreateBounded<(byte[], int)>(new BoundedChannelOptions(PipelinePieces) { SingleReader = true, SingleWriter = true });
            _sm3Worker = Task.Run(HashPendingAsync, CancellationToken.None);
        }
        var piece = ArrayPool<byte>.Shared.Rent(data.Length);
        data.Span.CopyTo(piece);
        try
        {
            await _pending.Writer.WriteAsync((piece, data.Length), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(piece);
            throw;
        }
    }

    private async Task HashPendingAsync()
    {
        await foreach (var (piece, length) in _pending!.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                _sm3.Append(piece.AsSpan(0, length));
            }
            catch (ObjectDisposedException)
            {
                // Disposed before finishing: the result is not wanted; the pieces still go back to the pool.
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(piece);
            }
        }
    }

    /// <summary>The digests of everything fed; the instance takes no more data afterwards.</summary>
    /// <exception cref="InvalidOperationException">Already finished, or SM3 runs on a worker (use <see cref="FinishAsync"/>).</exception>
    public (byte[] Sha256, byte[] Sm3) Finish()
    {
        if (_pending is not null) throw new InvalidOperationException("this digest's SM3 runs on a worker: finish it with FinishAsync");
        return Complete();
    }

    /// <summary>The digests of everything fed, once the SM3 worker (if any) has hashed every piece; no more data afterwards.</summary>
    /// <exception cref="InvalidOperationException">The digest is already finished.</exception>
    public async ValueTask<(byte[] Sha256, byte[] Sm3)> FinishAsync()
    {
        if (_finished) throw new InvalidOperationException("the digest is already finished");
        if (_pending is not null)
        {
            _pending.Writer.TryComplete();
            await _sm3Worker!.ConfigureAwait(false);
        }
        return Complete();
    }

    private (byte[] Sha256, byte[] Sm3) Complete()
    {
        if (_finished) throw new InvalidOperationException("the digest is already finished");
        _finished = true;
        return (_sha256.GetHashAndReset(), _sm3.Finish());
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        // A worker still running drains what is queued and returns those pieces to the pool; its result is not used.
        _pending?.Writer.TryComplete();
        _sha256.Dispose();
        _sm3.Dispose();
    }
}
