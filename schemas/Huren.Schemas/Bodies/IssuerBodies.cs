using System.ComponentModel;
using Huren.Schemas.Envelope;
using ProtoBuf;

namespace Huren.Schemas.Bodies;

/// <summary>Body of <c>issuer.register</c>: a city root admits a department as an issuer, with its key and scope.</summary>
[ProtoContract]
public sealed class IssuerRegistered
{
    /// <summary>The issuer id used in <see cref="Entry.IssuerId"/> (e.g. <c>430100-amr</c>).</summary>
    [ProtoMember(1, Name = "issuer_id"), DefaultValue("")] public string IssuerId { get; set; } = "";
    /// <summary>The department's name (e.g. 长沙市市场监督管理局).</summary>
    [ProtoMember(2, Name = "name"), DefaultValue("")] public string Name { get; set; } = "";
    /// <summary>The department's 统一社会信用代码.</summary>
    [ProtoMember(3, Name = "authority_code"), DefaultValue("")] public string AuthorityCode { get; set; } = "";
    /// <summary>The kind of department (e.g. <c>market-regulation</c>), as the license-type catalog names them.</summary>
    [ProtoMember(4, Name = "department_kind"), DefaultValue("")] public string DepartmentKind { get; set; } = "";
    /// <summary>6-digit 行政区划代码 of the city.</summary>
    [ProtoMember(5, Name = "region_code"), DefaultValue("")] public string RegionCode { get; set; } = "";
    /// <summary>The issuer's signing key, DER SubjectPublicKeyInfo.</summary>
    [ProtoMember(6, Name = "public_key")] public byte[] PublicKey { get; set; } = [];

    private bool ShouldSerializePublicKey() => PublicKey is { Length: > 0 };
    /// <summary>The algorithm the key signs with.</summary>
    [ProtoMember(7, Name = "algorithm")] public SignatureAlgorithm Algorithm { get; set; }
    /// <summary>License type codes the issuer may issue.</summary>
    [ProtoMember(8, Name = "license_type_codes")] public List<string> LicenseTypeCodes { get; set; } = [];
    /// <summary>Seal permissions: seal type codes the issuer may register (e.g. <c>1</c> 单位专用章).</summary>
    [ProtoMember(9, Name = "seal_permissions")] public List<string> SealPermissions { get; set; } = [];
    /// <summary>Whether the issuer may record data shares and receipts.</summary>
    [ProtoMember(10, Name = "may_share_data")] public bool MayShareData { get; set; }
    /// <summary>
    /// For a seal-making authority (制章机构): further keys (DER SubjectPublicKeyInfo, SM2 or P-256) its seals' maker
    /// certificates may carry besides <see cref="PublicKey"/>, e.g. the key on the maker's hardware token.
    /// </summary>
    [ProtoMember(11, Name = "seal_maker_keys")] public List<byte[]> SealMakerKeys { get; set; } = [];
}

/// <summary>Body of <c>issuer.revoke</c>: the city root withdraws an issuer; its later entries are refused.</summary>
[ProtoContract]
public sealed class IssuerRevoked
{
    /// <summary>The revoked issuer.</summary>
    [ProtoMember(1, Name = "issuer_id"), DefaultValue("")] public string IssuerId { get; set; } = "";
    /// <summary>Why it was revoked.</summary>
    [ProtoMember(2, Name = "reason"), DefaultValue("")] public string Reason { get; set; } = "";
}

/// <summary>
/// Body of <c>issuer.succeed</c>: the city root passes an issuer's records to a successor department (机构改革: merged,
/// split or renamed departments). From this entry on, the successor answers for the predecessor's licenses of the
/// listed types and seals of the listed types — it changes, suspends, resumes, revokes and transfers them — and the
/// predecessor no longer does, nor issues or registers more of them. The entry's record id is the predecessor's id.
/// </summary>
[ProtoContract]
public sealed class IssuerSucceeded
{
    /// <summary>The issuer whose records pass on (revoked or not).</summary>
    [ProtoMember(1, Name = "predecessor_id"), DefaultValue("")] public string PredecessorId { get; set; } = "";
    /// <summary>The registered, unrevoked issuer that answers for them from now on.</summary>
    [ProtoMember(2, Name = "successor_id"), DefaultValue("")] public string SuccessorId { get; set; } = "";
    /// <summary>The license types whose licenses pass on (each in both issuers' scopes).</summary>
    [ProtoMember(3, Name = "license_type_codes")] public List<string> LicenseTypeCodes { get; set; } = [];
    /// <summary>The seal types whose seals pass on (each in both issuers' seal permissions).</summary>
    [ProtoMember(4, Name = "seal_types")] public List<string> SealTypes { get; set; } = [];
    /// <summary>Why, with the decision it rests on (e.g. the 机构改革方案 and its document number).</summary>
    [ProtoMember(5, Name = "reason"), DefaultValue("")] public string Reason { get; set; } = "";
}
