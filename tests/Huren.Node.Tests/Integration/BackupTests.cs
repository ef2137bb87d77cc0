using Grpc.Core;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;

namespace Huren.Node.Tests.Integration;

/// <summary>
/// <c>huren.v1.Admin/Backup</c> on a running node: the operator gets a RocksDB checkpoint that opens as a data folder
/// with the log at its size and root; anyone else, a relative path, <c>..</c> or an existing folder is refused.
/// </summary>
public sealed class BackupTests : IAsyncLifetime
{
    private TestNode _node = null!;
    private readonly string _backups = Path.Combine(Path.GetTempPath(), "huren-backups-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync();
        Directory.CreateDirectory(_backups);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        if (Directory.Exists(_backups)) Directory.Delete(_backups, recursive: true);
    }

    [Fact]
    public async Task The_operator_backs_up_the_running_node_into_a_folder_that_opens_with_the_same_log()
    {
        using var op = _node.Client("operator");
        for (var i = 0; i < 3; i++)
        {
            var body = LedgerBodies.Issuer($"430100-d{i}", LedgerBodies.ChangshaAmrCode, SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: false);
            var leaf = EntrySigner.SignToLeaf(Entry.Create(EntryKinds.IssuerRegister, TestNode.Origin, body.IssuerId, TestNode.RootId, body, DateTimeOffset.UtcNow), _node.RootKey);
            await op.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaf }, op.Options());
        }
        // The last registration's batch may come within the checkpoint interval of the one before, so its checkpoint
        // is the timer's, a moment after the answer: the backup is taken once the live log has it.
        var live = (LogDirectory)_node.Services.GetService(typeof(LogDirectory))!;
        await Eventually.HoldsAsync(() => live.Own.Store.GetCheckpoint(3) is not null, "the live log's checkpoint at size 3");
        var target = Path.Combine(_backups, "b1");

        var response = await op.Admin.BackupAsync(new BackupRequest { Directory = target }, op.Options());

        Assert.Equal((target, TestNode.Origin, 3ul), (response.Directory, response.Origin, response.LogSize));
        using var copy = RocksStore.Open(target);
        var log = new MerkleLog(new LogStore(copy, TestNode.Origin));
        Assert.Equal(3ul, log.Size);
        Assert.Equal(live.Own.RootAt(3), log.RootAt(3));
        Assert.NotNull(log.Store.GetCheckpoint(3));
    }

    [Fact]
    public async Task A_backup_is_refused_to_other_roles_and_for_paths_that_are_not_new_absolute_folders()
    {
        using var auditor = _node.Client("auditor");
        await Refused(auditor, StatusCode.PermissionDenied, Path.Combine(_backups, "a"), "may not call");
        using var op = _node.Client("operator");
        await Refused(op, StatusCode.InvalidArgument, "", "directory is required");
        await Refused(op, StatusCode.InvalidArgument, "backups/b2", "must be an absolute path");
        await Refused(op, StatusCode.InvalidArgument, _backups + "/x/../b3", "must not contain '..'");
        await Refused(op, StatusCode.FailedPrecondition, _backups, "already exists");
        await Refused(op, StatusCode.FailedPrecondition, Path.Combine(_backups, "missing", "b4"), "parent folder");
        Assert.Empty(Directory.EnumerateFileSystemEntries(_backups));

        // RocksDB would empty '<folder>.tmp' to build the copy in: a folder of that name is left alone.
        var precious = Path.Combine(_backups, "b5.tmp", "precious.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(precious)!);
        await File.WriteAllTextAsync(precious, "not the node's");
        await Refused(op, StatusCode.FailedPrecondition, Path.Combine(_backups, "b5"), "b5.tmp' already exists");
        Assert.Equal("not the node's", await File.ReadAllTextAsync(precious));
        Assert.False(Directory.Exists(Path.Combine(_backups, "b5")));
    }

    private static async Task Refused(Sdk.Client.HurenClient client, StatusCode status, string directory, string message)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.Admin.BackupAsync(new BackupRequest { Directory = directory }, client.Options()));
        Assert.Equal(status, ex.StatusCode);
        Assert.Contains(message, ex.Status.Detail, StringComparison.Ordinal);
    }
}
