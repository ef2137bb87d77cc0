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

    /// <summary>The successions that passed this issuer's records on (<c>issuer.succeed</c>), in log order.</summary>
    [ProtoMember(8)] public List<SuccessionRecord> PassedOn { get; set; } = [];

    /// <summary>The issuer id.</summary>
    public string IssuerId => Registration.IssuerId;

    /// <summary>The succession that passed the records of <paramref name="scope"/> on, or null while this issuer still answers for them.</summary>
    public SuccessionRecord? PassedOnFor(RecordScope scope)
    {
        foreach (var succession in PassedOn)
        {
            if (scope.IsCoveredBy(succession)) return succession;
        }
        return null;
    }

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
        copy.PassedOn = PassedOn.ConvertAll(p => p.Clone());
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

/// <summary>
/// One <c>issuer.succeed</c> entry as its predecessor's state keeps it: who answers for the predecessor's records of
/// the listed types from that entry on.
/// </summary>
[ProtoContract]
public sealed class SuccessionRecord
{
    /// <summary>The issuer that answers for the records from now on.</summary>
    [ProtoMember(1)] public string SuccessorId { get; set; } = "";

    /// <summary>License types whose licenses passed on.</summary>
    [ProtoMember(2)] public List<string> LicenseTypeCodes { get; set; } = [];

    /// <summary>Seal types whose seals passed on.</summary>
    [ProtoMember(3)] public List<string> SealTypes { get; set; } = [];

    /// <summary>Index of the <c>issuer.succeed</c> entry.</summary>
    [ProtoMember(4)] public ulong Index { get; set; }

    /// <summary>Leaf hash of the <c>issuer.succeed</c> entry.</summary>
    [ProtoMember(5)] public byte[] LeafHash { get; set; } = [];

    /// <summary>Why (the entry's reason).</summary>
    [ProtoMember(6)] public string Reason { get; set; } = "";

    /// <summary>A deep copy.</summary>
    public SuccessionRecord Clone() => new()
    {
        SuccessorId = SuccessorId,
        LicenseTypeCodes = [.. LicenseTypeCodes],
        SealTypes = [.. SealTypes],
        Index = Index,
        LeafHash = [.. LeafHash],
        Reason = Reason,
    };
}

/// <summary>
/// What kind of record an issuer answers for, and its type: the scope an <c>issuer.succeed</c> entry passes on (a
/// license of a type code, a seal of a seal type). The ledger's rules for licenses and seals ask who answers for a
/// record through it (<c>LogStateMachine.RequireAnswersFor</c>).
/// </summary>
public readonly record struct RecordScope(RecordScopeKind Kind, string Type)
{
    /// <summary>A license of type <paramref name="typeCode"/>.</summary>
    public static RecordScope License(string typeCode) => new(RecordScopeKind.License, typeCode);

    /// <summary>A seal of type <paramref name="sealType"/>.</summary>
    public static RecordScope Seal(string sealType) => new(RecordScopeKind.Seal, sealType);

    /// <summary>Whether <paramref name="succession"/> passes records of this scope on.</summary>
    public bool IsCoveredBy(SuccessionRecord succession)
    {
        ArgumentNullException.ThrowIfNull(succession);
        return (Kind == RecordScopeKind.License ? succession.LicenseTypeCodes : succession.SealTypes).Contains(Type, StringComparer.Ordinal);
    }

    /// <summary>How such a record is made: <c>issued</c> (a license) or <c>registered</c> (a seal).</summary>
    public string MadeVerb => Kind == RecordScopeKind.License ? "issued" : "registered";

    /// <inheritdoc/>
    public override string ToString() => Kind == RecordScopeKind.License ? $"licenses of type {Type}" : $"seals of type {Type}";
}

/// <summary>The kinds of record a succession passes on.</summary>
public enum RecordScopeKind
{
    /// <summary>Licenses, by type code.</summary>
    License,
    /// <summary>Seals, by seal type.</summary>
    Seal,
}
