using System.Runtime.InteropServices;

namespace Huren.Sdk.Crypto;

/// <summary>The code that checks SM2-with-SM3 signatures.</summary>
public enum Sm2Implementation
{
    /// <summary>BouncyCastle's managed <c>SM2Signer</c>: available everywhere.</summary>
    BouncyCastle,

    /// <summary>The platform's OpenSSL 3 <c>libcrypto</c> (EVP with SM3 and the SM2 distinguishing id), when it loads.</summary>
    OpenSsl,
}

/// <summary>
/// SM2-with-SM3 verification through the platform's OpenSSL 3 (<c>libcrypto.so.3</c>). Measured on the project's
/// machine (docs/benchmarks.md), BouncyCastle 2.7 verifies with a reused key about 2.4 times faster per core than
/// this (it keeps a precomputed table per public key; OpenSSL 3.0 fetches its provider on every call), so
/// <see cref="PublicKey.Verify"/> uses BouncyCastle unless the environment variable <c>HUREN_SM2_VERIFIER=openssl</c>
/// selects this where <see cref="IsAvailable"/>. Both accept exactly the same signatures (tested on shared vectors).
/// </summary>
public static class OpenSslSm2
{
    // The GM/T 0009 default distinguishing id, as PublicKey.Sm2DefaultUserId; kept as an array for P/Invoke.
    private static readonly byte[] DistinguishingId = "1234567812345678"u8.ToArray();

    private const string SelfTestKey = "MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEHQHeQFAKDFzSPWJxIbo+Pb+l41SMRn7K1J8QrExXa1zaUnd0FaxGa9ZjEDC/LPNWD39c12iXBDeyIYBtgRbTeA==";
    private const string SelfTestSignature = "MEYCIQCG84ar1mwvZXJELJ7ndJAYqwYNBBk5Be7/bf+SgN3D1wIhANoGs9kxfTt4T1iH8Mwq1wepBQUAGMs72pVanAnQe9sD";

    private static readonly Lazy<bool> Available = new(Probe, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// True when libcrypto 3 loads here, has SM2 and SM3, and passed a self-test at first use (accepts a
    /// known signature, refuses it over other bytes).
    /// </summary>
    public static bool IsAvailable => Available.Value;

    /// <summary>
    /// True when <see cref="PublicKey.Verify"/> checks SM2 signatures here: <c>HUREN_SM2_VERIFIER=openssl</c> is set
    /// and <see cref="IsAvailable"/>.
    /// </summary>
    public static bool IsSelected { get; } = string.Equals(Environment.GetEnvironmentVariable("HUREN_SM2_VERIFIER"), "openssl", StringComparison.OrdinalIgnoreCase) && IsAvailable;

    /// <summary>The loaded OpenSSL version text, or null when it is not available.</summary>
    public static string? Version => IsAvailable ? Marshal.PtrToStringUTF8(OpenSSL_version(0)) : null;

    /// <summary>Imports a DER SubjectPublicKeyInfo as an OpenSSL SM2 key; null when OpenSSL does not read it as SM2.</summary>
    internal static OpenSslKeyHandle? ImportPublicKey(byte[] subjectPublicKeyInfo)
    {
        var pinned = GCHandle.Alloc(subjectPublicKeyInfo, GCHandleType.Pinned);
        try
        {
            // d2i_PUBKEY advances the pointer it is given; only the returned key matters here.
            var cursor = pinned.AddrOfPinnedObject();
            var key = new OpenSslKeyHandle(d2i_PUBKEY(IntPtr.Zero, ref cursor, new CLong(subjectPublicKeyInfo.Length)));
            if (key.IsInvalid || EVP_PKEY_is_a(key, "SM2") != 1)
            {
                // An EC key on another curve would be verified as ECDSA-with-SM3: never accept that as SM2.
                key.Dispose();
                LibCrypto.ERR_clear_error();
                return null;
            }
            return key;
        }
        finally
        {
            pinned.Free();
        }
    }

    /// <summary>
    /// Verifies an SM2-with-SM3 DER signature over <paramref name="data"/> with the default distinguishing id.
    /// Thread-safe: every call has its own contexts; the key is only read.
    /// </summary>
    internal static bool Verify(OpenSslKeyHandle key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (signature.IsEmpty) return false;
        var digestContext = LibCrypto.EVP_MD_CTX_new();
        var keyContext = IntPtr.Zero;
        try
        {
            if (digestContext == IntPtr.Zero) throw new OutOfMemoryException("EVP_MD_CTX_new failed");
            keyContext = EVP_PKEY_CTX_new(key, IntPtr.Zero);
            if (keyContext == IntPtr.Zero) throw new OutOfMemoryException("EVP_PKEY_CTX_new failed");
            // The id must be on the key context before init: SM2's Z value (hashed before the message) depends on it.
            if (EVP_PKEY_CTX_set1_id(keyContext, DistinguishingId, DistinguishingId.Length) <= 0) return Failed();
            EVP_MD_CTX_set_pkey_ctx(digestContext, keyContext);
            if (EVP_DigestVerifyInit(digestContext, IntPtr.Zero, LibCrypto.EVP_sm3(), IntPtr.Zero, key) != 1) return Failed();
            var result = EVP_DigestVerify(digestContext,
                ref MemoryMarshal.GetReference(signature), (nuint)signature.Length,
                ref MemoryMarshal.GetReference(data), (nuint)data.Length);
            return result == 1 || Failed();
        }
        finally
        {
            // EVP_MD_CTX_set_pkey_ctx does not hand over the key context: both are freed, the digest context first.
            if (digestContext != IntPtr.Zero) LibCrypto.EVP_MD_CTX_free(digestContext);
            if (keyContext != IntPtr.Zero) EVP_PKEY_CTX_free(keyContext);
        }
    }

    /// <summary>A refusal leaves reasons on this thread's OpenSSL error queue; clear them so they never pile up.</summary>
    private static bool Failed()
    {
        LibCrypto.ERR_clear_error();
        return false;
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            if (LibCrypto.OpenSSL_version_num() < 0x3000_0000) return false;
            // A fixed vector made with the openssl CLI, so that the probe needs no PublicKey (which asks this class).
            using var key = ImportPublicKey(Convert.FromBase64String(SelfTestKey));
            if (key is null) return false;
            var message = "huren sm2 self-test"u8.ToArray();
            var signature = Convert.FromBase64String(SelfTestSignature);
            return Verify(key, message, signature) && !Verify(key, [.. message, 0], signature);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            return false;
        }
    }

    [DllImport(LibCrypto.Name)]
    private static extern IntPtr OpenSSL_version(int type);

    [DllImport(LibCrypto.Name)]
    private static extern IntPtr d2i_PUBKEY(IntPtr reuse, ref IntPtr input, CLong length);

    [DllImport(LibCrypto.Name)]
    private static extern int EVP_PKEY_is_a(OpenSslKeyHandle key, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);

    [DllImport(LibCrypto.Name)]
    internal static extern void EVP_PKEY_free(IntPtr key);

    [DllImport(LibCrypto.Name)]
    private static extern IntPtr EVP_PKEY_CTX_new(OpenSslKeyHandle key, IntPtr engine);

    [DllImport(LibCrypto.Name)]
    private static extern void EVP_PKEY_CTX_free(IntPtr context);

    [DllImport(LibCrypto.Name)]
    private static extern int EVP_PKEY_CTX_set1_id(IntPtr context, byte[] id, int length);

    [DllImport(LibCrypto.Name)]
    private static extern void EVP_MD_CTX_set_pkey_ctx(IntPtr digestContext, IntPtr keyContext);

    [DllImport(LibCrypto.Name)]
    private static extern int EVP_DigestVerifyInit(IntPtr digestContext, IntPtr keyContextOut, IntPtr digest, IntPtr engine, OpenSslKeyHandle key);

    [DllImport(LibCrypto.Name)]
    private static extern int EVP_DigestVerify(IntPtr digestContext, ref byte signature, nuint signatureLength, ref byte data, nuint dataLength);

}

/// <summary>An OpenSSL <c>EVP_PKEY*</c>, freed once when the handle is released.</summary>
internal sealed class OpenSslKeyHandle : SafeHandle
{
    public OpenSslKeyHandle(IntPtr key)
        : base(IntPtr.Zero, ownsHandle: true) => SetHandle(key);

    /// <inheritdoc/>
    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <inheritdoc/>
    protected override bool ReleaseHandle()
    {
        OpenSslSm2.EVP_PKEY_free(handle);
        return true;
    }
}
