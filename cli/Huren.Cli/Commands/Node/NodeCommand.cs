using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Huren.Cli.Commands.Network;
using Huren.Cli.Output;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;
using Huren.Sdk.Files;

namespace Huren.Cli.Commands.Node;

/// <summary><c>huren node backup|restore</c>: backups of a city node's database (docs/operations.md).</summary>
internal static class NodeCommand
{
    public static Command Build()
    {
        var node = new Command("node", "Maintain a city node: back up and restore its database (docs/operations.md).");
        node.Subcommands.Add(BuildBackup());
        node.Subcommands.Add(BuildRestore());
        return node;
    }

    private static Command BuildBackup()
    {
        var access = new NodeAccessOptions(CliRoles.Operator);
        var dir = new Argument<string>("dir") { Description = "The new folder to write the backup into (must not exist)." };
        var data = new Option<string?>("--data") { Description = "Copy this data folder of a STOPPED node instead of asking the running node." };
        var backup = new Command("backup",
            "Back up a node's whole database (its log, its mirrors of the other cities, its witness state) into a new folder.\n" +
            "Running node: the node writes a consistent RocksDB checkpoint into DIR on its own host (operator role; DIR is made\n" +
            "absolute here, so run this on the node's host or give a path the node's host knows). Stopped node: --data PATH\n" +
            "copies its data folder, which is consistent once the node has exited (refused while the node recorded in node.pid\n" +
            "beside it runs).") { dir, data };
        access.AddTo(backup);
        backup.SetAction(async (parse, ct) =>
        {
            var target = Path.GetFullPath(parse.GetValue(dir)!);
            var output = parse.InvocationConfiguration.Output;
            var json = parse.GetValue(access.Json);
            if (parse.GetValue(data) is { } dataPath)
            {
                var source = Path.GetFullPath(dataPath);
                RequireDatabase(source, "--data");
                RequireStopped(source, "copying its data folder");
                if (Directory.Exists(target) || File.Exists(target)) throw new CliException($"'{target}' already exists: a backup goes into a new folder");
                // Copied beside the target and renamed into place: an interrupted backup is never taken for a whole one.
                var staging = $"{target}.copying-{Guid.NewGuid():N}";
                CopyInto(source, staging);
                Directory.Move(staging, target);
                DurableFile.SyncDirectory(Path.GetDirectoryName(target)!);
                await WriteAsync(output, json, new { directory = target, source }, $"Backed up the data folder {source} into {target}").ConfigureAwait(false);
                return ExitCodes.Success;
            }
            using var session = access.Open(parse);
            var response = await session.Client.Admin.BackupAsync(new BackupRequest { Directory = target }, session.Options(ct)).ConfigureAwait(false);
            await WriteAsync(output, json, new { directory = response.Directory, origin = response.Origin, logSize = response.LogSize },
                $"Backed up the node of {response.Origin} into {response.Directory} (its log at size {response.LogSize} or later)").ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return backup;
    }

    private static Command BuildRestore()
    {
        var dir = new Argument<string>("dir") { Description = "The backup folder (from 'huren node backup')." };
        var data = new Option<string>("--data") { Description = "The data folder of the STOPPED node to restore into (e.g. <network>/430200/data).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var restore = new Command("restore",
            "Put a backup in place of a stopped node's data folder. The current data folder is kept beside it, renamed\n" +
            "<data>.replaced-<UTC time>; the backup is copied (never moved), so it can be restored again. At its next start\n" +
            "the node asks the other cities what they hold of its log and, if the backup is behind, rebuilds from their\n" +
            "mirrors before it takes entries (docs/operations.md). Refused (exit 2) while the node recorded in node.pid beside\n" +
            "the data folder ('huren network up') is running.") { dir, data, json };
        restore.SetAction(async (parse, ct) =>
        {
            var source = Path.GetFullPath(parse.GetValue(dir)!);
            var target = Path.GetFullPath(parse.GetValue(data)!);
            RequireDatabase(source, "the backup folder");
            RequireStopped(target, "restoring");
            if (string.Equals(Path.TrimEndingDirectorySeparator(source), Path.TrimEndingDirectorySeparator(target), StringComparison.Ordinal))
                throw new CliException("the backup folder and --data are the same folder");
            var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(target)) ?? throw new CliException($"--data '{target}' has no parent folder");
            if (!Directory.Exists(parent)) throw new CliException($"the parent folder of --data '{target}' does not exist");
            // Copy next to the target first, then swap by renames: an interrupted restore leaves the old folder in place.
            var staging = $"{target}.restoring-{Guid.NewGuid():N}";
            CopyInto(source, staging);
            string? kept = null;
            if (Directory.Exists(target))
            {
                kept = $"{target}.replaced-{DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}";
                Directory.Move(target, kept);
            }
            Directory.Move(staging, target);
            // The renames are durable only once their folder is: until then a crash could keep them but not the copy's names.
            DurableFile.SyncDirectory(parent);
            await WriteAsync(parse.InvocationConfiguration.Output, parse.GetValue(json), new { data = target, backup = source, replaced = kept },
                $"Restored {source} into {target}" + (kept is null ? "" : $"; the data folder it replaced is kept as {kept}")).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return restore;
    }

    /// <summary>A RocksDB folder has its CURRENT file; anything else is refused before a byte is copied.</summary>
    private static void RequireDatabase(string folder, string what)
    {
        if (!Directory.Exists(folder)) throw new CliException($"{what} '{folder}' does not exist");
        if (!File.Exists(Path.Combine(folder, "CURRENT"))) throw new CliException($"{what} '{folder}' is not a node database (no CURRENT file)");
    }

    /// <summary>
    /// Refuses a data folder whose node runs: replaced under it, the node would go on writing to the renamed folder; copied
    /// under it, the copy would be torn. <c>huren network up</c> records each node in <c>node.pid</c> of its city folder, the
    /// data folder's parent, and that record is read as <c>network up</c> reads it (a reused process id is not the node). A
    /// node started otherwise (a service manager) leaves no record: the operator stops it first, as docs/operations.md says.
    /// </summary>
    private static void RequireStopped(string dataFolder, string doing)
    {
        if (Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(dataFolder)) is not { } cityDirectory) return;
        var (state, pid, process) = NodeLauncher.FindRecorded(cityDirectory);
        process?.Dispose();
        if (state != NodeLauncher.RecordedState.Running) return;
        var network = Path.GetDirectoryName(cityDirectory) ?? cityDirectory;
        throw new CliException($"the node of '{dataFolder}' is running (pid {pid}, recorded in {Path.Combine(cityDirectory, NodeLauncher.PidFileName)}); " +
            $"stop it before {doing}: 'huren network down --dir {network}', or end process {pid}");
    }

    /// <summary>A durable copy of a database folder, without the lock file of a running database (not part of its data).</summary>
    private static void CopyInto(string source, string target) => DurableFile.CopyDirectory(source, target, relative => relative == "LOCK");

    private static Task WriteAsync(TextWriter output, bool json, object result, string text)
        => output.WriteLineAsync(json ? JsonSerializer.Serialize(result, CliJson.Options) : text);
}
