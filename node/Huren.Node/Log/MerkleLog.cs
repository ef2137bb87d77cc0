using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Huren.Node.Storage;

namespace Huren.Node.Log;

/// <summary>
/// An RFC 9162 Merkle log over an <see cref="ILogStore"/>. The store keeps the hash of every complete subtree, so the
/// root of any size and any inclusion or consistency proof cost O(log n) reads; the head (size and right frontier)
/// is written in the same atomic batch as the leaves, so reopening after a crash needs no rescan.
/// Appends go through <see cref="BeginStaging"/>/<see cref="Commit"/> from one writer; reads are thread-safe.
/// </summary>
public sealed class MerkleLog
{
    /// <summary>Length of every hash.</summary>
    public const int HashLength = 32;

    private readonly ILogStore _store;
    private volatile Head _head;

    /// <summary>Opens the log named <paramref name="origin"/> in <paramref name="store"/> from its persisted head.</summary>
    public MerkleLog(ILogStore store, string origin)
    {
        _store = store;
        Origin = origin;
        _head = Head.Decode(store.ReadHead());
    }

    /// <summary>The log's origin line.</summary>
    public string Origin { get; }

    /// <summary>The storage.</summary>
    public ILogStore Store => _store;

    /// <summary>The durable size.</summary>
    public ulong Size => _head.Size;

    /// <summary>The root of the durable tree.</summary>
    public byte[] Root => _head.Root();

    /// <summary>SHA-256(0x00 ‖ leaf).</summary>
    public static byte[] HashLeaf(ReadOnlySpan<byte> leaf)
    {
        var hash = new byte[HashLength];
        var buffer = ArrayPool<byte>.Shared.Rent(leaf.Length + 1);
        try
        {
            buffer[0] = 0;
            leaf.CopyTo(buffer.AsSpan(1));
            SHA256.HashData(buffer.AsSpan(0, leaf.Length + 1), hash);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return hash;
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right).</summary>
    public static byte[] HashChildren(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * HashLength];
        buffer[0] = 1;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + HashLength)..]);
        return SHA256.HashData(buffer);
    }

    /// <summary>The leaf at <paramref name="index"/> if it is durable.</summary>
    public byte[]? GetLeaf(ulong index) => index < Size ? _store.GetLeaf(index) : null;

    /// <summary>The index of a durable leaf with this leaf hash.</summary>
    public bool TryFindLeaf(ReadOnlySpan<byte> leafHash, out ulong index) => _store.TryFindLeaf(leafHash, out index) && index < Size;

    /// <summary>The leaf hash at <paramref name="index"/>.</summary>
    public byte[] LeafHashAt(ulong index) => Node(0, index);

    /// <summary>The root of the tree of the first <paramref name="size"/> leaves (size ≤ <see cref="Size"/>).</summary>
    public byte[] RootAt(ulong size)
    {
        if (size > Size) throw new ArgumentOutOfRangeException(nameof(size), $"size {size} is beyond the log's size {Size}");
        return size == 0 ? SHA256.HashData([]) : RangeHash(0, size);
    }

    /// <summary>RFC 9162 §2.1.3.1 inclusion proof of leaf <paramref name="index"/> in the tree of <paramref name="size"/> leaves.</summary>
    public List<byte[]> InclusionProof(ulong index, ulong size)
    {
        if (size > Size) throw new ArgumentOutOfRangeException(nameof(size), $"tree size {size} is beyond the log's size {Size}");
        if (index >= size) throw new ArgumentOutOfRangeException(nameof(index), $"index {index} is not below tree size {size}");
        var proof = new List<byte[]>(64);
        Path(index, 0, size, proof);
        return proof;
    }

    /// <summary>RFC 9162 §2.1.4.1 consistency proof between sizes <paramref name="from"/> ≤ <paramref name="to"/>.</summary>
    public List<byte[]> ConsistencyProof(ulong from, ulong to)
    {
        if (to > Size) throw new ArgumentOutOfRangeException(nameof(to), $"size {to} is beyond the log's size {Size}");
        if (from > to) throw new ArgumentOutOfRangeException(nameof(from), $"old size {from} is larger than new size {to}");
        var proof = new List<byte[]>(64);
        if (from > 0 && from < to) SubProof(from, 0, to, true, proof);
        return proof;
    }

    /// <summary>Starts staging a batch into <paramref name="commit"/> (one writer at a time).</summary>
    public LogStaging BeginStaging(LogCommit commit)
    {
        commit.FirstIndex = Size;
        return new LogStaging(_head.Clone(), commit);
    }

    /// <summary>Writes the staged batch atomically and durably, then makes it visible.</summary>
    public void Commit(LogStaging staging)
    {
        staging.Commit.Head = staging.Frontier.Encode();
        _store.Commit(staging.Commit);
        _head = staging.Frontier;
    }

    /// <summary>Re-reads the durable head (after a failed commit).</summary>
    public void Reload() => _head = Head.Decode(_store.ReadHead());

    private byte[] Node(int level, ulong index)
    {
        var hash = new byte[HashLength];
        if (!_store.TryGetNode(level, index, hash))
            throw new InvalidDataException($"log {Origin} is missing tree node (level {level}, index {index})");
        return hash;
    }

    /// <summary>MTH(D[start:end]) from complete subtrees, for a range that starts on a subtree boundary.</summary>
    private byte[] RangeHash(ulong start, ulong end)
    {
        Span<(int Level, ulong Index)> parts = stackalloc (int, ulong)[64];
        var count = 0;
        while (start < end)
        {
            var level = 0;
            while (level < 63 && (start & ((1UL << (level + 1)) - 1)) == 0 && start + (1UL << (level + 1)) <= end) level++;
            parts[count++] = (level, start >> level);
            start += 1UL << level;
        }
        var hash = Node(parts[count - 1].Level, parts[count - 1].Index);
        for (var i = count - 2; i >= 0; i--) hash = HashChildren(Node(parts[i].Level, parts[i].Index), hash);
        return hash;
    }

    private static ulong SplitPoint(ulong n)
    {
        // Largest power of two strictly less than n (n ≥ 2).
        var k = 1UL << (63 - System.Numerics.BitOperations.LeadingZeroCount(n - 1));
        return k;
    }

    private void Path(ulong m, ulong start, ulong end, List<byte[]> proof)
    {
        var n = end - start;
        if (n <= 1) return;
        var k = SplitPoint(n);
        if (m < k)
        {
            Path(m, start, start + k, proof);
            proof.Add(RangeHash(start + k, end));
        }
        else
        {
            Path(m - k, start + k, end, proof);
            proof.Add(RangeHash(start, start + k));
        }
    }

    private void SubProof(ulong m, ulong start, ulong end, bool complete, List<byte[]> proof)
    {
        var n = end - start;
        if (m == n)
        {
            if (!complete) proof.Add(RangeHash(start, end));
            return;
        }
        var k = SplitPoint(n);
        if (m <= k)
        {
            SubProof(m, start, start + k, complete, proof);
            proof.Add(RangeHash(start + k, end));
        }
        else
        {
            SubProof(m - k, start + k, end, false, proof);
            proof.Add(RangeHash(start, start + k));
        }
    }

    /// <summary>The durable size and the right frontier: hashes of the perfect subtrees, largest first.</summary>
    internal sealed class Head
    {
        private readonly List<byte[]> _frontier;

        private Head(ulong size, List<byte[]> frontier)
        {
            Size = size;
            _frontier = frontier;
        }

        public ulong Size { get; private set; }

        public static Head Decode(byte[]? bytes)
        {
            if (bytes is null || bytes.Length == 0) return new Head(0, []);
            var size = BinaryPrimitives.ReadUInt64BigEndian(bytes);
            var count = System.Numerics.BitOperations.PopCount(size);
            if (bytes.Length != 8 + count * HashLength) throw new InvalidDataException($"log head is corrupt: {bytes.Length} bytes for size {size}");
            var frontier = new List<byte[]>(count + 1);
            for (var i = 0; i < count; i++) frontier.Add(bytes.AsSpan(8 + i * HashLength, HashLength).ToArray());
            return new Head(size, frontier);
        }

        public byte[] Encode()
        {
            var bytes = new byte[8 + _frontier.Count * HashLength];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, Size);
            for (var i = 0; i < _frontier.Count; i++) _frontier[i].CopyTo(bytes, 8 + i * HashLength);
            return bytes;
        }

        public Head Clone() => new(Size, [.. _frontier]);

        public byte[] Root()
        {
            if (_frontier.Count == 0) return SHA256.HashData([]);
            var root = _frontier[^1];
            for (var i = _frontier.Count - 2; i >= 0; i--) root = HashChildren(_frontier[i], root);
            return root;
        }

        /// <summary>Appends a leaf hash; reports each newly complete subtree (level 0 is the leaf itself).</summary>
        public void Append(byte[] leafHash, List<(int Level, ulong Index, byte[] Hash)> completed)
        {
            var index = Size;
            completed.Add((0, index, leafHash));
            var hash = leafHash;
            var level = 0;
            while (((index >> level) & 1) == 1)
            {
                hash = HashChildren(_frontier[^1], hash);
                _frontier.RemoveAt(_frontier.Count - 1);
                level++;
                completed.Add((level, index >> level, hash));
            }
            _frontier.Add(hash);
            Size = index + 1;
        }
    }
}

/// <summary>A batch being staged: leaves appended to a copy of the frontier and to the pending commit.</summary>
public sealed class LogStaging
{
    internal LogStaging(MerkleLog.Head frontier, LogCommit commit)
    {
        Frontier = frontier;
        Commit = commit;
    }

    internal MerkleLog.Head Frontier { get; }

    /// <summary>The commit being filled.</summary>
    public LogCommit Commit { get; }

    /// <summary>The index the next appended leaf gets.</summary>
    public ulong NextIndex => Frontier.Size;

    /// <summary>The staged tree's size.</summary>
    public ulong Size => Frontier.Size;

    /// <summary>The staged tree's root.</summary>
    public byte[] Root() => Frontier.Root();

    /// <summary>Stages one leaf with its hash and the record id it is indexed under.</summary>
    public void Append(byte[] leaf, byte[] leafHash, string recordId)
    {
        var index = Frontier.Size;
        Commit.Leaves.Add(leaf);
        Frontier.Append(leafHash, Commit.Nodes);
        if (recordId.Length > 0) Commit.RecordIndex.Add((recordId, index));
    }
}
