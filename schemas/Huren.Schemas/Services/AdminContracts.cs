using ProtoBuf;
using ProtoBuf.Grpc;
using ProtoBuf.Grpc.Configuration;

namespace Huren.Schemas.Services;

/// <summary>The node operator's maintenance calls (operator role only).</summary>
[Service("huren.v1.Admin")]
public interface IAdminService
{
    /// <summary>
    /// Writes a consistent copy of the node's whole database (a RocksDB checkpoint) into a new folder on the node's own
    /// host, while the node keeps running.
    /// </summary>
    [Operation]
    ValueTask<BackupResponse> BackupAsync(BackupRequest request, CallContext context = default);
}

/// <summary>Where to write a backup.</summary>
[ProtoContract]
public sealed class BackupRequest
{
    /// <summary>An absolute path on the node's host of a folder that does not exist yet.</summary>
    [ProtoMember(1, Name = "directory")] public string Directory { get; set; } = "";
}

/// <summary>A backup written.</summary>
[ProtoContract]
public sealed class BackupResponse
{
    /// <summary>The folder written.</summary>
    [ProtoMember(1, Name = "directory")] public string Directory { get; set; } = "";
    /// <summary>The origin of the node's own log.</summary>
    [ProtoMember(2, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The size of the node's own log when the backup was taken (at least; the copy may hold a later batch).</summary>
    [ProtoMember(3, Name = "log_size")] public ulong LogSize { get; set; }
}
