using ProtoBuf;
using ProtoBuf.Grpc;
using ProtoBuf.Grpc.Configuration;

namespace Huren.Schemas.Services;

/// <summary>License verification for counters, and license history and listing.</summary>
[Service("huren.v1.Licenses")]
public interface ILicenseService
{
    /// <summary>The verdict on a license, by identifier or document digest, with an evidence bundle.</summary>
    [Operation]
    ValueTask<VerdictResponse> VerifyAsync(VerifyLicenseRequest request, CallContext context = default);

    /// <summary>Every entry about a license, in log order.</summary>
    [Operation]
    ValueTask<EntryListResponse> HistoryAsync(LicenseHistoryRequest request, CallContext context = default);

    /// <summary>One page of the licenses of the node's logs, filtered by issuer, type and status (page on with <c>next_page_token</c>).</summary>
    [Operation]
    ValueTask<ListLicensesResponse> ListAsync(ListLicensesRequest request, CallContext context = default);

    /// <summary>
    /// The current state of a record, for refreshing old evidence without its entries: the log's latest checkpoint
    /// (held until final, like a verdict), the status-map proof of the record as of it, and the record's latest state
    /// entry with its inclusion proof (docs/status-map.md, "Refreshing evidence").
    /// </summary>
    [Operation]
    ValueTask<RefreshResponse> RefreshAsync(RefreshRequest request, CallContext context = default);
}

/// <summary>Which record's current state to prove.</summary>
[ProtoContract]
public sealed class RefreshRequest
{
    /// <summary>The log's origin, e.g. <c>huren.cz-t/430100</c>.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The record id (a license id, seal id, issuer id…).</summary>
    [ProtoMember(2, Name = "record_id")] public string RecordId { get; set; } = "";
    /// <summary>How long the node may hold the answer until the checkpoint is final, in ms (as in <see cref="VerifyLicenseRequest.WaitFinalMs"/>).</summary>
    [ProtoMember(3, Name = "wait_final_ms")] public uint WaitFinalMs { get; set; }
}

/// <summary>A record's current state as of a checkpoint: to be checked, never believed.</summary>
[ProtoContract]
public sealed class RefreshResponse
{
    /// <summary>The log's latest checkpoint, the complete signed note with its cosignatures.</summary>
    [ProtoMember(1, Name = "checkpoint")] public string Checkpoint { get; set; } = "";
    /// <summary>The status-map proof of the record against it: a <c>statusProofs</c> element as JSON.</summary>
    [ProtoMember(2, Name = "status_proof")] public string StatusProof { get; set; } = "";
    /// <summary>The index of the record's latest state entry (unset when the record is absent).</summary>
    [ProtoMember(3, Name = "index")] public ulong Index { get; set; }
    /// <summary>That entry's exact SignedEntry bytes; empty when the record is absent.</summary>
    [ProtoMember(4, Name = "leaf")] public byte[] Leaf { get; set; } = [];
    /// <summary>Its RFC 9162 inclusion proof to the checkpoint.</summary>
    [ProtoMember(5, Name = "inclusion_proof")] public List<byte[]> InclusionProof { get; set; } = [];
}

/// <summary>The verdict on a license.</summary>
public enum LicenseVerdict
{
    /// <summary>No verdict (never sent).</summary>
    [ProtoEnum(Name = "LICENSE_VERDICT_UNSPECIFIED")] Unspecified = 0,
    /// <summary>Issued, in its validity window, not suspended, revoked or transferred.</summary>
    [ProtoEnum(Name = "LICENSE_VERDICT_VALID")] Valid = 1,
    /// <summary>Suspended (暂扣).</summary>
    [ProtoEnum(Name = "LICENSE_VERDICT_SUSPENDED")] Suspended = 2,
    /// <summary>Revoked, cancelled or withdrawn.</summary>
    [ProtoEnum(Name = "LICENSE_VERDICT_REVOKED")] Revoked = 3,
    /// <summary>Past its validity window.</summary>
    [ProtoEnum(Name = "LICENSE_VERDICT_EXPIRED")] Expired = 4,
    /// <summary>Before its validity window.</summary>
    [ProtoEnum(Name = "LICENSE_VERDICT_NOT_YET_VALID")] NotYetValid = 5,
    /// <summary>Transferred out to another city.</summary>
    [ProtoEnum(Name = "LICENSE_VERDICT_TRANSFERRED")] Transferred = 6,
    /// <summary>Not known to any log the node keeps.</summary>
    [ProtoEnum(Name = "LICENSE_VERDICT_UNKNOWN")] Unknown = 7,
}

/// <summary>Which license to verify: by identifier, or by the digest of its document.</summary>
[ProtoContract]
public sealed class VerifyLicenseRequest
{
    /// <summary>The 证照标识.</summary>
    [ProtoMember(1, Name = "license_id")] public string LicenseId { get; set; } = "";
    /// <summary>Or the document digest.</summary>
    [ProtoMember(2, Name = "document_digest")] public byte[] DocumentDigest { get; set; } = [];
    /// <summary>
    /// The verification time, Unix ms; 0 for now. The answer's verdict and reason are for that day (China time); its
    /// evidence bundle still states the verdict as of the bundle's own day (<c>createdAt</c>).
    /// </summary>
    [ProtoMember(3, Name = "at_unix_ms")] public long AtUnixMs { get; set; }
    /// <summary>
    /// How long the node may hold the answer until the checkpoint it rests on is final (cosigned by the network's
    /// witness threshold), in ms; 0 answers at once. The answer comes as soon as it is final, or when the time is up.
    /// </summary>
    [ProtoMember(4, Name = "wait_final_ms")] public uint WaitFinalMs { get; set; }
}

/// <summary>A verdict with what it rests on.</summary>
[ProtoContract]
public sealed class VerdictResponse
{
    /// <summary>The verdict.</summary>
    [ProtoMember(1, Name = "verdict")] public LicenseVerdict Verdict { get; set; }
    /// <summary>Why, in words.</summary>
    [ProtoMember(2, Name = "reason")] public string Reason { get; set; } = "";
    /// <summary>The license identifier.</summary>
    [ProtoMember(3, Name = "license_id")] public string LicenseId { get; set; } = "";
    /// <summary>The issuer id.</summary>
    [ProtoMember(4, Name = "issuer_id")] public string IssuerId { get; set; } = "";
    /// <summary>The issuing authority's name.</summary>
    [ProtoMember(5, Name = "issuer_name")] public string IssuerName { get; set; } = "";
    /// <summary>License type code.</summary>
    [ProtoMember(6, Name = "type_code")] public string TypeCode { get; set; } = "";
    /// <summary>License type name.</summary>
    [ProtoMember(7, Name = "type_name")] public string TypeName { get; set; } = "";
    /// <summary>First day of validity.</summary>
    [ProtoMember(8, Name = "valid_from")] public string ValidFrom { get; set; } = "";
    /// <summary>Last day of validity (empty: 长期).</summary>
    [ProtoMember(9, Name = "valid_until")] public string ValidUntil { get; set; } = "";
    /// <summary>The log holding the license.</summary>
    [ProtoMember(10, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The <c>huren-evidence/v1</c> JSON bundle the verdict rests on.</summary>
    [ProtoMember(11, Name = "evidence_bundle")] public string EvidenceBundle { get; set; } = "";
    /// <summary>The holder's name.</summary>
    [ProtoMember(12, Name = "holder_name")] public string HolderName { get; set; } = "";
}

/// <summary>Asks for a license's history.</summary>
[ProtoContract]
public sealed class LicenseHistoryRequest
{
    /// <summary>The license identifier.</summary>
    [ProtoMember(1, Name = "license_id")] public string LicenseId { get; set; } = "";
    /// <summary>The log to read it in (e.g. the writer's own, before a change); empty: the log that holds it in force.</summary>
    [ProtoMember(2, Name = "origin")] public string Origin { get; set; } = "";
}

/// <summary>Entries with positions, in log order.</summary>
[ProtoContract]
public sealed class EntryListResponse
{
    /// <summary>The entries.</summary>
    [ProtoMember(1, Name = "entries")] public List<LogEntry> Entries { get; set; } = [];
}

/// <summary>Filters for listing licenses; empty fields do not filter.</summary>
[ProtoContract]
public sealed class ListLicensesRequest
{
    /// <summary>Only this issuer's.</summary>
    [ProtoMember(1, Name = "issuer_id")] public string IssuerId { get; set; } = "";
    /// <summary>Only this type.</summary>
    [ProtoMember(2, Name = "type_code")] public string TypeCode { get; set; } = "";
    /// <summary>Only with this verdict.</summary>
    [ProtoMember(3, Name = "verdict")] public LicenseVerdict Verdict { get; set; }
    /// <summary>Only in this log; empty for every log the node keeps.</summary>
    [ProtoMember(4, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The most licenses to answer; 0 for the node's default (500). The node answers at most 1,000.</summary>
    [ProtoMember(5, Name = "page_size")] public uint PageSize { get; set; }
    /// <summary>Empty for the first page; then the previous answer's <see cref="ListLicensesResponse.NextPageToken"/>, with the same filters.</summary>
    [ProtoMember(6, Name = "page_token")] public string PageToken { get; set; } = "";
}

/// <summary>One license in a list.</summary>
[ProtoContract]
public sealed class LicenseSummary
{
    /// <summary>Identifier.</summary>
    [ProtoMember(1, Name = "license_id")] public string LicenseId { get; set; } = "";
    /// <summary>Type code.</summary>
    [ProtoMember(2, Name = "type_code")] public string TypeCode { get; set; } = "";
    /// <summary>Name.</summary>
    [ProtoMember(3, Name = "name")] public string Name { get; set; } = "";
    /// <summary>Holder name.</summary>
    [ProtoMember(4, Name = "holder_name")] public string HolderName { get; set; } = "";
    /// <summary>Issuer id.</summary>
    [ProtoMember(5, Name = "issuer_id")] public string IssuerId { get; set; } = "";
    /// <summary>Current verdict.</summary>
    [ProtoMember(6, Name = "verdict")] public LicenseVerdict Verdict { get; set; }
    /// <summary>The log.</summary>
    [ProtoMember(7, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>Index of the issue entry.</summary>
    [ProtoMember(8, Name = "index")] public ulong Index { get; set; }
}

/// <summary>One page of a list of licenses.</summary>
[ProtoContract]
public sealed class ListLicensesResponse
{
    /// <summary>The licenses, by log (origin) then license id.</summary>
    [ProtoMember(1, Name = "licenses")] public List<LicenseSummary> Licenses { get; set; } = [];
    /// <summary>
    /// Where the next page starts; empty when this is the last. A page may hold fewer licenses than asked, even none,
    /// and still not be the last: the node bounds the rows it reads and the bytes it answers per call.
    /// </summary>
    [ProtoMember(2, Name = "next_page_token")] public string NextPageToken { get; set; } = "";
}
