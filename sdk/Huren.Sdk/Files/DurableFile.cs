using System.Runtime.InteropServices;
using System.Text;

namespace Huren.Sdk.Files;

/// <summary>
/// Files that must survive a crash once written: key files a node or the CLI generates, and the directories a store
/// moves files into. On POSIX file systems a file's bytes are durable once the file is synced, its name only once its
/// directory is synced.
/// </summary>
public static class DurableFile
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// Creates <paramref name="path"/> holding <paramref name="text"/> (UTF-8), readable and writable by its owner only
    /// from the moment it exists (a private key), and makes it durable; see <see cref="Create"/>.
    /// </summary>
    /// <exception cref="IOException"><paramref name="path"/> already exists (it is never replaced), or a write failed.</exception>
    public static void CreatePrivate(string path, string text) => Write(path, text, OwnerOnly);

    /// <summary>
    /// Creates <paramref name="path"/> holding <paramref name="text"/> (UTF-8) and makes it durable. The text is written
    /// to a temporary file beside it, synced, then renamed into place and the directory synced, so a crash leaves either
    /// no file at <paramref name="path"/> or the whole one, never a truncated key.
    /// </summary>
    /// <exception cref="IOException"><paramref name="path"/> already exists (it is never replaced), or a write failed.</exception>
    public static void Create(string path, string text) => Write(path, text, null);

    private static void Write(string path, string text, UnixFileMode? mode)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(text);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        if (File.Exists(full)) throw new IOException($"'{full}' already exists; it is not replaced");
        var temporary = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (mode is { } unixMode && !OperatingSystem.IsWindows()) options.UnixCreateMode = unixMode;
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(Encoding.UTF8.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }
            // No overwrite: a file another writer created meanwhile is kept.
            File.Move(temporary, full, overwrite: false);
        }
        catch (IOException) when (File.Exists(full))
        {
            throw new IOException($"'{full}' already exists; it is not replaced");
        }
        finally
        {
            File.Delete(temporary);
        }
        SyncDirectory(directory);
    }

    /// <summary>
    /// Copies every file under <paramref name="source"/> into <paramref name="target"/> (created; it should be new) and
    /// makes the copy durable: each file synced, then each folder of the copy, deepest first. A crash may leave a partial
    /// copy, so the caller copies into a temporary folder and renames it into place (then syncs that folder's parent).
    /// </summary>
    /// <param name="source">The folder to copy.</param>
    /// <param name="target">Where the copy goes.</param>
    /// <param name="skip">Files left out, by their path relative to <paramref name="source"/> (e.g. a database's LOCK).</param>
    public static void CopyDirectory(string source, string target, Func<string, bool>? skip = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(source);
        ArgumentException.ThrowIfNullOrEmpty(target);
        Directory.CreateDirectory(target);
        var folders = new List<string> { target };
        foreach (var folder in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, folder));
            Directory.CreateDirectory(copy);
            folders.Add(copy);
        }
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (skip?.Invoke(relative) == true) continue;
            using var from = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var to = new FileStream(Path.Combine(target, relative), FileMode.CreateNew, FileAccess.Write);
            from.CopyTo(to);
            to.Flush(flushToDisk: true);
        }
        // Deepest first, so that each folder's entries are durable before the folder that names it.
        folders.Sort((a, b) => b.Length.CompareTo(a.Length));
        foreach (var folder in folders) SyncDirectory(folder);
    }

    /// <summary>
    /// Makes <paramref name="directory"/>'s entries durable (fsync of the directory itself), so that a file renamed or
    /// linked into it survives a crash. Elsewhere than Linux and macOS nothing is done (no directory handle to sync).
    /// </summary>
    /// <exception cref="IOException">The directory cannot be opened or synced; the message names it and the error number.</exception>
    public static void SyncDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
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
