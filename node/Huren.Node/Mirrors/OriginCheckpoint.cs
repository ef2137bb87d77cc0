using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Sdk.Merkle;

namespace Huren.Node.Mirrors;

/// <summary>
/// A mirror's participant in each stored run: the run is written only if the root recomputed over it equals the root
/// of the origin's signed checkpoint for that size, and — when the checkpoint has a status-map line — the status map
/// recomputed over the run (by the log's <see cref="LogStatusMap"/>, which writes before this participant) has the
/// root of that line; that checkpoint is written with it, and announced once durable (a note that came already
/// cosigned is final at once, and <see cref="Anchoring.FinalCheckpoints"/> learns of notes from the announcements).
/// </summary>
internal sealed class OriginCheckpoint(MerkleLog log, LogEvents? events) : IBatchParticipant
{
    private (ulong Size, byte[] Root, byte[] Note, Hash256? MapRoot)? _expected;

    /// <summary>Whether the last refused run was refused for its status-map root alone (the log root matched).</summary>
    public bool MapMismatch { get; private set; }

    /// <summary>The origin's verified checkpoint the next run must reach, with its status-map root if it has one.</summary>
    public void Expect(ulong size, byte[] root, byte[] note, Hash256? mapRoot)
    {
        _expected = (size, root, note, mapRoot);
        MapMismatch = false;
    }

    public void Write(StoreBatch batch, LogStaging staging)
    {
        if (_expected is not { } cp) throw new InvalidOperationException("a mirrored run needs the origin's checkpoint");
        if (staging.Size != cp.Size || !staging.Root().AsSpan().SequenceEqual(cp.Root))
            throw new BatchRefusedException($"root of {log.Origin} at size {staging.Size} recomputed from its entries differs from its signed checkpoint");
        if (cp.MapRoot is { } claimed && log.StatusMap.RootFor(staging.Size) is var recomputed && recomputed != claimed)
        {
            MapMismatch = true;
            throw new BatchRefusedException(
                $"status map root of {log.Origin} at size {staging.Size} recomputed from its entries is {recomputed}, its signed checkpoint says {claimed}");
        }
        log.Store.PutCheckpoint(batch, cp.Size, cp.Note);
    }

    public void Committed(LogStaging staging)
    {
        if (_expected is { } cp) events?.Publish(new LogEvent(log.Origin, LogEventKind.Checkpoint, cp.Size, Note: cp.Note));
        _expected = null;
    }

    public void Discarded() => _expected = null;
}
