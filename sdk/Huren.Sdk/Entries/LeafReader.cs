using Huren.Schemas.Envelope;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.Entries;

/// <summary>A leaf decoded into its signed envelope and entry, both checked to be canonical.</summary>
/// <param name="Signed">The signed envelope.</param>
/// <param name="Entry">The entry decoded from <see cref="SignedEntry.EntryBytes"/>.</param>
public sealed record DecodedLeaf(SignedEntry Signed, Entry Entry)
{
    private byte[]? _leafHash;

    /// <summary>The exact leaf bytes the envelope was decoded from (hash these, never a re-encoding).</summary>
    public ReadOnlyMemory<byte> Bytes { get; init; }

    /// <summary>
    /// The RFC 9162 leaf hash of <see cref="Bytes"/>, computed on first use and kept, so the node hashes each entry once
    /// however many stages need it (a race computes the same value twice).
    /// </summary>
    public byte[] LeafHash => _leafHash ??= MerkleHash.LeafHash(Bytes.Span).ToArray();

    /// <summary>
    /// The entry's body as the validation decoded it (<see cref="Schemas.Validation.EntryValidator"/>),
    /// so the ledger rules need not decode the same bytes again; null when the leaf was only read. Treat as read-only.
    /// </summary>
    public object? Body { get; init; }
}

/// <summary>Decodes Merkle leaves (exact <see cref="SignedEntry"/> bytes).</summary>
public static class LeafReader
{
    /// <summary>Decodes a leaf; false with the reason when either layer is malformed or not canonical.</summary>
    public static bool TryRead(ReadOnlyMemory<byte> leaf, out DecodedLeaf? decoded, out string? error)
    {
        decoded = null;
        if (!CanonicalCodec.TryDecode<SignedEntry>(leaf, out var signed, out error)) return false;
        if (!CanonicalCodec.TryDecode<Entry>(signed!.EntryBytes, out var entry, out error)) return false;
        decoded = new DecodedLeaf(signed, entry!) { Bytes = leaf };
        return true;
    }

    /// <summary>Decodes a leaf or throws <see cref="FormatException"/> with the reason.</summary>
    public static DecodedLeaf Read(ReadOnlyMemory<byte> leaf)
        => TryRead(leaf, out var decoded, out var error) ? decoded! : throw new FormatException(error);
}
