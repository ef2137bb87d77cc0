using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Grpc.Health.V1;
using Huren.Cli;
using Huren.Cli.Profiles;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Evidence;

namespace Huren.Bench;

/// <summary>
/// <c>network</c>: the 长株潭 network made by <c>huren network init</c> in a temp folder and run as three node processes
/// on loopback (Release build of the node), every witness recomputing the status map before it cosigns. Per license:
/// the time from the start of <c>huren license issue</c> at Changsha (in this process: channel, signing, submit,
/// commit) until a Zhuzhou counter gets VALID with evidence that verifies here and rests on a final checkpoint.
/// </summary>
internal static class NetworkBench
{
    private const string Changsha = "430100", Zhuzhou = "430200";
    private const string BusinessLicense = "11100000HUREN0001P001";

    public static async Task<List<BenchFigure>> RunAsync(BenchOptions options)
    {
        var dir = Path.Combine(Path.GetTempPath(), "huren-bench-net-" + Guid.NewGuid().ToString("N"));
        var processes = new List<Process>();
        try
        {
            var basePort = FreePorts(3);
            await CliAsync("network", "init", "--dir", dir, "--base-port", basePort.ToString(CultureInfo.InvariantCulture));
            var profilePath = Path.Combine(dir, "cli.json");
            var profile = CliProfile.Load(profilePath);
            var genesis = profile.LoadGenesis();
            var trusted = genesis.Members.Select(m => m.TlsCertificateSha256).ToList();
            foreach (var city in profile.Cities) processes.Add(StartNode(Path.Combine(dir, city.CityCode)));
            foreach (var city in profile.Cities) await WaitHealthyAsync(new Uri(city.Endpoint), trusted, processes);
            Console.Error.WriteLine("network: three nodes up");

            await CliAsync("issuer", "register", "--city", Changsha, "--id", $"{Changsha}-amr", "--name", "长沙市市场监督管理局",
                "--authority-code", Uscc("11430100HUREN0101"), "--license-types", BusinessLicense, "--profile", profilePath);
            var counter = profile.City(Zhuzhou).Credentials.First(c => c.Role == CliRoles.Counter);
            using var zhuzhou = new HurenClient(new Uri(profile.City(Zhuzhou).Endpoint), new ClientIdentity(counter.Principal, profile.LoadSigningKey(counter.PrivateKey), Zhuzhou),
                TimeSpan.FromSeconds(10), PinnedTls.CreateHandler(trusted));
            var verifier = new EvidenceVerifier(genesis);

            // One warm-up license, then --network-licenses measured ones, one at a time.
            var latencies = new List<double>();
            for (var i = 0; i <= options.NetworkLicenses; i++)
            {
                var clock = Stopwatch.StartNew();
                var issued = await CliAsync("license", "issue", "--city", Changsha, "--type", "营业执照", "--serial", (900000 + i).ToString(CultureInfo.InvariantCulture),
                    "--holder-name", "长沙基准测试有限公司", "--holder-code", Uscc("91430100HUREN0201"), "--field", "类型=有限责任公司", "--field", "住所=湖南省长沙市岳麓区",
                    "--field", "成立日期=2024-03-01", "--field", "经营范围=软件开发", "--json", "--profile", profilePath);
                var license = JsonDocument.Parse(issued).RootElement.GetProperty("recordId").GetString()!;
                await WaitFinalAsync(zhuzhou, verifier, license, TimeSpan.FromSeconds(60));
                if (i > 0) latencies.Add(clock.Elapsed.TotalMilliseconds);
            }
            return
            [
                BenchFigure.Of("issue → VALID with final, verified evidence at another city (three node processes, witnesses recomputing the map)", "ms", latencies,
                    $"{latencies.Count} licenses one after another (runs = licenses); from the start of 'huren license issue' at {Changsha} until a {Zhuzhou} counter's answer verifies final"),
            ];
        }
        finally
        {
            StopAndDelete(processes, dir);
        }
    }

    /// <summary>
    /// Mirror catch-up between two node processes with peer TLS: Changsha alone writes N Ed25519 license issues (atomic
    /// batches of <c>--batch-size</c> over <c>SubmitBatch</c>, the full write path, also timed); then Zhuzhou starts and
    /// its mirror follows Changsha over mutually authenticated TLS, checking every signature, the origin's rules and
    /// every batch checkpoint's root; entries/s from Zhuzhou serving until its copy of Changsha holds all N. Both
    /// rates are divided by the raw all-core Ed25519 check rate on the same leaves, measured in the same run.
    /// </summary>
    public static async Task<List<BenchFigure>> MirrorAsync(BenchOptions options)
    {
        var write = new List<double>();
        var catchUp = new List<double>();
        var raw = new List<double>();
        var (mirrorCpuPerEntry, originCpuPerEntry, verifyCpu) = (new List<double>(), new List<double>(), new List<double>());
        var entries = (int)options.MirrorEntries;
        for (var run = 0; run < options.Runs; run++)
        {
            var dir = Path.Combine(Path.GetTempPath(), "huren-bench-mirror-" + Guid.NewGuid().ToString("N"));
            var processes = new List<Process>();
            try
            {
                var basePort = FreePorts(3);
                await CliAsync("network", "init", "--dir", dir, "--base-port", basePort.ToString(CultureInfo.InvariantCulture));
                var profile = CliProfile.Load(Path.Combine(dir, "cli.json"));
                var trusted = profile.LoadGenesis().Members.Select(m => m.TlsCertificateSha256).ToList();
                if (profile.NetworkId != BenchLedger.NetworkId) throw new InvalidOperationException($"network init made network '{profile.NetworkId}', the bench's entries are for '{BenchLedger.NetworkId}'");
                var changsha = profile.City(Changsha);
                processes.Add(StartNode(Path.Combine(dir, Changsha)));
                await WaitHealthyAsync(new Uri(changsha.Endpoint), trusted, processes);

                var op = changsha.Credentials.First(c => c.Role == CliRoles.Operator);
                using var writer = new HurenClient(new Uri(changsha.Endpoint), new ClientIdentity(op.Principal, profile.LoadSigningKey(op.PrivateKey), Changsha),
                    TimeSpan.FromSeconds(60), PinnedTls.CreateHandler(trusted));
                var issuerKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
                const string issuer = "430100-bench";
                await writer.SubmitBatchAsync([BenchLedger.RegisterIssuer(profile.LoadSigningKey(changsha.RootKey!), issuer, issuerKey.PublicKey)]);
                var leaves = MachineLimits.SignLeaves(issuerKey, issuer, 0, entries);
                raw.Add(MachineLimits.VerifyRate(issuerKey, leaves, Environment.ProcessorCount));
                var clock = Stopwatch.StartNew();
                var next = -1;
                await Task.WhenAll(Enumerable.Range(0, options.Streams).Select(_ => Task.Run(async () =>
                {
                    int b;
                    while ((b = Interlocked.Increment(ref next)) * options.BatchSize < leaves.Length)
                    {
                        var start = b * options.BatchSize;
                        await writer.SubmitBatchAsync(leaves[start..Math.Min(leaves.Length, start + options.BatchSize)]);
                    }
                })));
                write.Add(entries / clock.Elapsed.TotalSeconds);
                var size = (ulong)entries + 1;
                Console.Error.WriteLine($"mirror: Changsha holds {size} entries ({write[^1]:F0} entries/s); starting Zhuzhou");

                var zhuzhou = profile.City(Zhuzhou);
                processes.Add(StartNode(Path.Combine(dir, Zhuzhou)));
                await WaitHealthyAsync(new Uri(zhuzhou.Endpoint), trusted, processes);
                var reader = zhuzhou.Credentials.First(c => c.Role == CliRoles.Counter);
                using var follower = new HurenClient(new Uri(zhuzhou.Endpoint), new ClientIdentity(reader.Principal, profile.LoadSigningKey(reader.PrivateKey), Zhuzhou),
                    TimeSpan.FromSeconds(10), PinnedTls.CreateHandler(trusted));
                var origin = BenchLedger.Origin;
                // The mirror starts before the node reports healthy: count only what it stores from here, with the CPU
                // both processes spend meanwhile (robust to a noisy machine where the rate is not).
                var start = await HeldAsync(follower, origin);
                var (originCpu, mirrorCpu) = (processes[0].TotalProcessorTime, processes[1].TotalProcessorTime);
                clock.Restart();
                var deadline = TimeSpan.FromSeconds(Math.Max(120, entries / 200.0));
                var held = start;
                while (held < size)
                {
                    if (clock.Elapsed > deadline) throw new TimeoutException($"Zhuzhou's copy of {origin} held {held} of {size} entries after {deadline.TotalSeconds:0} s");
                    held = await HeldAsync(follower, origin);
                    if (held < size) await Task.Delay(20);
                }
                var counted = size - start;
                catchUp.Add(counted / clock.Elapsed.TotalSeconds);
                mirrorCpuPerEntry.Add((processes[1].TotalProcessorTime - mirrorCpu).TotalMicroseconds / counted);
                originCpuPerEntry.Add((processes[0].TotalProcessorTime - originCpu).TotalMicroseconds / counted);
                verifyCpu.Add(1e6 * Environment.ProcessorCount / raw[^1]);
                Console.Error.WriteLine($"mirror: Zhuzhou caught up {counted} entries (of {size}) at {catchUp[^1]:F0} entries/s; CPU per entry {mirrorCpuPerEntry[^1]:F0} µs "
                    + $"(Changsha serving {originCpuPerEntry[^1]:F0} µs; one raw verify {verifyCpu[^1]:F0} µs)");
            }
            finally
            {
                StopAndDelete(processes, dir);
            }
        }
        var note = $"{entries} Ed25519 license issues (≈ 700-byte leaves)";
        return
        [
            BenchFigure.Of("raw verify Ed25519 (mirror leaves)", "entries/s", raw, "all cores, same leaves"),
            BenchFigure.Of("write path: SubmitBatch into a node process (TLS)", "entries/s", write, $"{note}, {options.Streams} callers × {options.BatchSize} entries per call"),
            BenchFigure.Of("write path / raw verify", "ratio", write.Zip(raw, (w, r) => w / r).ToList(), note),
            BenchFigure.Of("mirror catch-up, two node processes, peer TLS", "entries/s", catchUp, $"{note}; from the second node serving until its copy holds them all"),
            BenchFigure.Of("mirror catch-up (processes) / raw verify", "ratio", catchUp.Zip(raw, (c, r) => c / r).ToList(), note),
            BenchFigure.Of("mirror: Zhuzhou's CPU per entry mirrored", "µs", mirrorCpuPerEntry, "process CPU time (all threads) over the catch-up ÷ entries stored meanwhile"),
            BenchFigure.Of("mirror: Changsha's CPU per entry served", "µs", originCpuPerEntry, "the origin's process CPU time over the same interval"),
            BenchFigure.Of("mirror: CPU per entry, both nodes, in raw verifies", "ratio", mirrorCpuPerEntry.Select((m, i) => (m + originCpuPerEntry[i]) / verifyCpu[i]).ToList(),
                "one raw verify = cores ÷ the all-core raw rate; 1.0 would be a mirror that only checks signatures"),
        ];
    }

    // Zhuzhou's copy of the origin's size, 0 while the mirror is not open yet.
    private static async Task<ulong> HeldAsync(HurenClient client, string origin)
    {
        try
        {
            return (await client.Ledger.GetEntriesAsync(new GetEntriesRequest { Origin = origin, Start = 0, Count = 1 }, client.Options())).TreeSize;
        }
        catch (Grpc.Core.RpcException ex) when (ex.StatusCode is Grpc.Core.StatusCode.NotFound or Grpc.Core.StatusCode.Unavailable)
        {
            return 0;
        }
    }

    /// <summary>Asks Zhuzhou (held until final by the node, at most 2 s a call) until the answer's evidence verifies here, VALID and final.</summary>
    private static async Task WaitFinalAsync(HurenClient client, EvidenceVerifier verifier, string license, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            try
            {
                var answer = await client.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = license, WaitFinalMs = 2000 }, client.Options());
                if (answer.Verdict == LicenseVerdict.Valid
                    && verifier.Verify(answer.EvidenceBundle, LicenseVerdictRules.DayOf(DateTimeOffset.UtcNow), out _) is { IsValid: true, Final: true })
                {
                    return;
                }
            }
            catch (Grpc.Core.RpcException ex) when (ex.StatusCode is Grpc.Core.StatusCode.NotFound or Grpc.Core.StatusCode.Unavailable)
            {
                // Not mirrored yet, or its checkpoint not there yet.
            }
            await Task.Delay(5);
        }
        throw new TimeoutException($"{license} was not VALID and final at {Zhuzhou} within {timeout.TotalSeconds:0} s");
    }

    internal static Process StartNode(string cityDir)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = cityDir };
        foreach (var a in new[] { "exec", NodeDll(), $"--contentRoot={cityDir}" }) psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        var log = new StreamWriter(Path.Combine(cityDir, "node.log"), append: true) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static async Task WaitHealthyAsync(Uri endpoint, IReadOnlyCollection<string> trusted, List<Process> processes)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (processes.Find(p => p.HasExited) is { } exited) throw new InvalidOperationException($"a node exited with {exited.ExitCode}");
            try
            {
                using var client = new HurenClient(endpoint, null, TimeSpan.FromSeconds(10), PinnedTls.CreateHandler(trusted));
                var answer = await new Health.HealthClient(client.Channel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
                if (answer.Status == HealthCheckResponse.Types.ServingStatus.Serving) return;
            }
            catch (Grpc.Core.RpcException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"the node at {endpoint} did not become healthy within 120 s");
    }

    /// <summary>
    /// <c>$HUREN_NODE</c> when set (a Huren.Node.dll, e.g. a ReadyToRun publish), else the node's own build in the
    /// bench's configuration (the bench's project reference builds it).
    /// </summary>
    private static string NodeDll()
    {
        var chosen = Environment.GetEnvironmentVariable("HUREN_NODE");
        if (!string.IsNullOrEmpty(chosen)) return File.Exists(chosen) ? Path.GetFullPath(chosen) : throw new FileNotFoundException($"HUREN_NODE='{chosen}' does not exist");
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = baseDir.Parent!.Name;
        for (var dir = baseDir; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "node", "Huren.Node", "bin", configuration, "net10.0", "Huren.Node.dll");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("Huren.Node.dll not found next to the bench's build");
    }

    /// <summary>A base port with it and the next two free on loopback.</summary>
    internal static int FreePorts(int count)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var port = Random.Shared.Next(20_000, 40_000);
            var listeners = new List<TcpListener>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var listener = new TcpListener(IPAddress.Loopback, port + i);
                    listener.Start();
                    listeners.Add(listener);
                }
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
            finally
            {
                foreach (var listener in listeners) listener.Stop();
            }
        }
        throw new InvalidOperationException("no free loopback ports");
    }

    internal static async Task<string> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error);
        if (code != 0) throw new InvalidOperationException($"huren {string.Join(' ', args)} exited {code}: {error}{output}");
        return output.ToString();
    }

    internal static string Uscc(string first17) => first17 + Huren.Schemas.Validation.UnifiedSocialCreditCode.ComputeCheckChar(first17);

    /// <summary>
    /// Kills the bench's node processes (with their children) and deletes their folder; HUREN_BENCH_KEEP=1, or a run
    /// that <paramref name="failed"/>, keeps the folder (each city's node.log) for a look after the run.
    /// </summary>
    internal static void StopAndDelete(IEnumerable<Process> processes, string dir, bool failed = false)
    {
        foreach (var process in processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
            process.Dispose();
        }
        try
        {
            if (failed || Environment.GetEnvironmentVariable("HUREN_BENCH_KEEP") == "1") Console.Error.WriteLine($"bench: kept {dir}");
            else Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean up with the temp folder.
        }
    }
}
