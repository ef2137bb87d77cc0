using System.Runtime.InteropServices;

namespace Huren.Node.Content;

/// <summary>
/// Makes a directory's entries durable (fsync of the directory itself). On POSIX file systems a file moved into place by
/// rename, or a link created, survives a crash only once its directory is synced: syncing the file makes its bytes
/// durable, not its name. The content store syncs <c>objects/</c> and <c>sm3/</c> before it reports an object stored,
/// because the rows that refer to the object (held data, published records) are written right after.
/// </summary>
internal static class DirectorySync
{
    /// <summary>Syncs <paramref name="directory"/>. Elsewhere than Linux and macOS nothing is done (no directory handle to sync).</summary>
    /// <exception cref="IOException">The directory cannot be opened or synced; the message names it and the error number.</exception>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return;
        // O_RDONLY (0): a directory opens read-only, which is all fsync needs.
        var fd = open(directory, 0);
        if (fd < 0) throw new IOException($"cannot open directory {directory} to sync it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (fsync(fd) != 0) throw new IOException($"cannot sync directory {directory} (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = close(fd);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
