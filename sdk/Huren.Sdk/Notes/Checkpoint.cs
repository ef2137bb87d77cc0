using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace Huren.Sdk.Notes;

/// <summary>
/// A checkpoint body (c2sp.org/tlog-checkpoint): the origin line, the tree size in decimal without leading zeros, the
/// standard base64 of the 32-byte RFC 9162 root hash, then optional non-empty extension lines (Huren puts the status-map
/// root there); every line ends in a newline. Parsing is strict. Immutable.
/// </summary>
public sealed class Checkpoint
{
    /// <summary>Length of a root hash.</summary>
    public const int RootHashLength = 32;

    private readonly byte[] _rootHash;
    private readonly string[] _extensions;

    /// <summary>A checkpoint from its parts.</summary>
    /// <exception cref="ArgumentException">Empty or invalid origin, a root that is not 32 bytes, or an invalid extension line.</exception>
    public Checkpoint(string origin, ulong size, ReadOnlySpan<byte> rootHash, IEnumerable<string>? extensions = null)
    {
        if (!IsValidLine(origin, out var error)) throw new ArgumentException("origin: " + error, nameof(origin));
        if (rootHash.Length != RootHashLength)
            throw new ArgumentException($"a root hash is {RootHashLength} bytes, got {rootHash.Length}", nameof(rootHash));
        var lines = new List<string>();
        foreach (var line in extensions ?? [])
        {
            if (!IsValidLine(line, out error)) throw new ArgumentException("extension line: " + error, nameof(extensions));
            lines.Add(line);
        }
        Origin = origin;
        Size = size;
        _rootHash = rootHash.ToArray();
        _extensions = [.. lines];
    }

    private Checkpoint(string origin, ulong size, byte[] rootHash, string[] extensions)
    {
        Origin = origin;
        Size = size;
        _rootHash = rootHash;
        _extensions = extensions;
    }

    /// <summary>The log's origin (Huren: <c>huren.&lt;network-id&gt;/&lt;city-code&gt;</c>), also its key name.</summary>
    public string Origin { get; }

    /// <summary>The tree size.</summary>
    public ulong Size { get; }

    /// <summary>The 32-byte root hash.</summary>
    public ReadOnlySpan<byte> RootHash => _rootHash;

    /// <summary>The extension lines, without their newlines.</summary>
    public IReadOnlyList<string> Extensions => _extensions;

    /// <summary>Parses a checkpoint body; when <paramref name="expectedOrigin"/> is given the origin must equal it.</summary>
    /// <exception cref="FormatException">Malformed or of another origin; the message says why.</exception>
    public static Checkpoint Parse(string body, string? expectedOrigin = null)
        => TryParse(body, expectedOrigin, out var checkpoint, out var error) ? checkpoint : throw new FormatException(error);

    /// <summary>Parses a checkpoint body without throwing; <paramref name="error"/> says why it failed.</summary>
    public static bool TryParse([NotNullWhen(true)] string? body, string? expectedOrigin, [NotNullWhen(true)] out Checkpoint? checkpoint, [NotNullWhen(false)] out string? error)
    {
        checkpoint = null;
        if (body is null || !body.EndsWith('\n'))
        {
            error = "checkpoint does not end in a newline";
            return false;
        }
        var lines = body[..^1].Split('\n');
        if (lines.Length < 3)
        {
            error = $"checkpoint has {lines.Length} line(s), expected at least origin, size and root hash";
            return false;
        }
        for (var i = 0; i < lines.Length; i++)
        {
            if (!IsValidLine(lines[i], out error))
            {
                error = $"checkpoint line {i + 1}: {error}";
                return false;
            }
        }
        var origin = lines[0];
        if (expectedOrigin is not null && !string.Equals(origin, expectedOrigin, StringComparison.Ordinal))
        {
            error = $"checkpoint origin '{NoteSyntax.Printable(origin)}' is not the expected '{expectedOrigin}'";
            return false;
        }
        if (!NoteSyntax.TryParseDecimal(lines[1], out var size))
        {
            error = $"checkpoint size '{NoteSyntax.Printable(lines[1])}' is not a decimal without sign or leading zeros";
            return false;
        }
        if (!NoteSyntax.TryDecodeBase64(lines[2], out var root) || root.Length != RootHashLength)
        {
            error = "checkpoint root hash is not the canonical base64 of 32 bytes";
            return false;
        }
        checkpoint = new Checkpoint(origin, size, root, lines[3..]);
        error = null;
        return true;
    }

    /// <summary>Parses the text of a signed note as a checkpoint (the signatures are not checked here).</summary>
    /// <exception cref="FormatException">Malformed or of another origin.</exception>
    public static Checkpoint FromNote(SignedNote note, string? expectedOrigin = null)
    {
        ArgumentNullException.ThrowIfNull(note);
        return Parse(note.Text, expectedOrigin);
    }

    /// <summary>The root hash as a new array.</summary>
    public byte[] GetRootHash() => (byte[])_rootHash.Clone();

    /// <summary>The body text, every line ending in a newline: the text a log signs.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        builder.Append(Origin).Append('\n');
        builder.Append(Size.ToString(CultureInfo.InvariantCulture)).Append('\n');
        builder.Append(Convert.ToBase64String(_rootHash)).Append('\n');
        foreach (var line in _extensions) builder.Append(line).Append('\n');
        return builder.ToString();
    }

    /// <summary>The body's UTF-8 bytes.</summary>
    public byte[] ToUtf8() => NoteSyntax.StrictUtf8.GetBytes(ToString());

    private static bool IsValidLine([NotNullWhen(true)] string? line, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(line))
        {
            error = "line is empty";
            return false;
        }
        var control = NoteSyntax.IndexOfForbiddenControl(line);
        if (control >= 0 || line.Contains('\n'))
        {
            error = "line contains a control character";
            return false;
        }
        if (!NoteSyntax.IsWellFormedUtf16(line))
        {
            error = "line is not valid Unicode (unpaired surrogate)";
            return false;
        }
        error = null;
        return true;
    }
}
