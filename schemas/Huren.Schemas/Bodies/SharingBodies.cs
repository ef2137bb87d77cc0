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
