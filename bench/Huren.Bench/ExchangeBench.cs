using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Huren.Cli.Profiles;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Bench;

/// <summary>
/// <c>exchange</c> (issue 11): cross-city data exchange between three node processes of the 长株潭 network on loopback
/// (peer mutual TLS, RocksDB and content stores in a temp folder). Changsha's market regulator publishes an
/// unconditional catalogue resource and many records of 4 KB; Zhuzhou's market regulator asks its own node for them
/// with <c>--requesters</c> concurrent requesters. One exchange is timed from the start of the department's request
/// (<see cref="HurenClient.RequestShareAsync"/>: Zhuzhou's node forwards it, Changsha's node checks it and appends the
/// share entry durably, streams the record, Zhuzhou's node checks and stores it) through the receipt entry written in
/// Zhuzhou's log and the record fetched by the department, until both the share and the receipt are covered by final
/// (witness-cosigned) checkpoints of their logs, as seen by a follower of each log on its own node that checks the
/// checkpoint's log signature and cosignatures against the genesis. Also a 100 MB file through an exchange against a
/// raw TLS copy of the same bytes over loopback in this process.
/// </summary>
internal static class ExchangeBench
{
    private const string Changsha = "430100", Zhuzhou = "430200";
    private const string Resource = "R-BENCH";
    private const string Purpose = "企业跨域经营备案";
    private const string DataField = "data", FileField = "document";
    private const int RecordBytes = 4096;

    // Unreported transfers (and raw copies) before the measured ones.
    private const int TransferWarmups = 2;
    private static readonly string ProviderId = $"{Changsha}-amr", ConsumerId = $"{Zhuzhou}-amr";

    public static async Task<List<BenchFigure>> RunAsync(BenchOptions options)
    {
        var dir = Path.Combine(Path.GetTempPath(), "huren-bench-exchange-" + Guid.NewGuid().ToString("N"));
        var processes = new List<Process>();
        using var stop = new CancellationTokenSource();
        var completed = false;
        try
        {
            var basePort = NetworkBench.FreePorts(3);
            await NetworkBench.CliAsync("network", "init", "--dir", dir, "--base-port", basePort.ToString(CultureInfo.InvariantCulture));
            var profilePath = Path.Combine(dir, "cli.json");
            var profile = CliProfile.Load(profilePath);
            var genesis = profile.LoadGenesis();
            var trusted = genesis.Members.Select(m => m.TlsCertificateSha256).ToList();
            foreach (var city in profile.Cities) processes.Add(NetworkBench.StartNode(Path.Combine(dir, city.CityCode)));
            foreach (var city in profile.Cities) await NetworkBench.WaitHealthyAsync(new Uri(city.Endpoint), trusted, processes);
            Console.Error.WriteLine("exchange: three nodes up");

            HurenClient Connect(string city, string who)
            {
                var c = profile.City(city);
                var credential = c.Credential(who);
                return new HurenClient(new Uri(c.Endpoint), new ClientIdentity(credential.Principal, profile.LoadSigningKey(credential.PrivateKey), c.CityCode),
                    TimeSpan.FromSeconds(60), PinnedTls.CreateHandler(trusted));
            }
            foreach (var city in new[] { Changsha, Zhuzhou })
            {
                await NetworkBench.CliAsync("issuer", "register", "--city", city, "--id", $"{city}-amr", "--name", "市场监督管理局",
                    "--authority-code", Code(city), "--license-types", "11100000HUREN0001P001", "--may-share", "--profile", profilePath);
            }
            using var changshaAuditor = Connect(Changsha, CliRoles.Auditor);
            using var zhuzhouAuditor = Connect(Zhuzhou, CliRoles.Auditor);
            await WaitUntilKnownAsync(changshaAuditor, Origin(Zhuzhou), ConsumerId);
            await WaitUntilKnownAsync(zhuzhouAuditor, Origin(Changsha), ProviderId);

            // The provider: catalogue resource, records of 4 KB, one record with a 100 MB file.
            var providerKey = profile.LoadSigningKey(profile.City(Changsha).Credential("amr").PrivateKey);
            using var provider = Connect(Changsha, "amr");
            var catalog = new CatalogResourcePublished
            {
                ResourceCode = Resource, Name = "营业执照信息（基准）", ProviderCode = Code(Changsha), ProviderName = "长沙市市场监督管理局",
                SharingType = SharingType.Unconditional, Fields = [DataField, FileField], UpdateFrequency = "实时", LegalBasis = "《政务数据共享条例》",
                AllowedPurposes = [Purpose], AllowedConsumerCities = [Zhuzhou],
            };
            var published = Entry.Create(EntryKinds.CatalogPublish, Origin(Changsha), Resource, ProviderId, catalog, DateTimeOffset.UtcNow);
            await provider.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(published, providerKey) }, provider.Options());
            var records = options.ExchangeRecords;
            for (var r = 0; r < records; r++)
            {
                var fields = await provider.PutContentAsync(new MemoryStream(RecordJson(r)));
                await provider.Content.PutRecordAsync(new RecordDataRequest { ResourceCode = Resource, RecordId = RecordId(r), FieldsSha256 = fields.Sha256 }, provider.Options());
            }
            var fileBytes = new byte[options.TransferMegabytes * 1024 * 1024];
            new Random(11).NextBytes(fileBytes);
            var bigFields = await provider.PutContentAsync(new MemoryStream("{\"data\":\"-\"}"u8.ToArray()));
            var bigFile = await provider.PutContentAsync(new MemoryStream(fileBytes));
            await provider.Content.PutRecordAsync(new RecordDataRequest
            {
                ResourceCode = Resource, RecordId = "430100-BIG-1", FieldsSha256 = bigFields.Sha256,
                Files = { new RecordFile { Name = FileField, Sha256 = bigFile.Sha256, MediaType = "application/octet-stream" } },
            }, provider.Options());
            await WaitUntilMirroredAsync(changshaAuditor, zhuzhouAuditor, Origin(Changsha));
            Console.Error.WriteLine($"exchange: {records} records of {RecordBytes} bytes and a {options.TransferMegabytes} MB file published at {Changsha}");

            // Followers of each log on its own node: the time each size became final (cosigned by the threshold).
            var shareFinality = new FinalityWatch(changshaAuditor, genesis, Origin(Changsha));
            var receiptFinality = new FinalityWatch(zhuzhouAuditor, genesis, Origin(Zhuzhou));
            var watching = Task.WhenAll(shareFinality.RunAsync(stop.Token), receiptFinality.RunAsync(stop.Token));

            var consumerKey = profile.LoadSigningKey(profile.City(Zhuzhou).Credential("amr").PrivateKey);
            var consumers = Enumerable.Range(0, Math.Clamp(options.Requesters / 8, 1, 4)).Select(_ => Connect(Zhuzhou, "amr")).ToList();
            try
            {
                var rates = new List<double>();
                var p50 = new List<double>();
                var p99 = new List<double>();
                var stages = new Dictionary<string, List<double>>(StringComparer.Ordinal);
                var cpu = new Dictionary<string, List<double>>(StringComparer.Ordinal);
                // Warm-up (JIT, connections, caches), not reported: runs of 200 until --exchange-warmup seconds have passed.
                var warmup = Stopwatch.StartNew();
                var warmupRuns = 0;
                do
                {
                    await ExchangesAsync(-++warmupRuns, Math.Min(200, options.Exchanges), options.Requesters, records, consumers, consumerKey, shareFinality, receiptFinality);
                }
                while (warmup.Elapsed.TotalSeconds < options.ExchangeWarmupSeconds);
                Console.Error.WriteLine($"exchange: warmed up with {warmupRuns} runs of 200 exchanges in {warmup.Elapsed.TotalSeconds:F0} s");
                var checkpoints = new List<double>();
                for (var run = 1; run <= options.Runs; run++)
                {
                    var before = CpuTimes(processes);
                    var signedBefore = shareFinality.Checkpoints + receiptFinality.Checkpoints;
                    var measured = await ExchangesAsync(run, options.Exchanges, options.Requesters, records, consumers, consumerKey, shareFinality, receiptFinality);
                    var after = CpuTimes(processes);
                    checkpoints.Add((double)(shareFinality.Checkpoints + receiptFinality.Checkpoints - signedBefore) / options.Exchanges);
                    for (var p = 0; p < before.Length; p++)
                    {
                        var who = p < profile.Cities.Count ? profile.Cities[p].CityCode : "bench";
                        (cpu.TryGetValue(who, out var list) ? list : cpu[who] = []).Add((after[p] - before[p]).TotalMilliseconds / options.Exchanges);
                    }
                    rates.Add(measured.Rate);
                    p50.Add(measured.Latencies.P(0.50));
                    p99.Add(measured.Latencies.P(0.99));
                    foreach (var (stage, values) in measured.Stages) (stages.TryGetValue(stage, out var list) ? list : stages[stage] = []).Add(values.P(0.50));
                    Console.Error.WriteLine($"exchange: run {run}: {measured.Rate:F1} exchanges/s, p50 {p50[^1]:F1} ms, p99 {p99[^1]:F1} ms, {checkpoints[^1]:F2} checkpoints per exchange; stage p50s " +
                        string.Join(", ", measured.Stages.Select(s => $"{s.Key} {s.Value.P(0.5):F1}")) + "; stage p99s " +
                        string.Join(", ", measured.Stages.Select(s => $"{s.Key} {s.Value.P(0.99):F1}")));
                }

                var transfer = new List<double>();
                var transferEnd = new List<double>();
                var raw = new List<double>();
                var storeToStore = new List<double>();
                var storeToStoreCpu = new List<double>();
                var transferCpu = new List<double>();
                // Warm-up, not reported: the file path's code (content reads, the stream, the digests) is not what the
                // exchange warm-up ran, and the first transfers and raw copies of a process ran at half speed (JIT).
                for (var run = -TransferWarmups; run < options.Runs; run++)
                {
                    var before = CpuTimes(processes);
                    var (nodeToNode, endToEnd) = await TransferAsync(run, consumers[0], consumerKey, fileBytes);
                    var after = CpuTimes(processes);
                    var rawRate = await FileFloor.RawTlsCopyAsync(fileBytes);
                    var (storeRate, storeCpu) = await FileFloor.StoreToStoreAsync(fileBytes);
                    var cpuPerMb = Enumerable.Range(0, before.Length).Sum(p => (after[p] - before[p]).TotalMilliseconds) / options.TransferMegabytes;
                    Console.Error.WriteLine($"exchange: {options.TransferMegabytes} MB{(run < 0 ? " (warm-up)" : "")}: request {nodeToNode:F1} MB/s, request+receipt+fetch {endToEnd:F1} MB/s, raw TLS {rawRate:F1} MB/s, store to store over TLS {storeRate:F1} MB/s ({storeCpu:F2} ms/MB), CPU {cpuPerMb:F2} ms/MB");
                    if (run < 0) continue;
                    transfer.Add(nodeToNode);
                    transferEnd.Add(endToEnd);
                    raw.Add(rawRate);
                    storeToStore.Add(storeRate);
                    storeToStoreCpu.Add(storeCpu);
                    transferCpu.Add(cpuPerMb);
                }

                var note = $"{options.Exchanges} exchanges per run, {options.Requesters} concurrent requesters, {records} records of {RecordBytes} bytes; load average at start {BenchReport.LoadAtStart}";
                var figures = new List<BenchFigure>
                {
                    BenchFigure.Of("exchanges/s sustained, three node processes (request → share → 4 KB record → receipt → both final)", "exchanges/s", rates,
                        $"{note}; from the first request to the last exchange whose share and receipt are both final"),
                    BenchFigure.Of("exchange latency p50 (request → both entries final)", "ms", p50, note),
                    BenchFigure.Of("exchange latency p99 (request → both entries final)", "ms", p99, note),
                };
                foreach (var (stage, values) in stages) figures.Add(BenchFigure.Of($"exchange stage p50: {stage}", "ms", values, StageNotes[stage]));
                var nodesCpu = Enumerable.Range(0, options.Runs).Select(r => cpu.Where(c => c.Key != "bench").Sum(c => c.Value[r])).ToList();
                figures.Add(BenchFigure.Of("CPU per exchange, three node processes together", "ms", nodesCpu,
                    $"process CPU time over the measured run ÷ exchanges; per node: {string.Join(", ", cpu.Where(c => c.Key != "bench").Select(c => $"{c.Key} {c.Value.P(0.5):F2} ms"))}; the bench process {cpu["bench"].P(0.5):F2} ms; after a warm-up of ≥ {options.ExchangeWarmupSeconds} s"));
                figures.Add(BenchFigure.Of("checkpoints signed per exchange, Changsha and Zhuzhou together", "checkpoints", checkpoints,
                    "new checkpoint sizes the bench's followers of both logs saw during the measured run ÷ exchanges; each costs every member a mirror run, note checks and synced writes"));
                var mb = $"{options.TransferMegabytes} MB random file";
                figures.Add(BenchFigure.Of("raw loopback TLS copy (this process, TLS 1.3, one connection)", "MB/s", raw, $"{mb} from memory to a discarding reader, same run"));
                figures.Add(BenchFigure.Of("file floor: content store to content store over one TLS connection (this process)", "MB/s", storeToStore,
                    $"{mb}; the provider's store reads and decrypts it, the consumer's hashes it (SHA-256, SM3), encrypts it and syncs it; no gRPC, no ledger; same run"));
                figures.Add(BenchFigure.Of("file floor / raw TLS copy", "ratio", storeToStore.Zip(raw, (t, r) => t / r).ToList(), "per run; what an exchange's file transfer reaches at best against the raw copy with the work in this order"));
                figures.Add(BenchFigure.Of("file floor: CPU per MB (both stores and both ends of the connection)", "ms/MB", storeToStoreCpu, $"{mb}; this process's CPU time over the copy ÷ MB"));
                figures.Add(BenchFigure.Of("file floor spread over every core / raw TLS copy", "ratio",
                    storeToStoreCpu.Zip(raw, (c, r) => Environment.ProcessorCount * 1000 / c / r).ToList(),
                    $"per run; {Environment.ProcessorCount} cores × 1,000 ÷ (CPU ms per MB) ÷ raw MB/s: the most any arrangement of the same work could reach"));
                figures.Add(BenchFigure.Of("file through an exchange: request (node to node, stored encrypted at both)", "MB/s", transfer,
                    $"{mb}; from the request to Zhuzhou's node holding the checked data"));
                figures.Add(BenchFigure.Of("file through an exchange: request + receipt + fetch by the department", "MB/s", transferEnd, $"{mb}; until the department has read every byte back"));
                figures.Add(BenchFigure.Of("CPU per MB of the file through an exchange (request + receipt + fetch), three nodes and the department", "ms/MB", transferCpu,
                    $"{mb}; process CPU time of the three node processes and the bench process over the transfer ÷ MB; after {TransferWarmups} unreported transfers"));
                figures.Add(BenchFigure.Of("exchange file transfer (request) / raw TLS copy", "ratio", transfer.Zip(raw, (t, r) => t / r).ToList(), "per run; aim ≥ 0.5"));
                figures.Add(BenchFigure.Of("exchange file transfer (request + receipt + fetch) / raw TLS copy", "ratio", transferEnd.Zip(raw, (t, r) => t / r).ToList(), "per run"));
                completed = true;
                return figures;
            }
            finally
            {
                await stop.CancelAsync();
                try
                {
                    await watching;
                }
                catch (Exception ex) when (ex is OperationCanceledException || ex is Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Cancelled })
                {
                    // Stopped.
                }
                foreach (var c in consumers) c.Dispose();
            }
        }
        finally
        {
            // A failed run keeps the nodes' logs: a node's error (e.g. an exception behind a call's UNKNOWN) is only there.
            NetworkBench.StopAndDelete(processes, dir, failed: !completed);
        }
    }

    private static readonly Dictionary<string, string> StageNotes = new(StringComparer.Ordinal)
    {
        ["request"] = "RequestShareAsync: Zhuzhou node → Changsha node (checks, share entry durable, data streamed) → checked and stored at Zhuzhou",
        ["receipt"] = "RecordReceiptAsync: receipt entry durable in Zhuzhou's log (the SDK retries while Zhuzhou's copy of Changsha lacks the share)",
        ["fetch"] = "FetchSharedAsync of fields.json (≈ 4 KB) by the department",
        ["final after fetch"] = "from the fetch's end until both entries are covered by final checkpoints (0 when already final)",
    };

    private sealed record Measured(double Rate, List<double> Latencies, Dictionary<string, List<double>> Stages);

    private static async Task<Measured> ExchangesAsync(int run, int count, int requesters, int records, List<HurenClient> consumers, SigningKey key,
        FinalityWatch shareFinality, FinalityWatch receiptFinality)
    {
        var clock = Stopwatch.StartNew();
        var latencies = new double[count];
        var ends = new double[count];
        string[] names = ["request", "receipt", "fetch", "final after fetch"];
        var stages = names.Select(_ => new double[count]).ToArray();
        var next = -1;
        var finals = new List<Task>();
        await Task.WhenAll(Enumerable.Range(0, requesters).Select(r => Task.Run(async () =>
        {
            var consumer = consumers[r % consumers.Count];
            var mine = new List<Task>();
            var buffer = new MemoryStream(RecordBytes + 64);
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var start = clock.Elapsed.TotalMilliseconds;
                var asked = Ask($"bx{run}-{i}-{Guid.NewGuid():N}"[..28], RecordId(i % records), DataField);
                var shared = await consumer.RequestShareAsync(asked, key, TimeSpan.FromSeconds(60));
                if (shared.Status != ExchangeStatus.Shared) throw new InvalidOperationException($"exchange {i}: {shared.Status} {shared.ReasonCode} {shared.Reason}");
                var requested = clock.Elapsed.TotalMilliseconds;
                var receipt = await consumer.RecordReceiptAsync(shared, ConsumerId, key, TimeSpan.FromSeconds(60));
                var received = clock.Elapsed.TotalMilliseconds;
                buffer.SetLength(0);
                await consumer.FetchSharedAsync(shared, "fields.json", buffer, timeout: TimeSpan.FromSeconds(60));
                if (buffer.Length < RecordBytes) throw new InvalidOperationException($"exchange {i}: fetched {buffer.Length} bytes, not the record");
                var fetched = clock.Elapsed.TotalMilliseconds;
                var at = i;
                // The requester goes on with its next exchange; the exchange ends when both entries are final.
                mine.Add(Task.Run(async () =>
                {
                    var shareFinal = await shareFinality.FinalAtAsync(shared.Entry!.Index, clock, TimeSpan.FromSeconds(60));
                    var receiptFinal = await receiptFinality.FinalAtAsync(receipt.Index, clock, TimeSpan.FromSeconds(60));
                    var end = Math.Max(fetched, Math.Max(shareFinal, receiptFinal));
                    ends[at] = end;
                    latencies[at] = end - start;
                    stages[0][at] = requested - start;
                    stages[1][at] = received - requested;
                    stages[2][at] = fetched - received;
                    stages[3][at] = end - fetched;
                }));
            }
            await Task.WhenAll(mine);
        })));
        var result = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (var s = 0; s < names.Length; s++) result[names[s]] = [.. stages[s]];
        return new Measured(count / (ends.Max() / 1000), [.. latencies], result);
    }

    /// <summary>The file through one exchange: MB/s of the request alone (node to node, both stores) and of request + receipt + fetch.</summary>
    private static async Task<(double NodeToNode, double EndToEnd)> TransferAsync(int run, HurenClient consumer, SigningKey key, byte[] file)
    {
        var clock = Stopwatch.StartNew();
        var shared = await consumer.RequestShareAsync(Ask($"bx-big-{run}-{Guid.NewGuid():N}"[..28], "430100-BIG-1", FileField), key, TimeSpan.FromMinutes(10));
        if (shared.Status != ExchangeStatus.Shared) throw new InvalidOperationException($"the file exchange: {shared.Status} {shared.Reason}");
        var requested = clock.Elapsed.TotalSeconds;
        await consumer.RecordReceiptAsync(shared, ConsumerId, key, TimeSpan.FromSeconds(60));
        var sink = new CountingSink();
        await consumer.FetchSharedAsync(shared, FileField, sink, timeout: TimeSpan.FromMinutes(10));
        if (sink.Length != file.Length) throw new InvalidOperationException($"the department read {sink.Length} bytes of the file, not {file.Length}");
        var mb = file.Length / 1024.0 / 1024;
        return (mb / requested, mb / clock.Elapsed.TotalSeconds);
    }

    /// <summary>Process CPU time of each node, then of this (the bench) process.</summary>
    private static TimeSpan[] CpuTimes(List<Process> processes) => [.. processes.Select(p => p.TotalProcessorTime), Process.GetCurrentProcess().TotalProcessorTime];

    private static ShareRequest Ask(string shareId, string recordId, string field) => new()
    {
        ShareId = shareId, ConsumerIssuerId = ConsumerId, ConsumerCode = Code(Zhuzhou), ConsumerName = "株洲市市场监督管理局",
        ConsumerOrigin = Origin(Zhuzhou), ProviderOrigin = Origin(Changsha), ResourceCode = Resource, RecordId = recordId,
        Fields = [field], Purpose = Purpose, MatterCode = "430200-QT-0001", LegalBasis = "《政务数据共享条例》第十五条",
    };

    private static string RecordId(int r) => $"430100-LIC-{r:D6}";

    /// <summary>A record's fields: one item of random printable text so that fields.json is about 4 KB.</summary>
    private static byte[] RecordJson(int r)
    {
        var text = Convert.ToBase64String(RandomNumberGenerator.GetBytes(RecordBytes * 3 / 4));
        return Encoding.UTF8.GetBytes($"{{\"{DataField}\":\"{text}\",\"record\":{r}}}");
    }

    private static string Code(string city) => NetworkBench.Uscc($"11{city}HUREN0101");

    private static string Origin(string city) => $"huren.{BenchLedger.NetworkId}/{city}";

    private static double P(this IReadOnlyList<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    }

    private static async Task WaitUntilKnownAsync(HurenClient auditor, string origin, string issuerId)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            var issuers = await auditor.Issuers.ListAsync(new ListIssuersRequest { Origin = origin }, auditor.Options());
            if (issuers.Issuers.Exists(i => i.IssuerId == issuerId)) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"{issuerId} of {origin} not known within 120 s");
    }

    private static async Task WaitUntilMirroredAsync(HurenClient source, HurenClient copy, string origin)
    {
        var size = (await source.Ledger.GetCheckpointAsync(new CheckpointRequest(), source.Options())).Size;
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if ((await copy.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = origin }, copy.Options())).Size >= size) return;
            await Task.Delay(100);
        }
        throw new TimeoutException($"the copy of {origin} did not reach {size} entries within 120 s");
    }

    /// <summary>A stream that counts and drops what is written (the department's file, not kept in memory).</summary>
    private sealed class CountingSink : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        private long _length;
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            _length += buffer.Length;
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// Follows one log on its own node (<c>Ledger.Follow</c>, auditor) and records when each checkpoint that verifies
    /// under the genesis (log key, witness cosignatures) and reaches the witness threshold was first seen.
    /// </summary>
    private sealed class FinalityWatch(HurenClient client, TrustedNetwork network, string origin)
    {
        private readonly Lock _lock = new();
        private readonly List<(ulong Size, TimeSpan Seen)> _finals = [];
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TaskCompletionSource _advanced = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _checkpoints;
        private ulong _largest;

        /// <summary>Checkpoints of new sizes seen so far (each signed checkpoint once; cosigned copies are not counted).</summary>
        public long Checkpoints => Interlocked.Read(ref _checkpoints);

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var from = (await client.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = origin }, client.Options(cancellationToken))).Size;
            // No deadline: the stream runs until the bench stops it.
            var options = new Grpc.Core.CallOptions(cancellationToken: cancellationToken);
            await foreach (var message in client.Ledger.FollowAsync(new FollowRequest { Origin = origin, FromIndex = from }, new ProtoBuf.Grpc.CallContext(options)).WithCancellation(cancellationToken))
            {
                // A checkpoint sent again with the cosignatures it gained counts as well (sizes below the last one are skipped below).
                if ((message.Checkpoint ?? message.Cosigned) is not { } checkpoint) continue;
                var seen = _clock.Elapsed;
                if (message.Checkpoint is not null && checkpoint.Size > _largest)
                {
                    _largest = checkpoint.Size;
                    Interlocked.Increment(ref _checkpoints);
                }
                if (!network.IsFinal(origin, SignedNote.Parse(checkpoint.Note))) continue;
                TaskCompletionSource advanced;
                lock (_lock)
                {
                    if (_finals.Count > 0 && _finals[^1].Size >= checkpoint.Size) continue;
                    _finals.Add((checkpoint.Size, seen));
                    advanced = _advanced;
                    _advanced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
                advanced.TrySetResult();
            }
        }

        /// <summary>When (on <paramref name="clock"/>, in ms) a final checkpoint first covered <paramref name="index"/>.</summary>
        public async Task<double> FinalAtAsync(ulong index, Stopwatch clock, TimeSpan timeout)
        {
            var offset = _clock.Elapsed - clock.Elapsed;
            using var cancel = new CancellationTokenSource(timeout);
            while (true)
            {
                Task wait;
                lock (_lock)
                {
                    if (_finals.Count > 0 && _finals[^1].Size > index)
                    {
                        // Sizes only grow: the first final checkpoint above the index, by bisection.
                        int lo = 0, hi = _finals.Count - 1;
                        while (lo < hi)
                        {
                            var mid = (lo + hi) / 2;
                            if (_finals[mid].Size > index) hi = mid;
                            else lo = mid + 1;
                        }
                        return (_finals[lo].Seen - offset).TotalMilliseconds;
                    }
                    wait = _advanced.Task;
                }
                try
                {
                    await wait.WaitAsync(cancel.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new TimeoutException($"entry {index} of {origin} was not covered by a final checkpoint within {timeout.TotalSeconds:0} s");
                }
            }
        }
    }
}
