using Huren.Schemas.Envelope;

namespace Huren.Cli.Output;

/// <summary>One line saying what an entry records, from its body (the kind's own summary), for trace trees and reports.</summary>
internal static class EntrySummary
{
    public static string Of(Entry entry)
    {
        if (EntryKinds.Find(entry.Kind) is not { } kind) return entry.Kind;
        // The node checked the body when it accepted the entry; a body this CLI cannot read is newer than it.
        return kind.TryDecode(entry.Body, out _) is { } body ? kind.Summarize(body) : $"{entry.Kind} (body not readable by this version)";
    }
}
