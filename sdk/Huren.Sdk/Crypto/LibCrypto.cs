using System.Runtime.InteropServices;

namespace Huren.Sdk.Crypto;

/// <summary>The platform's OpenSSL 3 <c>libcrypto</c> calls that <see cref="OpenSslSm2"/> and <see cref="Sm3Hash"/> both use.</summary>
internal static class LibCrypto
{
    /// <summary>The library's file name (OpenSSL 3 on Linux).</summary>
    public const string Name = "libcrypto.so.3";

    [DllImport(Name)]
    public static extern ulong OpenSSL_version_num();

    [DllImport(Name)]
    public static extern IntPtr EVP_MD_CTX_new();

    [DllImport(Name)]
    public static extern void EVP_MD_CTX_free(IntPtr context);

    [DllImport(Name)]
    public static extern IntPtr EVP_sm3();

    /// <summary>Empties this thread's error queue: a refused call leaves its reasons there.</summary>
    [DllImport(Name)]
    public static extern void ERR_clear_error();
}
