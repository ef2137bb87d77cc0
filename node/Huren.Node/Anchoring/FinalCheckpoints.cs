using System.Text;
using Huren.Node.Logs;
using Huren.Node.Network;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Node.Anchoring;

/// <summary>
/// The newest final checkpoint note of every log the node holds (its own and its mirrors), for anchoring,
/// time-stamping and <c>GetCheckpoint</c> with <c>final</c>. Log events only hand over the note (a cheap check first:
/// besides the log's own lines, Ed25519 and SM2, it must carry as many lines as the threshold asks, so a checkpoint
/// not yet cosigned is no candidate); signatures are verified later, on the reader's thread, so the event thread and
/// the writers never pay for it. The last few candidates of each log are kept, not only the newest, and at start the
/// stored notes are looked through from the newest back to the first that can be final. What was found final is
/// checked again under a new network configuration. A stand-alone node (no network) treats every checkpoint as
/// final. Thread-safe.
/// </summary>
public sealed class FinalCheckpoints
{
    /// <summary>Stored notes looked through, per log, at start for one that can be final.</summary>
    private const int SeedDepth = 64;

    /// <summary>Candidates kept per log between two reads: the newest, and the cosigned ones just before it.</summary>
    private const int CandidatesPerLog = 8;

    private readonly NetworkView _network;
    private readonly Lock _lock = new();
    // One reader verifies at a time: a second one waits for the first's answer instead of finding the candidates taken.
    private readonly Lock _reading = new();
    // Per log, the newest candidates by size (a note stored again with more cosignatures replaces its size's entry).
    private readonly Dictionary<string, List<(ulong Size, byte[] Note)>> _candidates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ulong Size, string Note)> _final = new(StringComparer.Ordinal);
    // The configuration _final was verified under (checked again when another is in force).
    private TrustedNetwork? _verifiedUnder;
    private long _version;

    /// <summary>Follows <paramref name="events"/>; seeds itself with the stored newest checkpoint of each log in <paramref name="logs"/>.</summary>
    public FinalCheckpoints(NetworkView network, LogDirectory logs, LogEvents events)
    {
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(events);
        _network = network;
        foreach (var log in logs.All)
        {
            // The newest stored note is often not cosigned yet (a restart while the witnesses are away): look back.
            var stored = log.Store.GetLatestCheckpoint();
            for (var depth = 0; stored is { } note && depth < SeedDepth; depth++)
            {
                if (Consider(log.Origin, note.Size, note.Note)) break;
                stored = log.Store.GetCheckpointBelow(note.Size);
            }
        }
        events.Subscribe(e =>
        {
            if (e.Kind == LogEventKind.Checkpoint && e.Note is { } note) Consider(e.Origin, e.Size, note);
        });
    }

    /// <summary>Raised (on the event thread) when a log may have a newer final checkpoint; handlers must be quick.</summary>
    public event Action<string>? Changed;

    /// <summary>Grows with every accepted candidate (lets readers skip work when nothing changed).</summary>
    public long Version => Interlocked.Read(ref _version);

    /// <summary>Takes <paramref name="note"/> as a candidate when it has lines enough to be final; says whether it did.</summary>
    private bool Consider(string origin, ulong size, byte[] note)
    {
        var current = _network.Current;
        var threshold = current?.WitnessThreshold ?? 0;
        // A final note has the log's own lines (Ed25519, and SM2 when the member has an SM2 key) plus at least the
        // threshold of cosignatures: counting the SM2 line as a cosignature made every new checkpoint a candidate.
        var own = current?.ByOrigin(origin)?.Sm2NoteKey is null ? 1 : 2;
        if (SignatureLines(note) < own + threshold) return false;
        lock (_lock)
        {
            if (_final.TryGetValue(origin, out var fin) && fin.Size > size) return false;
            if (!_candidates.TryGetValue(origin, out var held)) _candidates[origin] = held = [];
            var at = held.FindIndex(c => c.Size == size);
            if (at >= 0) held[at] = (size, note);
            else
            {
                held.Add((size, note));
                held.Sort((a, b) => a.Size.CompareTo(b.Size));
                if (held.Count > CandidatesPerLog) held.RemoveAt(0);
            }
        }
        Interlocked.Increment(ref _version);
        Changed?.Invoke(origin);
        return true;
    }

    /// <summary>The newest final note of every log (verified now where not yet), by origin.</summary>
    public IReadOnlyDictionary<string, (ulong Size, string Note)> Latest()
    {
        lock (_reading) return LatestLocked();
    }

    private Dictionary<string, (ulong Size, string Note)> LatestLocked()
    {
        List<(string Origin, List<(ulong Size, byte[] Note)> Notes)> pending;
        List<(string Origin, ulong Size, string Note)> again = [];
        lock (_lock)
        {
            pending = [.. _candidates.Select(c => (c.Key, c.Value))];
            _candidates.Clear();
            if (!ReferenceEquals(_network.Current, _verifiedUnder))
            {
                // A new configuration (threshold, witness keys) may make what was final not final any more.
                again = [.. _final.Select(f => (f.Key, f.Value.Size, f.Value.Note))];
                _verifiedUnder = _network.Current;
            }
        }
        foreach (var (origin, size, note) in again)
        {
            if (IsFinal(origin, note)) continue;
            lock (_lock)
            {
                if (_final.TryGetValue(origin, out var held) && held.Size == size) _final.Remove(origin);
            }
        }
        foreach (var (origin, notes) in pending)
        {
            // Newest first: the first final one is the answer. Those not final now come again as events when cosigned.
            for (var i = notes.Count - 1; i >= 0; i--)
            {
                var (size, bytes) = notes[i];
                var text = Encoding.UTF8.GetString(bytes);
                if (!IsFinal(origin, text)) continue;
                lock (_lock)
                {
                    if (!_final.TryGetValue(origin, out var held) || held.Size <= size) _final[origin] = (size, text);
                }
                break;
            }
        }
        lock (_lock) return new Dictionary<string, (ulong, string)>(_final, StringComparer.Ordinal);
    }

    /// <summary>The newest final note of <paramref name="origin"/>, or null.</summary>
    public (ulong Size, string Note)? LatestOf(string origin) => Latest().TryGetValue(origin, out var n) ? n : null;

    private bool IsFinal(string origin, string note)
    {
        if (!SignedNote.TryParse(note, out var parsed, out _)) return false;
        if (_network.Current is not { } current) return true;
        return current.IsFinal(origin, parsed);
    }

    private static int SignatureLines(byte[] note)
    {
        // Signature lines follow the blank line and start with "— " (U+2014, UTF-8 E2 80 94).
        var span = note.AsSpan();
        var blank = span.IndexOf("\n\n"u8);
        if (blank < 0) return 0;
        var count = 0;
        var rest = span[(blank + 2)..];
        while (rest.Length > 0)
        {
            if (rest.StartsWith("\u2014 "u8)) count++;
            var nl = rest.IndexOf((byte)'\n');
            if (nl < 0) break;
            rest = rest[(nl + 1)..];
        }
        return count;
    }
}
