using System.Text.Json;
using Grpc.Core;
using Huren.Cli.Profiles;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Notes;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// Issue 20, item 4: Zhuzhou's node restored from an old backup while the others ran on refuses to write, rebuilds its
/// log from their mirrors, comes back at the network's size and root, and leaves no quarantine; then a real quarantine
/// (a forged fork of Zhuzhou's log offered to Changsha's witness) is listed and cleared with the CLI.
/// </summary>
public sealed class RestoreTests(ITestOutputHelper output) : ThreeCityNetwork(output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private string ProfilePath => Path.Combine(Dir, "cli.json");

    [Fact]
    public async Task A_node_restored_from_an_old_backup_rebuilds_from_the_mirrors_before_it_writes_and_a_real_quarantine_is_cleared_with_the_CLI()
    {
        var zhuzhou = OriginOf(Zhuzhou);
        await RegisterIssuerAsync(Zhuzhou, LedgerBodies.Issuer($"{Zhuzhou}-amr", LedgerBodies.ChangshaAmrCode, IssuerKey(Zhuzhou).PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: true, region: Zhuzhou));
        var (oldSize, _) = await WaitCosignedByBothAsync(await IssueAsync("R0001") + 1);

        // The backup, taken through the running node's admin RPC as its operator.
        var backup = Path.Combine(Dir, "zhuzhou-backup");
        var made = await CliAsync("node", "backup", backup, "--profile", ProfilePath, "--city", Zhuzhou, "--json");
        Assert.True(made.Code == 0, made.Error);
        Assert.True(File.Exists(Path.Combine(backup, "CURRENT")), "the backup folder holds no RocksDB database");
        Output.WriteLine($"backup at size {oldSize}: {made.Output.Trim()}");

        // The network runs on: more entries, cosigned by both witnesses.
        ulong last = 0;
        for (var i = 2; i <= 6; i++) last = await IssueAsync($"R{i:D4}");
        var (networkSize, networkRoot) = await WaitCosignedByBothAsync(last + 1);
        Assert.True(networkSize > oldSize);

        // Zhuzhou loses its disk to the old backup.
        Nodes[Zhuzhou].Stop();
        var restored = await CliAsync("node", "restore", backup, "--data", Path.Combine(Dir, Zhuzhou, "data"));
        Assert.True(restored.Code == 0, restored.Error);
        Output.WriteLine(restored.Output.Trim());

        // Started again: writes are refused with a clear status until the log is rebuilt; the first entry it takes lands
        // right after the network's size, so nothing was written over the old backup's end.
        Nodes[Zhuzhou].Launch();
        var refusals = 0;
        SubmitResponse? accepted = null;
        var leaf = LicenseLeaf("R0007");
        var until = DateTime.UtcNow + Patience;
        while (accepted is null)
        {
            Assert.True(DateTime.UtcNow < until, $"Zhuzhou took no entry in {Patience.TotalSeconds} s; {refusals} refusals: {Nodes[Zhuzhou].Tail()}");
            using var issuer = Client(Zhuzhou, CliRoles.Issuer);
            try
            {
                accepted = await issuer.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaf }, issuer.Options());
            }
            catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded)
            {
                // Not listening yet, slow on a loaded machine, or refused by the write gate (counted).
                if (ex.Status.Detail.Contains("takes no entries now", StringComparison.Ordinal))
                {
                    if (refusals++ == 0) Output.WriteLine($"refused while rebuilding: {ex.Status.Detail}");
                }
                await Task.Delay(50);
            }
        }
        // Whether one of the test's writes fell in the refusal window is timing (the rebuild of a few entries may end
        // before the first write arrives), so it is reported, not asserted; the gate's refusal itself is asserted in
        // Node.Tests/Log/WriteGateTests. What must hold: the node logged that it refused writes and rebuilt, and the
        // first entry it took lands right after the network's size.
        Output.WriteLine($"{refusals} writes refused; the first accepted entry got index {accepted.Index}");
        Assert.Equal(networkSize, accepted.Index);
        var nodeLog = await File.ReadAllTextAsync(Path.Combine(Dir, Zhuzhou, "node.log"));
        Assert.Contains($"holds {oldSize} entries, behind", nodeLog, StringComparison.Ordinal);
        Assert.Contains("writes refused, rebuilding from the other cities", nodeLog, StringComparison.Ordinal);
        Assert.Contains($"rebuilt from {oldSize} to {networkSize} entries", nodeLog, StringComparison.Ordinal);

        // Its log holds the network's checkpoint at the old network size, and the new entry is cosigned by both witnesses:
        // they accepted the rebuilt log as the same history.
        using (var auditor = Client(Zhuzhou, CliRoles.Auditor))
        {
            var atNetworkSize = await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest { Size = networkSize }, auditor.Options());
            Assert.Equal(networkRoot, Root(atNetworkSize.Note));
        }
        var (finalSize, finalRoot) = await WaitCosignedByBothAsync(networkSize + 1);
        Assert.Equal(networkSize + 1, finalSize);
        foreach (var city in new[] { Changsha, Xiangtan })
        {
            using var auditor = Client(city, CliRoles.Auditor);
            var mirrored = await WaitAsync(async () =>
            {
                var cp = await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = zhuzhou }, auditor.Options());
                return cp.Size == finalSize ? cp : null;
            }, $"{city}'s mirror of Zhuzhou at size {finalSize}");
            Assert.Equal(finalRoot, Root(mirrored.Note));
            Assert.Empty(await QuarantinesAsync(city, inForce: true));
        }

        // A real quarantine: a checkpoint of Zhuzhou's size signed with its own log keys but another root (a fork),
        // offered to Changsha's witness.
        var keys = Path.Combine(Dir, Zhuzhou, "keys");
        var signer = new CheckpointSigner(zhuzhou, SigningKey.FromPem(await File.ReadAllTextAsync(Path.Combine(keys, "log-ed25519.pem"))),
            SigningKey.FromPem(await File.ReadAllTextAsync(Path.Combine(keys, "log-sm2.pem"))));
        var forged = signer.Sign(finalSize, System.Security.Cryptography.SHA256.HashData("forged"u8)).ToString();
        using (var op = Client(Changsha, CliRoles.Operator))
        {
            var refused = await Assert.ThrowsAsync<RpcException>(async () =>
                await op.Witness.AddCheckpointAsync(new AddCheckpointRequest { OldSize = finalSize, Note = forged }, op.Options()));
            Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
            Assert.Contains("equivocation", refused.Status.Detail, StringComparison.Ordinal);
        }
        var inForce = Assert.Single(await QuarantinesAsync(Changsha, inForce: true));
        Assert.Equal(zhuzhou, inForce.GetProperty("origin").GetString());

        // Only the operator clears it, and only with a reason.
        var noReason = await CliAsync("witness", "quarantine", "clear", Zhuzhou, "--profile", ProfilePath, "--city", Changsha);
        Assert.NotEqual(0, noReason.Code);
        Assert.Contains("--reason", noReason.Error, StringComparison.Ordinal);
        var asAuditor = await CliAsync("witness", "quarantine", "clear", Zhuzhou, "--reason", "checked", "--profile", ProfilePath, "--city", Changsha, "--as", CliRoles.Auditor);
        Assert.NotEqual(0, asAuditor.Code);
        Assert.Contains("PermissionDenied", asAuditor.Error, StringComparison.Ordinal);
        Assert.Single(await QuarantinesAsync(Changsha, inForce: true));

        const string reason = "forged note made by the restore test with Zhuzhou's keys; Zhuzhou's log checked against its mirrors";
        var cleared = await CliAsync("witness", "quarantine", "clear", Zhuzhou, "--reason", reason, "--profile", ProfilePath, "--city", Changsha);
        Assert.True(cleared.Code == 0, cleared.Error);
        Output.WriteLine(cleared.Output.Trim());
        Assert.Empty(await QuarantinesAsync(Changsha, inForce: true));
        var record = Assert.Single(await QuarantinesAsync(Changsha, inForce: false));
        Assert.Equal(reason, record.GetProperty("clearedReason").GetString());
        Assert.Equal(Profile.City(Changsha).Credentials.First(c => c.Role == CliRoles.Operator).Principal, record.GetProperty("clearedBy").GetString());
    }

    [Fact]
    public async Task A_node_whose_data_folder_was_deleted_rebuilds_its_log_from_the_mirrors_before_it_writes()
    {
        await RegisterIssuerAsync(Zhuzhou, LedgerBodies.Issuer($"{Zhuzhou}-amr", LedgerBodies.ChangshaAmrCode, IssuerKey(Zhuzhou).PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: true, region: Zhuzhou));
        ulong last = 0;
        for (var i = 1; i <= 4; i++) last = await IssueAsync($"D{i:D4}");
        var (networkSize, networkRoot) = await WaitCosignedByBothAsync(last + 1);

        Nodes[Zhuzhou].Stop();
        Directory.Delete(Path.Combine(Dir, Zhuzhou, "data"), recursive: true);
        // Serving (health SERVING) only once the own log is checked and rebuilt: its writes are open again.
        await Nodes[Zhuzhou].StartAsync();

        using (var auditor = Client(Zhuzhou, CliRoles.Auditor))
        {
            var own = await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options());
            Assert.Equal(networkSize, own.Size);
            Assert.Equal(networkRoot, Root(own.Note));
            // Every entry is back, byte for byte as the mirrors hold them.
            using var changsha = Client(Changsha, CliRoles.Auditor);
            var rebuilt = await auditor.Ledger.GetEntriesAsync(new GetEntriesRequest { Start = 0, Count = (uint)networkSize }, auditor.Options());
            var mirrored = await changsha.Ledger.GetEntriesAsync(new GetEntriesRequest { Origin = OriginOf(Zhuzhou), Start = 0, Count = (uint)networkSize }, changsha.Options());
            Assert.Equal(mirrored.Entries.Select(e => Convert.ToBase64String(e.Leaf)), rebuilt.Entries.Select(e => Convert.ToBase64String(e.Leaf)));
        }
        Assert.Equal(networkSize, await IssueAsync("D0005"));
        await WaitCosignedByBothAsync(networkSize + 1);
        foreach (var city in new[] { Changsha, Xiangtan }) Assert.Empty(await QuarantinesAsync(city, inForce: true));
    }

    /// <summary>Issues a license in Zhuzhou's log; returns its index.</summary>
    private async Task<ulong> IssueAsync(string serial)
    {
        using var issuer = Client(Zhuzhou, CliRoles.Issuer);
        return (await issuer.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = LicenseLeaf(serial) }, issuer.Options())).Index;
    }

    private byte[] LicenseLeaf(string serial)
    {
        var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, serial);
        return EntrySigner.SignToLeaf(MakeEntry(Zhuzhou, EntryKinds.LicenseIssue, body.LicenseId, $"{Zhuzhou}-amr", body), IssuerKey(Zhuzhou));
    }

    /// <summary>
    /// Waits until Zhuzhou's node has signed a checkpoint of exactly <paramref name="size"/> entries and both other
    /// witnesses have cosigned it; returns its size and root.
    /// </summary>
    private async Task<(ulong Size, byte[] Root)> WaitCosignedByBothAsync(ulong size)
    {
        using var auditor = Client(Zhuzhou, CliRoles.Auditor);
        var own = await WaitAsync(async () =>
        {
            var cp = await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options());
            Assert.True(cp.Size <= size, $"Zhuzhou signed size {cp.Size}, beyond the {size} entries written");
            return cp.Size == size ? cp : null;
        }, $"Zhuzhou's checkpoint of size {size}");
        var root = Root(own.Note);
        foreach (var city in new[] { Changsha, Xiangtan })
        {
            using var op = Client(city, CliRoles.Operator);
            await WaitAsync(async () =>
            {
                var cosigned = await op.Witness.GetCosignedAsync(new CosignedCheckpointRequest { Origin = OriginOf(Zhuzhou) }, op.Options());
                return cosigned.Found && cosigned.Size >= own.Size ? cosigned : null;
            }, $"{city}'s witness cosigning Zhuzhou at size {own.Size}");
        }
        return (own.Size, root);
    }

    private async Task<List<JsonElement>> QuarantinesAsync(string city, bool inForce)
    {
        var listed = await CliAsync("witness", "quarantine", "list", "--json", "--profile", ProfilePath, "--city", city);
        Assert.True(listed.Code == 0, listed.Error);
        using var doc = JsonDocument.Parse(listed.Output);
        return [.. doc.RootElement.EnumerateArray().Where(q => q.GetProperty("inForce").GetBoolean() == inForce).Select(q => q.Clone())];
    }

    private static byte[] Root(string note) => Checkpoint.FromNote(SignedNote.Parse(note)).GetRootHash();

    private static Task<T> WaitAsync<T>(Func<Task<T?>> probe, string what) where T : class => WaitAsync(probe, what, Patience);
}
