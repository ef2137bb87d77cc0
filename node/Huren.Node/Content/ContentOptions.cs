namespace Huren.Node.Content;

/// <summary>
/// The content store (section <c>Huren:Content</c>): where full record data and files are kept off the ledger, and the
/// node data keys that encrypt them at rest (docs/exchange.md, "Content store").
/// </summary>
public sealed class ContentOptions
{
    /// <summary>Folder of the encrypted objects (relative paths are relative to the content root).</summary>
    public string Path { get; set; } = "content";

    /// <summary>Id of the data key new objects are encrypted under; each object records the id of its key.</summary>
    public string ActiveKeyId { get; set; } = "k1";

    /// <summary>
    /// Data key files by key id: each holds the base64 of 32 random bytes (an AES-256 key). Keys of older objects stay
    /// listed after a rotation. When empty, the active key is read from <c>keys/data-&lt;ActiveKeyId&gt;.key</c>.
    /// </summary>
    public Dictionary<string, string> KeyFiles { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Largest object accepted, in bytes (default 100 MiB).</summary>
    public long MaxObjectBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Plaintext bytes per encrypted chunk (default 256 KiB): the memory one transfer holds at a time.</summary>
    public int ChunkSize { get; set; } = 256 * 1024;

    /// <summary>
    /// Largest stored form of an object (header, encrypted chunks, trailer: the plaintext plus about 130 bytes) kept as
    /// a row of the node's database instead of a file (default 64 KiB; 0 keeps every object as a file). A record's JSON
    /// is then written in the same synced write as the rows that refer to it, where a file costs its own sync and those
    /// of its two directories (docs/decisions.md).
    /// </summary>
    public int InlineMaxBytes { get; set; } = 64 * 1024;

    /// <summary>The key files in force: <see cref="KeyFiles"/>, or the default file of the active key.</summary>
    public IReadOnlyDictionary<string, string> EffectiveKeyFiles => KeyFiles.Count > 0
        ? KeyFiles
        : new Dictionary<string, string>(StringComparer.Ordinal) { [ActiveKeyId] = $"keys/data-{ActiveKeyId}.key" };

    /// <summary>Names the first invalid setting, or null.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(Path)) return "Huren:Content:Path is required";
        if (string.IsNullOrEmpty(ActiveKeyId) || ActiveKeyId.Length > 64 || !ActiveKeyId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            return $"Huren:Content:ActiveKeyId must be 1 to 64 letters, digits, '-', '_' or '.', got '{ActiveKeyId}'";
        if (KeyFiles.Count > 0 && !KeyFiles.ContainsKey(ActiveKeyId)) return $"Huren:Content:KeyFiles has no file for the active key '{ActiveKeyId}'";
        if (MaxObjectBytes <= 0) return "Huren:Content:MaxObjectBytes must be positive";
        if (InlineMaxBytes < 0 || InlineMaxBytes > 1024 * 1024) return $"Huren:Content:InlineMaxBytes must be between 0 and 1048576, got {InlineMaxBytes}";
        if (ChunkSize < 4096 || ChunkSize > 4 * 1024 * 1024) return $"Huren:Content:ChunkSize must be between 4096 and 4194304, got {ChunkSize}";
        return null;
    }
}
