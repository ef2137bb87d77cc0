using Huren.Node.Checkpoints;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Notes;
using Microsoft.Extensions.Logging.Abstractions;

// Usage: Huren.Node.CrashHarness <data dir> <ed25519 seed hex> <submitters>
// Appends entries signed by the given key from concurrent submitters and prints "ACK <index> <leaf hash hex>"
// for each acknowledgement, strictly after the sequencer reported it durable. Meanwhile the node's status-map pruner
// prunes every 20 ms down to the map's latest version, printing "PRUNED <floor> <root records and pages deleted>", so kills land in its writes too.
var dataDir = args[0];
var key = SigningKey.FromEd25519Seed(Convert.FromHexString(args[1]));
var submitters = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
const string Origin = "huren.crash/430100";

using var db = RocksStore.Open(dataDir);
var log = new MerkleLog(new LogStore(db, Origin));
var check = new SignatureCheck(Origin, id => id == key.Id ? key.PublicKey : null);
var noteSigner = new CheckpointSigner(Origin, key, sm2Key: null);
var checkpoints = new CheckpointWriter(log, (size, root, extensions) => noteSigner.Sign(size, root, extensions).ToUtf8(), TimeSpan.Zero, TimeProvider.System);
await using var sequencer = Sequencer.Over(log, new SignatureOnlyAdmission(check), [checkpoints],
    new SequencerOptions { MaxBatchSize = 64, MaxBatchDelay = TimeSpan.FromMilliseconds(2) }, NullLogger.Instance);

var stdout = Console.Out;
var gate = new Lock();
var pruner = new StatusMapPruner(new LogDirectory(log),
    new StatusMapOptions { KeepVersionsFor = TimeSpan.Zero, PruneInterval = TimeSpan.FromMilliseconds(20), PruneBatchSize = 100 },
    TimeProvider.System, new BackgroundFaults(), NullLogger<StatusMapPruner>.Instance, (_, floor, deleted) =>
    {
        lock (gate)
        {
            stdout.WriteLine($"PRUNED {floor} {deleted}");
            stdout.Flush();
        }
    });
await pruner.StartAsync(CancellationToken.None);
Console.Error.WriteLine($"START size={log.Size}");
var run = Guid.NewGuid().ToString("N")[..8];
var tasks = new Task[submitters];
for (var t = 0; t < submitters; t++)
{
    var worker = t;
    tasks[t] = Task.Run(async () =>
    {
        for (var i = 0; ; i++)
        {
            var entry = new Entry
            {
                // A state entry (only signatures are checked here), so every batch also changes the status map.
                Kind = EntryKinds.LicenseStatus, RecordId = $"{run}-{worker}-{i}", IssuerId = "crash", Origin = Origin,
                TimeUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), SchemaId = "huren.license.status-changed", SchemaVersion = 1,
                Body = new byte[64],
            };
            var result = await sequencer.SubmitAsync(EntrySigner.SignToLeaf(entry, key));
            lock (gate)
            {
                stdout.WriteLine($"ACK {result.Index} {Convert.ToHexStringLower(result.LeafHash)}");
                stdout.Flush();
            }
        }
    });
}
await Task.WhenAll(tasks);
