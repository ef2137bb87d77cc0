using System.Text;
using Huren.Node.Logs;
using Huren.Node.Network;
using Huren.Sdk.Notes;

namespace Huren.Node.Anchoring;

/// <summary>
/// The newest final checkpoint note of every log the node holds (its own and its mirrors), for anchoring,
/// time-stamping and <c>GetCheckpoint</c> with <c>final</c>. Log events only hand over the note (a cheap check first:
/// it must carry enough signature lines to be final); signatures are verified later, on the reader's thread, so the
/// event thread and the writers never pay for it. The last few candidates of each log are kept, not only the newest:
/// a busy log's newest checkpoint is usually not final yet, and must not push out the cosigned one before it. A
/// stand-alone node (no network) treats every checkpoint as final. Thread-safe.
/// </summary>
public sealed class FinalCheckpoints
{
    private readonly NetworkView _network;
    private readonly Lock _lock = new();
    // Per log, the newest candidates by size (a note stored again with more cosignatures replaces its size's entry).
    private readonly Dictionary<string, List<(ulong Size, byte[] Note)>> _candidates = new(StringComparer.Ordinal);

    /// <summary>Candidates kept per log between two reads: the newest, and the cosigned ones just before it.</summary>
    private const int CandidatesPerLog = 8;
    private readonly Dictionary<string, (ulong Size, string Note)> _final = new(StringComparer.Ordinal);
    private long _version;

    /// <summary>Follows <paramref name="events"/>; seeds itself with the stored newest checkpoint of each log in <paramref name="logs"/>.</summary>
    public FinalCheckpoints(NetworkView network, LogDirectory logs, LogEvents events)
    {
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(events);
        _network = network;
        foreach (var log in logs.All)
        {
            if (log.Store.GetLatestCheckpoint() is { } latest) Consider(log.Origin, latest.Size, latest.Note);
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

    private void Consider(string origin, ulong size, byte[] note)
    {
        var threshold = _network.Current?.WitnessThreshold ?? 0;
        // A final note has the log's signature plus at least the threshold of cosignatures.
        if (SignatureLines(note) < 1 + threshold) return;
        lock (_lock)
        {
            if (_final.TryGetValue(origin, out var fin) && fin.Size > size) return;
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
    }

    /// <summary>The newest final note of every log (verified now where not yet), by origin.</summary>
    public IReadOnlyDictionary<string, (ulong Size, string Note)> Latest()
    {
        List<(string Origin, List<(ulong Size, byte[] Note)> Notes)> pending;
        lock (_lock)
        {
            pending = [.. _candidates.Select(c => (c.Key, c.Value))];
            _candidates.Clear();
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
