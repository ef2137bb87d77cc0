using Huren.Schemas.Envelope;

namespace Huren.Sdk.StatusMap;

/// <summary>
/// Which entries set a record's state in the status map (docs/status-map.md, "Which entries set a state"): every entry
/// kind except the two use records (<c>license.use</c>, <c>seal.use</c>), which record an event about a record without
/// changing it. The record is the entry's <c>recordId</c>; its map value is the leaf hash of the latest such entry.
/// Nodes and verifiers share this one rule, so a bundle's latest state entry and the proven value mean the same entry.
/// </summary>
public static class StatusMapRecords
{
    /// <summary>Whether an entry of <paramref name="kind"/> sets the state of its record.</summary>
    public static bool SetsState(string kind) =>
        !string.Equals(kind, EntryKinds.LicenseUse, StringComparison.Ordinal)
        && !string.Equals(kind, EntryKinds.SealUse, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="entry"/> sets the state of its record (<see cref="SetsState(string)"/> of its kind).</summary>
    public static bool SetsState(Entry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return SetsState(entry.Kind);
    }
}
