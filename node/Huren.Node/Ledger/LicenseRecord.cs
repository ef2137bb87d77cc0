using ProtoBuf;

namespace Huren.Node.Ledger;

/// <summary>The lifecycle state of a license in one city log.</summary>
public enum LicenseStatus
{
    /// <summary>Not set (never stored).</summary>
    Unspecified = 0,
    /// <summary>有效 (status 01): issued, changed, resumed or accepted by transfer.</summary>
    Valid = 1,
    /// <summary>暂扣 (status 02).</summary>
    Suspended = 2,
    /// <summary>撤销/注销/吊销 (status 03, 04 or 07). Final.</summary>
    Revoked = 3,
    /// <summary>办理转出 (status 06): transferred out to another city's log. Final in this log.</summary>
    Transferred = 4,
}

/// <summary>
/// Derived state of one license of a city log (state row <c>license/&lt;license id&gt;</c>): what the issue entry said
/// that a verdict needs, and what the later lifecycle entries changed. Node-internal; field numbers are append only.
/// Instances handed out are copies: change them freely.
/// </summary>
/// <remarks>
/// A license accepted by transfer (<c>license.transfer.accept</c>) is a license of the accepting log: its
/// <see cref="IssuerId"/> is the accepting issuer, <see cref="IssueIndex"/> the accept entry, and
/// <see cref="FromOrigin"/>/<see cref="OriginalLicenseId"/> say where it came from. <see cref="EntryIndexes"/> holds the
/// lifecycle entries (issue or accept, change, status, transfer), not uses: a popular license may be used without
/// bound, and the log's record index already lists every entry naming the license.
/// </remarks>
[ProtoContract]
public sealed class LicenseRecord
{
    /// <summary>The 证照标识 in this log.</summary>
    [ProtoMember(1)] public string LicenseId { get; set; } = "";

    /// <summary>The issuer that issued (or accepted) it; only this issuer may change it.</summary>
    [ProtoMember(2)] public string IssuerId { get; set; } = "";

    /// <summary>License type code.</summary>
    [ProtoMember(3)] public string TypeCode { get; set; } = "";

    /// <summary>License name (证照名称).</summary>
    [ProtoMember(4)] public string Name { get; set; } = "";

    /// <summary>Holder name (持证主体); empty for a license accepted without the source log's record.</summary>
    [ProtoMember(5)] public string HolderName { get; set; } = "";

    /// <summary>Lifecycle state.</summary>
    [ProtoMember(6)] public LicenseStatus Status { get; set; }

    /// <summary>The national status code (01 有效, 02 暂扣, 03 撤销, 04 注销, 06 办理转出, 07 吊销).</summary>
    [ProtoMember(7)] public string StatusCode { get; set; } = "";

    /// <summary>First day of validity (<c>yyyy-MM-dd</c>); empty when not known (no start).</summary>
    [ProtoMember(8)] public string ValidFrom { get; set; } = "";

    /// <summary>Last day of validity (<c>yyyy-MM-dd</c>); empty for 长期 (no end).</summary>
    [ProtoMember(9)] public string ValidUntil { get; set; } = "";

    /// <summary>Index of the issue entry (or of the accept entry for a license accepted by transfer).</summary>
    [ProtoMember(10)] public ulong IssueIndex { get; set; }

    /// <summary>Leaf hash of the entry at <see cref="IssueIndex"/>.</summary>
    [ProtoMember(11)] public byte[] IssueLeafHash { get; set; } = [];

    /// <summary>Index of the latest entry that set <see cref="Status"/> (issue, status change, transfer or accept).</summary>
    [ProtoMember(12)] public ulong StatusIndex { get; set; }

    /// <summary>Leaf hash of the entry at <see cref="StatusIndex"/> (the value of the status tree).</summary>
    [ProtoMember(13)] public byte[] StatusLeafHash { get; set; } = [];

    /// <summary>Why the status last changed (the status or transfer entry's reason); empty after issue.</summary>
    [ProtoMember(14)] public string StatusReason { get; set; } = "";

    /// <summary>Index of the transfer entry, when <see cref="LicenseStatus.Transferred"/>.</summary>
    [ProtoMember(15)] public ulong TransferIndex { get; set; }

    /// <summary>The receiving log, when <see cref="LicenseStatus.Transferred"/>.</summary>
    [ProtoMember(16)] public string ToOrigin { get; set; } = "";

    /// <summary>Indexes of the license's lifecycle entries, in log order (uses are not listed; see the remarks).</summary>
    [ProtoMember(17, IsPacked = true)] public List<ulong> EntryIndexes { get; set; } = [];

    /// <summary>Digests of the license's documents, oldest first; the last is the current document.</summary>
    [ProtoMember(18)] public List<byte[]> DocumentDigests { get; set; } = [];

    /// <summary>Issuing authority name (发证机构).</summary>
    [ProtoMember(19)] public string IssuingAuthority { get; set; } = "";

    /// <summary>Issuing authority 统一社会信用代码.</summary>
    [ProtoMember(20)] public string IssuingAuthorityCode { get; set; } = "";

    /// <summary>For a license accepted by transfer: the transferring log.</summary>
    [ProtoMember(21)] public string FromOrigin { get; set; } = "";

    /// <summary>For a license accepted by transfer: its identifier in the transferring log.</summary>
    [ProtoMember(22)] public string OriginalLicenseId { get; set; } = "";

    /// <summary>Leaf hash of the transfer entry, when <see cref="LicenseStatus.Transferred"/>.</summary>
    [ProtoMember(23)] public byte[] TransferLeafHash { get; set; } = [];

    /// <summary>
    /// Who wrote the entry that set <see cref="Status"/>: an issuer id, or the city root's id for a last-resort
    /// suspension or revocation; empty for records written before this field existed (read as <see cref="IssuerId"/>).
    /// </summary>
    [ProtoMember(24)] public string StatusActor { get; set; } = "";

    /// <summary>Whether the city root wrote the entry that set <see cref="Status"/>.</summary>
    [ProtoMember(25)] public bool StatusByCityRoot { get; set; }

    /// <summary>
    /// The <c>issuer.succeed</c> entries (indexes, in order) under which <see cref="StatusActor"/> answered for the
    /// license when it set the status; empty when the issuing issuer or the city root did.
    /// </summary>
    [ProtoMember(26, IsPacked = true)] public List<ulong> StatusSuccessions { get; set; } = [];

    /// <summary>The current document's digest, or empty.</summary>
    public byte[] CurrentDocumentDigest => DocumentDigests.Count == 0 ? [] : DocumentDigests[^1];

    /// <summary>A deep copy.</summary>
    public LicenseRecord Clone()
    {
        var copy = (LicenseRecord)MemberwiseClone();
        copy.IssueLeafHash = [.. IssueLeafHash];
        copy.StatusLeafHash = [.. StatusLeafHash];
        copy.TransferLeafHash = [.. TransferLeafHash];
        copy.EntryIndexes = [.. EntryIndexes];
        copy.DocumentDigests = DocumentDigests.ConvertAll(d => (byte[])d.Clone());
        copy.StatusSuccessions = [.. StatusSuccessions];
        return copy;
    }
}

/// <summary>State row <c>digest/&lt;hex digest&gt;</c>: the license a document digest belongs to.</summary>
[ProtoContract]
public sealed class DigestRecord
{
    /// <summary>The license.</summary>
    [ProtoMember(1)] public string LicenseId { get; set; } = "";

    /// <summary>Index of the entry (issue, change or accept) that introduced the document.</summary>
    [ProtoMember(2)] public ulong Index { get; set; }
}

/// <summary>
/// State row <c>accepted/&lt;from origin&gt; &lt;license id&gt;</c>: a license of another log accepted into this one
/// (a space separates the parts: neither an origin nor a license id contains one).
/// </summary>
[ProtoContract]
public sealed class AcceptedRecord
{
    /// <summary>The license's identifier in this log.</summary>
    [ProtoMember(1)] public string LicenseId { get; set; } = "";

    /// <summary>Index of the accept entry.</summary>
    [ProtoMember(2)] public ulong Index { get; set; }
}
