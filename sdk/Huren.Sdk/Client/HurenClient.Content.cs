using System.Runtime.CompilerServices;
using Grpc.Core;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using ProtoBuf.Grpc;

namespace Huren.Sdk.Client;

public sealed partial class HurenClient
{
    /// <summary>
    /// Bytes of data per message when content is streamed, either way: 64 KiB, below .NET's large-object threshold (85,000
    /// bytes), so that neither end allocates a large-object array per message (at 256 KiB a 100 MB transfer cost each
    /// end 400 of them, and the background GC's work).
    /// </summary>
    public const int TransferChunkSize = 64 * 1024;

    /// <summary>
    /// The HTTP/2 receive window of each stream the client opens: 2 MiB instead of .NET's 64 KiB. On loopback or a fast
    /// link the round trip is so short that .NET's dynamic window sizing never grows the window, and a sender may then
    /// run at most 64 KiB ahead of the receiver: the two ends of a large transfer worked in turn, with the cores half
    /// idle (docs/benchmarks.md). At most this much per stream waits unread in the client.
    /// </summary>
    public const int ReceiveWindowBytes = 2 * 1024 * 1024;

    /// <summary>
    /// Stores everything <paramref name="source"/> yields (from its position) in the node's content store, a piece at a
    /// time, and checks that the node's answer names the digests computed here.
    /// </summary>
    /// <param name="source">The data; read to its end, never held whole.</param>
    /// <param name="progress">Told the number of bytes sent so far, after each piece.</param>
    /// <param name="timeout">Deadline of the whole upload (default 10 minutes).</param>
    /// <param name="cancellationToken">Cancels the upload; nothing is stored then.</param>
    /// <exception cref="RpcException">The node refused the upload.</exception>
    /// <exception cref="InvalidDataException">The node answered other digests than those of the data sent.</exception>
    public async Task<ContentPutResponse> PutContentAsync(Stream source, IProgress<long>? progress = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var digest = new ContentDigest();
        var options = new CallOptions(deadline: DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(10)), cancellationToken: cancellationToken);
        // A node that refuses the upload midway (too large, not allowed) ends the call: its status is the answer, not the
        // send that could not go on.
        var response = await Content.PutAsync(Pieces(source, digest, progress, cancellationToken), new CallContext(options, CallContextFlags.IgnoreStreamTermination)).ConfigureAwait(false);
        var (sha256, sm3) = await digest.FinishAsync().ConfigureAwait(false);
        if (!response.Sha256.AsSpan().SequenceEqual(sha256) || !response.Sm3.AsSpan().SequenceEqual(sm3) || response.Length != digest.Length)
            throw new InvalidDataException($"the node stored {Convert.ToHexStringLower(response.Sha256)} ({response.Length} bytes), not the {digest.Length} bytes with SHA-256 {Convert.ToHexStringLower(sha256)} sent");
        return response;
    }

    private static async IAsyncEnumerable<ContentChunk> Pieces(Stream source, ContentDigest digest, IProgress<long>? progress, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var buffer = new byte[TransferChunkSize];
        while (true)
        {
            var n = await source.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (n == 0) yield break;
            await digest.AppendAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            // Each message owns its bytes: the transport may still be writing the previous one.
            yield return new ContentChunk { Data = buffer.AsSpan(0, n).ToArray() };
            progress?.Report(digest.Length);
            if (n < buffer.Length) yield break;
        }
    }

    /// <summary>
    /// Copies an object of the node's content store into <paramref name="destination"/>, a piece at a time, and checks
    /// its length and both digests against what the node announced and the digest asked for.
    /// </summary>
    /// <param name="sha256">The object's SHA-256 (32 bytes).</param>
    /// <param name="destination">Where the data goes.</param>
    /// <param name="progress">Told the bytes received so far and the object's length.</param>
    /// <param name="timeout">Deadline of the whole download (default 10 minutes).</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The object's length and digests.</returns>
    /// <exception cref="RpcException">The node refused.</exception>
    /// <exception cref="InvalidDataException">The data received does not match its digests.</exception>
    public async Task<ContentChunk> GetContentAsync(byte[] sha256, Stream destination, IProgress<(long Received, long Length)>? progress = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var options = new CallOptions(deadline: DateTime.UtcNow + (timeout ?? TimeSpan.FromMinutes(10)), cancellationToken: cancellationToken);
        return await ReceiveAsync(Content.GetAsync(new ContentGetRequest { Sha256 = sha256 }, new CallContext(options)), sha256, destination, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a download (a header message, then data) to <paramref name="destination"/> and checks it.</summary>
    internal static async Task<ContentChunk> ReceiveAsync(IAsyncEnumerable<ContentChunk> messages, byte[]? expectedSha256, Stream destination, IProgress<(long Received, long Length)>? progress, CancellationToken cancellationToken)
    {
        ContentChunk? header = null;
        using var digest = new ContentDigest();
        await foreach (var message in messages.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (header is null)
            {
                header = message;
                if (expectedSha256 is not null && !header.Sha256.AsSpan().SequenceEqual(expectedSha256))
                    throw new InvalidDataException($"the node announced object {Convert.ToHexStringLower(header.Sha256)}, not {Convert.ToHexStringLower(expectedSha256)}");
                continue;
            }
            if (digest.Length + message.Data.Length > header.Length) throw new InvalidDataException($"the node sent more than the {header.Length} bytes it announced");
            await digest.AppendAsync(message.Data, cancellationToken).ConfigureAwait(false);
            await destination.WriteAsync(message.Data, cancellationToken).ConfigureAwait(false);
            // Hashed (or copied for the SM3 worker) and written: the piece may be reused.
            TransferMarshalling.ReturnData(message.Data);
            progress?.Report((digest.Length, header.Length));
        }
        if (header is null) throw new InvalidDataException("the node sent nothing");
        var (sha256, sm3) = await digest.FinishAsync().ConfigureAwait(false);
        if (digest.Length != header.Length) throw new InvalidDataException($"the node sent {digest.Length} of the {header.Length} bytes it announced");
        if (!sha256.AsSpan().SequenceEqual(header.Sha256) || !sm3.AsSpan().SequenceEqual(header.Sm3))
            throw new InvalidDataException($"the data received has SHA-256 {Convert.ToHexStringLower(sha256)}, not the announced {Convert.ToHexStringLower(header.Sha256)}");
        return header;
    }
}
