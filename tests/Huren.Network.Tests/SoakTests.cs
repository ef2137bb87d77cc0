using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Grpc.Core;
using Huren.Cli.Profiles;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Huren.Sdk.Notes;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>Runs only with <c>HUREN_SOAK=1</c> (see tests/soak/run-soak.sh): a soak takes minutes to hours.</summary>
public sealed class SoakFactAttribute : FactAttribute
{
    public SoakFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("HUREN_SOAK") != "1") Skip = "set HUREN_SOAK=1 (and HUREN_SOAK_CYCLES) to run the kill -9 soak; tests/soak/run-soak.sh does";
    }
}

/// <summary>
/// Issue 20, item 3: Zhuzhou's node is killed with SIGKILL at random moments while several clients submit entries to it
/// at once, and started again, <c>HUREN_SOAK_CYCLES</c> times. After every restart each entry acknowledged so far in the
/// cycle is in its log at its index with its leaf hash, and both other cities' mirrors hold a checkpoint the node's log
/// is consistent with; at the end every acknowledged entry is checked again, the mirrors reach the node's size and root,
/// <c>huren audit log</c> finds no fault in the node's log (as the node holds it and as Changsha mirrors it), and no
/// witness has quarantined the node.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output) : ThreeCityNetwork(output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);

    private string ProfilePath => Path.Combine(Dir, "cli.json");

    [SoakFact]
    public async Task A_node_killed_with_SIGKILL_under_concurrent_load_loses_no_acknowledged_entry_and_the_network_converges()
    {
        var cycles = EnvInt("HUREN_SOAK_CYCLES", 3);
        var clients = EnvInt("HUREN_SOAK_CLIENTS", 4);
        var seed = EnvInt("HUREN_SOAK_SEED", Environment.TickCount & 0x7fffffff);
        // On a shared machine a cycle can take a minute: with a budget, no cycle starts after it and the checks at the
        // end run on the cycles done (the result line says how many).
        var budget = TimeSpan.FromMinutes(EnvInt("HUREN_SOAK_MAX_MINUTES", int.MaxValue / 60_000));
        Output.WriteLine($"soak: {cycles} cycles, {clients} clients, seed {seed}, budget {budget.TotalMinutes:0} min");
        var random = new Random(seed);
        var started = Stopwatch.StartNew();

        await RegisterIssuerAsync(Zhuzhou, LedgerBodies.Issuer($"{Zhuzhou}-amr", LedgerBodies.ChangshaAmrCode, IssuerKey(Zhuzhou).PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: true, region: Zhuzhou));

        var load = new Load();
        using var stopLoad = new CancellationTokenSource();
        var workers = Enumerable.Range(0, clients).Select(c => Task.Run(() => SubmitUntilStoppedAsync(c, load, stopLoad.Token))).ToArray();
        var verified = new HashSet<ulong>();
        try
        {
            for (var cycle = 0; cycle < cycles; cycle++)
            {
                if (started.Elapsed > budget)
                {
                    Output.WriteLine($"time budget of {budget.TotalMinutes:0} min reached after {cycle} cycles");
                    break;
                }
                // Kill while the clients are writing: once this cycle has acknowledgements, at a random moment after.
                var before = load.Acknowledged.Count;
                await WaitUntilAsync(() => load.Acknowledged.Count > before, $"cycle {cycle}: a first acknowledgement", load);
                await Task.Delay(random.Next(50, 1500));
                Nodes[Zhuzhou].Stop(); // Process.Kill: SIGKILL to the node's process tree
                load.Kills++;
                await Nodes[Zhuzhou].StartAsync();

                await CheckAcknowledgedAsync(load, verified, $"cycle {cycle}");
                await CheckMirrorsConsistentAsync($"cycle {cycle}");
                if (cycle % 5 == 4 || cycle == cycles - 1)
                {
                    // Progress for a long run, readable while it runs (the test output shows only at the end).
                    if (Environment.GetEnvironmentVariable("HUREN_SOAK_PROGRESS") is { Length: > 0 } progress)
                    {
                        await File.AppendAllTextAsync(progress, $"{DateTime.UtcNow:HH:mm:ss} cycle {cycle + 1}: {load.Acknowledged.Count} acknowledged, {load.Retries} retries, {started.Elapsed.TotalSeconds:0} s\n");
                    }
                    Output.WriteLine($"cycle {cycle + 1}: {load.Acknowledged.Count} acknowledged, {load.Retries} retried submissions, {started.Elapsed.TotalSeconds:0} s");
                }
            }
        }
        finally
        {
            await stopLoad.CancelAsync();
            await Task.WhenAll(workers);
        }
        Assert.True(load.Unexpected.IsEmpty, $"refusals other than the node being down: {string.Join("; ", load.Unexpected.Take(5))}");

        // The end: once the node's log is still (entries sent just before the clients stopped may land after), its
        // checkpoint covers it, the mirrors reach that size with the same root, and every acknowledgement holds.
        var (size, root) = await WaitConvergedAsync();
        verified.Clear();
        await CheckAcknowledgedAsync(load, verified, "end");
        Assert.Equal(load.Acknowledged.Count, verified.Count);
        foreach (var city in new[] { Changsha, Xiangtan }) Assert.Empty(await QuarantinesInForceAsync(city));
        foreach (var asHeldBy in new[] { Zhuzhou, Changsha })
        {
            var audit = await CliAsync("audit", "log", Zhuzhou, "--city", asHeldBy, "--profile", ProfilePath, "--json");
            Assert.True(audit.Code == 0, $"audit log of Zhuzhou as held by {asHeldBy}: exit {audit.Code}: {audit.Output}{audit.Error}");
            using var report = JsonDocument.Parse(audit.Output);
            Assert.Equal(0, report.RootElement.GetProperty("faultCount").GetInt32());
            Output.WriteLine($"audit log as held by {asHeldBy}: {report.RootElement.GetProperty("entries").GetUInt64()} entries, 0 faults");
        }
        Output.WriteLine($"SOAK RESULT: {load.Kills} kill -9 cycles, {clients} clients, {load.Acknowledged.Count} acknowledged entries all present with their leaf hashes, " +
            $"log size {size}, {load.Retries} retried submissions, {started.Elapsed.TotalSeconds:0} s, mirrors at size {size} with the same root, audits clean, lost 0");
    }

    /// <summary>What the clients saw: acknowledged indexes with their leaf hashes, retries and unexpected refusals.</summary>
    private sealed class Load
    {
        public ConcurrentDictionary<ulong, string> Acknowledged { get; } = new();
        public ConcurrentQueue<string> Unexpected { get; } = new();
        public int Kills;
        public int Retries;
    }

    /// <summary>
    /// One client: submits licenses one after another; a submission whose answer is lost (the node died) is sent again
    /// with the same bytes until answered, so an entry made durable before the kill comes back as a duplicate with its index.
    /// </summary>
    private async Task SubmitUntilStoppedAsync(int client, Load load, CancellationToken stop)
    {
        var key = IssuerKey(Zhuzhou);
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, $"K{client}{i:D6}");
            var leaf = EntrySigner.SignToLeaf(MakeEntry(Zhuzhou, EntryKinds.LicenseIssue, body.LicenseId, $"{Zhuzhou}-amr", body), key);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var issuer = Client(Zhuzhou, CliRoles.Issuer);
                    var answer = await issuer.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaf }, issuer.Options(stop));
                    var expected = MerkleHash.LeafHash(leaf).ToHex();
                    if (Convert.ToHexStringLower(answer.LeafHash) != expected) load.Unexpected.Enqueue($"index {answer.Index}: acknowledged leaf hash {Convert.ToHexStringLower(answer.LeafHash)}, submitted {expected}");
                    if (!load.Acknowledged.TryAdd(answer.Index, expected) && load.Acknowledged[answer.Index] != expected)
                    {
                        load.Unexpected.Enqueue($"index {answer.Index} acknowledged for two different entries");
                    }
                    break;
                }
                catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Cancelled or StatusCode.Internal or StatusCode.Unknown)
                {
                    // The node is down, starting, or checking its log (write gate): retry the same bytes.
                    if (stop.IsCancellationRequested) return;
                    Interlocked.Increment(ref load.Retries);
                    await Task.Delay(100, CancellationToken.None);
                }
                catch (RpcException ex)
                {
                    load.Unexpected.Enqueue($"client {client}: {ex.StatusCode}: {ex.Status.Detail}");
                    break;
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Every acknowledgement not checked yet: the node's log holds that leaf hash at that index.</summary>
    private async Task CheckAcknowledgedAsync(Load load, HashSet<ulong> verified, string when)
    {
        var pending = load.Acknowledged.Keys.Where(i => !verified.Contains(i)).Order().ToList();
        if (pending.Count == 0) return;
        using var auditor = Client(Zhuzhou, CliRoles.Auditor);
        var next = 0;
        while (next < pending.Count)
        {
            var start = pending[next];
            var page = await WaitAsync(async () => await auditor.Ledger.GetEntriesAsync(new GetEntriesRequest { Start = start, Count = 1000 }, auditor.Options()),
                $"{when}: entries from {start}");
            Assert.True(page.Entries.Count > 0, $"{when}: acknowledged index {start} is beyond the node's log of {page.TreeSize} entries (lost)");
            foreach (var entry in page.Entries)
            {
                if (next >= pending.Count || entry.Index != pending[next]) continue;
                var hash = MerkleHash.LeafHash(entry.Leaf).ToHex();
                Assert.True(hash == load.Acknowledged[entry.Index], $"{when}: index {entry.Index} holds leaf hash {hash}, acknowledged {load.Acknowledged[entry.Index]}");
                verified.Add(entry.Index);
                next++;
            }
            var lastInPage = page.Entries[^1].Index;
            while (next < pending.Count && pending[next] <= lastInPage)
            {
                Assert.Fail($"{when}: acknowledged index {pending[next]} is missing from the page read");
            }
        }
    }

    /// <summary>Each other city's mirror of Zhuzhou holds a checkpoint that Zhuzhou's current log is consistent with.</summary>
    private async Task CheckMirrorsConsistentAsync(string when)
    {
        using var zhuzhou = Client(Zhuzhou, CliRoles.Auditor);
        foreach (var city in new[] { Changsha, Xiangtan })
        {
            using var auditor = Client(city, CliRoles.Auditor);
            var mirrored = await WaitAsync(async () => await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = OriginOf(Zhuzhou) }, auditor.Options()), $"{when}: {city}'s mirror of Zhuzhou");
            // The node's latest checkpoint once it covers the mirror's (it may be behind for a moment after the restart).
            var own = await WaitAsync(async () =>
            {
                var cp = await zhuzhou.Ledger.GetCheckpointAsync(new CheckpointRequest(), zhuzhou.Options());
                return cp.Size >= mirrored.Size ? cp : null;
            }, $"{when}: Zhuzhou's checkpoint at or beyond {city}'s mirror (size {mirrored.Size})");
            var proof = await zhuzhou.Ledger.GetConsistencyProofAsync(new ConsistencyProofRequest { FromSize = mirrored.Size, ToSize = own.Size }, zhuzhou.Options());
            Assert.True(MerkleProofVerifier.TryVerifyConsistency(mirrored.Size, own.Size, Root(mirrored.Note), Root(own.Note), proof.Hashes, out var error),
                $"{when}: {city}'s mirror of Zhuzhou at size {mirrored.Size} is not a prefix of Zhuzhou's log at {own.Size}: {error}");
        }
    }

    /// <summary>
    /// Waits (load stopped) until the node's latest checkpoint covers its whole log and both other cities' mirrors of it
    /// hold a checkpoint of that size with the same root; returns that size and root.
    /// </summary>
    private async Task<(ulong Size, byte[] Root)> WaitConvergedAsync()
    {
        using var zhuzhou = Client(Zhuzhou, CliRoles.Auditor);
        using var changsha = Client(Changsha, CliRoles.Auditor);
        using var xiangtan = Client(Xiangtan, CliRoles.Auditor);
        var last = "";
        var converged = await WaitAsync(async () =>
        {
            var size = (await zhuzhou.Ledger.GetEntriesAsync(new GetEntriesRequest { Start = 0, Count = 1 }, zhuzhou.Options())).TreeSize;
            var own = await zhuzhou.Ledger.GetCheckpointAsync(new CheckpointRequest(), zhuzhou.Options());
            var atChangsha = await changsha.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = OriginOf(Zhuzhou) }, changsha.Options());
            var atXiangtan = await xiangtan.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = OriginOf(Zhuzhou) }, xiangtan.Options());
            last = $"log {size}, checkpoint {own.Size}, Changsha's mirror {atChangsha.Size}, Xiangtan's mirror {atXiangtan.Size}";
            if (own.Size != size || atChangsha.Size != size || atXiangtan.Size != size) return null;
            var root = Convert.ToHexStringLower(Root(own.Note));
            Assert.Equal(root, Convert.ToHexStringLower(Root(atChangsha.Note)));
            Assert.Equal(root, Convert.ToHexStringLower(Root(atXiangtan.Note)));
            return own;
        }, "the node's checkpoint of its whole log and both mirrors at that size", () => last);
        return (converged.Size, Root(converged.Note));
    }

    private async Task<List<JsonElement>> QuarantinesInForceAsync(string city)
    {
        var listed = await CliAsync("witness", "quarantine", "list", "--json", "--profile", ProfilePath, "--city", city);
        Assert.True(listed.Code == 0, listed.Error);
        using var doc = JsonDocument.Parse(listed.Output);
        return [.. doc.RootElement.EnumerateArray().Where(q => q.GetProperty("inForce").GetBoolean()).Select(q => q.Clone())];
    }

    private static byte[] Root(string note) => Checkpoint.FromNote(SignedNote.Parse(note)).GetRootHash();

    private static int EnvInt(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static async Task WaitUntilAsync(Func<bool> condition, string what, Load load)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"timed out waiting for {what}; unexpected refusals: {string.Join("; ", load.Unexpected.Take(5))}");
            await Task.Delay(20);
        }
    }

    private static Task<T> WaitAsync<T>(Func<Task<T?>> probe, string what, Func<string>? state = null) where T : class =>
        WaitAsync(probe, what, Patience, state);
}
