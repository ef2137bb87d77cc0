using Huren.Node.Auth;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Schemas.Services;
using ProtoBuf.Grpc;

namespace Huren.Node.Services;

/// <summary>The <c>huren.v1.Admin</c> gRPC service: the operator's backups of the running node (docs/operations.md).</summary>
public sealed partial class AdminService(IKeyValueStore store, LogDirectory logs, ILogger<AdminService> logger) : IAdminService
{
    // Static: gRPC makes a service per call, and one node runs per process.
    private static readonly Lock BackingUp = new();

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
        // RocksDB builds the copy in '<directory>.tmp' and empties that folder first: it must be new too.
        var staging = Path.TrimEndingDirectorySeparator(directory) + ".tmp";
        if (Directory.Exists(staging) || File.Exists(staging)) throw RpcErrors.FailedPrecondition($"'{staging}' already exists: a backup is built there before it is renamed into place, so it must not");
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(directory));
        if (parent is null || !Directory.Exists(parent)) throw RpcErrors.FailedPrecondition($"the parent folder of '{directory}' does not exist on the node's host");
        if (store is not RocksStore rocks) throw RpcErrors.FailedPrecondition("this node's store is not a RocksDB database; it has no backup");
        // One backup at a time: two into one folder would share its staging folder.
        if (!BackingUp.TryEnter()) throw RpcErrors.FailedPrecondition("another backup of this node is running; try again when it has finished");
        ulong size;
        try
        {
            size = logs.Own.Size;
            rocks.SaveCheckpoint(directory);
        }
        catch (Exception ex) when (ex is RocksDbSharp.RocksDbException or IOException or UnauthorizedAccessException)
        {
            throw RpcErrors.FailedPrecondition($"the backup into '{directory}' failed: {ex.Message}");
        }
        finally
        {
            BackingUp.Exit();
        }
        LogBackup(logger, principal.Name, directory, logs.Own.Origin, size);
        return ValueTask.FromResult(new BackupResponse { Directory = directory, Origin = logs.Own.Origin, LogSize = size });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Principal} backed up the node into {Directory} ({Origin} at size {Size} or later)")]
    private static partial void LogBackup(ILogger logger, string principal, string directory, string origin, ulong size);
}
