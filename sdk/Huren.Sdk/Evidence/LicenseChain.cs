using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;

namespace Huren.Sdk.Evidence;

/// <summary>One move of a license from one city's log to another's, as verified evidence proves it.</summary>
/// <param name="FromOrigin">The releasing log.</param>
/// <param name="FromLicenseId">The license's identifier there.</param>
/// <param name="TransferIndex">The <c>license.transfer</c> entry's index in <paramref name="FromOrigin"/>.</param>
/// <param name="ToOrigin">The receiving log.</param>
/// <param name="ToLicenseId">The identifier the receiving log gives it (the same, unless renamed on acceptance).</param>
/// <param name="AcceptIndex">The <c>license.transfer.accept</c> entry's index in <paramref name="ToOrigin"/>.</param>
public sealed record TransferHop(string FromOrigin, string FromLicenseId, ulong TransferIndex, string ToOrigin, string ToLicenseId, ulong AcceptIndex);

/// <summary>
/// One stretch of a license's life in one log: from its issue, or the accept that brought it there, to the transfer
/// that took it on (or, for the holder's stretch, to the checkpoint).
/// </summary>
internal sealed class LicenseStretch(BundleEntry start, DecodedLeaf startLeaf, string licenseId, LicenseTransferAccepted? accept)
{
    public BundleEntry Start { get; } = start;

    public DecodedLeaf StartLeaf { get; } = startLeaf;

    public string Origin => Start.Origin;

    /// <summary>The identifier the log's entries give the license in this stretch.</summary>
    public string LicenseId { get; } = licenseId;

    /// <summary>The accept that began the stretch; null when it began with the issue.</summary>
    public LicenseTransferAccepted? Accept { get; } = accept;

    /// <summary>The first transfer of the license in this log after the start, if the bundle holds one.</summary>
    public (BundleEntry Entry, DecodedLeaf Leaf)? Transfer { get; set; }

    /// <summary>The entries about the license after the start, up to and with the transfer, in log order.</summary>
    public List<(BundleEntry Entry, DecodedLeaf Leaf)> Entries { get; } = [];

    public bool Holds(string origin, string licenseId, ulong index)
        => origin == Origin && licenseId == LicenseId && index > Start.Index && (Transfer is not { } t || index <= t.Entry.Index);

    /// <summary>The accept's reference to the transfer in the releasing log, or null.</summary>
    public EntryReference? TransferReference()
        => Accept is null ? null : StartLeaf.Entry.References.Find(r => r is not null && r.Relation == Relations.Transfer && r.Origin == Accept.FromOrigin);
}

/// <summary>
/// A license's history across cities, hop by hop, from a bundle's proven entries: the holder's stretch (about the
/// bundle's subject, not passed on to another stretch the bundle holds), then back through each accept to the transfer
/// it references in the releasing log and that log's stretch, until the issue. Every other entry about one of those
/// identifiers must fall inside a stretch of its log.
/// </summary>
internal static class LicenseChain
{
    /// <summary>Null with the stretches in order (the issue's first, the holder's last), or the reason the bundle fails.</summary>
    public static string? Build(string subject, List<(BundleEntry Entry, DecodedLeaf Leaf)> decoded, Dictionary<(string Origin, ulong Index), Hash256> leafHashes, out List<LicenseStretch> chain)
    {
        chain = [];
        var starts = new List<LicenseStretch>();
        var acceptOf = new Dictionary<(string Origin, ulong Index), LicenseStretch>();
        foreach (var (e, read) in decoded)
        {
            if (read.Entry.Kind == EntryKinds.LicenseIssue)
            {
                starts.Add(new LicenseStretch(e, read, read.Entry.RecordId, null));
            }
            else if (read.Entry.Kind == EntryKinds.LicenseTransferAccept)
            {
                var body = EntryKinds.Of<LicenseTransferAccepted>().Decode(read.Entry.Body);
                var stretch = new LicenseStretch(e, read, body.NewLicenseId.Length > 0 ? body.NewLicenseId : body.LicenseId, body);
                starts.Add(stretch);
                if (stretch.TransferReference() is { } r && !acceptOf.TryAdd((r.Origin, r.Index), stretch))
                {
                    var first = acceptOf[(r.Origin, r.Index)].Start;
                    return $"the transfer {r.Origin}#{r.Index} is accepted twice in the bundle: by {first.Origin}#{first.Index} and by {e.Origin}#{e.Index}";
                }
            }
        }
        foreach (var s in starts)
        {
            var t = decoded.FindIndex(d => d.Entry.Origin == s.Origin && d.Entry.Index > s.Start.Index && d.Leaf.Entry.Kind == EntryKinds.LicenseTransfer && d.Leaf.Entry.RecordId == s.LicenseId);
            if (t >= 0) s.Transfer = decoded[t];
        }

        // The holder's stretch: about the subject, and not passed on (its transfer, if any, accepted in the bundle).
        var ends = starts.FindAll(s => s.LicenseId == subject && !(s.Transfer is { } t && acceptOf.ContainsKey((s.Origin, t.Entry.Index))));
        if (ends.Count == 0)
        {
            return starts.Exists(s => s.LicenseId == subject)
                ? $"every stretch of '{subject}' in the bundle ends in a transfer the bundle shows accepted: the license is held elsewhere"
                : $"the bundle has no license.issue entry for '{subject}'";
        }
        if (ends.Count > 1)
        {
            // A broken hop leaves its releasing stretch looking unpassed: name the broken hop first.
            foreach (var end in ends)
            {
                if (end.Accept is not null && Link(end, starts, decoded, leafHashes, out _) is { } broken) return broken;
            }
            return $"the bundle holds {ends.Count} separate histories of '{subject}' ({string.Join(", ", ends.Select(s => $"{s.Origin}#{s.Start.Index}"))})";
        }

        // Back hop by hop: each accept's transfer, and the releasing log's stretch that the transfer ends.
        var current = ends[0];
        var visited = new HashSet<LicenseStretch>();
        while (true)
        {
            if (!visited.Add(current)) return $"the transfers of '{subject}' in the bundle run in a circle at {current.Origin}#{current.Start.Index}";
            chain.Add(current);
            if (current.Accept is null) break;
            if (Link(current, starts, decoded, leafHashes, out var previous) is { } failure) return failure;
            current = previous!;
        }
        chain.Reverse();

        // Every other entry about the license's identifiers lies inside a stretch of its log.
        var ids = new HashSet<string>(chain.Select(s => s.LicenseId), StringComparer.Ordinal);
        var chainStarts = new HashSet<(string, ulong)>(chain.Select(s => (s.Origin, s.Start.Index)));
        foreach (var (e, read) in decoded)
        {
            var id = read.Entry.RecordId;
            if (EntryKinds.IsRootKind(read.Entry.Kind) || !ids.Contains(id) || chainStarts.Contains((e.Origin, e.Index))) continue;
            if (chain.Find(s => s.Holds(e.Origin, id, e.Index)) is { } home)
            {
                home.Entries.Add((e, read));
                continue;
            }
            var inLog = chain.FindAll(s => s.Origin == e.Origin && s.LicenseId == id);
            if (inLog.Count == 0)
            {
                return chain.Count == 1
                    ? $"entries about '{subject}' are in {chain[0].Origin} and {e.Origin} without a transfer accept joining them"
                    : $"entry {e.Origin}#{e.Index} about '{id}' is in a log that did not hold it (its history: {Describe(chain)})";
            }
            if (inLog.Find(s => s.Transfer is { } t && e.Index > t.Entry.Index) is { Transfer: { } passed })
                return $"entry {e.Origin}#{e.Index} about '{id}' follows its transfer {e.Origin}#{passed.Entry.Index}";
            return inLog.Find(s => e.Index < s.Start.Index) is { } next
                ? $"entry {e.Origin}#{e.Index} about '{id}' precedes its {(next.Accept is null ? "issue" : "acceptance")} at #{next.Start.Index}"
                : $"entry {e.Origin}#{e.Index} about '{id}' lies outside its history (its history: {Describe(chain)})";
        }
        foreach (var stretch in chain)
        {
            if (CheckLinks(stretch, leafHashes) is { } broken) return broken;
        }
        return null;
    }

    /// <summary>
    /// The links of a stretch (<see cref="Relations.Previous"/>): its start names no previous entry, and each change,
    /// status change or transfer after it names the one before it in the bundle, by index and leaf hash. The ledger
    /// makes every such entry name the license's latest entry in its log, and its issuer signs that name; so a bundle
    /// whose links hold has every one of the license's state entries in the stretch, none left out between two it
    /// shows (the status map proves the last). Null when they hold, else the reason.
    /// </summary>
    private static string? CheckLinks(LicenseStretch stretch, Dictionary<(string Origin, ulong Index), Hash256> leafHashes)
    {
        var start = stretch.Start;
        if (PreviousOf(stretch.StartLeaf.Entry, out _) is not null)
            return $"entry {start.Origin}#{start.Index} ({stretch.StartLeaf.Entry.Kind}) starts the license's history in {start.Origin} but names a previous entry";
        var before = start;
        foreach (var (e, read) in stretch.Entries)
        {
            // Uses change no state; an entry of another kind under the id is the status proofs' to refuse.
            if (StatusMap.StatusMapRecords.RecordKindOf(read.Entry.Kind) != StatusMap.StatusMapRecords.License) continue;
            var previous = PreviousOf(read.Entry, out var count);
            if (count > 1) return $"entry {e.Origin}#{e.Index} ({read.Entry.Kind}) names {count} previous entries";
            if (previous is null)
                return $"entry {e.Origin}#{e.Index} ({read.Entry.Kind}) does not name the license's previous entry (relation '{Relations.Previous}'), as the ledger requires: its place in the history cannot be checked";
            if (previous.Origin == e.Origin && previous.Index > before.Index && previous.Index < e.Index)
                return $"the bundle leaves out entry {e.Origin}#{previous.Index}, which {e.Origin}#{e.Index} names as the license's previous entry: ask a node for complete evidence";
            if (previous.Origin != before.Origin || previous.Index != before.Index || !leafHashes[(before.Origin, before.Index)].AsSpan().SequenceEqual(previous.LeafHash))
                return $"entry {e.Origin}#{e.Index} ({read.Entry.Kind}) names {previous.Origin}#{previous.Index} as the license's previous entry, but the entry before it in the bundle is {before.Origin}#{before.Index}";
            before = e;
        }
        return null;
    }

    /// <summary>The entry's <c>previous</c> reference (the first, when <paramref name="count"/> says there are more), or null.</summary>
    internal static EntryReference? PreviousOf(Entry entry, out int count)
    {
        EntryReference? first = null;
        count = 0;
        foreach (var r in entry.References)
        {
            if (r is null || r.Relation != Relations.Previous) continue;
            first ??= r;
            count++;
        }
        return first;
    }

    /// <summary>
    /// The hop into <paramref name="current"/> (a stretch begun by an accept): the accept names a transfer in another
    /// log, the bundle holds that very entry (by index and leaf hash), it moved this license to this log, and it ends
    /// the releasing log's stretch of the license (<paramref name="previous"/>). Null when all hold, else the reason.
    /// </summary>
    private static string? Link(LicenseStretch current, List<LicenseStretch> starts, List<(BundleEntry Entry, DecodedLeaf Leaf)> decoded,
        Dictionary<(string Origin, ulong Index), Hash256> leafHashes, out LicenseStretch? previous)
    {
        previous = null;
        var accept = current.Accept!;
        var e = current.Start;
        if (accept.FromOrigin == current.Origin) return $"entry {e.Origin}#{e.Index} accepts a transfer from its own log";
        if (current.TransferReference() is not { } reference) return $"entry {e.Origin}#{e.Index} accepts '{accept.LicenseId}' without referencing the transfer in {accept.FromOrigin}";
        var t = decoded.FindIndex(d => d.Entry.Origin == accept.FromOrigin && d.Entry.Index == reference.Index);
        if (t < 0 || decoded[t].Leaf.Entry.Kind != EntryKinds.LicenseTransfer || decoded[t].Leaf.Entry.RecordId != accept.LicenseId
            || !leafHashes[(accept.FromOrigin, reference.Index)].AsSpan().SequenceEqual(reference.LeafHash))
            return $"the bundle lacks the transfer entry {accept.FromOrigin}#{reference.Index} that {e.Origin}#{e.Index} references";
        var toOrigin = EntryKinds.Of<LicenseTransferred>().Decode(decoded[t].Leaf.Entry.Body).ToOrigin;
        if (toOrigin != current.Origin) return $"license '{accept.LicenseId}' was transferred to {toOrigin}, not to {current.Origin}";
        foreach (var s in starts)
        {
            if (s.Origin == accept.FromOrigin && s.LicenseId == accept.LicenseId && s.Start.Index < reference.Index && (previous is null || s.Start.Index > previous.Start.Index)) previous = s;
        }
        if (previous is null)
        {
            return starts.Find(s => s.Origin == accept.FromOrigin && s.LicenseId == accept.LicenseId) is { } later
                ? $"the hops of '{accept.LicenseId}' in {accept.FromOrigin} are out of order: its transfer {accept.FromOrigin}#{reference.Index} precedes its {(later.Accept is null ? "issue" : "acceptance")} at #{later.Start.Index}"
                : $"the bundle has neither the issue nor an accept of '{accept.LicenseId}' in {accept.FromOrigin} before its transfer {accept.FromOrigin}#{reference.Index} (a hop is missing)";
        }
        if (previous.Transfer is { } earlier && earlier.Entry.Index != reference.Index)
            return $"entry {accept.FromOrigin}#{earlier.Entry.Index} transfers '{accept.LicenseId}' before the transfer {accept.FromOrigin}#{reference.Index} that {e.Origin}#{e.Index} references";
        return null;
    }

    /// <summary>The hops between consecutive stretches.</summary>
    public static List<TransferHop> Hops(List<LicenseStretch> chain)
    {
        var hops = new List<TransferHop>(chain.Count - 1);
        for (var k = 1; k < chain.Count; k++)
        {
            var (from, to) = (chain[k - 1], chain[k]);
            hops.Add(new TransferHop(from.Origin, from.LicenseId, from.Transfer!.Value.Entry.Index, to.Origin, to.LicenseId, to.Start.Index));
        }
        return hops;
    }

    private static string Describe(List<LicenseStretch> chain) => string.Join(" → ", chain.Select(s => $"{s.Origin} as '{s.LicenseId}'"));
}
