using System.Diagnostics;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Sdk.Entries;
using Huren.Sdk.StatusMap;
using Huren.Sdk.Crypto;
using Huren.Sdk.Notes;
using Huren.Sdk.Tests;

namespace Huren.Node.Tests.Log;

/// <summary>
/// Kills a child process that appends under load (SIGKILL, at random moments) and checks after every kill that
/// nothing acknowledged was lost, the tree is consistent with the last checkpoint, and appending goes on.
/// </summary>
public class CrashTests
{
    private const string Origin = "huren.crash/430100";

    internal static string HarnessPath()
    {
        // The harness is built beside this assembly's configuration: tests/Huren.Node.CrashHarness/bin/<cfg>/net10.0.
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = baseDir.Parent!.Name;
        for (var dir = baseDir; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Huren.Node.CrashHarness", "bin", configuration, "net10.0", "Huren.Node.CrashHarness.dll");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("Huren.Node.CrashHarness.dll not found; build the solution first");
    }

    [Fact]
    public async Task Append_after_crash_keeps_every_acknowledged_entry()
    {
        using var dir = new TempDir();
        var seed = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var harness = HarnessPath();
        var verifier = new CheckpointVerifier(new CheckpointSigner(Origin, SigningKey.FromEd25519Seed(Convert.FromHexString(seed)), null).LogVerifierKey);
        var random = new Random(20261123);
        var acknowledged = new Dictionary<ulong, string>();
        long pruned = 0;
        ulong sizeBefore = 0;
        const int cycles = 22;
        for (var cycle = 0; cycle < cycles; cycle++)
        {
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { "exec", harness, dir.Path, seed, "8" }) psi.ArgumentList.Add(a);
            using var child = Process.Start(psi)!;
            var stderr = child.StandardError.ReadToEndAsync();
            // Kill at a random moment: after a random number of acknowledgements, or a random delay, whichever is first.
            var killAfterAcks = random.Next(1, 600);
            var killAfter = TimeSpan.FromMilliseconds(random.Next(50, 900));
            var sw = Stopwatch.StartNew();
            var acksThisCycle = 0;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (acksThisCycle < killAfterAcks)
            {
                var readTask = child.StandardOutput.ReadLineAsync(timeout.Token).AsTask();
                var remaining = acksThisCycle == 0 ? TimeSpan.FromSeconds(30) : killAfter - sw.Elapsed;
                if (remaining <= TimeSpan.Zero || await Task.WhenAny(readTask, Task.Delay(remaining)) != readTask) break;
                var line = await readTask;
                if (line is null) break;
                var parts = line.Split(' ');
                if (parts is ["ACK", var index, var hash])
                {
                    acknowledged[ulong.Parse(index, System.Globalization.CultureInfo.InvariantCulture)] = hash;
                    acksThisCycle++;
                }
                else if (parts is ["PRUNED", _, var deleted])
                {
                    pruned += long.Parse(deleted, System.Globalization.CultureInfo.InvariantCulture);
                }
            }
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync();
            Assert.True(acksThisCycle > 0, $"cycle {cycle}: the harness acknowledged nothing; stderr: {await stderr}");

            using var db = RocksStore.Open(dir.Path);
            // Read before the log is opened (opening catches a lagging map up): the map was written with every batch.
            var mapVersion = new StatusMapRows(db, Origin).LatestVersion() ?? 0;
            var log = new MerkleLog(new LogStore(db, Origin));
            Assert.Equal(log.Size, mapVersion);
            Assert.True(log.Size >= sizeBefore, $"cycle {cycle}: log shrank from {sizeBefore} to {log.Size}");
            foreach (var (index, hash) in acknowledged)
            {
                Assert.True(index < log.Size, $"cycle {cycle}: acknowledged index {index} is beyond the reopened size {log.Size}");
                Assert.Equal(hash, Convert.ToHexStringLower(log.LeafHashAt(index)));
            }
            var checkpoint = log.Store.GetLatestCheckpoint();
            Assert.NotNull(checkpoint);
            Assert.True(checkpoint.Value.Size <= log.Size);
            var verified = verifier.Verify(checkpoint.Value.Note);
            Assert.True(verified.IsValid, verified.Failure);
            Assert.Equal(checkpoint.Value.Size, verified.Checkpoint!.Size);
            Assert.Equal(log.RootAt(checkpoint.Value.Size), verified.Checkpoint.GetRootHash());
            // The checkpoint's map line is the map of its size, and the map holds every acknowledged record's entry.
            Assert.True(StatusMapLine.TryFind(verified.Checkpoint, out var mapRoot, out var lineError), lineError);
            Assert.Equal(log.StatusMap.RootFor(checkpoint.Value.Size), mapRoot);
            foreach (var (index, hash) in acknowledged)
            {
                var recordId = LeafReader.Read(log.GetLeaf(index)!).Entry.RecordId;
                Assert.True(log.StatusMap.Tree.TryGetValue(log.Size, StatusMapKey.ForRecord(recordId), out var value, out var valueError), valueError);
                Assert.Equal(hash, value?.ToHex());
            }
            Assert.Equal(log.Root, log.RootAt(log.Size));
            sizeBefore = log.Size;
        }
        // Appending went on across the restarts, and so did pruning the map down to its latest version (the checks above
        // read the latest version and the checkpoint's after each kill).
        Assert.True(sizeBefore > (ulong)cycles, $"only {sizeBefore} entries after {cycles} cycles");
        Assert.True(pruned > 0, "the harness pruned nothing of the map");
    }
}
