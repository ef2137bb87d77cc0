using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.StatusMap;

/// <summary>How a status-map proof's path ends (the first byte of the proof).</summary>
public enum StatusMapTerminal : byte
{
    /// <summary>The path ends in the key's own leaf: the key is present with the claimed value.</summary>
    Present = 0,

    /// <summary>The path ends in an empty subtree: the key is absent.</summary>
    AbsentEmpty = 1,

    /// <summary>The path ends in the leaf of another key (carried in the proof): the key is absent.</summary>
    AbsentLeaf = 2,
}

/// <summary>
/// A compressed status-map proof (docs/status-map.md, "Proofs"): terminal byte ‖ 256-bit bitmap of the non-empty
/// siblings ‖ [other key ‖ other value, for <see cref="StatusMapTerminal.AbsentLeaf"/>] ‖ those siblings, deepest
/// first. The path's depth is the position of the bitmap's last set bit. Immutable; check it with
/// <see cref="StatusMapProofVerifier"/>, which reads the bytes directly.
/// </summary>
public sealed class StatusMapProof
{
    /// <summary>Length of the bitmap in bytes (256 bits, one per depth 1…256).</summary>
    public const int BitmapLength = 32;

    /// <summary>Terminal byte and bitmap.</summary>
    public const int HeaderLength = 1 + BitmapLength;

    /// <summary>The longest possible proof: 256 siblings and another key's leaf.</summary>
    public const int MaxLength = HeaderLength + 2 * Hash256.Length + StatusMapHash.Depth * Hash256.Length;

    private readonly byte[] _bitmap;
    private readonly Hash256[] _siblings;

    internal StatusMapProof(StatusMapTerminal terminal, byte[] bitmap, Hash256 otherKey, Hash256 otherValue, Hash256[] siblings)
    {
        Terminal = terminal;
        _bitmap = bitmap;
        OtherKey = otherKey;
        OtherValue = otherValue;
        _siblings = siblings;
        Depth = DepthOf(bitmap);
    }

    /// <summary>How the path ends.</summary>
    public StatusMapTerminal Terminal { get; }

    /// <summary>Depth of the path's last node (0 = the root itself is the leaf or empty).</summary>
    public int Depth { get; }

    /// <summary>The other key whose leaf ends the path (<see cref="StatusMapTerminal.AbsentLeaf"/> only; otherwise zero).</summary>
    public Hash256 OtherKey { get; }

    /// <summary>The other key's value (<see cref="StatusMapTerminal.AbsentLeaf"/> only; otherwise zero).</summary>
    public Hash256 OtherValue { get; }

    /// <summary>The non-empty siblings, deepest first.</summary>
    public IReadOnlyList<Hash256> Siblings => _siblings;

    /// <summary>Length of the byte form.</summary>
    public int Length => HeaderLength + (Terminal == StatusMapTerminal.AbsentLeaf ? 2 * Hash256.Length : 0) + _siblings.Length * Hash256.Length;

    /// <summary>True if the sibling at <paramref name="depth"/> (1…256) is non-empty (its bit in the bitmap).</summary>
    public bool HasSibling(int depth) => depth is >= 1 and <= StatusMapHash.Depth && StatusMapKey.Bit(_bitmap, depth - 1) == 1;

    /// <summary>The byte form.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Length];
        bytes[0] = (byte)Terminal;
        _bitmap.CopyTo(bytes, 1);
        var offset = HeaderLength;
        if (Terminal == StatusMapTerminal.AbsentLeaf)
        {
            OtherKey.CopyTo(bytes.AsSpan(offset));
            OtherValue.CopyTo(bytes.AsSpan(offset + Hash256.Length));
            offset += 2 * Hash256.Length;
        }
        foreach (var sibling in _siblings)
        {
            sibling.CopyTo(bytes.AsSpan(offset));
            offset += Hash256.Length;
        }
        return bytes;
    }

    /// <summary>Standard base64 of the byte form (the <c>proof</c> field of a bundle's status proof).</summary>
    public string ToBase64() => Convert.ToBase64String(ToBytes());

    /// <summary>
    /// Reads the byte form, checking its structure only (terminal byte, length against the bitmap); whether it proves
    /// anything is for <see cref="StatusMapProofVerifier"/>. Never throws.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out StatusMapProof? proof, [NotNullWhen(false)] out string? error)
    {
        proof = null;
        if (!TryReadLayout(bytes, out var terminal, out _, out var siblingCount, out error)) return false;
        var bitmap = bytes.Slice(1, BitmapLength).ToArray();
        var offset = HeaderLength;
        Hash256 otherKey = default, otherValue = default;
        if (terminal == StatusMapTerminal.AbsentLeaf)
        {
            otherKey = new Hash256(bytes.Slice(offset, Hash256.Length));
            otherValue = new Hash256(bytes.Slice(offset + Hash256.Length, Hash256.Length));
            offset += 2 * Hash256.Length;
        }
        var siblings = new Hash256[siblingCount];
        for (var i = 0; i < siblingCount; i++, offset += Hash256.Length) siblings[i] = new Hash256(bytes.Slice(offset, Hash256.Length));
        proof = new StatusMapProof(terminal, bitmap, otherKey, otherValue, siblings);
        return true;
    }

    /// <summary>
    /// The structure every proof must have: a known terminal byte, and exactly as many bytes as the terminal and the
    /// bitmap's set bits need (so truncated proofs and trailing bytes are refused).
    /// </summary>
    internal static bool TryReadLayout(ReadOnlySpan<byte> bytes, out StatusMapTerminal terminal, out int depth, out int siblingCount, [NotNullWhen(false)] out string? error)
    {
        terminal = default;
        depth = 0;
        siblingCount = 0;
        if (bytes.Length < HeaderLength)
        {
            error = $"status-map proof is {bytes.Length} bytes; it needs at least {HeaderLength} (terminal byte and 32-byte bitmap)";
            return false;
        }
        if (bytes[0] > (byte)StatusMapTerminal.AbsentLeaf)
        {
            error = $"status-map proof terminal byte 0x{bytes[0]:x2} is not 0x00 (present), 0x01 (absent, empty) or 0x02 (absent, other key's leaf)";
            return false;
        }
        terminal = (StatusMapTerminal)bytes[0];
        var bitmap = bytes.Slice(1, BitmapLength);
        for (var i = 0; i < BitmapLength; i += sizeof(ulong))
        {
            siblingCount += BitOperations.PopCount(BinaryPrimitives.ReadUInt64BigEndian(bitmap[i..]));
        }
        depth = DepthOf(bitmap);
        var expected = HeaderLength + (terminal == StatusMapTerminal.AbsentLeaf ? 2 * Hash256.Length : 0) + siblingCount * Hash256.Length;
        if (bytes.Length != expected)
        {
            error = bytes.Length < expected
                ? $"status-map proof is {bytes.Length} bytes but its terminal and bitmap ({siblingCount} siblings) need {expected}: truncated"
                : $"status-map proof is {bytes.Length} bytes but its terminal and bitmap ({siblingCount} siblings) need {expected}: {bytes.Length - expected} trailing bytes";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>Position of the last set bit + 1 (the path's depth), 0 when no bit is set.</summary>
    internal static int DepthOf(ReadOnlySpan<byte> bitmap)
    {
        for (var i = BitmapLength - 1; i >= 0; i--)
        {
            if (bitmap[i] != 0) return i * 8 + (8 - BitOperations.TrailingZeroCount((uint)bitmap[i]));
        }
        return 0;
    }
}
