using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Huren.Anchoring;
using Huren.Anchoring.Chain;
using Huren.Anchoring.Timestamps;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Timestamps;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Huren.Bench;

/// <summary>
/// Anchoring and time-stamping cost and latency: in each run, one node ingests with both off, then a fresh node with
/// anchoring on a real Anvil (network-config/anchor/node_modules, a block a second) and RFC 3161 time-stamping from
/// Huren's TSA (in this process) — the same number of P-256 license issues over concurrent unary calls, which one goes
/// first alternating by run — so their ratio holds on a noisy machine; then, on the anchoring node, small batches whose final checkpoint is timed until an
/// anchor covering it has K confirmations; last, Anvil is killed and the anchoring node ingests as many issues again
/// (issue 14: writes go on at full speed while the chain is down).
/// </summary>
internal static class AnchorBench
{
    private const int Confirmations = 2;
    private const int LatencyRounds = 8;

    public static async Task<List<BenchFigure>> RunAsync(BenchOptions options)
    {
        var ingestOff = new List<double>();
        var ingestOn = new List<double>();
        var ratios = new List<double>();
        var ingestDown = new List<double>();
        var downRatios = new List<double>();
        var latencies = new List<double>();
        var anvil = LocateAnvil();
        for (var run = 0; run < options.Runs; run++)
        {
            await using var chain = await LocalChain.StartAsync(anvil);
            await using var tsa = await LocalTsa.StartAsync();
            // Alternate which goes first, so that neither side always gets the colder (or the quieter) start.
            (double Rate, List<double> Latencies, double DownRate) off, onRun;
            if (run % 2 == 0)
            {
                off = await IngestAsync(options, null, null);
                onRun = await IngestAsync(options, chain, tsa);
            }
            else
            {
                onRun = await IngestAsync(options, chain, tsa);
                off = await IngestAsync(options, null, null);
            }
            var (on, runLatencies, down) = onRun;
            ingestOff.Add(off.Rate);
            ingestOn.Add(on);
            ratios.Add(on / off.Rate);
            ingestDown.Add(down);
            downRatios.Add(down / off.Rate);
            latencies.AddRange(runLatencies);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"anchor run {run + 1}: ingest off {off.Rate:0} /s, on {on:0} /s ({on / off.Rate:0.000} x), chain down {down:0} /s ({down / off.Rate:0.000} x); latencies {string.Join(", ", runLatencies.Select(l => l.ToString("0.00", CultureInfo.InvariantCulture)))} s"));
        }
        var sorted = latencies.Order().ToArray();
        var p90 = sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(0.9 * sorted.Length) - 1)];
        var note = $"{options.IngestEntries} P-256 issues, {options.Submitters} concurrent unary calls; on = anchoring (Anvil, interval 1 s, K = {Confirmations}) + RFC 3161 every 1 s";
        return
        [
            BenchFigure.Of("ingest p256 unary, anchoring + time-stamping off", "entries/s", ingestOff, note),
            BenchFigure.Of("ingest p256 unary, anchoring + time-stamping on", "entries/s", ingestOn, note),
            BenchFigure.Of("ingest on / off (same run)", "ratio", ratios, "per run: on / off"),
            BenchFigure.Of("ingest p256 unary, anchoring + time-stamping on, chain down", "entries/s", ingestDown,
                "the anchoring node after the latency rounds, Anvil killed; the anchorer's failures are checked after the ingest"),
            BenchFigure.Of("ingest chain down / off (same run)", "ratio", downRatios, "per run: chain down / off"),
            BenchFigure.Of("anchor latency: final checkpoint to K confirmations", "s", latencies,
                string.Create(CultureInfo.InvariantCulture, $"{latencies.Count} samples, p90 {p90:0.00} s; Anvil block time 1 s, K = {Confirmations}, anchoring interval 1 s, poll 200 ms")),
            BenchFigure.Of("anchor latency p90", "s", [p90], $"{latencies.Count} samples"),
        ];
    }

    private static async Task<(double Rate, List<double> Latencies, double DownRate)> IngestAsync(BenchOptions options, LocalChain? chain, LocalTsa? tsa)
    {
        var dir = Path.Combine(Path.GetTempPath(), "huren-bench-anchor-" + Guid.NewGuid().ToString("N"));
        var node = BenchNode.Open(dir);
        try
        {
            var settings = new List<string>();
            if (chain is not null)
            {
                var account = await chain.NewAnchorerAsync();
                Directory.CreateDirectory(Path.Combine(dir, "keys"));
                account.Account.WriteKeyFile(Path.Combine(dir, "keys", "anchor-account.key"));
                settings.AddRange([
                    $"--Huren:Anchoring:RpcUrl={chain.RpcUrl}", $"--Huren:Anchoring:ChainId={LocalChain.ChainId}", $"--Huren:Anchoring:Contract={account.Contract}",
                    $"--Huren:Anchoring:Confirmations={Confirmations}", "--Huren:Anchoring:Interval=00:00:01", "--Huren:Anchoring:PollInterval=00:00:00.200",
                    "--Huren:Anchoring:MaxRetryDelay=00:00:02",
                ]);
            }
            if (tsa is not null)
            {
                var roots = Path.Combine(dir, "tsa-root.pem");
                await File.WriteAllTextAsync(roots, tsa.RootPem);
                settings.AddRange([$"--Huren:Timestamping:Url={tsa.Url}", $"--Huren:Timestamping:TrustedRootsFile={roots}", "--Huren:Timestamping:Interval=00:00:01"]);
            }
            await node.StartAsync([.. settings]);
            var p256 = SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256);
            using (var op = node.Client("operator"))
            {
                await op.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = BenchLedger.RegisterIssuer(node.RootKey, BenchNode.P256Issuer, p256.PublicKey) }, op.Options());
            }
            var warm = MachineLimits.SignLeaves(p256, BenchNode.P256Issuer, 0, 500);
            await UnaryAsync(node, warm, options.Submitters);
            var leaves = MachineLimits.SignLeaves(p256, BenchNode.P256Issuer, warm.Length, options.IngestEntries);
            var (rate, _) = await UnaryAsync(node, leaves, options.Submitters);
            var latencies = new List<double>();
            if (chain is not null)
            {
                long serial = warm.Length + leaves.Length;
                for (var round = 0; round < LatencyRounds; round++)
                {
                    var batch = MachineLimits.SignLeaves(p256, BenchNode.P256Issuer, serial, 50);
                    serial += batch.Length;
                    var (_, last) = await UnaryAsync(node, batch, 8);
                    latencies.Add(await AnchorLatencyAsync(node, last + 1));
                }
                // The chain stops; the same node, anchoring and time-stamping still on, ingests as many issues again.
                await chain.StopAsync();
                var down = MachineLimits.SignLeaves(p256, BenchNode.P256Issuer, serial, options.IngestEntries);
                var (downRate, _) = await UnaryAsync(node, down, options.Submitters);
                await RequireAnchoringFailedAsync(node);
                return (rate, latencies, downRate);
            }
            return (rate, latencies, double.NaN);
        }
        finally
        {
            await node.DisposeAsync();
            Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// Seconds from the moment a checkpoint of at least <paramref name="target"/> entries is there (stand-alone: a signed
    /// checkpoint is final) until the node's last confirmed anchor covers that size. Both are polled every 20 ms.
    /// </summary>
    private static async Task<double> AnchorLatencyAsync(BenchNode node, ulong target)
    {
        using var auditor = node.Client("auditor");
        var deadline = TimeSpan.FromSeconds(120);
        var wait = Stopwatch.StartNew();
        while ((await auditor.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options())).Size < target)
        {
            if (wait.Elapsed > deadline) throw new TimeoutException($"no checkpoint of size {target} within {deadline}");
            await Task.Delay(20);
        }
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var status = await auditor.Anchoring.GetAnchorStatusAsync(new AnchorStatusRequest(), auditor.Options());
            if (status.LastConfirmed.Length > 0 && AnchorRecord.Parse(status.LastConfirmed).CheckpointOf(BenchLedger.Origin) is { } anchored && anchored.Size >= target)
            {
                return sw.Elapsed.TotalSeconds;
            }
            if (sw.Elapsed > deadline) throw new TimeoutException($"no confirmed anchor of size {target} within {deadline}: {status.LastError}");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Throws unless the node's anchorer has seen the stopped chain fail (so the chain-down rate was measured with the
    /// chain down, not before the anchorer tried it); polled every 200 ms.
    /// </summary>
    private static async Task RequireAnchoringFailedAsync(BenchNode node)
    {
        using var auditor = node.Client("auditor");
        var deadline = TimeSpan.FromSeconds(60);
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var status = await auditor.Anchoring.GetAnchorStatusAsync(new AnchorStatusRequest(), auditor.Options());
            if (status.ConsecutiveFailures > 0 && status.LastError.Length > 0)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"anchor chain down: {status.ConsecutiveFailures} consecutive failures, last error: {status.LastError}"));
                return;
            }
            if (sw.Elapsed > deadline) throw new TimeoutException($"the anchorer reported no failure within {deadline} of the chain stopping");
            await Task.Delay(200);
        }
    }

    /// <summary>Concurrent unary Submit calls over four channels; entries/s from the first call to the last answer, and the highest index written.</summary>
    private static async Task<(double Rate, ulong LastIndex)> UnaryAsync(BenchNode node, byte[][] leaves, int concurrency)
    {
        var clients = Enumerable.Range(0, 4).Select(_ => node.Client("p256")).ToArray();
        try
        {
            var next = -1;
            long last = -1;
            var sw = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
            {
                var client = clients[w % clients.Length];
                int i;
                while ((i = Interlocked.Increment(ref next)) < leaves.Length)
                {
                    var response = await client.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = leaves[i] }, client.Options());
                    if (response.Duplicate) throw new InvalidOperationException("a fresh entry was answered as a duplicate");
                    var index = (long)response.Index;
                    long seen;
                    while (index > (seen = Interlocked.Read(ref last)) && Interlocked.CompareExchange(ref last, index, seen) != seen)
                    {
                    }
                }
            })));
            return (leaves.Length / sw.Elapsed.TotalSeconds, (ulong)Interlocked.Read(ref last));
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    private static string LocateAnvil() =>
        LocalAnvil.FindPackageBinary([AppContext.BaseDirectory], out _) ?? throw new FileNotFoundException("anvil not found: run 'npm ci' in network-config/anchor");

    /// <summary>Anvil on a free loopback port with a block a second; killed on dispose.</summary>
    private sealed class LocalChain : IAsyncDisposable
    {
        public const ulong ChainId = LocalAnvil.ChainId;
        private readonly Process _process;
        private readonly LocalAnvil _anvil;

        private LocalChain(Process process, LocalAnvil anvil)
        {
            _process = process;
            _anvil = anvil;
        }

        public Uri RpcUrl => _anvil.RpcUrl;

        public static async Task<LocalChain> StartAsync(string anvilBinary)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var anvil = new LocalAnvil(((IPEndPoint)listener.LocalEndpoint).Port);
            listener.Stop();
            var start = new ProcessStartInfo(anvilBinary) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in anvil.Arguments(blockTimeSeconds: 1)) start.ArgumentList.Add(a);
            var process = Process.Start(start) ?? throw new InvalidOperationException("anvil did not start");
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var chain = new LocalChain(process, anvil);
            try
            {
                await anvil.WaitUntilReadyAsync(process, TimeSpan.FromSeconds(30));
            }
            catch
            {
                await chain.DisposeAsync();
                throw;
            }
            return chain;
        }

        /// <summary>Kills Anvil: its RPC port refuses from then on.</summary>
        public async Task StopAsync()
        {
            if (_process.HasExited) return;
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        /// <summary>A funded anchoring account and a contract that accepts it.</summary>
        public async Task<(EvmAccount Account, string Contract)> NewAnchorerAsync()
        {
            var account = EvmAccount.Generate();
            var deployed = await _anvil.DeployAsync(BenchLedger.NetworkId, [account]);
            return (account, deployed.Address);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _process.Dispose();
            _anvil.Dispose();
        }
    }

    /// <summary>Huren's RFC 3161 TSA served from this process on a free loopback port.</summary>
    private sealed class LocalTsa : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private LocalTsa(WebApplication app, string url, string rootPem)
        {
            _app = app;
            Url = url;
            RootPem = rootPem;
        }

        public string Url { get; }

        public string RootPem { get; }

        public static async Task<LocalTsa> StartAsync()
        {
            var made = TimestampAuthority.CreateLocalCertificates("Huren bench", TimeSpan.FromDays(2));
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Path.GetTempPath() });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            var app = builder.Build();
            app.MapTimestampAuthority("/tsa", made.CreateAuthority());
            await app.StartAsync();
            var address = app.Urls.First().TrimEnd('/');
            return new LocalTsa(app, address + "/tsa", made.RootCertificatePem);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
