using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.StatusMap;

/// <summary>
/// One stored page, decoded for work: the binary subtree of <c>height</c> levels under the page's top node, in heap
/// order (position 1 = top, children of p at 2p and 2p + 1, positions from 2^height on are the bottom "slots").
/// A position holds nothing (empty), a leaf (key and value), an interior node (its hash: two or more records below),
/// or, in a slot only, a child page (its version and hash). Byte form, pre-order from position 1, one tag byte each:
/// 0x00 empty; 0x01 leaf, key (32) ‖ value (32); 0x02 interior, hash (32), then its left and right children;
/// 0x03 child page, version (8, big-endian) ‖ hash (32). Leaf hashes are not stored: they are computed when needed.
/// Mutable and reused (pooled); not thread-safe.
/// </summary>
internal sealed class StatusMapPage
{
    public const byte Empty = 0;
    public const byte Leaf = 1;
    public const byte Interior = 2;
    public const byte Child = 3;

    private const int H = Hash256.Length;

    public StatusMapPage(int height)
    {
        Height = height;
        var positions = 1 << (height + 1);
        Kinds = new byte[positions];
        Hashes = new byte[positions * H];
        LeafHashValid = new bool[positions];
        Keys = new byte[positions * H];
        Values = new byte[positions * H];
        ChildVersions = new ulong[positions];
    }

    public int Height { get; }

    /// <summary>Depth of position 1 in the map.</summary>
    public int TopDepth { get; private set; }

    /// <summary>A key on the page's path (only its first <see cref="TopDepth"/> bits count).</summary>
    public byte[] PathKey { get; } = new byte[H];

    /// <summary>The version the page was read at; 0 for a page made in this batch.</summary>
    public ulong LoadedVersion { get; private set; }

    public byte[] Kinds { get; }
    public byte[] Hashes { get; }
    public bool[] LeafHashValid { get; }
    public byte[] Keys { get; }
    public byte[] Values { get; }
    public ulong[] ChildVersions { get; }

    public static int LevelOf(int position) => BitOperations.Log2((uint)position);

    public Span<byte> HashAt(int position) => Hashes.AsSpan(position * H, H);
    public Span<byte> KeyAt(int position) => Keys.AsSpan(position * H, H);
    public Span<byte> ValueAt(int position) => Values.AsSpan(position * H, H);

    /// <summary>Starts an empty page whose top is at <paramref name="topDepth"/> on the path of <paramref name="pathKey"/>.</summary>
    public void Reset(int topDepth, ReadOnlySpan<byte> pathKey)
    {
        TopDepth = topDepth;
        pathKey.CopyTo(PathKey);
        LoadedVersion = 0;
        Kinds[1] = Empty;
    }

    /// <summary>The hash of the subtree at <paramref name="position"/>; computes (and keeps) a leaf's hash when needed.</summary>
    public ReadOnlySpan<byte> HashOf(int position, ref int hashesComputed)
    {
        switch (Kinds[position])
        {
            case Empty:
                return StatusMapHash.EmptySpan(TopDepth + LevelOf(position));
            case Leaf:
                if (!LeafHashValid[position])
                {
                    StatusMapHash.LeafHash(KeyAt(position), ValueAt(position), HashAt(position));
                    LeafHashValid[position] = true;
                    hashesComputed++;
                }
                return HashAt(position);
            default:
                return HashAt(position);
        }
    }

    /// <summary>Copies a leaf (with its hash, if known) from a position of <paramref name="from"/> to one of this page.</summary>
    public void CopyLeaf(StatusMapPage from, int fromPosition, int toPosition)
    {
        Kinds[toPosition] = Leaf;
        from.KeyAt(fromPosition).CopyTo(KeyAt(toPosition));
        from.ValueAt(fromPosition).CopyTo(ValueAt(toPosition));
        LeafHashValid[toPosition] = from.LeafHashValid[fromPosition];
        if (LeafHashValid[toPosition]) from.HashAt(fromPosition).CopyTo(HashAt(toPosition));
    }

    /// <summary>Reads the page of <paramref name="version"/> whose top is at <paramref name="depth"/> on the path of <paramref name="pathKey"/>, and decodes it.</summary>
    /// <exception cref="StatusMapStoreException">The page is missing or malformed.</exception>
    public void Load(IStatusMapStore store, int depth, ulong version, ReadOnlySpan<byte> pathKey)
    {
        var key = new StatusMapPageKey(version, depth, pathKey);
        var bytes = store.GetPage(key) ?? throw new StatusMapStoreException($"status-map page {key} is missing from the store (pruned, or the store is incomplete)");
        Decode(bytes, depth, pathKey, version);
    }

    /// <summary>Decodes a stored page, checking that it is canonical and lies on its path.</summary>
    /// <exception cref="StatusMapStoreException">The bytes are not a valid page for this place.</exception>
    public void Decode(ReadOnlySpan<byte> data, int topDepth, ReadOnlySpan<byte> pathKey, ulong version)
    {
        TopDepth = topDepth;
        pathKey.CopyTo(PathKey);
        LoadedVersion = version;
        var offset = 0;
        DecodeAt(data, 1, ref offset);
        if (offset != data.Length) Fail($"{data.Length - offset} trailing bytes");
        if (topDepth > 0 && Kinds[1] != Interior) Fail("a page below the top must hold at least two records");
    }

    private void DecodeAt(ReadOnlySpan<byte> data, int position, ref int offset)
    {
        if (offset >= data.Length) Fail("truncated");
        var level = LevelOf(position);
        var kind = data[offset++];
        Kinds[position] = kind;
        switch (kind)
        {
            case Empty:
                return;
            case Leaf:
                if (data.Length - offset < 2 * H) Fail("truncated leaf");
                data.Slice(offset, H).CopyTo(KeyAt(position));
                data.Slice(offset + H, H).CopyTo(ValueAt(position));
                offset += 2 * H;
                LeafHashValid[position] = false;
                if (!OnPath(KeyAt(position), position)) Fail($"leaf at position {position} is not on its key's path");
                return;
            case Interior:
                if (level == Height) Fail($"interior node in slot {position}");
                if (data.Length - offset < H) Fail("truncated hash");
                data.Slice(offset, H).CopyTo(HashAt(position));
                offset += H;
                DecodeAt(data, 2 * position, ref offset);
                DecodeAt(data, 2 * position + 1, ref offset);
                var left = Kinds[2 * position];
                var right = Kinds[2 * position + 1];
                if ((left == Empty && right is Empty or Leaf) || (right == Empty && left == Leaf))
                {
                    Fail($"interior node at position {position} holds fewer than two records");
                }
                return;
            case Child:
                if (level != Height) Fail($"child page reference above the slots, at position {position}");
                if (TopDepth + level >= StatusMapHash.Depth) Fail("child page below depth 256");
                if (data.Length - offset < 8 + H) Fail("truncated child reference");
                ChildVersions[position] = BinaryPrimitives.ReadUInt64BigEndian(data[offset..]);
                data.Slice(offset + 8, H).CopyTo(HashAt(position));
                offset += 8 + H;
                if (ChildVersions[position] == 0 || ChildVersions[position] > LoadedVersion)
                {
                    Fail($"child page version {ChildVersions[position]} is not in 1…{LoadedVersion}");
                }
                return;
            default:
                Fail($"unknown tag 0x{kind:x2}");
                return;
        }
    }

    /// <summary>True if <paramref name="key"/> has this page's prefix and the path bits of <paramref name="position"/>.</summary>
    private bool OnPath(ReadOnlySpan<byte> key, int position)
    {
        if (!StatusMapKey.SharesPrefix(key, PathKey, TopDepth)) return false;
        var level = LevelOf(position);
        for (var j = 0; j < level; j++)
        {
            if (StatusMapKey.Bit(key, TopDepth + j) != ((position >> (level - 1 - j)) & 1)) return false;
        }
        return true;
    }

    /// <summary>The byte form.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength(1)];
        var offset = 0;
        EncodeAt(bytes, 1, ref offset);
        return bytes;
    }

    private int EncodedLength(int position) => Kinds[position] switch
    {
        Empty => 1,
        Leaf => 1 + 2 * H,
        Interior => 1 + H + EncodedLength(2 * position) + EncodedLength(2 * position + 1),
        _ => 1 + 8 + H,
    };

    private void EncodeAt(Span<byte> bytes, int position, ref int offset)
    {
        var kind = Kinds[position];
        bytes[offset++] = kind;
        switch (kind)
        {
            case Leaf:
                KeyAt(position).CopyTo(bytes[offset..]);
                ValueAt(position).CopyTo(bytes[(offset + H)..]);
                offset += 2 * H;
                break;
            case Interior:
                HashAt(position).CopyTo(bytes[offset..]);
                offset += H;
                EncodeAt(bytes, 2 * position, ref offset);
                EncodeAt(bytes, 2 * position + 1, ref offset);
                break;
            case Child:
                BinaryPrimitives.WriteUInt64BigEndian(bytes[offset..], ChildVersions[position]);
                HashAt(position).CopyTo(bytes[(offset + 8)..]);
                offset += 8 + H;
                break;
        }
    }

    [DoesNotReturn]
    private void Fail(string what) =>
        StatusMapStoreException.Throw($"status-map page at depth {TopDepth} (version {LoadedVersion}, path {Convert.ToHexStringLower(PathKey)}) is malformed: {what}");
}
