using System.ComponentModel;
using ProtoBuf;

namespace Huren.Schemas.Bodies;

/// <summary>A named value of a license: a type-specific element such as 经营范围 or 许可项目.</summary>
[ProtoContract]
public sealed class LicenseField
{
    /// <summary>Field name, as the license-type catalog names it.</summary>
    [ProtoMember(1, Name = "name"), DefaultValue("")] public string Name { get; set; } = "";
    /// <summary>Field value.</summary>
    [ProtoMember(2, Name = "value"), DefaultValue("")] public string Value { get; set; } = "";
}

/// <summary>Holder code types of GB/T 36903 Appendix A that Huren knows.</summary>
public static class HolderCodeTypes
{
    /// <summary>公民身份号码: the code itself never enters the ledger, only its salted commitment.</summary>
    public const string CitizenId = "111";
    /// <summary>统一社会信用代码.</summary>
    public const string Uscc = "001";
}

/// <summary>Body of <c>license.issue</c>: GB/T 36903 metadata of a new license. Dates are <c>yyyy-MM-dd</c>.</summary>
[ProtoContract]
public sealed class LicenseIssued
{
    /// <summary>证照标识 after GB/T 36904: <c>1.2.156.3005.2.&lt;type&gt;.&lt;authority&gt;.&lt;serial&gt;.&lt;version&gt;.&lt;check&gt;</c>.</summary>
    [ProtoMember(1, Name = "license_id"), DefaultValue("")] public string LicenseId { get; set; } = "";
    /// <summary>License type code: 21 characters, from the catalog.</summary>
    [ProtoMember(2, Name = "type_code"), DefaultValue("")] public string TypeCode { get; set; } = "";
    /// <summary>License name (证照名称).</summary>
    [ProtoMember(3, Name = "name"), DefaultValue("")] public string Name { get; set; } = "";
    /// <summary>License number printed on the document (证照编号).</summary>
    [ProtoMember(4, Name = "license_number"), DefaultValue("")] public string LicenseNumber { get; set; } = "";
    /// <summary>Holder name (持证主体).</summary>
    [ProtoMember(5, Name = "holder_name"), DefaultValue("")] public string HolderName { get; set; } = "";
    /// <summary>Holder code: a 统一社会信用代码 in clear; empty for a personal holder (see <see cref="HolderIdCommitment"/>).</summary>
    [ProtoMember(6, Name = "holder_code"), DefaultValue("")] public string HolderCode { get; set; } = "";
    /// <summary>Holder code type, see <see cref="HolderCodeTypes"/>.</summary>
    [ProtoMember(7, Name = "holder_code_type"), DefaultValue("")] public string HolderCodeType { get; set; } = "";
    /// <summary>Issuing authority name (发证机构).</summary>
    [ProtoMember(8, Name = "issuing_authority"), DefaultValue("")] public string IssuingAuthority { get; set; } = "";
    /// <summary>Issuing authority 统一社会信用代码.</summary>
    [ProtoMember(9, Name = "issuing_authority_code"), DefaultValue("")] public string IssuingAuthorityCode { get; set; } = "";
    /// <summary>Issue date.</summary>
    [ProtoMember(10, Name = "issue_date"), DefaultValue("")] public string IssueDate { get; set; } = "";
    /// <summary>First day of validity.</summary>
    [ProtoMember(11, Name = "valid_from"), DefaultValue("")] public string ValidFrom { get; set; } = "";
    /// <summary>Last day of validity; empty for a license without end (长期).</summary>
    [ProtoMember(12, Name = "valid_until"), DefaultValue("")] public string ValidUntil { get; set; } = "";
    /// <summary>Digest of the license document (OFD/PDF/XML).</summary>
    [ProtoMember(13, Name = "document_digest")] public byte[] DocumentDigest { get; set; } = [];

    private bool ShouldSerializeDocumentDigest() => DocumentDigest is { Length: > 0 };
    /// <summary>Algorithm of <see cref="DocumentDigest"/>: <c>sm3</c> or <c>sha256</c>.</summary>
    [ProtoMember(14, Name = "digest_algorithm"), DefaultValue("")] public string DigestAlgorithm { get; set; } = "";
    /// <summary>SM3(salt ‖ personal identifier): the holder's personal identifier, committed, never in clear. 32 bytes.</summary>
    [ProtoMember(15, Name = "holder_id_commitment")] public byte[] HolderIdCommitment { get; set; } = [];

    private bool ShouldSerializeHolderIdCommitment() => HolderIdCommitment is { Length: > 0 };
    /// <summary>Jurisdiction, 6-digit 行政区划代码.</summary>
    [ProtoMember(16, Name = "jurisdiction_code"), DefaultValue("")] public string JurisdictionCode { get; set; } = "";
    /// <summary>Type-specific elements required by the catalog.</summary>
    [ProtoMember(17, Name = "fields")] public List<LicenseField> Fields { get; set; } = [];
}

/// <summary>Body of <c>license.change</c>: a change (变更) or renewal (延续) of a license.</summary>
[ProtoContract]
public sealed class LicenseChanged
{
    /// <summary>The license changed.</summary>
    [ProtoMember(1, Name = "license_id"), DefaultValue("")] public string LicenseId { get; set; } = "";
    /// <summary>National operation code: <c>09</c> change or <c>02</c> renew.</summary>
    [ProtoMember(2, Name = "operation_code"), DefaultValue("")] public string OperationCode { get; set; } = "";
    /// <summary>Fields with their new values.</summary>
    [ProtoMember(3, Name = "changed_fields")] public List<LicenseField> ChangedFields { get; set; } = [];
    /// <summary>New last day of validity, if it changed.</summary>
    [ProtoMember(4, Name = "new_valid_until"), DefaultValue("")] public string NewValidUntil { get; set; } = "";
    /// <summary>Digest of the new license document, if it changed.</summary>
    [ProtoMember(5, Name = "new_document_digest")] public byte[] NewDocumentDigest { get; set; } = [];

    private bool ShouldSerializeNewDocumentDigest() => NewDocumentDigest is { Length: > 0 };
    /// <summary>Algorithm of <see cref="NewDocumentDigest"/>.</summary>
    [ProtoMember(6, Name = "digest_algorithm"), DefaultValue("")] public string DigestAlgorithm { get; set; } = "";
    /// <summary>Why.</summary>
    [ProtoMember(7, Name = "reason"), DefaultValue("")] public string Reason { get; set; } = "";
}

/// <summary>What a status change does to a license.</summary>
public enum LicenseStatusAction
{
    /// <summary>Not set; rejected.</summary>
    [ProtoEnum(Name = "LICENSE_STATUS_ACTION_UNSPECIFIED")]
    Unspecified = 0,
    /// <summary>暂扣 (status 02, operation 03).</summary>
    [ProtoEnum(Name = "LICENSE_STATUS_ACTION_SUSPEND")]
    Suspend = 1,
    /// <summary>暂扣发还 (status 01, operation 06).</summary>
    [ProtoEnum(Name = "LICENSE_STATUS_ACTION_RESUME")]
    Resume = 2,
    /// <summary>注销/吊销/撤销 (status 04, 07 or 03; operation 05). Final.</summary>
    [ProtoEnum(Name = "LICENSE_STATUS_ACTION_REVOKE")]
    Revoke = 3,
}

/// <summary>Body of <c>license.status</c>: suspend, resume or revoke.</summary>
[ProtoContract]
public sealed class LicenseStatusChanged
{
    /// <summary>The license.</summary>
    [ProtoMember(1, Name = "license_id"), DefaultValue("")] public string LicenseId { get; set; } = "";
    /// <summary>The action.</summary>
    [ProtoMember(2, Name = "action")] public LicenseStatusAction Action { get; set; }
    /// <summary>National status code after the change: 01 有效, 02 暂扣, 03 撤销, 04 注销, 07 吊销.</summary>
    [ProtoMember(3, Name = "status_code"), DefaultValue("")] public string StatusCode { get; set; } = "";
    /// <summary>Why; required.</summary>
    [ProtoMember(4, Name = "reason"), DefaultValue("")] public string Reason { get; set; } = "";
}

/// <summary>Body of <c>license.transfer</c>: the issuing city transfers a license out (转出, status 06).</summary>
[ProtoContract]
public sealed class LicenseTransferred
{
    /// <summary>The license.</summary>
    [ProtoMember(1, Name = "license_id"), DefaultValue("")] public string LicenseId { get; set; } = "";
    /// <summary>The receiving city's 6-digit code.</summary>
    [ProtoMember(2, Name = "to_city_code"), DefaultValue("")] public string ToCityCode { get; set; } = "";
    /// <summary>The receiving city's log origin.</summary>
    [ProtoMember(3, Name = "to_origin"), DefaultValue("")] public string ToOrigin { get; set; } = "";
    /// <summary>Why (e.g. the holder moved).</summary>
    [ProtoMember(4, Name = "reason"), DefaultValue("")] public string Reason { get; set; } = "";
}

/// <summary>Body of <c>license.transfer.accept</c>: the receiving city accepts (转入, operation 08); the entry references the transfer.</summary>
[ProtoContract]
public sealed class LicenseTransferAccepted
{
    /// <summary>The transferred license's identifier in the issuing city (the associated identifier).</summary>
    [ProtoMember(1, Name = "license_id"), DefaultValue("")] public string LicenseId { get; set; } = "";
    /// <summary>The transferring city's log origin.</summary>
    [ProtoMember(2, Name = "from_origin"), DefaultValue("")] public string FromOrigin { get; set; } = "";
    /// <summary>The identifier the receiving city gives the license, if it issues a new one.</summary>
    [ProtoMember(3, Name = "new_license_id"), DefaultValue("")] public string NewLicenseId { get; set; } = "";
}

/// <summary>Body of <c>license.use</c>: a counter used a license for a matter (用证留痕).</summary>
[ProtoContract]
public sealed class LicenseUsed
{
    /// <summary>The license used.</summary>
    [ProtoMember(1, Name = "license_id"), DefaultValue("")] public string LicenseId { get; set; } = "";
    /// <summary>The matter (事项) code.</summary>
    [ProtoMember(2, Name = "matter_code"), DefaultValue("")] public string MatterCode { get; set; } = "";
    /// <summary>The matter's name.</summary>
    [ProtoMember(3, Name = "matter_name"), DefaultValue("")] public string MatterName { get; set; } = "";
    /// <summary>The counter (窗口) that used it.</summary>
    [ProtoMember(4, Name = "counter"), DefaultValue("")] public string Counter { get; set; } = "";
    /// <summary>The stated purpose (申请事由), at most 200 characters.</summary>
    [ProtoMember(5, Name = "purpose"), DefaultValue("")] public string Purpose { get; set; } = "";
    /// <summary>The business serial number of the case.</summary>
    [ProtoMember(6, Name = "business_serial"), DefaultValue("")] public string BusinessSerial { get; set; } = "";
    /// <summary>The verdict the counter saw when it used the license, one of <see cref="LicenseUseVerdicts"/> (e.g. <c>VALID</c>).</summary>
    [ProtoMember(7, Name = "verdict_at_use"), DefaultValue("")] public string VerdictAtUse { get; set; } = "";
    /// <summary>Why the license was used although it was not VALID (required then, empty otherwise).</summary>
    [ProtoMember(8, Name = "despite_status_reason"), DefaultValue("")] public string DespiteStatusReason { get; set; } = "";
}

/// <summary>
/// The verdicts a <c>license.use</c> records (<see cref="LicenseUsed.VerdictAtUse"/>), spelled as in evidence bundles
/// (<c>huren-evidence/v1</c> <c>verdict.status</c>).
/// </summary>
public static class LicenseUseVerdicts
{
    /// <summary>Valid.</summary>
    public const string Valid = "VALID";
    /// <summary>Suspended (暂扣).</summary>
    public const string Suspended = "SUSPENDED";
    /// <summary>Revoked, cancelled or withdrawn.</summary>
    public const string Revoked = "REVOKED";
    /// <summary>Past its validity window.</summary>
    public const string Expired = "EXPIRED";
    /// <summary>Before its validity window.</summary>
    public const string NotYetValid = "NOT_YET_VALID";
    /// <summary>Transferred out to another city.</summary>
    public const string Transferred = "TRANSFERRED";

    /// <summary>Every verdict a use may record.</summary>
    public static IReadOnlyList<string> All { get; } = [Valid, Suspended, Revoked, Expired, NotYetValid, Transferred];
}
