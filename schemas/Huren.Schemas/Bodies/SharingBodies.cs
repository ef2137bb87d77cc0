using System.ComponentModel;
using ProtoBuf;

namespace Huren.Schemas.Bodies;

/// <summary>Sharing type of government data (政务数据共享条例).</summary>
public enum SharingType
{
    /// <summary>Not set; rejected.</summary>
    [ProtoEnum(Name = "SHARING_TYPE_UNSPECIFIED")]
    Unspecified = 0,
    /// <summary>无条件共享.</summary>
    [ProtoEnum(Name = "SHARING_TYPE_UNCONDITIONAL")]
    Unconditional = 1,
    /// <summary>有条件共享: requires an approval.</summary>
    [ProtoEnum(Name = "SHARING_TYPE_CONDITIONAL")]
    Conditional = 2,
    /// <summary>不予共享: listed in the catalogue, never shared (a share of it is refused).</summary>
    [ProtoEnum(Name = "SHARING_TYPE_NOT_SHARED")]
    NotShared = 3,
}

/// <summary>Body of <c>share</c>, written by the provider: what was shared, to whom, why and on what basis.</summary>
[ProtoContract]
public sealed class DataShared
{
    /// <summary>The share's id (request id), the record id of the entry.</summary>
    [ProtoMember(1, Name = "share_id"), DefaultValue("")] public string ShareId { get; set; } = "";
    /// <summary>Provider department (数据提供方) 统一社会信用代码.</summary>
    [ProtoMember(2, Name = "provider_code"), DefaultValue("")] public string ProviderCode { get; set; } = "";
    /// <summary>Provider name.</summary>
    [ProtoMember(3, Name = "provider_name"), DefaultValue("")] public string ProviderName { get; set; } = "";
    /// <summary>Consumer department (数据使用方) 统一社会信用代码.</summary>
    [ProtoMember(4, Name = "consumer_code"), DefaultValue("")] public string ConsumerCode { get; set; } = "";
    /// <summary>Consumer name.</summary>
    [ProtoMember(5, Name = "consumer_name"), DefaultValue("")] public string ConsumerName { get; set; } = "";
    /// <summary>The consumer's log origin, where its receipt will be.</summary>
    [ProtoMember(6, Name = "consumer_origin"), DefaultValue("")] public string ConsumerOrigin { get; set; } = "";
    /// <summary>Sharing-management office (共享管理机构) 统一社会信用代码.</summary>
    [ProtoMember(7, Name = "sharing_office_code"), DefaultValue("")] public string SharingOfficeCode { get; set; } = "";
    /// <summary>The record or catalogue resource (dataset) shared.</summary>
    [ProtoMember(8, Name = "resource_id"), DefaultValue("")] public string ResourceId { get; set; } = "";
    /// <summary>The data items shared.</summary>
    [ProtoMember(9, Name = "fields")] public List<string> Fields { get; set; } = [];
    /// <summary>Digest of the payload sent.</summary>
    [ProtoMember(10, Name = "payload_digest")] public byte[] PayloadDigest { get; set; } = [];

    private bool ShouldSerializePayloadDigest() => PayloadDigest is { Length: > 0 };
    /// <summary>Algorithm of <see cref="PayloadDigest"/>.</summary>
    [ProtoMember(11, Name = "digest_algorithm"), DefaultValue("")] public string DigestAlgorithm { get; set; } = "";
    /// <summary>Purpose and scenario stated by the consumer.</summary>
    [ProtoMember(12, Name = "purpose"), DefaultValue("")] public string Purpose { get; set; } = "";
    /// <summary>The matter (事项) code.</summary>
    [ProtoMember(13, Name = "matter_code"), DefaultValue("")] public string MatterCode { get; set; } = "";
    /// <summary>The legal basis.</summary>
    [ProtoMember(14, Name = "legal_basis"), DefaultValue("")] public string LegalBasis { get; set; } = "";
    /// <summary>无条件 or 有条件.</summary>
    [ProtoMember(15, Name = "sharing_type")] public SharingType SharingType { get; set; }
    /// <summary>The approval id, required for conditional sharing.</summary>
    [ProtoMember(16, Name = "approval_id"), DefaultValue("")] public string ApprovalId { get; set; } = "";
    /// <summary>Until when the consumer may use the data (<c>yyyy-MM-dd</c>).</summary>
    [ProtoMember(17, Name = "expires_on"), DefaultValue("")] public string ExpiresOn { get; set; } = "";
    /// <summary>How many records were shared.</summary>
    [ProtoMember(18, Name = "record_count")] public ulong RecordCount { get; set; }
    /// <summary>The record shared, when one record of the resource was (e.g. a license id); empty for a dataset.</summary>
    [ProtoMember(19, Name = "record_id"), DefaultValue("")] public string RecordId { get; set; } = "";
}

/// <summary>Body of <c>receipt</c>, written by the consumer in its own log; the entry references the share entry.</summary>
[ProtoContract]
public sealed class DataReceived
{
    /// <summary>The share acknowledged.</summary>
    [ProtoMember(1, Name = "share_id"), DefaultValue("")] public string ShareId { get; set; } = "";
    /// <summary>The provider's log origin.</summary>
    [ProtoMember(2, Name = "provider_origin"), DefaultValue("")] public string ProviderOrigin { get; set; } = "";
    /// <summary>Consumer department 统一社会信用代码.</summary>
    [ProtoMember(3, Name = "consumer_code"), DefaultValue("")] public string ConsumerCode { get; set; } = "";
    /// <summary>Digest of the payload received; must match the share's.</summary>
    [ProtoMember(4, Name = "payload_digest")] public byte[] PayloadDigest { get; set; } = [];

    private bool ShouldSerializePayloadDigest() => PayloadDigest is { Length: > 0 };
    /// <summary>Algorithm of <see cref="PayloadDigest"/>.</summary>
    [ProtoMember(5, Name = "digest_algorithm"), DefaultValue("")] public string DigestAlgorithm { get; set; } = "";
    /// <summary>How many records were received.</summary>
    [ProtoMember(6, Name = "record_count")] public ulong RecordCount { get; set; }
}

/// <summary>
/// Body of <c>catalog.publish</c>: a resource of the provider city's government information resource catalogue
/// (政务信息资源目录), written by the providing department in its own city's log. Publishing the same resource code
/// again replaces the entry (only by the same department). Empty allowed lists mean "any".
/// </summary>
[ProtoContract]
public sealed class CatalogResourcePublished
{
    /// <summary>Resource code (信息资源代码), the record id of the entry.</summary>
    [ProtoMember(1, Name = "resource_code"), DefaultValue("")] public string ResourceCode { get; set; } = "";
    /// <summary>Resource name.</summary>
    [ProtoMember(2, Name = "name"), DefaultValue("")] public string Name { get; set; } = "";
    /// <summary>Providing department 统一社会信用代码.</summary>
    [ProtoMember(3, Name = "provider_code"), DefaultValue("")] public string ProviderCode { get; set; } = "";
    /// <summary>Providing department name.</summary>
    [ProtoMember(4, Name = "provider_name"), DefaultValue("")] public string ProviderName { get; set; } = "";
    /// <summary>无条件共享, 有条件共享 or 不予共享.</summary>
    [ProtoMember(5, Name = "sharing_type")] public SharingType SharingType { get; set; }
    /// <summary>The data items (fields and file names) a share of a record may carry.</summary>
    [ProtoMember(6, Name = "fields")] public List<string> Fields { get; set; } = [];
    /// <summary>Update frequency (更新周期), e.g. 实时, 每日.</summary>
    [ProtoMember(7, Name = "update_frequency"), DefaultValue("")] public string UpdateFrequency { get; set; } = "";
    /// <summary>Legal basis of the resource and of its sharing type.</summary>
    [ProtoMember(8, Name = "legal_basis"), DefaultValue("")] public string LegalBasis { get; set; } = "";
    /// <summary>Purposes a consumer may state (exact text); empty = any.</summary>
    [ProtoMember(9, Name = "allowed_purposes")] public List<string> AllowedPurposes { get; set; } = [];
    /// <summary>Matter codes (事项编码) a consumer may state; empty = any.</summary>
    [ProtoMember(10, Name = "allowed_matter_codes")] public List<string> AllowedMatterCodes { get; set; } = [];
    /// <summary>Consumer cities (6-digit codes); empty = any member city.</summary>
    [ProtoMember(11, Name = "allowed_consumer_cities")] public List<string> AllowedConsumerCities { get; set; } = [];
    /// <summary>Consumer departments (统一社会信用代码); empty = any department of an allowed city.</summary>
    [ProtoMember(12, Name = "allowed_consumer_codes")] public List<string> AllowedConsumerCodes { get; set; } = [];
    /// <summary>For 不予共享: why the resource is not shared.</summary>
    [ProtoMember(13, Name = "not_shared_reason"), DefaultValue("")] public string NotSharedReason { get; set; } = "";
}

/// <summary>A provider's decision on a share request.</summary>
public enum ShareDecision
{
    /// <summary>Not set; rejected.</summary>
    [ProtoEnum(Name = "SHARE_DECISION_UNSPECIFIED")]
    Unspecified = 0,
    /// <summary>Approved (有条件共享 after review): the share may follow.</summary>
    [ProtoEnum(Name = "SHARE_DECISION_APPROVED")]
    Approved = 1,
    /// <summary>Refused, with a reason: no share follows.</summary>
    [ProtoEnum(Name = "SHARE_DECISION_REFUSED")]
    Refused = 2,
}

/// <summary>
/// Body of <c>share.decision</c>, in the provider's log: the providing department approves or refuses a consumer's
/// request (record id = the request's share id). A refusal is recorded like a share: who asked, for what, why not.
/// </summary>
[ProtoContract]
public sealed class ShareDecided
{
    /// <summary>The request's share id.</summary>
    [ProtoMember(1, Name = "share_id"), DefaultValue("")] public string ShareId { get; set; } = "";
    /// <summary>Approved or refused.</summary>
    [ProtoMember(2, Name = "decision")] public ShareDecision Decision { get; set; }
    /// <summary>Providing department 统一社会信用代码.</summary>
    [ProtoMember(3, Name = "provider_code"), DefaultValue("")] public string ProviderCode { get; set; } = "";
    /// <summary>Requesting department 统一社会信用代码.</summary>
    [ProtoMember(4, Name = "consumer_code"), DefaultValue("")] public string ConsumerCode { get; set; } = "";
    /// <summary>The requesting department's log.</summary>
    [ProtoMember(5, Name = "consumer_origin"), DefaultValue("")] public string ConsumerOrigin { get; set; } = "";
    /// <summary>The catalogue resource asked for.</summary>
    [ProtoMember(6, Name = "resource_code"), DefaultValue("")] public string ResourceCode { get; set; } = "";
    /// <summary>The record asked for.</summary>
    [ProtoMember(7, Name = "record_id"), DefaultValue("")] public string RecordId { get; set; } = "";
    /// <summary>The purpose stated.</summary>
    [ProtoMember(8, Name = "purpose"), DefaultValue("")] public string Purpose { get; set; } = "";
    /// <summary>The matter code stated.</summary>
    [ProtoMember(9, Name = "matter_code"), DefaultValue("")] public string MatterCode { get; set; } = "";
    /// <summary>Refusal code: <c>not-shared</c>, <c>purpose</c>, <c>matter</c>, <c>consumer</c>, <c>fields</c>, <c>record</c> or <c>reviewed</c>.</summary>
    [ProtoMember(10, Name = "reason_code"), DefaultValue("")] public string ReasonCode { get; set; } = "";
    /// <summary>Why, in words (required for a refusal).</summary>
    [ProtoMember(11, Name = "reason"), DefaultValue("")] public string Reason { get; set; } = "";
    /// <summary>The data items asked for.</summary>
    [ProtoMember(12, Name = "fields")] public List<string> Fields { get; set; } = [];
}
