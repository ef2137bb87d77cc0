using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;

namespace Huren.Sdk.Crypto;

/// <summary>
/// SHA-256 and SM3 of a stream of bytes fed in pieces, with its length: how content is addressed (by either digest)
/// without holding it whole. Not thread-safe; one instance per stream.
/// </summary>
public sealed class ContentDigest : IDisposable
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly SM3Digest _sm3 = new();
    private bool _finished;

    /// <summary>Bytes fed so far.</summary>
    public long Length { get; private set; }

    /// <summary>Feeds <paramref name="data"/>.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_finished) throw new InvalidOperationException("the digest is already finished");
        _sha256.AppendData(data);
        _sm3.BlockUpdate(data);
        Length += data.Length;
    }

    /// <summary>The digests of everything fed; the instance takes no more data afterwards.</summary>
    public (byte[] Sha256, byte[] Sm3) Finish()
    {
        if (_finished) throw new InvalidOperationException("the digest is already finished");
        _finished = true;
        var sm3 = new byte[32];
        _sm3.DoFinal(sm3);
        return (_sha256.GetHashAndReset(), sm3);
    }

    /// <inheritdoc/>
    public void Dispose() => _sha256.Dispose();
}
