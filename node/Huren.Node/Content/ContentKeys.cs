using System.Collections.Concurrent;
using System.Security.Cryptography;
using Huren.Sdk.Files;

namespace Huren.Node.Content;

/// <summary>
/// The node data keys (AES-256) by key id, read from their files when first needed, so a node that never stores
/// content needs none. New objects use the active key; an object names its key, so after a rotation older objects
/// are read with the key they were written under for as long as that key stays configured.
/// </summary>
public sealed class ContentKeys
{
    private readonly IReadOnlyDictionary<string, string> _files;
    private readonly string _baseDirectory;
    private readonly ConcurrentDictionary<string, byte[]> _loaded = new(StringComparer.Ordinal);

    /// <summary>Keys from <paramref name="files"/> (id → path, relative to <paramref name="baseDirectory"/>).</summary>
    public ContentKeys(IReadOnlyDictionary<string, string> files, string activeKeyId, string baseDirectory)
    {
        _files = files;
        ActiveKeyId = activeKeyId;
        _baseDirectory = baseDirectory;
    }

    /// <summary>The id of the key new objects are written under.</summary>
    public string ActiveKeyId { get; }

    /// <summary>Writes a fresh random active key file if there is none (a fresh local node, <c>CreateMissingKeys</c>).</summary>
    public void CreateActiveIfMissing()
    {
        var path = PathOf(ActiveKeyId);
        if (path is null || File.Exists(path)) return;
        // Durable before any object is written under it: a key lost in a crash would make those objects unreadable.
        DurableFile.CreatePrivate(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) + "\n");
    }

    /// <summary>The key <paramref name="keyId"/> (32 bytes).</summary>
    /// <exception cref="ContentKeyException">The key is not configured or its file is missing or malformed.</exception>
    public byte[] Get(string keyId)
    {
        if (_loaded.TryGetValue(keyId, out var key)) return key;
        var path = PathOf(keyId) ?? throw new ContentKeyException($"data key '{keyId}' is not configured (Huren:Content:KeyFiles); objects written under it cannot be read");
        if (!File.Exists(path)) throw new ContentKeyException($"data key file '{path}' of key '{keyId}' does not exist (Huren:Content:KeyFiles)");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        catch (FormatException)
        {
            throw new ContentKeyException($"data key file '{path}' of key '{keyId}' is not base64");
        }
        if (bytes.Length != 32) throw new ContentKeyException($"data key file '{path}' of key '{keyId}' holds {bytes.Length} bytes, not 32 (AES-256)");
        return _loaded.GetOrAdd(keyId, bytes);
    }

    private string? PathOf(string keyId) => _files.TryGetValue(keyId, out var file) ? System.IO.Path.GetFullPath(file, _baseDirectory) : null;
}

/// <summary>A data key is not configured or cannot be read.</summary>
public sealed class ContentKeyException(string message) : Exception(message);

/// <summary>Content refused: too large, unknown, or failing its integrity check.</summary>
public sealed class ContentException(string message, bool notFound = false) : Exception(message)
{
    /// <summary>The object does not exist (as opposed to a bad or damaged one).</summary>
    public bool NotFound { get; } = notFound;
}
