using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Evidence;
using Huren.Sdk.Merkle;
using Huren.Sdk.StatusMap;

namespace Huren.Bench;

/// <summary>
/// The status map (sdk/Huren.Sdk/StatusMap) in memory, against this machine's own SHA-256 and Ed25519 in the same run:
/// the naive 256-hash path it avoids; batched update cost per key (new records and updates of existing ones) at
/// <c>--map-records</c> records for each page height at 1,000,000 records and for the node's page height at the full
/// size; proof size, generation and verification for present and absent keys; bytes per record of the store.
/// Keys are SHA-256 of a counter (as record keys are SHA-256 of record ids); values are random.
/// </summary>
internal static class StatusMapBench
{
    private const int ProofsPerRun = 2000;
    private const int BatchesPerRun = 20;
    private const int BuildChunk = 1_000_000;

    public static List<BenchFigure> Run(BenchOptions options)
    {
        var figures = new List<BenchFigure>();
        var sha = new List<double>();
        var shaCpu = new List<double>();
        var ed = new List<double>();
        var naive = new List<double>();
        var naiveRatio = new List<double>();
        for (var run = 0; run < options.Runs; run++)
        {
            var hash = Sha256Of65Bytes(1_000_000);
            sha.Add(hash.Wall);
            shaCpu.Add(hash.Cpu);
            ed.Add(Ed25519Verify(500).Cpu);
            var path = NaivePath();
            naive.Add(path.Cpu);
            naiveRatio.Add(path.Cpu / hash.Cpu);
        }
        figures.Add(BenchFigure.Of("raw SHA-256 of 65 bytes (one map hash), 1 core, wall clock", "µs", sha));
        figures.Add(BenchFigure.Of("raw SHA-256 of 65 bytes (one map hash), 1 core, CPU time", "µs", shaCpu, "thread CPU time: robust to the machine's load"));
        figures.Add(BenchFigure.Of("raw Ed25519 verify (300-byte message), 1 core, CPU time", "µs", ed));
        figures.Add(BenchFigure.Of("naive 256-level path per key (256 node hashes + leaf, no storage), CPU time", "µs/key", naive));
        figures.Add(BenchFigure.Of("  ratio: naive path ÷ SHA-256 of 65 bytes", "hash-equivalents", naiveRatio, "per-run ratios of CPU times"));

        var batch = options.MapBatch;
        var smaller = Math.Min(options.MapRecords, 1_000_000);
        foreach (var height in new[] { 1, 2, 4, 8 })
        {
            Progress($"page height {height}: building {smaller:N0} records");
            var map = BenchMap.Build(smaller, height);
            Progress($"page height {height}: updates");
            var note = $"{smaller:N0} records, page height {height}";
            var update = UpdateCost(map, options.Runs, batch, newRecords: false);
            figures.Add(BenchFigure.Of($"map update per key, {batch:N0}-key batches, page height {height}", "µs/key", update.MicrosPerKey, $"{note}; {update.Counts}"));
            figures.Add(BenchFigure.Of($"  CPU time ÷ CPU time of SHA-256 of 65 bytes measured just before, page height {height}", "hash-equivalents", update.HashEquivalents, note));
            figures.Add(Once($"  store bytes per record, page height {height}", "bytes", map.StoreBytesPerRecord, note + " (pages + page keys)"));
        }

        Progress($"building {options.MapRecords:N0} records");
        var full = BenchMap.Build(options.MapRecords, StatusMapTree.DefaultPageHeight);
        Progress("updates, then proofs");
        var size = $"{options.MapRecords:N0} records, page height {StatusMapTree.DefaultPageHeight}";
        figures.Add(Once($"building the map in {BuildChunk:N0}-key batches (once)", "records/s", full.BuildRate, size));
        figures.Add(Once("store bytes per record (pages + page keys, what a key-value store is given)", "bytes", full.StoreBytesPerRecord, $"{size}; {full.Store.PageCount:N0} pages"));
        figures.Add(Once("memory per record of the bench's in-memory store (arena + index)", "bytes", full.HeapBytesPerRecord, size + " (GC heap after a full collection, minus before)"));
        foreach (var newRecords in new[] { true, false })
        {
            var what = newRecords ? "new records" : "updates of existing records";
            var update = UpdateCost(full, options.Runs, batch, newRecords);
            figures.Add(BenchFigure.Of($"map update per key, {batch:N0}-key batches, {what}", "µs/key", update.MicrosPerKey, $"{size}; {update.Counts}"));
            figures.Add(BenchFigure.Of($"  same, thread CPU time, {what}", "µs/key", update.CpuMicrosPerKey, "CPU time of the calling thread (the writer), GC threads not included"));
            figures.Add(BenchFigure.Of($"  ratio: map update per key ÷ SHA-256 of 65 bytes measured just before, {what}", "hash-equivalents", update.HashEquivalents, "per-run ratios of CPU times"));
            figures.Add(BenchFigure.Of($"  ratio: Ed25519 verify measured just before ÷ map update per key, {what}", "updates per verify", update.UpdatesPerVerify, "per-run ratios of CPU times"));
        }
        foreach (var small in new[] { 100, 10 })
        {
            var update = UpdateCost(full, options.Runs, small, newRecords: true);
            figures.Add(BenchFigure.Of($"map update per key, {small}-key batches, new records", "µs/key", update.MicrosPerKey, $"{size}; {update.Counts}"));
            figures.Add(BenchFigure.Of($"  same, thread CPU time, {small}-key batches", "µs/key", update.CpuMicrosPerKey, "CPU time of the calling thread (the writer), GC threads not included"));
            figures.Add(BenchFigure.Of($"  ratio: map update per key ÷ SHA-256 of 65 bytes, {small}-key batches", "hash-equivalents", update.HashEquivalents, "per-run ratios of CPU times"));
        }
        figures.AddRange(Proofs(full, options.Runs, present: true, size));
        figures.AddRange(Proofs(full, options.Runs, present: false, size));
        return figures;
    }

    private static void Progress(string what) => Console.Error.WriteLine($"statusmap {DateTime.Now:HH:mm:ss} {what}");

    private static BenchFigure Once(string name, string unit, double value, string note) => new(name, unit, value, value, value, 1, note);

    /// <summary>What one batch-update measurement gives.</summary>
    private sealed class UpdateFigures
    {
        public List<double> MicrosPerKey { get; } = [];
        public List<double> CpuMicrosPerKey { get; } = [];
        public List<double> HashEquivalents { get; } = [];
        public List<double> UpdatesPerVerify { get; } = [];
        public double Hashes, PagesRead, PagesWritten, Bytes, GcShare;

        public string Counts => $"{Hashes:0.0} hashes, {PagesRead:0.00} pages read, {PagesWritten:0.00} pages written, {Bytes:0} bytes written per key; GC pauses {GcShare:P0} of the time";
    }

    /// <summary>
    /// Per run: SHA-256 and Ed25519 measured just before (the machine's load changes from minute to minute), then
    /// batches timed through <see cref="StatusMapTree.Prepare"/> (wall clock and the calling thread's CPU time), each then written
    /// and pruned (not timed). The first run warms up and is dropped.
    /// </summary>
    private static UpdateFigures UpdateCost(BenchMap map, int runs, int batchSize, bool newRecords)
    {
        var figures = new UpdateFigures();
        long keys = 0, hashes = 0, read = 0, written = 0, bytes = 0;
        var paused = TimeSpan.Zero;
        var timed = TimeSpan.Zero;
        var random = new Random(7);
        var updates = new StatusMapUpdate[batchSize];
        var batches = Math.Max(BatchesPerRun, 20_000 / batchSize);
        for (var run = 0; run < runs + 1; run++)
        {
            var sha = Sha256Of65Bytes(200_000).Cpu;
            var ed = Ed25519Verify(100).Cpu;
            var elapsed = TimeSpan.Zero;
            var cpu = 0.0;
            var runKeys = 0;
            for (var b = 0; b < batches; b++)
            {
                for (var i = 0; i < batchSize; i++)
                {
                    var index = newRecords ? map.Records++ : random.NextInt64(map.Records);
                    updates[i] = new StatusMapUpdate(BenchMap.KeyOf(index), BenchMap.RandomValue(random));
                }
                var cpuBefore = ThreadCpu.NowMicroseconds();
                var pauseBefore = GC.GetTotalPauseDuration();
                var sw = Stopwatch.StartNew();
                var writes = map.Tree.Prepare(map.Version, map.Version + (ulong)batchSize, updates);
                elapsed += sw.Elapsed;
                cpu += ThreadCpu.NowMicroseconds() - cpuBefore;
                paused += GC.GetTotalPauseDuration() - pauseBefore;
                map.Commit(writes);
                runKeys += batchSize;
                if (run == 0) continue;
                timed += sw.Elapsed;
                keys += writes.Keys;
                hashes += writes.HashesComputed;
                read += writes.PagesRead;
                written += writes.Pages.Count;
                bytes += writes.PageBytes;
            }
            if (run == 0)
            {
                paused = TimeSpan.Zero;
                continue;
            }
            var perKey = elapsed.TotalMicroseconds / runKeys;
            figures.MicrosPerKey.Add(perKey);
            var cpuPerKey = cpu / runKeys;
            figures.CpuMicrosPerKey.Add(cpuPerKey);
            figures.HashEquivalents.Add(cpuPerKey / sha);
            figures.UpdatesPerVerify.Add(ed / cpuPerKey);
        }
        figures.Hashes = (double)hashes / keys;
        figures.PagesRead = (double)read / keys;
        figures.PagesWritten = (double)written / keys;
        figures.Bytes = (double)bytes / keys;
        figures.GcShare = paused / timed;
        return figures;
    }

    private static IEnumerable<BenchFigure> Proofs(BenchMap map, int runs, bool present, string size)
    {
        var what = present ? "present keys" : "absent keys";
        Assert(map.Tree.TryGetRoot(map.Version, out var root), "no root");
        var generate = new List<double>();
        var verify = new List<double>();
        var verifyCpu = new List<double>();
        var verifyRatio = new List<double>();
        var lengths = new List<double>();
        var json = new List<double>();
        var tamperedRefused = new List<double>();
        var absentLeaf = 0;
        var random = new Random(present ? 11 : 13);
        var keys = new Hash256[ProofsPerRun];
        var values = new Hash256?[ProofsPerRun];
        var proofs = new byte[ProofsPerRun][];
        for (var run = 0; run < runs + 1; run++)
        {
            for (var i = 0; i < keys.Length; i++) keys[i] = present ? BenchMap.KeyOf(random.NextInt64(map.Records)) : StatusMapKey.ForRecord($"absent-{run}-{i}");
            var sha = Sha256Of65Bytes(200_000).Cpu;
            var generated = Measure(keys.Length, () =>
            {
                for (var i = 0; i < keys.Length; i++)
                {
                    Assert(map.Tree.TryProve(map.Version, keys[i], out values[i], out var proof, out var error), error);
                    proofs[i] = proof!.ToBytes();
                }
            }).Wall;
            var verified = Measure(keys.Length, () =>
            {
                for (var i = 0; i < keys.Length; i++) Assert(StatusMapProofVerifier.Verify(root, keys[i], values[i], proofs[i]), "a proof did not verify");
            });
            if (run == 0) continue;
            // Tampered: one random bit of each proof flipped, and each proof offered for the other claim (another value,
            // or present for absent and the reverse); every one must be refused. Not timed.
            var refused = 0;
            for (var i = 0; i < keys.Length; i++)
            {
                var tampered = (byte[])proofs[i].Clone();
                var bit = random.Next(tampered.Length * 8);
                tampered[bit >> 3] ^= (byte)(1 << (bit & 7));
                if (!StatusMapProofVerifier.Verify(root, keys[i], values[i], tampered)) refused++;
                Hash256? otherClaim = values[i] is null ? keys[i] : null;
                if (!StatusMapProofVerifier.Verify(root, keys[i], otherClaim, proofs[i])) refused++;
            }
            tamperedRefused.Add(refused * 100.0 / (2 * keys.Length));
            generate.Add(generated);
            verify.Add(verified.Wall);
            verifyCpu.Add(verified.Cpu);
            verifyRatio.Add(verified.Cpu / sha);
            for (var i = 0; i < keys.Length; i++)
            {
                Assert(values[i].HasValue == present, "present/absent mismatch");
                lengths.Add(proofs[i].Length);
                if (proofs[i][0] == (byte)StatusMapTerminal.AbsentLeaf) absentLeaf++;
            }
            var element = BundleStatusProof.Create("huren.cz-t/430100", map.Version, "430100-amr-2026-000001", root, values[0], ParseProof(proofs[0])).ToJsonElement();
            json.Add(element.GetRawText().Length);
        }
        var note = present ? size : $"{size}; {absentLeaf * 100.0 / lengths.Count:0}% end in another key's leaf, the rest in an empty subtree";
        yield return BenchFigure.Of($"proof generation, {what}", "µs", generate, note + " (in-memory store)");
        yield return BenchFigure.Of($"proof verification, {what}, wall clock", "µs", verify, note);
        yield return BenchFigure.Of($"proof verification, {what}, CPU time", "µs", verifyCpu, note);
        yield return BenchFigure.Of($"  ratio: proof verification ÷ SHA-256 of 65 bytes measured just before, {what}", "hash-equivalents", verifyRatio, "per-run ratios of CPU times");
        yield return BenchFigure.Of($"proof size, {what} (median over {lengths.Count:N0} proofs; min/max are single proofs)", "bytes", lengths,
            $"{note}; {lengths.Count(l => l > 1024) * 100.0 / lengths.Count:0.0}% over 1,024 bytes");
        yield return BenchFigure.Of($"bundle status-proof JSON element, {what}", "bytes", json, "compact JSON, base64 fields");
        yield return BenchFigure.Of($"tampered proofs refused, {what}", "%", tamperedRefused,
            $"{size}; per run {2 * keys.Length:N0} tamperings: one random bit of each proof flipped, and each proof offered for the other claim");
    }

    private static StatusMapProof ParseProof(byte[] bytes) =>
        StatusMapProof.TryParse(bytes, out var proof, out var error) ? proof : throw new InvalidOperationException(error);

    private static void Assert(bool condition, string? what)
    {
        if (!condition) throw new InvalidOperationException("status-map bench: " + what);
    }

    /// <summary>Wall-clock and thread CPU microseconds per operation of <paramref name="body"/> (which runs <paramref name="count"/> operations).</summary>
    private static (double Wall, double Cpu) Measure(int count, Action body)
    {
        var cpu = ThreadCpu.NowMicroseconds();
        var sw = Stopwatch.StartNew();
        body();
        var wall = sw.Elapsed;
        return (wall.TotalMicroseconds / count, (ThreadCpu.NowMicroseconds() - cpu) / count);
    }

    private static (double Wall, double Cpu) Sha256Of65Bytes(int count)
    {
        var input = RandomNumberGenerator.GetBytes(65);
        var hash = new byte[32];
        return Measure(count, () =>
        {
            for (var i = 0; i < count; i++)
            {
                SHA256.HashData(input, hash);
                input[1] = hash[0];
            }
        });
    }

    private static (double Wall, double Cpu) Ed25519Verify(int count)
    {
        var key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var messages = new byte[count][];
        var signatures = new byte[messages.Length][];
        for (var i = 0; i < messages.Length; i++)
        {
            messages[i] = RandomNumberGenerator.GetBytes(300);
            signatures[i] = key.Sign(messages[i]);
        }
        return Measure(count, () =>
        {
            for (var i = 0; i < messages.Length; i++) Assert(key.PublicKey.Verify(messages[i], signatures[i]), "Ed25519 refused");
        });
    }

    /// <summary>What a non-collapsed 256-level map costs per key at least: the leaf hash and 256 node hashes with empty siblings.</summary>
    private static (double Wall, double Cpu) NaivePath()
    {
        const int keys = 2000;
        var h = new byte[32];
        return Measure(keys, () =>
        {
            for (var k = 0; k < keys; k++)
            {
                var key = BenchMap.KeyOf(k).ToArray();
                StatusMapHash.LeafHash(key, key, h);
                for (var d = StatusMapHash.Depth; d >= 1; d--)
                {
                    if (StatusMapKey.Bit(key, d - 1) == 0) StatusMapHash.NodeHash(h, StatusMapHash.EmptySpan(d), h);
                    else StatusMapHash.NodeHash(StatusMapHash.EmptySpan(d), h, h);
                }
            }
        });
    }

    /// <summary>A map of N records in an <see cref="ArenaStatusMapStore"/>, pruned to its latest version after every batch.</summary>
    private sealed class BenchMap
    {
        private BenchMap(int pageHeight)
        {
            Tree = new StatusMapTree(Store, pageHeight);
        }

        public ArenaStatusMapStore Store { get; } = new();
        public StatusMapTree Tree { get; }
        public ulong Version { get; private set; }
        public long Records { get; set; }
        public double BuildRate { get; private set; }
        public double StoreBytesPerRecord { get; private set; }
        public double HeapBytesPerRecord { get; private set; }

        public static Hash256 KeyOf(long index)
        {
            Span<byte> counter = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(counter, index);
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(counter, hash);
            return new Hash256(hash);
        }

        public static Hash256 RandomValue(Random random)
        {
            Span<byte> value = stackalloc byte[32];
            random.NextBytes(value);
            return new Hash256(value);
        }

        public static BenchMap Build(long records, int pageHeight)
        {
            GC.Collect();
            var heapBefore = GC.GetTotalMemory(true);
            var map = new BenchMap(pageHeight);
            var random = new Random(5);
            var sw = Stopwatch.StartNew();
            var chunk = new StatusMapUpdate[(int)Math.Min(BuildChunk, records)];
            while (map.Records < records)
            {
                var count = (int)Math.Min(chunk.Length, records - map.Records);
                for (var i = 0; i < count; i++) chunk[i] = new StatusMapUpdate(KeyOf(map.Records + i), RandomValue(random));
                map.Commit(map.Tree.Prepare(map.Version, map.Version + (ulong)count, chunk.AsSpan(0, count)));
                map.Records += count;
            }
            map.BuildRate = records / sw.Elapsed.TotalSeconds;
            chunk = null;
            map.StoreBytesPerRecord = (double)(map.Store.PageBytes + map.Store.PageKeyBytes) / records;
            GC.Collect();
            map.HeapBytesPerRecord = (double)(GC.GetTotalMemory(true) - heapBefore) / records;
            return map;
        }

        /// <summary>Writes a batch and prunes every older version, so the store holds one version as a node's would after pruning.</summary>
        public void Commit(StatusMapWriteSet writes)
        {
            Store.Apply(writes);
            Version = writes.Version;
            Store.Apply(Tree.PlanPrune(Version));
        }
    }
}
