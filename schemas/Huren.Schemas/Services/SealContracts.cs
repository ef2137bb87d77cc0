using ProtoBuf;
using ProtoBuf.Grpc;
using ProtoBuf.Grpc.Configuration;

namespace Huren.Schemas.Services;

/// <summary>Electronic seals (电子印章, GB/T 38540): the verdict on a sealed document, and the registered seals of every kept log.</summary>
[Service("huren.v1.Seals")]
public interface ISealService
{
    /// <summary>The verdict on a sealed document (its <c>SES_Signature</c> and the document's SM3), with an evidence bundle.</summary>
    [Operation]
    ValueTask<SealVerdictResponse> VerifyAsync(VerifySealRequest request, CallContext context = default);

    /// <summary>A registered seal: its registration (with the <c>SES_Seal</c> DER), its state and an evidence bundle.</summary>
    [Operation]
    ValueTask<SealResponse> GetAsync(GetSealRequest request, CallContext context = default);

    /// <summary>One page of the seals registered in the node's logs, filtered by log, registering issuer and owner (page on with <c>next_page_token</c>).</summary>
    [Operation]
    ValueTask<ListSealsResponse> ListAsync(ListSealsRequest request, CallContext context = default);
}

/// <summary>The verdict on a sealed document (the SDK's <c>SealVerdict</c>, on the wire).</summary>
public enum SealVerdictCode
{
    /// <summary>No verdict (never sent).</summary>
    [ProtoEnum(Name = "SEAL_VERDICT_CODE_UNSPECIFIED")] Unspecified = 0,
    /// <summary>Signature, seal and signer check out; the seal was registered and not revoked when the document was sealed.</summary>
    [ProtoEnum(Name = "SEAL_VERDICT_CODE_VALID")] Valid = 1,
    /// <summary>The signature, its seal or a certificate cannot be read.</summary>
    [ProtoEnum(Name = "SEAL_VERDICT_CODE_MALFORMED")] Malformed = 2,
    /// <summary>The document digest, the signer's or the seal maker's signature does not match.</summary>
    [ProtoEnum(Name = "SEAL_VERDICT_CODE_BAD_SIGNATURE")] BadSignature = 3,
    /// <summary>The signer's certificate is not in the seal's list.</summary>
    [ProtoEnum(Name = "SEAL_VERDICT_CODE_SIGNER_NOT_ALLOWED")] SignerNotAllowed = 4,
    /// <summary>Signed after the seal's or the signer certificate's validity ended.</summary>
    [ProtoEnum(Name = "SEAL_VERDICT_CODE_EXPIRED")] Expired = 5,
    /// <summary>Signed before the seal or the signer certificate was valid, or in the future.</summary>
    [ProtoEnum(Name = "SEAL_VERDICT_CODE_NOT_YET_VALID")] NotYetValid = 6,
    /// <summary>The seal was revoked, and the document is not shown to have been sealed before.</summary>
    [ProtoEnum(Name = "SEAL_VERDICT_CODE_REVOKED")] Revoked = 7,
    /// <summary>No log the node keeps registered this seal (these exact bytes) before the document was sealed.</summary>
    [ProtoEnum(Name = "SEAL_VERDICT_CODE_NOT_REGISTERED")] NotRegistered = 8,
}

/// <summary>A sealed document to verify.</summary>
[ProtoContract]
public sealed class VerifySealRequest
{
    /// <summary>The <c>SES_Signature</c> DER.</summary>
    [ProtoMember(1, Name = "ses_signature")] public byte[] SesSignature { get; set; } = [];
    /// <summary>The SM3 of the document (32 bytes): the document itself need not travel.</summary>
    [ProtoMember(2, Name = "document_sm3")] public byte[] DocumentSm3 { get; set; } = [];
    /// <summary>How long the node may hold the answer until the checkpoints it rests on are final, in ms (as for licenses).</summary>
    [ProtoMember(3, Name = "wait_final_ms")] public uint WaitFinalMs { get; set; }
}

/// <summary>The verdict on a sealed document, with what it rests on.</summary>
[ProtoContract]
public sealed class SealVerdictResponse
{
    /// <summary>The verdict.</summary>
    [ProtoMember(1, Name = "verdict")] public SealVerdictCode Verdict { get; set; }
    /// <summary>Why, in words.</summary>
    [ProtoMember(2, Name = "reason")] public string Reason { get; set; } = "";
    /// <summary>The seal's esID, as the signature names it (empty when the signature cannot be read).</summary>
    [ProtoMember(3, Name = "seal_id")] public string SealId { get; set; } = "";
    /// <summary>The seal's name.</summary>
    [ProtoMember(4, Name = "seal_name")] public string SealName { get; set; } = "";
    /// <summary>The owning organisation's 统一社会信用代码, from the registration.</summary>
    [ProtoMember(5, Name = "owner_code")] public string OwnerCode { get; set; } = "";
    /// <summary>The issuer (seal-making authority) that registered the seal.</summary>
    [ProtoMember(6, Name = "issuer_id")] public string IssuerId { get; set; } = "";
    /// <summary>The log that registered the seal (empty when none did).</summary>
    [ProtoMember(7, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The signer certificate's subject.</summary>
    [ProtoMember(8, Name = "signer")] public string Signer { get; set; } = "";
    /// <summary>The signing time the signature states (<c>timeInfo</c>), Unix ms.</summary>
    [ProtoMember(9, Name = "signed_at_unix_ms")] public long SignedAtUnixMs { get; set; }
    /// <summary>The <c>huren-evidence/v1</c> bundle (subject: the seal id) when a kept log registered the seal; empty otherwise.</summary>
    [ProtoMember(10, Name = "evidence_bundle")] public string EvidenceBundle { get; set; } = "";
}

/// <summary>Which seal.</summary>
[ProtoContract]
public sealed class GetSealRequest
{
    /// <summary>The seal's esID.</summary>
    [ProtoMember(1, Name = "seal_id")] public string SealId { get; set; } = "";
    /// <summary>How long the node may hold the answer until its checkpoints are final, in ms.</summary>
    [ProtoMember(2, Name = "wait_final_ms")] public uint WaitFinalMs { get; set; }
}

/// <summary>A registered seal.</summary>
[ProtoContract]
public sealed class SealResponse
{
    /// <summary>The seal's summary.</summary>
    [ProtoMember(1, Name = "seal", IsRequired = true)] public SealSummary Seal { get; set; } = new();
    /// <summary>The registered <c>SES_Seal</c> DER, as its <c>seal.register</c> entry holds it.</summary>
    [ProtoMember(2, Name = "ses_seal")] public byte[] SesSeal { get; set; } = [];
    /// <summary>The <c>huren-evidence/v1</c> bundle of its registration (and revocation).</summary>
    [ProtoMember(3, Name = "evidence_bundle")] public string EvidenceBundle { get; set; } = "";
}

/// <summary>Filters for listing seals; empty fields do not filter.</summary>
[ProtoContract]
public sealed class ListSealsRequest
{
    /// <summary>Only in this log; empty for every log the node keeps.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>Only registered by this issuer.</summary>
    [ProtoMember(2, Name = "issuer_id")] public string IssuerId { get; set; } = "";
    /// <summary>Only of this owner (统一社会信用代码).</summary>
    [ProtoMember(3, Name = "owner_code")] public string OwnerCode { get; set; } = "";
    /// <summary>The most seals to answer; 0 for the node's default (500). The node answers at most 1,000.</summary>
    [ProtoMember(4, Name = "page_size")] public uint PageSize { get; set; }
    /// <summary>Empty for the first page; then the previous answer's <see cref="ListSealsResponse.NextPageToken"/>, with the same filters.</summary>
    [ProtoMember(5, Name = "page_token")] public string PageToken { get; set; } = "";
}

/// <summary>One registered seal.</summary>
[ProtoContract]
public sealed class SealSummary
{
    /// <summary>The esID.</summary>
    [ProtoMember(1, Name = "seal_id")] public string SealId { get; set; } = "";
    /// <summary>Name.</summary>
    [ProtoMember(2, Name = "name")] public string Name { get; set; } = "";
    /// <summary>Seal type code.</summary>
    [ProtoMember(3, Name = "seal_type")] public string SealType { get; set; } = "";
    /// <summary>The owner's 统一社会信用代码.</summary>
    [ProtoMember(4, Name = "owner_code")] public string OwnerCode { get; set; } = "";
    /// <summary>The registering issuer (seal-making authority).</summary>
    [ProtoMember(5, Name = "issuer_id")] public string IssuerId { get; set; } = "";
    /// <summary>The log.</summary>
    [ProtoMember(6, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>First day of validity.</summary>
    [ProtoMember(7, Name = "valid_from")] public string ValidFrom { get; set; } = "";
    /// <summary>Last day of validity.</summary>
    [ProtoMember(8, Name = "valid_until")] public string ValidUntil { get; set; } = "";
    /// <summary>Whether it was revoked.</summary>
    [ProtoMember(9, Name = "revoked")] public bool Revoked { get; set; }
    /// <summary>Index of its <c>seal.register</c> entry.</summary>
    [ProtoMember(10, Name = "registered_index")] public ulong RegisteredIndex { get; set; }
    /// <summary>Index of its <c>seal.revoke</c> entry, when revoked.</summary>
    [ProtoMember(11, Name = "revoked_index")] public ulong RevokedIndex { get; set; }
    /// <summary>Why it was revoked.</summary>
    [ProtoMember(12, Name = "revoke_reason")] public string RevokeReason { get; set; } = "";
}

/// <summary>A list of seals.</summary>
[ProtoContract]
public sealed class ListSealsResponse
{
    /// <summary>The seals, by log (origin) then seal id.</summary>
    [ProtoMember(1, Name = "seals")] public List<SealSummary> Seals { get; set; } = [];
    /// <summary>
    /// Where the next page starts; empty when this is the last. A page may hold fewer seals than asked, even none, and
    /// still not be the last: the node bounds the rows it reads and the bytes it answers per call.
    /// </summary>
    [ProtoMember(2, Name = "next_page_token")] public string NextPageToken { get; set; } = "";
}
