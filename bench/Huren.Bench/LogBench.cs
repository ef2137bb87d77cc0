using Huren.Node.Checkpoints;
using System.Diagnostics;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Bench;

/// <summary>
/// The log alone (signature-only admission, no ledger rules, no gRPC): entries/s appended through the sequencer with
/// and without group commit, and bytes on disk per entry; the machine's limits are in <see cref="MachineLimits"/>.
/// </summary>
internal static class LogBench
{
    private const string Origin = "huren.bench/430100";

    public static async Task<List<BenchFigure>> RunAsync(BenchOptions options)
    {
        var figures = new List<BenchFigure>();
        var ed = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var batchedLeaves = MakeLeaves(ed, options.Entries);
        var batched = new List<double>();
        var unbatched = new List<double>();
        var bytesPerEntry = new List<double>();
        // The status map's cost: state entries (each a new record) appended with and without the map, alternated.
        var stateLeaves = MakeLeaves(ed, options.Entries, EntryKinds.LicenseStatus);
        var withMap = new List<double>();
        var withoutMap = new List<double>();
        for (var run = 0; run < options.Runs; run++)
        {
            withoutMap.Add((await AppendRateAsync(ed, stateLeaves, new SequencerOptions(), options.Submitters, statusMap: false, EntryKinds.LicenseStatus)).Rate);
            withMap.Add((await AppendRateAsync(ed, stateLeaves, new SequencerOptions(), options.Submitters, statusMap: true, EntryKinds.LicenseStatus)).Rate);
        }
        for (var run = 0; run < options.Runs; run++)
        {
            var (rate, bytes) = await AppendRateAsync(ed, batchedLeaves, new SequencerOptions(), options.Submitters);
            batched.Add(rate);
            bytesPerEntry.Add(bytes);
            unbatched.Add((await AppendRateAsync(ed, batchedLeaves[..Math.Min(2000, batchedLeaves.Length)],
                new SequencerOptions { MaxBatchSize = 1, MaxBatchDelay = TimeSpan.Zero }, options.Submitters)).Rate);
        }
        figures.Add(BenchFigure.Of("append Ed25519 entries, group commit (512 / 2 ms)", "entries/s", batched, $"{options.Submitters} submitters"));
        figures.Add(BenchFigure.Of("append Ed25519 entries, one entry per batch", "entries/s", unbatched, $"{options.Submitters} submitters"));
        figures.Add(BenchFigure.Of("append state entries (license.status, new records), group commit, without the status map", "entries/s", withoutMap, $"{options.Submitters} submitters"));
        figures.Add(BenchFigure.Of("append state entries (license.status, new records), group commit, with the status map", "entries/s", withMap,
            $"{options.Submitters} submitters; runs alternated with the line above; mean with / mean without = {withMap.Average() / withoutMap.Average():0.00}"));
        var leafBytes = batchedLeaves.Average(l => l.Length);
        figures.Add(BenchFigure.Of("bytes on disk per entry after compaction", "bytes", bytesPerEntry, $"leaf is {leafBytes:0} bytes"));
        return figures;
    }

    internal static byte[][] MakeLeaves(SigningKey key, int count, string kind = EntryKinds.LicenseUse)
    {
        var leaves = new byte[count][];
        Parallel.For(0, count, i =>
        {
            var entry = new Entry
            {
                Kind = kind, RecordId = $"bench-{Guid.NewGuid():N}", IssuerId = "bench", Origin = Origin,
                TimeUnixMs = 1_795_000_000_000 + i, SchemaId = "huren.license.used", SchemaVersion = 1, Body = new byte[96],
            };
            leaves[i] = EntrySigner.SignToLeaf(entry, key);
        });
        return leaves;
    }

    private static async Task<(double Rate, double BytesPerEntry)> AppendRateAsync(SigningKey key, byte[][] leaves, SequencerOptions options, int submitters, bool statusMap = true, string kind = EntryKinds.LicenseUse)
    {
        var dir = Path.Combine(Path.GetTempPath(), "huren-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            double rate;
            using (var db = RocksStore.Open(dir))
            {
                var log = new MerkleLog(new LogStore(db, Origin));
                var check = new SignatureCheck(Origin, id => id == key.Id ? key.PublicKey : null);
                // The map comparison writes the same 100-byte stand-in checkpoint with every batch either way (a real writer asks the map's root).
                IBatchParticipant[] participants = kind == EntryKinds.LicenseStatus
                    ? [new StandInCheckpoint(log)]
                    : [new CheckpointWriter(log, (size, root, extensions) => new byte[100], options.CheckpointInterval, TimeProvider.System)];
                await using (var sequencer = Sequencer.Over(log, new SignatureOnlyAdmission(check), participants, options, NullLogger.Instance, statusMap))
                {
                    var next = -1;
                    var sw = Stopwatch.StartNew();
                    var tasks = new Task[submitters];
                    for (var t = 0; t < submitters; t++)
                    {
                        tasks[t] = Task.Run(async () =>
                        {
                            int i;
                            while ((i = Interlocked.Increment(ref next)) < leaves.Length) await sequencer.SubmitAsync(leaves[i]);
                        });
                    }
                    await Task.WhenAll(tasks);
                    rate = leaves.Length / sw.Elapsed.TotalSeconds;
                    if (log.Size != (ulong)leaves.Length) throw new InvalidOperationException($"appended {log.Size} of {leaves.Length}");
                }
                db.Compact();
            }
            long bytes = 0;
            foreach (var f in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)) bytes += new FileInfo(f).Length;
            return (rate, (double)bytes / leaves.Length);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

/// <summary>A 100-byte stand-in checkpoint written with every batch, the same with and without the status map.</summary>
internal sealed class StandInCheckpoint(MerkleLog log) : IBatchParticipant
{
    private static readonly byte[] Note = new byte[100];

    public void Write(StoreBatch batch, LogStaging staging) => log.Store.PutCheckpoint(batch, staging.Size, Note);

    public void Committed(LogStaging staging)
    {
    }

    public void Discarded()
    {
    }
}
