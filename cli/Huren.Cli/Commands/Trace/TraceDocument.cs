using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Huren.Cli.Output;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;

namespace Huren.Cli.Commands.Trace;

/// <summary>
/// The trace of one record across every city's log (<c>huren-trace/v1</c>, documented in docs/trace-json.md): each
/// entry that names it, grouped by log in index order, and the references between entries (where a record came from,
/// where it went). Built from what the nodes return; the same entries give the same document.
/// </summary>
internal sealed class TraceDocument
{
    public const string FormatV1 = "huren-trace/v1";

    [JsonPropertyName("format")] public string Format { get; init; } = FormatV1;

    [JsonPropertyName("recordId")] public string RecordId { get; init; } = "";

    [JsonPropertyName("network")] public string Network { get; init; } = "";

    [JsonPropertyName("sources")] public List<TraceSource> Sources { get; init; } = [];

    [JsonPropertyName("logs")] public List<TraceLog> Logs { get; init; } = [];

    [JsonPropertyName("edges")] public List<TraceEdge> Edges { get; init; } = [];

    /// <summary>Entries for which nodes returned different bytes at the same position: evidence of a fork or a lying node.</summary>
    [JsonPropertyName("conflicts")] public List<TraceConflict> Conflicts { get; init; } = [];

    /// <summary>Each move of the license between cities (a transfer accept and the transfer it references), oldest first.</summary>
    [JsonPropertyName("hops")] public List<TraceHop> Hops { get; init; } = [];

    [JsonIgnore] public int EntryCount => Logs.Sum(l => l.Entries.Count);

    /// <summary>Merges the entries the nodes returned (the same entry from several nodes counts once).</summary>
    public static TraceDocument Build(string recordId, TrustedNetwork network, IReadOnlyList<TraceSource> sources, IEnumerable<LogEntry> entries)
    {
        var byOrigin = new SortedDictionary<string, SortedDictionary<ulong, TraceEntry>>(StringComparer.Ordinal);
        var conflicts = new List<TraceConflict>();
        var accepts = new List<(string Origin, ulong Index, Huren.Schemas.Envelope.Entry Entry)>();
        foreach (var e in entries)
        {
            if (!byOrigin.TryGetValue(e.Origin, out var log)) byOrigin[e.Origin] = log = [];
            if (log.TryGetValue(e.Index, out var known))
            {
                var hash = Convert.ToHexStringLower(MerkleHash.LeafHash(e.Leaf).AsSpan());
                if (hash != known.LeafHash && !conflicts.Exists(c => c.Origin == e.Origin && c.Index == e.Index && c.LeafHashes.Contains(hash)))
                {
                    var conflict = conflicts.Find(c => c.Origin == e.Origin && c.Index == e.Index);
                    if (conflict is null) conflicts.Add(new TraceConflict { Origin = e.Origin, Index = e.Index, LeafHashes = [known.LeafHash, hash] });
                    else conflict.LeafHashes.Add(hash);
                }
                continue;
            }
            var decoded = LeafReader.Read(e.Leaf);
            var entry = decoded.Entry;
            if (entry.Kind == Huren.Schemas.Envelope.EntryKinds.LicenseTransferAccept) accepts.Add((e.Origin, e.Index, entry));
            log[e.Index] = new TraceEntry
            {
                Origin = e.Origin,
                Index = e.Index,
                Kind = entry.Kind,
                RecordId = entry.RecordId,
                IssuerId = entry.IssuerId,
                TimeUnixMs = entry.TimeUnixMs,
                Time = DateTimeOffset.FromUnixTimeMilliseconds(entry.TimeUnixMs).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-ddTHH:mm:ss.fffzzz", CultureInfo.InvariantCulture),
                LeafHash = Convert.ToHexStringLower(MerkleHash.LeafHash(e.Leaf).AsSpan()),
                Summary = EntrySummary.Of(entry),
                References = entry.References.ConvertAll(r => new TraceReference { Origin = r.Origin, Index = r.Index, LeafHash = Convert.ToHexStringLower(r.LeafHash), Relation = r.Relation }),
            };
        }
        var document = new TraceDocument { RecordId = recordId, Network = network.NetworkId, Sources = [.. sources], Conflicts = conflicts };
        foreach (var (origin, log) in byOrigin)
        {
            var member = network.ByOrigin(origin);
            document.Logs.Add(new TraceLog { Origin = origin, CityCode = member?.CityCode ?? "", CityName = member?.Name ?? "", Entries = [.. log.Values] });
        }
        foreach (var log in document.Logs)
        {
            foreach (var entry in log.Entries)
            {
                foreach (var r in entry.References)
                {
                    document.Edges.Add(new TraceEdge
                    {
                        From = new TracePosition { Origin = entry.Origin, Index = entry.Index },
                        To = new TracePosition { Origin = r.Origin, Index = r.Index },
                        Relation = r.Relation,
                        InTrace = byOrigin.TryGetValue(r.Origin, out var referencedLog) && referencedLog.TryGetValue(r.Index, out var target) && string.Equals(target.LeafHash, r.LeafHash, StringComparison.Ordinal),
                    });
                }
            }
        }
        AddHops(document, byOrigin, accepts);
        return document;
    }

    /// <summary>A hop per accept: the transfer it references (the relation <c>transfer</c>), oldest accept first.</summary>
    private static void AddHops(TraceDocument document, SortedDictionary<string, SortedDictionary<ulong, TraceEntry>> byOrigin, List<(string Origin, ulong Index, Huren.Schemas.Envelope.Entry Entry)> accepts)
    {
        accepts.Sort((a, b) => a.Entry.TimeUnixMs != b.Entry.TimeUnixMs ? a.Entry.TimeUnixMs.CompareTo(b.Entry.TimeUnixMs)
            : string.CompareOrdinal(a.Origin, b.Origin) != 0 ? string.CompareOrdinal(a.Origin, b.Origin) : a.Index.CompareTo(b.Index));
        foreach (var (origin, index, entry) in accepts)
        {
            var body = Huren.Schemas.Envelope.EntryKinds.Of<Huren.Schemas.Bodies.LicenseTransferAccepted>().Decode(entry.Body);
            var reference = entry.References.Find(r => r is not null && r.Relation == Huren.Schemas.Envelope.Relations.Transfer && r.Origin == body.FromOrigin);
            var transferHash = reference is null ? "" : Convert.ToHexStringLower(reference.LeafHash);
            document.Hops.Add(new TraceHop
            {
                From = new TracePosition { Origin = body.FromOrigin, Index = reference?.Index ?? 0 },
                To = new TracePosition { Origin = origin, Index = index },
                LicenseId = body.LicenseId,
                NewLicenseId = body.NewLicenseId.Length > 0 ? body.NewLicenseId : body.LicenseId,
                Time = byOrigin[origin][index].Time,
                TransferInTrace = reference is not null && byOrigin.TryGetValue(reference.Origin, out var log) && log.TryGetValue(reference.Index, out var transfer)
                    && transfer.Kind == Huren.Schemas.Envelope.EntryKinds.LicenseTransfer && string.Equals(transfer.LeafHash, transferHash, StringComparison.Ordinal),
            });
        }
    }

    /// <summary>The readable tree: one branch per log, one leaf per entry, references shown as arrows.</summary>
    public string ToTree()
    {
        var text = new StringBuilder();
        text.Append(RecordId).Append('\n');
        if (Logs.Count == 0)
        {
            text.Append("└─ no entry names this record in any log the nodes keep\n");
            return text.ToString();
        }
        for (var l = 0; l < Logs.Count; l++)
        {
            var log = Logs[l];
            var lastLog = l == Logs.Count - 1;
            text.Append(lastLog ? "└─ " : "├─ ").Append(log.Origin);
            if (log.CityName.Length > 0) text.Append("  ").Append(log.CityName);
            text.Append('\n');
            var indent = lastLog ? "   " : "│  ";
            for (var i = 0; i < log.Entries.Count; i++)
            {
                var e = log.Entries[i];
                var lastEntry = i == log.Entries.Count - 1;
                text.Append(indent).Append(lastEntry ? "└─ " : "├─ ")
                    .Append('#').Append(e.Index.ToString(CultureInfo.InvariantCulture)).Append("  ")
                    .Append(e.Time[..19].Replace('T', ' ')).Append("  ")
                    .Append(e.Kind).Append("  ").Append(e.IssuerId).Append('\n');
                var detail = indent + (lastEntry ? "   " : "│  ") + "   ";
                text.Append(detail).Append(e.Summary).Append('\n');
                foreach (var r in e.References)
                {
                    text.Append(detail).Append("→ ").Append(r.Relation).Append(": ").Append(r.Origin).Append(" #").Append(r.Index.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }
            }
        }
        if (Hops.Count > 0)
        {
            text.Append("hops (").Append(Hops.Count.ToString(CultureInfo.InvariantCulture)).Append("):\n");
            for (var h = 0; h < Hops.Count; h++)
            {
                var hop = Hops[h];
                text.Append("  ").Append((h + 1).ToString(CultureInfo.InvariantCulture)).Append(". ")
                    .Append(hop.From.Origin).Append(" #").Append(hop.From.Index.ToString(CultureInfo.InvariantCulture)).Append(" → ")
                    .Append(hop.To.Origin).Append(" #").Append(hop.To.Index.ToString(CultureInfo.InvariantCulture)).Append("  ")
                    .Append(hop.Time[..19].Replace('T', ' '));
                if (hop.NewLicenseId != hop.LicenseId) text.Append("  as ").Append(hop.NewLicenseId);
                if (!hop.TransferInTrace) text.Append("  (transfer entry not in the trace)");
                text.Append('\n');
            }
        }
        return text.ToString();
    }

    /// <summary>Graphviz: a cluster per log, a node per entry, an edge per reference (and dotted log order).</summary>
    public string ToDot()
    {
        var text = new StringBuilder();
        text.Append("digraph trace {\n  rankdir=LR;\n  node [shape=box, fontname=\"sans-serif\"];\n");
        text.Append("  label=").Append(Quote($"{RecordId} ({Network})")).Append(";\n");
        for (var l = 0; l < Logs.Count; l++)
        {
            var log = Logs[l];
            text.Append("  subgraph cluster_").Append(l.ToString(CultureInfo.InvariantCulture)).Append(" {\n");
            text.Append("    label=").Append(Quote($"{log.Origin} {log.CityName}".TrimEnd())).Append(";\n");
            foreach (var e in log.Entries)
            {
                text.Append("    ").Append(NodeId(e.Origin, e.Index)).Append(" [label=").Append(Quote($"#{e.Index} {e.Kind}\n{e.IssuerId}\n{e.Summary}")).Append("];\n");
            }
            for (var i = 1; i < log.Entries.Count; i++)
            {
                text.Append("    ").Append(NodeId(log.Origin, log.Entries[i - 1].Index)).Append(" -> ").Append(NodeId(log.Origin, log.Entries[i].Index)).Append(" [style=dotted, arrowhead=none];\n");
            }
            text.Append("  }\n");
        }
        foreach (var edge in Edges)
        {
            if (!edge.InTrace)
            {
                text.Append("  ").Append(NodeId(edge.To.Origin, edge.To.Index)).Append(" [label=").Append(Quote($"{edge.To.Origin} #{edge.To.Index}")).Append(", style=dashed];\n");
            }
            text.Append("  ").Append(NodeId(edge.From.Origin, edge.From.Index)).Append(" -> ").Append(NodeId(edge.To.Origin, edge.To.Index))
                .Append(" [label=").Append(Quote(edge.Relation)).Append("];\n");
        }
        text.Append("}\n");
        return text.ToString();
    }

    private static string NodeId(string origin, ulong index) => Quote($"{origin}#{index}");

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}

/// <summary>Two or more different entries that nodes returned for one position of a log.</summary>
internal sealed class TraceConflict
{
    [JsonPropertyName("origin")] public string Origin { get; init; } = "";

    [JsonPropertyName("index")] public ulong Index { get; init; }

    /// <summary>The leaf hashes seen, the first one (kept in <c>logs</c>) first.</summary>
    [JsonPropertyName("leafHashes")] public List<string> LeafHashes { get; init; } = [];
}

/// <summary>A node asked for the trace, and whether it answered.</summary>
internal sealed class TraceSource
{
    [JsonPropertyName("cityCode")] public string CityCode { get; init; } = "";

    [JsonPropertyName("endpoint")] public string Endpoint { get; init; } = "";

    [JsonPropertyName("answered")] public bool Answered { get; init; }

    [JsonPropertyName("entries")] public int Entries { get; init; }

    [JsonPropertyName("error")] public string? Error { get; init; }
}

/// <summary>One log's entries about the record.</summary>
internal sealed class TraceLog
{
    [JsonPropertyName("origin")] public string Origin { get; init; } = "";

    [JsonPropertyName("cityCode")] public string CityCode { get; init; } = "";

    [JsonPropertyName("cityName")] public string CityName { get; init; } = "";

    [JsonPropertyName("entries")] public List<TraceEntry> Entries { get; init; } = [];
}

/// <summary>An entry naming the record.</summary>
internal sealed class TraceEntry
{
    [JsonPropertyName("origin")] public string Origin { get; init; } = "";

    [JsonPropertyName("index")] public ulong Index { get; init; }

    [JsonPropertyName("kind")] public string Kind { get; init; } = "";

    [JsonPropertyName("recordId")] public string RecordId { get; init; } = "";

    [JsonPropertyName("issuerId")] public string IssuerId { get; init; } = "";

    [JsonPropertyName("time")] public string Time { get; init; } = "";

    [JsonPropertyName("timeUnixMs")] public long TimeUnixMs { get; init; }

    [JsonPropertyName("leafHash")] public string LeafHash { get; init; } = "";

    [JsonPropertyName("summary")] public string Summary { get; init; } = "";

    [JsonPropertyName("references")] public List<TraceReference> References { get; init; } = [];
}

/// <summary>A reference from an entry to another, as the entry states it.</summary>
internal sealed class TraceReference
{
    [JsonPropertyName("origin")] public string Origin { get; init; } = "";

    [JsonPropertyName("index")] public ulong Index { get; init; }

    [JsonPropertyName("leafHash")] public string LeafHash { get; init; } = "";

    [JsonPropertyName("relation")] public string Relation { get; init; } = "";
}

/// <summary>A move of the license between cities: the transfer in the releasing log and the accept in the receiving one.</summary>
internal sealed class TraceHop
{
    [JsonPropertyName("from")] public TracePosition From { get; init; } = new();

    [JsonPropertyName("to")] public TracePosition To { get; init; } = new();

    [JsonPropertyName("licenseId")] public string LicenseId { get; init; } = "";

    [JsonPropertyName("newLicenseId")] public string NewLicenseId { get; init; } = "";

    [JsonPropertyName("time")] public string Time { get; init; } = "";

    [JsonPropertyName("transferInTrace")] public bool TransferInTrace { get; init; }
}

/// <summary>An entry's position.</summary>
internal sealed class TracePosition
{
    [JsonPropertyName("origin")] public string Origin { get; init; } = "";

    [JsonPropertyName("index")] public ulong Index { get; init; }
}

/// <summary>A reference as an edge of the trace graph.</summary>
internal sealed class TraceEdge
{
    [JsonPropertyName("from")] public TracePosition From { get; init; } = new();

    [JsonPropertyName("to")] public TracePosition To { get; init; } = new();

    [JsonPropertyName("relation")] public string Relation { get; init; } = "";

    /// <summary>Whether the referenced entry is itself in the trace (with the stated leaf hash).</summary>
    [JsonPropertyName("inTrace")] public bool InTrace { get; init; }
}
