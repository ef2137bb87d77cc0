using System.Diagnostics.CodeAnalysis;
using Huren.Sdk.Merkle;
using Huren.Sdk.Notes;

namespace Huren.Sdk.StatusMap;

/// <summary>
/// The checkpoint extension line that carries the status-map root (docs/status-map.md, "Checkpoint line"):
/// <c>huren-status-map/v1 &lt;standard base64 of the 32-byte root&gt;</c>. It is part of the checkpoint body, so the
/// log's signatures and the witnesses' cosignatures cover it; a checkpoint carries at most one.
/// </summary>
public static class StatusMapLine
{
    /// <summary>The line's first word.</summary>
    public const string Keyword = "huren-status-map/v1";

    /// <summary>The line for <paramref name="root"/>, without its newline.</summary>
    public static string Format(in Hash256 root) => Keyword + " " + root.ToBase64();

    /// <summary>Reads one extension line: exactly the keyword, one space and the canonical base64 of 32 bytes.</summary>
    public static bool TryParse([NotNullWhen(true)] string? line, out Hash256 root, [NotNullWhen(false)] out string? error)
    {
        root = default;
        if (line is null || !line.StartsWith(Keyword + " ", StringComparison.Ordinal))
        {
            error = $"not a '{Keyword}' line";
            return false;
        }
        if (!Hash256.TryParse(line.AsSpan(Keyword.Length + 1), out root))
        {
            error = $"the '{Keyword}' line does not end in the canonical base64 of a 32-byte root";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>True if the line is meant as a status-map line (starts with the keyword), valid or not.</summary>
    public static bool IsStatusMapLine(string line) =>
        line is not null && (line == Keyword || line.StartsWith(Keyword + " ", StringComparison.Ordinal));

    /// <summary>
    /// The status-map root of a checkpoint: false when it has no status-map line, has two, or the line is malformed
    /// (the reason says which). Lines of other kinds are ignored.
    /// </summary>
    public static bool TryFind(Checkpoint checkpoint, out Hash256 root, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        root = default;
        string? found = null;
        foreach (var line in checkpoint.Extensions)
        {
            if (!IsStatusMapLine(line)) continue;
            if (found is not null)
            {
                error = $"checkpoint of {checkpoint.Origin} at size {checkpoint.Size} has more than one '{Keyword}' line";
                return false;
            }
            found = line;
        }
        if (found is null)
        {
            error = $"checkpoint of {checkpoint.Origin} at size {checkpoint.Size} has no '{Keyword}' line";
            return false;
        }
        return TryParse(found, out root, out error);
    }
}
