using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;

namespace Huren.Sdk.Crypto;

/// <summary>The digests Huren uses: SM3 (GB/T 32905) and SHA-256.</summary>
public static class Digests
{
    /// <summary>Name of SM3 in records (<c>digestAlgorithm</c> fields).</summary>
    public const string Sm3Name = "sm3";

    /// <summary>Name of SHA-256 in records.</summary>
    public const string Sha256Name = "sha256";

    // Below this the native call costs more than OpenSSL's faster rounds save (measured: equal near 512 bytes,
    // 1.4 times faster at 1 KiB, 1.75 times on large pieces).
    private const int NativeSm3Bytes = 1024;

    /// <summary>SM3 of <paramref name="data"/> (32 bytes).</summary>
    public static byte[] Sm3(ReadOnlySpan<byte> data)
    {
        var output = new byte[32];
        Sm3(data, output);
        return output;
    }

    /// <summary>Writes SM3 of <paramref name="data"/> into <paramref name="destination"/> (at least 32 bytes).</summary>
    public static void Sm3(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        using var digest = new Sm3Hash(data.Length >= NativeSm3Bytes ? Sm3Hash.Preferred : Sm3Implementation.BouncyCastle);
        digest.Append(data);
        digest.Finish(destination);
    }

    /// <summary>SM3 of everything <paramref name="stream"/> yields from its position to its end (32 bytes), with <see cref="Sm3Hash.Preferred"/>.</summary>
    public static byte[] Sm3(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        // Read synchronously: the core's ValueTask is complete when it returns.
        var reading = Sm3Core(stream, long.MaxValue, readAsync: false, CancellationToken.None);
        System.Diagnostics.Debug.Assert(reading.IsCompleted);
        return reading.GetAwaiter().GetResult()!.Value.Digest;
    }

    /// <summary>
    /// SM3 of everything <paramref name="stream"/> yields from its position to its end, read asynchronously a buffer at a
    /// time (the content is never held whole), with <see cref="Sm3Hash.Preferred"/>; or null as soon as the stream has
    /// yielded more than <paramref name="maxBytes"/> bytes, when reading stops (the rest is left unread). For an upload
    /// of unknown length: null is the caller's "too large".
    /// </summary>
    /// <param name="stream">The content, read from its position.</param>
    /// <param name="maxBytes">The most bytes accepted (0 or more); exactly this many still give a digest.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The digest and the number of bytes it covers, or null when the content is longer than <paramref name="maxBytes"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> is negative.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<StreamSm3?> Sm3Async(Stream stream, long maxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        return await Sm3Core(stream, maxBytes, readAsync: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The one reading loop of <see cref="Sm3(Stream)"/> and <see cref="Sm3Async"/>; with <paramref name="readAsync"/>
    /// false it never awaits, so its ValueTask is complete on return.
    /// </summary>
    private static async ValueTask<StreamSm3?> Sm3Core(Stream stream, long maxBytes, bool readAsync, CancellationToken cancellationToken)
    {
        using var digest = new Sm3Hash();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long length = 0;
            int read;
            while ((read = readAsync ? await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) : stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                length += read;
                if (length > maxBytes) return null;
                digest.Append(buffer.AsSpan(0, read));
            }
            return new StreamSm3(digest.Finish(), length);
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>SHA-256 of <paramref name="data"/> (32 bytes).</summary>
    public static byte[] Sha256(ReadOnlySpan<byte> data) => SHA256.HashData(data);

    /// <summary>The digest named <paramref name="algorithm"/> (<c>sm3</c> or <c>sha256</c>).</summary>
    /// <exception cref="ArgumentException">The name is not one of those.</exception>
    public static byte[] Compute(string algorithm, ReadOnlySpan<byte> data) => algorithm switch
    {
        Sm3Name => Sm3(data),
        Sha256Name => Sha256(data),
        _ => throw new ArgumentException($"unknown digest algorithm '{algorithm}' (expected sm3 or sha256)", nameof(algorithm)),
    };

    /// <summary>
    /// The salted commitment of a holder's personal identifier: SM3(salt ‖ UTF-8 identifier). The salt (16+ random bytes)
    /// stays with the issuer and the holder; the ledger holds only the commitment.
    /// </summary>
    public static byte[] HolderCommitment(ReadOnlySpan<byte> salt, string personalIdentifier)
    {
        var id = System.Text.Encoding.UTF8.GetBytes(personalIdentifier);
        var digest = new SM3Digest();
        digest.BlockUpdate(salt);
        digest.BlockUpdate(id);
        var output = new byte[32];
        digest.DoFinal(output);
        return output;
    }

    /// <summary>
    /// The salted commitment of a 公民身份号码 (<see cref="HolderCommitment"/>), made only for a valid number: 18
    /// characters, a known province, a real birth date and the GB 11643 check character. A mistyped number would
    /// commit the license to nobody, and no one could notice on the ledger.
    /// </summary>
    /// <exception cref="ArgumentException">The number is not a valid 公民身份号码; the message says which rule it breaks.</exception>
    public static byte[] CitizenIdCommitment(ReadOnlySpan<byte> salt, string idNumber, DateOnly? today = null)
    {
        if (Huren.Schemas.Validation.CitizenIdNumber.Validate(idNumber, "idNumber", today) is { } error) throw new ArgumentException(error.Message, nameof(idNumber));
        return HolderCommitment(salt, idNumber);
    }
}

/// <summary>The SM3 of a stream's content (<see cref="Digests.Sm3Async"/>) and how many bytes it covers.</summary>
/// <param name="Digest">The SM3 (32 bytes).</param>
/// <param name="Length">The number of bytes hashed.</param>
public readonly record struct StreamSm3(byte[] Digest, long Length);
