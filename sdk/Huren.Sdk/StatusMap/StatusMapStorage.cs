using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.StatusMap;

/// <summary>
/// What <see cref="StatusMapTree"/> reads. Writes are returned as a <see cref="StatusMapWriteSet"/> per batch (and a
/// <see cref="StatusMapPruneSet"/> per pruning) for the caller to write in its own atomic batch; the tree never writes.
/// Implementations must allow reads from several threads at once (proofs are built on any thread).
/// <see cref="MemoryStatusMapStore"/> is the in-memory implementation.
/// </summary>
public interface IStatusMapStore
{
    /// <summary>The page stored under <paramref name="key"/>, or null.</summary>
    byte[]? GetPage(in StatusMapPageKey key);

    /// <summary>The root record (<see cref="StatusMapRoot"/> byte form) of <paramref name="version"/>, or null.</summary>
    byte[]? GetRoot(ulong version);

    /// <summary>Every stale row whose <see cref="StatusMapStalePage.SinceVersion"/> is at most <paramref name="maxSinceVersion"/>.</summary>
    IEnumerable<StatusMapStalePage> GetStalePages(ulong maxSinceVersion);

    /// <summary>Every version below <paramref name="version"/> that has a root record.</summary>
    IEnumerable<ulong> GetRootVersionsBelow(ulong version);
}

/// <summary>
/// The root record of one version: the map root, the version of the top page (0 when the map is empty and has no
/// page) and the page height the pages were written with. Byte form: top page version (8 bytes, big-endian) ‖ root
/// hash (32 bytes) ‖ page height (1 byte).
/// </summary>
/// <param name="Hash">The map root: what the checkpoint's extension line carries.</param>
/// <param name="PageVersion">Version of the page at depth 0; 0 for the empty map.</param>
/// <param name="PageHeight">Levels per page of the store (a tree refuses a store written with another height).</param>
public readonly record struct StatusMapRoot(Hash256 Hash, ulong PageVersion, int PageHeight)
{
    /// <summary>Length of the byte form.</summary>
    public const int EncodedLength = 8 + Hash256.Length + 1;

    /// <summary>The root record of the empty map for a page height (version 0 needs none stored).</summary>
    public static StatusMapRoot EmptyMap(int pageHeight) => new(StatusMapHash.EmptyRoot, 0, pageHeight);

    /// <summary>The byte form.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[EncodedLength];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, PageVersion);
        Hash.CopyTo(bytes.AsSpan(8));
        bytes[^1] = (byte)PageHeight;
        return bytes;
    }

    /// <summary>Reads the byte form (exactly 41 bytes).</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out StatusMapRoot root)
    {
        root = default;
        if (bytes.Length != EncodedLength) return false;
        root = new StatusMapRoot(new Hash256(bytes.Slice(8, Hash256.Length)), BinaryPrimitives.ReadUInt64BigEndian(bytes), bytes[^1]);
        return true;
    }
}

/// <summary>
/// A page superseded by the batch of <paramref name="SinceVersion"/>: versions from <paramref name="SinceVersion"/> on
/// no longer read it, so it may be deleted once no version below that is kept. Byte form (a key for a store's stale
/// index, ordered by version): since version (8 bytes, big-endian) ‖ page key byte form.
/// </summary>
/// <param name="SinceVersion">The version whose batch replaced the page.</param>
/// <param name="Page">The superseded page.</param>
public readonly record struct StatusMapStalePage(ulong SinceVersion, StatusMapPageKey Page)
{
    /// <summary>The byte form.</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[8 + Page.EncodedLength];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, SinceVersion);
        Page.WriteTo(bytes.AsSpan(8));
        return bytes;
    }

    /// <summary>Reads the byte form.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out StatusMapStalePage stale)
    {
        stale = default;
        if (bytes.Length < 8 || !StatusMapPageKey.TryRead(bytes[8..], out var page)) return false;
        stale = new StatusMapStalePage(BinaryPrimitives.ReadUInt64BigEndian(bytes), page);
        return true;
    }
}

/// <summary>One record's new state: key = SHA-256(record id), value = leaf hash of its latest state entry.</summary>
/// <param name="Key">SHA-256 of the record id (<see cref="StatusMapKey.ForRecord"/>).</param>
/// <param name="Value">The RFC 9162 leaf hash of the record's latest state entry.</param>
public readonly record struct StatusMapUpdate(Hash256 Key, Hash256 Value)
{
    /// <summary>The update for a record id.</summary>
    public static StatusMapUpdate ForRecord(string recordId, in Hash256 value) => new(StatusMapKey.ForRecord(recordId), value);
}

/// <summary>
/// Everything one batch changes, to be written atomically with the batch's entries: the new pages, the root record of
/// the new version and the pages it superseded (stale rows). Nothing is written by the tree itself.
/// </summary>
public sealed class StatusMapWriteSet
{
    internal StatusMapWriteSet(ulong baseVersion, ulong version)
    {
        BaseVersion = baseVersion;
        Version = version;
    }

    /// <summary>The version the batch was applied to.</summary>
    public ulong BaseVersion { get; }

    /// <summary>The new version (the log size after the batch).</summary>
    public ulong Version { get; }

    /// <summary>The new version's root record: write <see cref="StatusMapRoot.ToBytes"/> under <see cref="Version"/>.</summary>
    public StatusMapRoot Root { get; internal set; }

    /// <summary>New pages: write each under its key.</summary>
    public List<(StatusMapPageKey Key, byte[] Page)> Pages { get; } = [];

    /// <summary>Pages this batch superseded: write each as a <see cref="StatusMapStalePage"/> with <see cref="Version"/>.</summary>
    public List<StatusMapPageKey> Stale { get; } = [];

    /// <summary>Distinct keys in the batch.</summary>
    public int Keys { get; internal set; }

    /// <summary>Pages read from the store.</summary>
    public int PagesRead { get; internal set; }

    /// <summary>SHA-256 computations (leaf and interior hashes).</summary>
    public int HashesComputed { get; internal set; }

    /// <summary>Bytes of the new pages.</summary>
    public long PageBytes { get; internal set; }
}

/// <summary>What pruning below a version floor deletes: superseded pages with their stale rows, and old root records.</summary>
public sealed class StatusMapPruneSet
{
    internal StatusMapPruneSet(ulong floor) => Floor = floor;

    /// <summary>The oldest version that stays provable.</summary>
    public ulong Floor { get; }

    /// <summary>Delete each page and its stale row.</summary>
    public List<StatusMapStalePage> StalePages { get; } = [];

    /// <summary>Delete the root record of each version.</summary>
    public List<ulong> RootVersions { get; } = [];
}

/// <summary>Raised when stored pages or root records are missing or malformed.</summary>
public sealed class StatusMapStoreException : Exception
{
    /// <summary>An exception with a message.</summary>
    public StatusMapStoreException(string message) : base(message)
    {
    }

    /// <summary>An exception with a message and a cause.</summary>
    public StatusMapStoreException(string message, Exception inner) : base(message, inner)
    {
    }

    /// <summary>An exception with no message.</summary>
    public StatusMapStoreException()
    {
    }

    [DoesNotReturn]
    internal static void Throw(string message) => throw new StatusMapStoreException(message);
}
