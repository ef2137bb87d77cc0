using System.ComponentModel;
using ProtoBuf;

namespace Huren.Schemas.Bodies;

/// <summary>Body of <c>seal.register</c>: an electronic seal after GB/T 38540 (the <c>SES_Seal</c> DER is kept verbatim).</summary>
[ProtoContract]
public sealed class SealRegistered
{
    /// <summary>The seal's esID.</summary>
    [ProtoMember(1, Name = "seal_id"), DefaultValue("")] public string SealId { get; set; } = "";
    /// <summary>The seal's name.</summary>
    [ProtoMember(2, Name = "name"), DefaultValue("")] public string Name { get; set; } = "";
    /// <summary>Seal type code (the <c>SES_ESPropertyInfo.type</c> value).</summary>
    [ProtoMember(3, Name = "seal_type"), DefaultValue("")] public string SealType { get; set; } = "";
    /// <summary>The owning organisation's 统一社会信用代码.</summary>
    [ProtoMember(4, Name = "owner_code"), DefaultValue("")] public string OwnerCode { get; set; } = "";
    /// <summary>DER of the <c>SES_Seal</c>.</summary>
    [ProtoMember(5, Name = "ses_seal")] public byte[] SesSeal { get; set; } = [];

    private bool ShouldSerializeSesSeal() => SesSeal is { Length: > 0 };
    /// <summary>First day of validity (<c>yyyy-MM-dd</c>).</summary>
    [ProtoMember(6, Name = "valid_from"), DefaultValue("")] public string ValidFrom { get; set; } = "";
    /// <summary>Last day of validity (<c>yyyy-MM-dd</c>).</summary>
    [ProtoMember(7, Name = "valid_until"), DefaultValue("")] public string ValidUntil { get; set; } = "";
}

/// <summary>Body of <c>seal.revoke</c>.</summary>
[ProtoContract]
public sealed class SealRevoked
{
    /// <summary>The seal.</summary>
    [ProtoMember(1, Name = "seal_id"), DefaultValue("")] public string SealId { get; set; } = "";
    /// <summary>Why.</summary>
    [ProtoMember(2, Name = "reason"), DefaultValue("")] public string Reason { get; set; } = "";
}

/// <summary>Body of <c>seal.use</c>: a seal applied to a document (<c>SES_Signature</c> DER kept verbatim).</summary>
[ProtoContract]
public sealed class SealUsed
{
    /// <summary>The seal.</summary>
    [ProtoMember(1, Name = "seal_id"), DefaultValue("")] public string SealId { get; set; } = "";
    /// <summary>Digest of the sealed document.</summary>
    [ProtoMember(2, Name = "document_digest")] public byte[] DocumentDigest { get; set; } = [];

    private bool ShouldSerializeDocumentDigest() => DocumentDigest is { Length: > 0 };
    /// <summary>Algorithm of <see cref="DocumentDigest"/>: <c>sm3</c> or <c>sha256</c>.</summary>
    [ProtoMember(3, Name = "digest_algorithm"), DefaultValue("")] public string DigestAlgorithm { get; set; } = "";
    /// <summary>DER of the <c>SES_Signature</c>.</summary>
    [ProtoMember(4, Name = "ses_signature")] public byte[] SesSignature { get; set; } = [];

    private bool ShouldSerializeSesSignature() => SesSignature is { Length: > 0 };
    /// <summary>The matter the document belongs to.</summary>
    [ProtoMember(5, Name = "matter_code"), DefaultValue("")] public string MatterCode { get; set; } = "";
}
