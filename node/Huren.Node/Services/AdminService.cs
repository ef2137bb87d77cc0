using Huren.Node.Auth;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Schemas.Services;
using ProtoBuf.Grpc;

namespace Huren.Node.Services;

/// <summary>The <c>huren.v1.Admin</c> gRPC service: the operator's backups of the running node (docs/operations.md).</summary>
public sealed partial class AdminService(IKeyValueStore store, LogDirectory logs, ILogger<AdminService> logger) : IAdminService
{
    /// <inheritdoc/>
    public ValueTask<BackupResponse> BackupAsync(BackupRequest request, CallContext context = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var principal = RpcErrors.Require(context.ServerCallContext!, ClientRole.Operator);
        // A path on the node's own host: absolute, so no one wonders what it is relative to, and new, so no backup or
        // data folder is ever overwritten.
        var directory = request.Directory;
        if (string.IsNullOrWhiteSpace(directory)) throw RpcErrors.InvalidArgument("directory is required");
        if (!Path.IsPathFullyQualified(directory)) throw RpcErrors.InvalidArgument($"directory '{directory}' must be an absolute path on the node's host");
        if (directory.Split('/', '\\').Contains("..")) throw RpcErrors.InvalidArgument($"directory '{directory}' must not contain '..'");
        if (Directory.Exists(directory) || File.Exists(directory)) throw RpcErrors.FailedPrecondition($"'{directory}' already exists: a backup goes into a new folder");
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(directory));
        if (parent is null || !Directory.Exists(parent)) throw RpcErrors.FailedPrecondition($"the parent folder of '{directory}' does not exist on the node's host");
        if (store is not RocksStore rocks) throw RpcErrors.FailedPrecondition("this node's store is not a RocksDB database; it has no backup");
        var size = logs.Own.Size;
        try
        {
            rocks.SaveCheckpoint(directory);
        }
        catch (Exception ex) when (ex is RocksDbSharp.RocksDbException or IOException or UnauthorizedAccessException)
        {
            throw RpcErrors.FailedPrecondition($"the backup into '{directory}' failed: {ex.Message}");
        }
        LogBackup(logger, principal.Name, directory, logs.Own.Origin, size);
        return ValueTask.FromResult(new BackupResponse { Directory = directory, Origin = logs.Own.Origin, LogSize = size });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Principal} backed up the node into {Directory} ({Origin} at size {Size} or later)")]
    private static partial void LogBackup(ILogger logger, string principal, string directory, string origin, ulong size);
}
