using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using Huren.Sdk.Crypto;
using Huren.Sdk.Merkle;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Anchoring;

/// <summary>
/// One leaf of an anchor: a member log's final checkpoint, as origin, size, root hash and the SHA-256 of the complete
/// signed note (body, blank line, signature and cosignature lines, exact UTF-8 bytes). Its bytes (docs/anchoring.md) are
/// <code>
/// huren-anchor-leaf/v1
/// &lt;origin&gt;
/// &lt;size, decimal&gt;
/// &lt;root hash, standard base64&gt;
/// &lt;note hash, standard base64&gt;
/// </code>
/// each line ending in a newline; the anchor tree hashes them as an RFC 9162 leaf, SHA-256(0x00 ‖ bytes).
/// </summary>
public sealed record AnchorLeaf
{
    /// <summary>The first line of every leaf.</summary>
    public const string Header = "huren-anchor-leaf/v1";

    /// <summary>A leaf from its parts.</summary>
    /// <exception cref="ArgumentException">The origin is empty or holds a newline or a control character.</exception>
    public AnchorLeaf(string origin, ulong size, Hash256 rootHash, Hash256 noteHash)
    {
        if (!IsValidOrigin(origin, out var error)) throw new ArgumentException(error, nameof(origin));
        Origin = origin;
        Size = size;
        RootHash = rootHash;
        NoteHash = noteHash;
    }

    /// <summary>The log's origin, e.g. <c>huren.cz-t/430100</c>.</summary>
    public string Origin { get; }

    /// <summary>The checkpoint's tree size.</summary>
    public ulong Size { get; }

    /// <summary>The checkpoint's root hash.</summary>
    public Hash256 RootHash { get; }

    /// <summary>SHA-256 of the complete signed note's UTF-8 bytes.</summary>
    public Hash256 NoteHash { get; }

    /// <summary>The leaf for a signed checkpoint note (its text as served, signature lines included).</summary>
    /// <exception cref="FormatException">The note or its checkpoint body does not parse.</exception>
    public static AnchorLeaf FromNote(string note)
    {
        ArgumentNullException.ThrowIfNull(note);
        var parsed = SignedNote.Parse(note);
        var checkpoint = Checkpoint.FromNote(parsed);
        return new AnchorLeaf(checkpoint.Origin, checkpoint.Size, new Hash256(checkpoint.RootHash), NoteHashOf(note));
    }

    /// <summary>SHA-256 of the note's exact UTF-8 bytes.</summary>
    public static Hash256 NoteHashOf(string note) => new(Digests.Sha256(Encoding.UTF8.GetBytes(note)));

    /// <summary>True when this leaf names the same checkpoint (origin, size, root) as <paramref name="checkpoint"/>.</summary>
    public bool Names(Checkpoint checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return string.Equals(Origin, checkpoint.Origin, StringComparison.Ordinal) && Size == checkpoint.Size && RootHash.Equals(checkpoint.RootHash);
    }

    /// <summary>The leaf bytes.</summary>
    public byte[] ToBytes() => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"{Header}\n{Origin}\n{Size}\n{RootHash.ToBase64()}\n{NoteHash.ToBase64()}\n"));

    /// <summary>SHA-256(0x00 ‖ <see cref="ToBytes"/>).</summary>
    public Hash256 LeafHash() => MerkleHash.LeafHash(ToBytes());

    /// <summary>False, with the reason, for an empty origin or one holding a control character.</summary>
    public static bool IsValidOrigin([NotNullWhen(true)] string? origin, [NotNullWhen(false)] out string? error)
    {
        if (string.IsNullOrEmpty(origin))
        {
            error = "origin is empty";
            return false;
        }
        foreach (var c in origin)
        {
            if (char.IsControl(c))
            {
                error = $"origin '{origin.ReplaceLineEndings(" ")}' holds a control character";
                return false;
            }
        }
        error = null;
        return true;
    }
}
