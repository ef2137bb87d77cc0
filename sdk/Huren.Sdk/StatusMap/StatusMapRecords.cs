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

    /// <summary>What <see cref="RecordKindOf"/> answers for license entries, whose ids have a form of their own.</summary>
    public const string License = "license";

    /// <summary>
    /// The kind of record whose state an entry of <paramref name="entryKind"/> sets: <c>license</c>, <c>seal</c>,
    /// <c>issuer</c>, <c>catalog</c> or <c>share</c> (a share, its decision and its receipt); null for a use record or an
    /// unknown kind. The map is keyed by record id alone, so in one log a record id names one kind of record: the
    /// ledger refuses a second kind under an id, and a verifier refuses a bundle whose entries mix kinds under one id.
    /// </summary>
    public static string? RecordKindOf(string entryKind) => entryKind switch
    {
        EntryKinds.LicenseIssue or EntryKinds.LicenseChange or EntryKinds.LicenseStatus or EntryKinds.LicenseTransfer or EntryKinds.LicenseTransferAccept => License,
        EntryKinds.SealRegister or EntryKinds.SealRevoke => "seal",
        EntryKinds.IssuerRegister or EntryKinds.IssuerRevoke or EntryKinds.IssuerSucceed => "issuer",
        EntryKinds.CatalogPublish => "catalog",
        EntryKinds.Share or EntryKinds.ShareDecision or EntryKinds.Receipt => "share",
        _ => null,
    };

    /// <summary>Whether <paramref name="entry"/> sets the state of its record (<see cref="SetsState(string)"/> of its kind).</summary>
    public static bool SetsState(Entry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return SetsState(entry.Kind);
    }
}
