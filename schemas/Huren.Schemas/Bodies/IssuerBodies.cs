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
