using Huren.Anchoring;
using Huren.Node.Logs;
using Huren.Sdk.Anchoring;
using Huren.Sdk.Evidence;

namespace Huren.Node.Anchoring;

/// <summary>
/// Anchor proofs for checkpoints, from the node's confirmed anchor records: for a checkpoint of origin O and size S,
/// the newest confirmed anchor whose checkpoint of O is at least S (it covers every entry), else the newest confirmed
/// anchor of O at all (it covers the entries below its size); with a consistency proof from the smaller size to the
/// larger when the sizes differ. Confirmed records do not change, so they are parsed once and kept. Thread-safe.
/// </summary>
public sealed class AnchorProofs(IAnchorStore store, LogDirectory logs)
{
    // How far back a proof is looked for: anchors are made every few minutes, bundles are about recent checkpoints.
    private const int Lookback = 64;

    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, AnchorRecord> _confirmed = [];

    /// <summary>How many confirmed records are cached (tests).</summary>
    internal int CachedCount
    {
        get
        {
            lock (_lock) return _confirmed.Count;
        }
    }

    /// <summary>The proof for <paramref name="origin"/> at <paramref name="size"/> (0: the newest anchored), with the record, or null.</summary>
    public (AnchorProof Proof, AnchorRecord Record)? For(string origin, ulong size)
    {
        AnchorRecord? covering = null, newest = null;
        foreach (var record in Confirmed())
        {
            if (record.CheckpointOf(origin) is not { } anchored) continue;
            newest ??= record;
            if (size == 0) break;
            if (anchored.Size >= size) covering = record;
            else break; // older anchors are smaller still
        }
        var chosen = covering ?? newest;
        if (chosen?.ProofFor(origin) is not { } proof) return null;
        var anchoredSize = proof.Leaf.Size;
        if (size != 0 && size != anchoredSize)
        {
            if (logs.Find(origin) is not { } log || log.Size < Math.Max(size, anchoredSize)) return null;
            var (from, to) = size < anchoredSize ? (size, anchoredSize) : (anchoredSize, size);
            proof.Consistency = new AnchorConsistency { Size = size, Proof = log.ConsistencyProof(from, to).ConvertAll(Convert.ToBase64String) };
        }
        return (proof, chosen);
    }

    /// <summary>Adds to <paramref name="bundle"/> an anchor proof for each of its checkpoints that has one (none: the field stays absent).</summary>
    public void Attach(EvidenceBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        foreach (var (origin, note) in bundle.Checkpoints)
        {
            if (!Sdk.Notes.SignedNote.TryParse(note, out var parsed, out _)) continue;
            var checkpoint = Sdk.Notes.Checkpoint.FromNote(parsed, origin);
            if (For(origin, checkpoint.Size) is not { } found) continue;
            (bundle.AnchorProofs ??= []).Add(found.Proof);
        }
    }

    private List<AnchorRecord> Confirmed()
    {
        var list = new List<AnchorRecord>();
        var next = store.Latest();
        var seen = 0;
        while (next is not null && seen < Lookback)
        {
            seen++;
            AnchorRecord? cached;
            lock (_lock) _confirmed.TryGetValue(next.Id, out cached);
            var record = cached ?? next;
            if (record.Status == AnchorStatus.Confirmed)
            {
                if (cached is null) lock (_lock) _confirmed[record.Id] = record;
                list.Add(record);
            }
            if (record.Id == 0) break;
            next = LoadBelow(record.Id);
        }
        // Records below the look-back are not read again: the cache keeps only what a walk can reach, not every anchor
        // of the node's life (one every few minutes, each with every member's note).
        if (list.Count > 0)
        {
            var floor = list[^1].Id;
            lock (_lock)
            {
                if (_confirmed.Count > Lookback)
                {
                    var stale = new List<ulong>();
                    foreach (var id in _confirmed.Keys)
                    {
                        if (id < floor) stale.Add(id);
                    }
                    foreach (var id in stale) _confirmed.Remove(id);
                }
            }
        }
        return list;
    }

    private AnchorRecord? LoadBelow(ulong id)
    {
        // A kept confirmed record with the next lower id saves a parse.
        lock (_lock)
        {
            if (_confirmed.TryGetValue(id - 1, out var cached)) return cached;
        }
        return store.ListBefore(id, 1) is [var below] ? below : null;
    }
}
