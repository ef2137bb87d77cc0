using ProtoBuf;
using ProtoBuf.Grpc;
using ProtoBuf.Grpc.Configuration;

namespace Huren.Schemas.Services;

/// <summary>The issuers (departments) a city has registered, with their scopes.</summary>
[Service("huren.v1.Issuers")]
public interface IIssuerService
{
    /// <summary>The issuers registered in a log.</summary>
    [Operation]
    ValueTask<ListIssuersResponse> ListAsync(ListIssuersRequest request, CallContext context = default);
}

/// <summary>Asks for a log's issuers.</summary>
[ProtoContract]
public sealed class ListIssuersRequest
{
    /// <summary>The log; empty for the node's own.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
}

/// <summary>A registered issuer.</summary>
[ProtoContract]
public sealed class IssuerInfo
{
    /// <summary>Issuer id.</summary>
    [ProtoMember(1, Name = "issuer_id")] public string IssuerId { get; set; } = "";
    /// <summary>Department name.</summary>
    [ProtoMember(2, Name = "name")] public string Name { get; set; } = "";
    /// <summary>Its 统一社会信用代码.</summary>
    [ProtoMember(3, Name = "authority_code")] public string AuthorityCode { get; set; } = "";
    /// <summary>Hex key id of its signing key.</summary>
    [ProtoMember(4, Name = "key_id")] public string KeyId { get; set; } = "";
    /// <summary>License types it may issue.</summary>
    [ProtoMember(5, Name = "license_type_codes")] public List<string> LicenseTypeCodes { get; set; } = [];
    /// <summary>Seal types it may register.</summary>
    [ProtoMember(6, Name = "seal_permissions")] public List<string> SealPermissions { get; set; } = [];
    /// <summary>Whether it was revoked.</summary>
    [ProtoMember(7, Name = "revoked")] public bool Revoked { get; set; }
    /// <summary>Index of its registration entry.</summary>
    [ProtoMember(8, Name = "registered_at")] public ulong RegisteredAt { get; set; }
    /// <summary>The log.</summary>
    [ProtoMember(9, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>Whether it may record data shares and receipts.</summary>
    [ProtoMember(10, Name = "may_share_data")] public bool MayShareData { get; set; }
}

/// <summary>A log's issuers.</summary>
[ProtoContract]
public sealed class ListIssuersResponse
{
    /// <summary>The issuers.</summary>
    [ProtoMember(1, Name = "issuers")] public List<IssuerInfo> Issuers { get; set; } = [];
}
