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
        var sha = MachineLimits.Repeat(options.Runs, Sha256Of65Bytes);
        var ed = MachineLimits.Repeat(options.Runs, Ed25519Verify);
        var naive = MachineLimits.Repeat(options.Runs, NaivePath);
        figures.Add(BenchFigure.Of("raw SHA-256 of 65 bytes (one map hash), 1 core", "µs", sha));
        figures.Add(BenchFigure.Of("raw Ed25519 verify (300-byte message), 1 core", "µs", ed));
        figures.Add(BenchFigure.Of("naive 256-level path per key (256 node hashes + leaf, no storage)", "µs/key", naive));

        var batch = options.MapBatch;
        var smaller = Math.Min(options.MapRecords, 1_000_000);
        foreach (var height in new[] { 1, 2, 4, 8 })
        {
            var map = BenchMap.Build(smaller, height);
            var note = $"{smaller:N0} records, page height {height}";
            var (update, stats) = UpdateCost(map, options.Runs, batch, newRecords: false);
            figures.Add(BenchFigure.Of($"map update per key, {batch:N0}-key batches, page height {height}", "µs/key", update, note));
            figures.Add(new BenchFigure($"  hashes / pages read / pages written / bytes written per key, page height {height}", "per key", stats.Hashes, stats.Hashes, stats.Hashes, 1,
                $"{stats.Hashes:0.0} hashes, {stats.PagesRead:0.00} pages read, {stats.PagesWritten:0.00} pages written, {stats.Bytes:0} bytes written"));
            figures.Add(new BenchFigure($"  store bytes per record, page height {height}", "bytes", map.StoreBytesPerRecord, map.StoreBytesPerRecord, map.StoreBytesPerRecord, 1, note + " (pages + page keys)"));
        }

        var full = BenchMap.Build(options.MapRecords, StatusMapTree.DefaultPageHeight);
        var size = $"{options.MapRecords:N0} records, page height {StatusMapTree.DefaultPageHeight}";
        figures.Add(new BenchFigure($"building the map in {BuildChunk:N0}-key batches (once)", "records/s", full.BuildRate, full.BuildRate, full.BuildRate, 1, size));
        figures.Add(new BenchFigure("store bytes per record (pages + page keys)", "bytes", full.StoreBytesPerRecord, full.StoreBytesPerRecord, full.StoreBytesPerRecord, 1, $"{size}; {full.Store.PageCount:N0} pages"));
        figures.Add(new BenchFigure("managed heap per record of the in-memory store", "bytes", full.HeapBytesPerRecord, full.HeapBytesPerRecord, full.HeapBytesPerRecord, 1, size + " (GC heap after a full collection, minus before)"));
        foreach (var newRecords in new[] { true, false })
        {
            var what = newRecords ? "new records" : "updates of existing records";
            var (update, stats) = UpdateCost(full, options.Runs, batch, newRecords);
            figures.Add(BenchFigure.Of($"map update per key, {batch:N0}-key batches, {what}", "µs/key", update, size));
            figures.Add(new BenchFigure($"  hashes / pages read / pages written / bytes written per key, {what}", "per key", stats.Hashes, stats.Hashes, stats.Hashes, 1,
                $"{stats.Hashes:0.0} hashes, {stats.PagesRead:0.00} pages read, {stats.PagesWritten:0.00} pages written, {stats.Bytes:0} bytes written"));
            figures.Add(Ratio($"  ratio: map update per key ÷ SHA-256 of 65 bytes, {what}", update, sha, "hash-equivalents per key"));
            figures.Add(Ratio($"  ratio: Ed25519 verify ÷ map update per key, {what}", ed, update, "map updates per signature check"));
        }
        foreach (var small in new[] { 100, 10 })
        {
            var (update, _) = UpdateCost(full, options.Runs, small, newRecords: true);
            figures.Add(BenchFigure.Of($"map update per key, {small}-key batches, new records", "µs/key", update, size));
        }
        figures.AddRange(Proofs(full, options.Runs, present: true, size));
        figures.AddRange(Proofs(full, options.Runs, present: false, size));
        return figures;
    }

    private static BenchFigure Ratio(string name, List<double> numerator, List<double> denominator, string unit)
    {
        var n = numerator.Order().ToArray();
        var d = denominator.Order().ToArray();
        var median = BenchFigure.Of("", "", numerator).Median / BenchFigure.Of("", "", denominator).Median;
        return new BenchFigure(name, unit, median, n[0] / d[^1], n[^1] / d[0], Math.Min(n.Length, d.Length), "medians' ratio; min/max from the extreme runs");
    }

    /// <summary>Per run: <see cref="BatchesPerRun"/> batches timed through <see cref="StatusMapTree.Prepare"/>, then written and pruned (not timed).</summary>
    private static (List<double> MicrosPerKey, (double Hashes, double PagesRead, double PagesWritten, double Bytes) PerKey) UpdateCost(BenchMap map, int runs, int batchSize, bool newRecords)
    {
        var samples = new List<double>();
        long keys = 0, hashes = 0, read = 0, written = 0, bytes = 0;
        var random = new Random(7);
        var updates = new StatusMapUpdate[batchSize];
        var batches = Math.Max(BatchesPerRun, 20_000 / batchSize);
        for (var run = 0; run < runs + 1; run++)
        {
            var elapsed = TimeSpan.Zero;
            var runKeys = 0;
            for (var b = 0; b < batches; b++)
            {
                for (var i = 0; i < batchSize; i++)
                {
                    var index = newRecords ? map.Records++ : random.NextInt64(map.Records);
                    updates[i] = new StatusMapUpdate(BenchMap.KeyOf(index), BenchMap.RandomValue(random));
                }
                var sw = Stopwatch.StartNew();
                var writes = map.Tree.Prepare(map.Version, map.Version + (ulong)batchSize, updates);
                elapsed += sw.Elapsed;
                map.Commit(writes);
                runKeys += batchSize;
                if (run == 0) continue; // warm-up run
                keys += writes.Keys;
                hashes += writes.HashesComputed;
                read += writes.PagesRead;
                written += writes.Pages.Count;
                bytes += writes.PageBytes;
            }
            if (run > 0) samples.Add(elapsed.TotalMicroseconds / runKeys);
        }
        return (samples, ((double)hashes / keys, (double)read / keys, (double)written / keys, (double)bytes / keys));
    }

    private static IEnumerable<BenchFigure> Proofs(BenchMap map, int runs, bool present, string size)
    {
        var what = present ? "present keys" : "absent keys";
        Assert(map.Tree.TryGetRoot(map.Version, out var root), "no root");
        var generate = new List<double>();
        var verify = new List<double>();
        var lengths = new List<double>();
        var json = new List<double>();
        var absentLeaf = 0;
        var random = new Random(present ? 11 : 13);
        var keys = new Hash256[ProofsPerRun];
        var values = new Hash256?[ProofsPerRun];
        var proofs = new byte[ProofsPerRun][];
        for (var run = 0; run < runs + 1; run++)
        {
            for (var i = 0; i < keys.Length; i++) keys[i] = present ? BenchMap.KeyOf(random.NextInt64(map.Records)) : StatusMapKey.ForRecord($"absent-{run}-{i}");
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < keys.Length; i++)
            {
                Assert(map.Tree.TryProve(map.Version, keys[i], out values[i], out var proof, out var error), error);
                proofs[i] = proof!.ToBytes();
            }
            var generated = sw.Elapsed.TotalMicroseconds / keys.Length;
            sw.Restart();
            for (var i = 0; i < keys.Length; i++)
            {
                Assert(StatusMapProofVerifier.Verify(root, keys[i], values[i], proofs[i]), "a proof did not verify");
            }
            var verified = sw.Elapsed.TotalMicroseconds / keys.Length;
            if (run == 0) continue;
            generate.Add(generated);
            verify.Add(verified);
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
        yield return BenchFigure.Of($"proof verification, {what}", "µs", verify, note);
        yield return BenchFigure.Of($"proof size, {what} (median over {lengths.Count:N0} proofs; min/max are single proofs)", "bytes", lengths,
            $"{note}; {lengths.Count(l => l > 1024) * 100.0 / lengths.Count:0.0}% over 1,024 bytes");
        yield return BenchFigure.Of($"bundle status-proof JSON element, {what}", "bytes", json, "compact JSON, base64 fields");
    }

    private static StatusMapProof ParseProof(byte[] bytes) =>
        StatusMapProof.TryParse(bytes, out var proof, out var error) ? proof : throw new InvalidOperationException(error);

    private static void Assert(bool condition, string? what)
    {
        if (!condition) throw new InvalidOperationException("status-map bench: " + what);
    }

    private static double Sha256Of65Bytes()
    {
        Span<byte> input = stackalloc byte[65];
        Span<byte> hash = stackalloc byte[32];
        RandomNumberGenerator.Fill(input);
        const int count = 1_000_000;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            SHA256.HashData(input, hash);
            input[1] = hash[0];
        }
        return sw.Elapsed.TotalMicroseconds / count;
    }

    private static double Ed25519Verify()
    {
        var key = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var messages = new byte[500][];
        var signatures = new byte[messages.Length][];
        for (var i = 0; i < messages.Length; i++)
        {
            messages[i] = RandomNumberGenerator.GetBytes(300);
            signatures[i] = key.Sign(messages[i]);
        }
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < messages.Length; i++) Assert(key.PublicKey.Verify(messages[i], signatures[i]), "Ed25519 refused");
        return sw.Elapsed.TotalMicroseconds / messages.Length;
    }

    /// <summary>What a non-collapsed 256-level map costs per key at least: the leaf hash and 256 node hashes with empty siblings.</summary>
    private static double NaivePath()
    {
        const int keys = 2000;
        Span<byte> h = stackalloc byte[32];
        var sw = Stopwatch.StartNew();
        for (var k = 0; k < keys; k++)
        {
            var key = BenchMap.KeyOf(k);
            StatusMapHash.LeafHash(key.AsSpan(), key.AsSpan(), h);
            for (var d = StatusMapHash.Depth; d >= 1; d--)
            {
                if (StatusMapKey.Bit(key.AsSpan(), d - 1) == 0) StatusMapHash.NodeHash(h, StatusMapHash.EmptySpan(d), h);
                else StatusMapHash.NodeHash(StatusMapHash.EmptySpan(d), h, h);
            }
        }
        return sw.Elapsed.TotalMicroseconds / keys;
    }

    /// <summary>A map of N records in a <see cref="MemoryStatusMapStore"/>, pruned to its latest version after every batch.</summary>
    private sealed class BenchMap
    {
        private BenchMap(int pageHeight)
        {
            Tree = new StatusMapTree(Store, pageHeight);
        }

        public MemoryStatusMapStore Store { get; } = new();
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
