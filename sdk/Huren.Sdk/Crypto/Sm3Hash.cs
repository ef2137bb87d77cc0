using System.Runtime.InteropServices;
using Org.BouncyCastle.Crypto.Digests;

namespace Huren.Sdk.Crypto;

/// <summary>The code that computes an incremental SM3.</summary>
public enum Sm3Implementation
{
    /// <summary>BouncyCastle's managed <c>SM3Digest</c>: available everywhere.</summary>
    BouncyCastle,

    /// <summary>The platform's OpenSSL 3 <c>libcrypto</c> (<c>EVP_sm3</c>), when it loads and passes its self-test.</summary>
    OpenSsl,
}

/// <summary>
/// SM3 (GB/T 32905) of a long input fed in pieces. Measured on the project's machine, OpenSSL 3's SM3 hashes large
/// pieces at about 430 MB/s on one warm core against about 245 MB/s for BouncyCastle, and SM3 is the slowest digest of
/// moving a large file (docs/benchmarks.md); so <see cref="Preferred"/> is OpenSSL where it loads and its self-test
/// passes, and BouncyCastle elsewhere or when the environment variable <c>HUREN_SM3=bouncycastle</c> is set. Both give
/// the same digests (tested on the standard's examples and on random inputs). <see cref="Digests.Sm3(ReadOnlySpan{byte})"/>
/// keeps short inputs on BouncyCastle: below about 512 bytes the native call costs more than it saves. Not thread-safe;
/// one instance per input.
/// </summary>
public sealed class Sm3Hash : IDisposable
{
    private readonly SM3Digest? _managed;
    private readonly OpenSslSm3.ContextHandle? _native;
    private bool _finished;

    /// <summary>Starts a digest with <see cref="Preferred"/>.</summary>
    public Sm3Hash()
        : this(Preferred)
    {
    }

    /// <summary>Starts a digest with the given implementation.</summary>
    /// <exception cref="PlatformNotSupportedException">OpenSSL was asked for where it is not available.</exception>
    public Sm3Hash(Sm3Implementation implementation)
    {
        if (implementation == Sm3Implementation.OpenSsl)
        {
            if (!OpenSslSm3.IsAvailable) throw new PlatformNotSupportedException("OpenSSL 3 with SM3 is not available in this process");
            _native = OpenSslSm3.Start();
        }
        else
        {
            _managed = new SM3Digest();
        }
        Implementation = implementation;
    }

    /// <summary>OpenSSL where <see cref="OpenSslSm3.IsAvailable"/> and not turned off by <c>HUREN_SM3=bouncycastle</c>; else BouncyCastle.</summary>
    public static Sm3Implementation Preferred { get; } =
        !string.Equals(Environment.GetEnvironmentVariable("HUREN_SM3"), "bouncycastle", StringComparison.OrdinalIgnoreCase) && OpenSslSm3.IsAvailable
            ? Sm3Implementation.OpenSsl
            : Sm3Implementation.BouncyCastle;

    /// <summary>The implementation this instance uses.</summary>
    public Sm3Implementation Implementation { get; }

    /// <summary>Feeds <paramref name="data"/>.</summary>
    /// <exception cref="InvalidOperationException">The digest is already finished.</exception>
    public void Append(ReadOnlySpan<byte> data)
    {
        ObjectDisposedException.ThrowIf(_native?.IsClosed == true, this);
        if (_finished) throw new InvalidOperationException("the SM3 digest is already finished");
        if (_managed is not null) _managed.BlockUpdate(data);
        else OpenSslSm3.Update(_native!, data);
    }

    /// <summary>Writes the digest of everything fed (32 bytes) into <paramref name="destination"/>; no more data afterwards.</summary>
    /// <exception cref="InvalidOperationException">Already finished.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 32 bytes.</exception>
    public void Finish(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_native?.IsClosed == true, this);
        if (_finished) throw new InvalidOperationException("the SM3 digest is already finished");
        if (destination.Length < 32) throw new ArgumentException("an SM3 digest is 32 bytes", nameof(destination));
        _finished = true;
        if (_managed is not null) _managed.DoFinal(destination);
        else OpenSslSm3.Final(_native!, destination);
    }

    /// <summary>The digest of everything fed (32 bytes); no more data afterwards.</summary>
    /// <exception cref="InvalidOperationException">Already finished.</exception>
    public byte[] Finish()
    {
        var output = new byte[32];
        Finish(output);
        return output;
    }

    /// <inheritdoc/>
    public void Dispose() => _native?.Dispose();
}

/// <summary>Incremental SM3 through the platform's OpenSSL 3 (<see cref="LibCrypto"/>).</summary>
internal static class OpenSslSm3
{
    private static readonly Lazy<bool> Available = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>True when libcrypto 3 loads here, has SM3, and gave the GB/T 32905 example digest at first use.</summary>
    public static bool IsAvailable => Available.Value;

    public static ContextHandle Start()
    {
        var context = new ContextHandle(LibCrypto.EVP_MD_CTX_new());
        if (context.IsInvalid) throw new OutOfMemoryException("EVP_MD_CTX_new failed");
        if (EVP_DigestInit_ex(context, LibCrypto.EVP_sm3(), IntPtr.Zero) != 1)
        {
            context.Dispose();
            LibCrypto.ERR_clear_error();
            throw new CryptographicFailure("EVP_DigestInit_ex(SM3) failed");
        }
        return context;
    }

    public static void Update(ContextHandle context, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return;
        // The SafeHandle argument keeps the context alive for the call even if another thread disposes it meanwhile.
        if (EVP_DigestUpdate(context, ref MemoryMarshal.GetReference(data), (nuint)data.Length) != 1)
        {
            LibCrypto.ERR_clear_error();
            throw new CryptographicFailure("EVP_DigestUpdate(SM3) failed");
        }
    }

    public static void Final(ContextHandle context, Span<byte> destination)
    {
        uint written = 0;
        if (EVP_DigestFinal_ex(context, ref MemoryMarshal.GetReference(destination), ref written) != 1 || written != 32)
        {
            LibCrypto.ERR_clear_error();
            throw new CryptographicFailure("EVP_DigestFinal_ex(SM3) failed");
        }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            if (LibCrypto.OpenSSL_version_num() < 0x3000_0000) return false;
            // GB/T 32905-2016 Appendix A, example 1: SM3("abc"), fed in two pieces to exercise the incremental path.
            using var context = Start();
            Update(context, "a"u8);
            Update(context, "bc"u8);
            Span<byte> digest = stackalloc byte[32];
            Final(context, digest);
            return Convert.ToHexStringLower(digest) == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or CryptographicFailure)
        {
            return false;
        }
    }

    /// <summary>An OpenSSL <c>EVP_MD_CTX*</c>, freed once when the handle is released.</summary>
    internal sealed class ContextHandle : SafeHandle
    {
        public ContextHandle(IntPtr context)
            : base(IntPtr.Zero, ownsHandle: true) => SetHandle(context);

        /// <inheritdoc/>
        public override bool IsInvalid => handle == IntPtr.Zero;

        /// <inheritdoc/>
        protected override bool ReleaseHandle()
        {
            LibCrypto.EVP_MD_CTX_free(handle);
            return true;
        }
    }

    /// <summary>OpenSSL refused a call it should never refuse for SM3.</summary>
    private sealed class CryptographicFailure(string message) : System.Security.Cryptography.CryptographicException(message);

    [DllImport(LibCrypto.Name)]
    private static extern int EVP_DigestInit_ex(ContextHandle context, IntPtr digest, IntPtr engine);

    [DllImport(LibCrypto.Name)]
    private static extern int EVP_DigestUpdate(ContextHandle context, ref byte data, nuint length);

    [DllImport(LibCrypto.Name)]
    private static extern int EVP_DigestFinal_ex(ContextHandle context, ref byte digest, ref uint length);
}
