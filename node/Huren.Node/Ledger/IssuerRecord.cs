using Huren.Schemas.Bodies;
using ProtoBuf;

namespace Huren.Node.Ledger;

/// <summary>
/// Derived state of one issuer of a city log (state row <c>issuer/&lt;id&gt;</c>): its registration and whether it
/// was revoked. Node-internal; field numbers are append only. Instances handed out are copies: change them freely.
/// </summary>
[ProtoContract]
public sealed class IssuerRecord
{
    /// <summary>The <c>issuer.register</c> body, verbatim.</summary>
    [ProtoMember(1, IsRequired = true)] public IssuerRegistered Registration { get; set; } = new();

    /// <summary>Index of the <c>issuer.register</c> entry.</summary>
    [ProtoMember(2)] public ulong RegisteredIndex { get; set; }

    /// <summary>Leaf hash of the <c>issuer.register</c> entry.</summary>
    [ProtoMember(3)] public byte[] RegisteredLeafHash { get; set; } = [];

    /// <summary>Key id (SHA-256 of the SubjectPublicKeyInfo) of the issuer's signing key.</summary>
    [ProtoMember(4)] public byte[] KeyId { get; set; } = [];

    /// <summary>Whether the city root revoked the issuer.</summary>
    [ProtoMember(5)] public bool Revoked { get; set; }

    /// <summary>Index of the <c>issuer.revoke</c> entry, when <see cref="Revoked"/>.</summary>
    [ProtoMember(6)] public ulong RevokedIndex { get; set; }

    /// <summary>Why it was revoked, when <see cref="Revoked"/>.</summary>
    [ProtoMember(7)] public string RevokeReason { get; set; } = "";

    /// <summary>The issuer id.</summary>
    public string IssuerId => Registration.IssuerId;

    /// <summary>The department's 统一社会信用代码.</summary>
    public string AuthorityCode => Registration.AuthorityCode;

    /// <summary>Whether the issuer may issue licenses of <paramref name="typeCode"/>.</summary>
    public bool MayIssue(string typeCode) => Registration.LicenseTypeCodes.Contains(typeCode, StringComparer.Ordinal);

    /// <summary>Whether the issuer may register seals of <paramref name="sealType"/>.</summary>
    public bool MayRegisterSeal(string sealType) => Registration.SealPermissions.Contains(sealType, StringComparer.Ordinal);

    /// <summary>A deep copy.</summary>
    public IssuerRecord Clone()
    {
        var copy = (IssuerRecord)MemberwiseClone();
        copy.RegisteredLeafHash = [.. RegisteredLeafHash];
        copy.KeyId = [.. KeyId];
        var r = Registration;
        copy.Registration = new IssuerRegistered
        {
            IssuerId = r.IssuerId,
            Name = r.Name,
            AuthorityCode = r.AuthorityCode,
            DepartmentKind = r.DepartmentKind,
            RegionCode = r.RegionCode,
            PublicKey = [.. r.PublicKey],
            Algorithm = r.Algorithm,
            LicenseTypeCodes = [.. r.LicenseTypeCodes],
            SealPermissions = [.. r.SealPermissions],
            MayShareData = r.MayShareData,
            SealMakerKeys = r.SealMakerKeys.ConvertAll(k => (byte[])k.Clone()),
        };
        return copy;
    }
}

/// <summary>State row <c>key/&lt;hex key id&gt;</c>: which issuer a registered key belongs to (kept when the issuer is revoked).</summary>
[ProtoContract]
public sealed class KeyRecord
{
    /// <summary>The issuer the key was registered to.</summary>
    [ProtoMember(1)] public string IssuerId { get; set; } = "";

    /// <summary>Index of the registration entry.</summary>
    [ProtoMember(2)] public ulong RegisteredIndex { get; set; }
}
