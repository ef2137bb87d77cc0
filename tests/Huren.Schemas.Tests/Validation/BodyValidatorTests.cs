using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Validation;

namespace Huren.Schemas.Tests.Validation;

/// <summary>Each rule of each body validator, broken one at a time on an otherwise valid body.</summary>
public class BodyValidatorTests
{
    private static readonly string OtherAuthorityLicenseId =
        LicenseIdentifier.Create(ValidBodies.BusinessLicenseType, ValidBodies.ZhuzhouAmr, "2024000001", "001").ToString();

    private static readonly string OtherTypeLicenseId =
        LicenseIdentifier.Create("11100000HUREN0001P002", ValidBodies.ChangshaAmr, "2024000001", "001").ToString();

    private static readonly Dictionary<string, (Action<LicenseIssued> Break, string Field)> IssueCases = new()
    {
        ["unknown type code"] = (b => b.TypeCode = "11100000HUREN0001P999", "typeCode"),
        ["empty type code"] = (b => b.TypeCode = "", "typeCode"),
        ["missing required catalog field"] = (b => b.Fields.RemoveAll(f => f.Name == "经营范围"), "fields"),
        ["required catalog field empty"] = (b => b.Fields.Find(f => f.Name == "住所")!.Value = "", "fields[1]"),
        ["repeated field"] = (b => b.Fields.Add(new LicenseField { Name = "住所", Value = "x" }), "fields[4]"),
        ["unnamed field"] = (b => b.Fields.Add(new LicenseField { Name = "", Value = "x" }), "fields[4]"),
        ["missing name"] = (b => b.Name = "", "name"),
        ["missing license number"] = (b => b.LicenseNumber = "", "licenseNumber"),
        ["missing holder name"] = (b => b.HolderName = " ", "holderName"),
        ["missing issuing authority"] = (b => b.IssuingAuthority = "", "issuingAuthority"),
        ["holder type 001 with bad USCC"] = (b => b.HolderCode = "91430100HUREN0201H", "holderCode"),
        ["holder type 001 without code"] = (b => b.HolderCode = "", "holderCode"),
        ["holder type 001 with commitment"] = (b => b.HolderIdCommitment = ValidBodies.Digest(), "holderIdCommitment"),
        ["holder type 111 with a code in clear"] = (b => { b.HolderCodeType = "111"; b.HolderCode = "11010519491231002X"; b.HolderIdCommitment = ValidBodies.Digest(); }, "holderCode"),
        ["holder type 111 without commitment"] = (b => { b.HolderCodeType = "111"; b.HolderCode = ""; }, "holderIdCommitment"),
        ["holder type 111 with short commitment"] = (b => { b.HolderCodeType = "111"; b.HolderCode = ""; b.HolderIdCommitment = new byte[31]; }, "holderIdCommitment"),
        ["holder type 111 not allowed for business licenses"] = (b => { b.HolderCodeType = "111"; b.HolderCode = ""; b.HolderIdCommitment = ValidBodies.Digest(); }, "holderCodeType"),
        ["unsupported holder code type"] = (b => b.HolderCodeType = "414", "holderCodeType"),
        ["missing holder code type"] = (b => b.HolderCodeType = "", "holderCodeType"),
        ["bad authority code"] = (b => b.IssuingAuthorityCode = "11430100HUREN01014", "issuingAuthorityCode"),
        ["license id does not parse"] = (b => b.LicenseId = b.LicenseId[..^1] + (b.LicenseId[^1] == '0' ? '1' : '0'), "licenseId"),
        ["license id of another authority"] = (b => b.LicenseId = OtherAuthorityLicenseId, "licenseId"),
        ["license id of another type"] = (b => b.LicenseId = OtherTypeLicenseId, "licenseId"),
        ["missing license id"] = (b => b.LicenseId = "", "licenseId"),
        ["unknown digest algorithm"] = (b => b.DigestAlgorithm = "md5", "digestAlgorithm"),
        ["short digest"] = (b => b.DocumentDigest = new byte[20], "documentDigest"),
        ["missing digest"] = (b => { b.DocumentDigest = []; b.DigestAlgorithm = ""; }, "documentDigest"),
        ["bad jurisdiction"] = (b => b.JurisdictionCode = "000000", "jurisdictionCode"),
        ["missing jurisdiction"] = (b => b.JurisdictionCode = "", "jurisdictionCode"),
        ["bad issue date"] = (b => b.IssueDate = "2024/03/01", "issueDate"),
        ["missing issue date"] = (b => b.IssueDate = "", "issueDate"),
        ["missing valid from"] = (b => b.ValidFrom = "", "validFrom"),
        ["bad valid until"] = (b => b.ValidUntil = "长期", "validUntil"),
        ["valid until before valid from"] = (b => b.ValidUntil = "2024-02-29", "validUntil"),
        ["valid until before issue date"] = (b => { b.ValidFrom = "2024-01-01"; b.ValidUntil = "2024-02-01"; }, "validUntil"),
    };

    private static readonly Dictionary<string, (Action<IssuerRegistered> Break, string Field)> IssuerCases = new()
    {
        ["missing issuer id"] = (b => b.IssuerId = "", "issuerId"),
        ["issuer id with a space"] = (b => b.IssuerId = "430100 amr", "issuerId"),
        ["missing name"] = (b => b.Name = "", "name"),
        ["bad authority code"] = (b => b.AuthorityCode = "11430100HUREN0101", "authorityCode"),
        ["unknown department kind"] = (b => b.DepartmentKind = "ministry-of-magic", "departmentKind"),
        ["bad region"] = (b => b.RegionCode = "4301", "regionCode"),
        ["missing key"] = (b => b.PublicKey = [], "publicKey"),
        ["key not DER"] = (b => b.PublicKey = [0x04, 0x01, 0x02], "publicKey"),
        ["no algorithm"] = (b => b.Algorithm = SignatureAlgorithm.Unspecified, "algorithm"),
        ["undefined algorithm"] = (b => b.Algorithm = (SignatureAlgorithm)99, "algorithm"),
        ["unknown license type"] = (b => b.LicenseTypeCodes.Add("11100000HUREN0001P999"), "licenseTypeCodes[2]"),
        ["repeated license type"] = (b => b.LicenseTypeCodes.Add(ValidBodies.BusinessLicenseType), "licenseTypeCodes[2]"),
        ["bad seal type"] = (b => b.SealPermissions.Add("合同章"), "sealPermissions[2]"),
        ["repeated seal type"] = (b => b.SealPermissions.Add("1"), "sealPermissions[2]"),
        ["seal maker key not DER"] = (b => b.SealMakerKeys.Add([0x04, 0x01]), "sealMakerKeys[0]"),
        ["repeated seal maker key"] = (b => b.SealMakerKeys.AddRange([[0x30, 0x01, 0x00], [0x30, 0x01, 0x00]]), "sealMakerKeys[1]"),
        ["seal maker keys without seal types"] = (b => { b.SealPermissions.Clear(); b.SealMakerKeys.Add([0x30, 0x01, 0x00]); }, "sealMakerKeys"),
        ["too many seal maker keys"] = (b => b.SealMakerKeys.AddRange(Enumerable.Range(0, BodyValidator.MaxSealMakerKeys + 1).Select(i => new byte[] { 0x30, 0x01, (byte)i })), "sealMakerKeys"),
    };

    private static readonly Dictionary<string, (Action<LicenseChanged> Break, string Field)> ChangeCases = new()
    {
        ["bad license id"] = (b => b.LicenseId = "1.2.156.3005.2.x", "licenseId"),
        ["unknown operation"] = (b => b.OperationCode = "01", "operationCode"),
        ["missing operation"] = (b => b.OperationCode = "", "operationCode"),
        ["renewal without new end"] = (b => b.OperationCode = "02", "newValidUntil"),
        ["change without change"] = (b => { b.ChangedFields.Clear(); b.NewDocumentDigest = []; b.DigestAlgorithm = ""; }, "changedFields"),
        ["bad new end"] = (b => b.NewValidUntil = "2030-13-01", "newValidUntil"),
        ["digest without algorithm"] = (b => b.DigestAlgorithm = "", "digestAlgorithm"),
        ["algorithm without digest"] = (b => b.NewDocumentDigest = [], "newDocumentDigest"),
        ["unnamed changed field"] = (b => b.ChangedFields.Add(new LicenseField { Name = "", Value = "x" }), "changedFields[1]"),
        ["missing reason"] = (b => b.Reason = "", "reason"),
    };

    private static readonly Dictionary<string, (Action<LicenseStatusChanged> Break, string Field)> StatusCases = new()
    {
        ["bad license id"] = (b => b.LicenseId = "", "licenseId"),
        ["no action"] = (b => b.Action = LicenseStatusAction.Unspecified, "action"),
        ["suspend to 01"] = (b => b.StatusCode = "01", "statusCode"),
        ["resume to 02"] = (b => { b.Action = LicenseStatusAction.Resume; b.StatusCode = "02"; }, "statusCode"),
        ["revoke to 02"] = (b => { b.Action = LicenseStatusAction.Revoke; b.StatusCode = "02"; }, "statusCode"),
        ["revoke to 05"] = (b => { b.Action = LicenseStatusAction.Revoke; b.StatusCode = "05"; }, "statusCode"),
        ["missing reason"] = (b => b.Reason = "", "reason"),
    };

    private static readonly Dictionary<string, (Action<LicenseTransferred> Break, string Field)> TransferCases = new()
    {
        ["bad license id"] = (b => b.LicenseId = "x", "licenseId"),
        ["bad city"] = (b => b.ToCityCode = "999999", "toCityCode"),
        ["bad origin"] = (b => b.ToOrigin = "cz-t/430200", "toOrigin"),
        ["origin of another city"] = (b => b.ToOrigin = "huren.cz-t/430300", "toOrigin"),
        ["missing reason"] = (b => b.Reason = "", "reason"),
    };

    private static readonly Dictionary<string, (Action<LicenseTransferAccepted> Break, string Field)> AcceptCases = new()
    {
        ["bad license id"] = (b => b.LicenseId = "", "licenseId"),
        ["bad origin"] = (b => b.FromOrigin = "", "fromOrigin"),
        ["bad new license id"] = (b => b.NewLicenseId = "1.2.156.3005.2", "newLicenseId"),
        ["new license id equals old"] = (b => b.NewLicenseId = b.LicenseId, "newLicenseId"),
    };

    private static readonly Dictionary<string, (Action<LicenseUsed> Break, string Field)> UseCases = new()
    {
        ["bad license id"] = (b => b.LicenseId = "", "licenseId"),
        ["missing matter code"] = (b => b.MatterCode = "", "matterCode"),
        ["missing counter"] = (b => b.Counter = "", "counter"),
        ["missing purpose"] = (b => b.Purpose = "", "purpose"),
        ["purpose of 201 characters"] = (b => b.Purpose = new string('核', 201), "purpose"),
        ["purpose with control characters"] = (b => b.Purpose = "核验\u0000", "purpose"),
        ["missing matter name"] = (b => b.MatterName = "", "matterName"),
        ["missing verdict at use"] = (b => b.VerdictAtUse = "", "verdictAtUse"),
        ["unknown verdict at use"] = (b => b.VerdictAtUse = "UNKNOWN", "verdictAtUse"),
        ["revoked without a reason"] = (b => b.VerdictAtUse = "REVOKED", "despiteStatusReason"),
        ["expired with a blank reason"] = (b => { b.VerdictAtUse = "EXPIRED"; b.DespiteStatusReason = " "; }, "despiteStatusReason"),
        ["valid with a reason"] = (b => b.DespiteStatusReason = "急办", "despiteStatusReason"),
    };

    private static readonly Dictionary<string, (Action<IssuerSucceeded> Break, string Field)> SuccessionCases = new()
    {
        ["missing predecessor"] = (b => b.PredecessorId = "", "predecessorId"),
        ["missing successor"] = (b => b.SuccessorId = "", "successorId"),
        ["successor is predecessor"] = (b => b.SuccessorId = b.PredecessorId, "successorId"),
        ["nothing passed on"] = (b => { b.LicenseTypeCodes.Clear(); b.SealTypes.Clear(); }, "licenseTypeCodes"),
        ["unknown license type"] = (b => b.LicenseTypeCodes.Add("11100000HUREN0001P999"), "licenseTypeCodes[1]"),
        ["repeated license type"] = (b => b.LicenseTypeCodes.Add(ValidBodies.BusinessLicenseType), "licenseTypeCodes[1]"),
        ["bad seal type"] = (b => b.SealTypes.Add("公章"), "sealTypes[1]"),
        ["missing reason"] = (b => b.Reason = "", "reason"),
    };

    private static readonly Dictionary<string, (Action<SealRegistered> Break, string Field)> SealCases = new()
    {
        ["missing seal id"] = (b => b.SealId = "", "sealId"),
        ["missing name"] = (b => b.Name = "", "name"),
        ["bad seal type"] = (b => b.SealType = "contract", "sealType"),
        ["bad owner code"] = (b => b.OwnerCode = "91430100HUREN0201", "ownerCode"),
        ["missing SES_Seal"] = (b => b.SesSeal = [], "sesSeal"),
        ["SES_Seal over the size limit"] = (b => b.SesSeal = new byte[BodyValidator.MaxSealStructureBytes + 1], "sesSeal"),
        ["missing valid from"] = (b => b.ValidFrom = "", "validFrom"),
        ["missing valid until"] = (b => b.ValidUntil = "", "validUntil"),
        ["valid until before valid from"] = (b => b.ValidUntil = "2024-01-01", "validUntil"),
    };

    private static readonly Dictionary<string, (Action<SealUsed> Break, string Field)> SealUseCases = new()
    {
        ["missing seal id"] = (b => b.SealId = "", "sealId"),
        ["short digest"] = (b => b.DocumentDigest = new byte[16], "documentDigest"),
        ["bad algorithm"] = (b => b.DigestAlgorithm = "SM3", "digestAlgorithm"),
        ["missing SES_Signature"] = (b => b.SesSignature = [], "sesSignature"),
        ["SES_Signature over the size limit"] = (b => b.SesSignature = new byte[BodyValidator.MaxSealStructureBytes + 1], "sesSignature"),
        ["sha256 digest (dataHash is SM3)"] = (b => b.DigestAlgorithm = "sha256", "digestAlgorithm"),
        ["bad matter code"] = (b => b.MatterCode = "有 空格", "matterCode"),
    };

    private static readonly Dictionary<string, (Action<DataShared> Break, string Field)> ShareCases = new()
    {
        ["missing share id"] = (b => b.ShareId = "", "shareId"),
        ["bad provider code"] = (b => b.ProviderCode = "", "providerCode"),
        ["missing provider name"] = (b => b.ProviderName = "", "providerName"),
        ["bad consumer code"] = (b => b.ConsumerCode = "11430200HUREN0102C", "consumerCode"),
        ["consumer is provider"] = (b => b.ConsumerCode = b.ProviderCode, "consumerCode"),
        ["missing consumer name"] = (b => b.ConsumerName = "", "consumerName"),
        ["bad consumer origin"] = (b => b.ConsumerOrigin = "huren.cz-t", "consumerOrigin"),
        ["bad sharing office code"] = (b => b.SharingOfficeCode = "12430100HUREN0301C", "sharingOfficeCode"),
        ["missing resource"] = (b => b.ResourceId = "", "resourceId"),
        ["no data items"] = (b => b.Fields.Clear(), "fields"),
        ["repeated data item"] = (b => b.Fields.Add("holderName"), "fields[3]"),
        ["missing payload digest"] = (b => b.PayloadDigest = [], "payloadDigest"),
        ["missing purpose"] = (b => b.Purpose = "", "purpose"),
        ["missing legal basis"] = (b => b.LegalBasis = "", "legalBasis"),
        ["conditional without approval"] = (b => b.ApprovalId = "", "approvalId"),
        ["no sharing type"] = (b => b.SharingType = SharingType.Unspecified, "sharingType"),
        ["missing expiry"] = (b => b.ExpiresOn = "", "expiresOn"),
        ["bad expiry"] = (b => b.ExpiresOn = "2024-12-32", "expiresOn"),
    };

    private static readonly Dictionary<string, (Action<DataReceived> Break, string Field)> ReceiptCases = new()
    {
        ["missing share id"] = (b => b.ShareId = "", "shareId"),
        ["bad provider origin"] = (b => b.ProviderOrigin = "huren.cz-t/000000", "providerOrigin"),
        ["bad consumer code"] = (b => b.ConsumerCode = "x", "consumerCode"),
        ["bad digest"] = (b => b.PayloadDigest = new byte[33], "payloadDigest"),
        ["missing algorithm"] = (b => b.DigestAlgorithm = "", "digestAlgorithm"),
    };

    private static readonly Dictionary<string, (Action<CatalogResourcePublished> Break, string Field)> CatalogCases = new()
    {
        ["missing resource code"] = (b => b.ResourceCode = "", "resourceCode"),
        ["missing name"] = (b => b.Name = "", "name"),
        ["bad provider code"] = (b => b.ProviderCode = "x", "providerCode"),
        ["no sharing type"] = (b => b.SharingType = SharingType.Unspecified, "sharingType"),
        ["no fields"] = (b => b.Fields.Clear(), "fields"),
        ["field of two lines"] = (b => b.Fields.Add("a\nb"), "fields[3]"),
        ["repeated field"] = (b => b.Fields.Add("住所"), "fields[3]"),
        ["missing legal basis"] = (b => b.LegalBasis = "", "legalBasis"),
        ["bad consumer city"] = (b => b.AllowedConsumerCities.Add("990000"), "allowedConsumerCities[1]"),
        ["bad consumer code"] = (b => b.AllowedConsumerCodes.Add("x"), "allowedConsumerCodes[1]"),
        ["bad matter code"] = (b => b.AllowedMatterCodes.Add("有 空格"), "allowedMatterCodes[1]"),
        ["not shared without a reason"] = (b => b.SharingType = SharingType.NotShared, "notSharedReason"),
        ["a reason but shared"] = (b => b.NotSharedReason = "涉密", "notSharedReason"),
    };

    private static readonly Dictionary<string, (Action<ShareDecided> Break, string Field)> DecisionCases = new()
    {
        ["missing share id"] = (b => b.ShareId = "", "shareId"),
        ["no decision"] = (b => b.Decision = ShareDecision.Unspecified, "decision"),
        ["bad provider code"] = (b => b.ProviderCode = "", "providerCode"),
        ["bad consumer code"] = (b => b.ConsumerCode = "x", "consumerCode"),
        ["bad consumer origin"] = (b => b.ConsumerOrigin = "huren.cz-t", "consumerOrigin"),
        ["missing resource"] = (b => b.ResourceCode = "", "resourceCode"),
        ["missing record"] = (b => b.RecordId = "", "recordId"),
        ["missing purpose"] = (b => b.Purpose = "", "purpose"),
        ["refusal with an unknown code"] = (b => b.ReasonCode = "other", "reasonCode"),
        ["refusal without a reason"] = (b => b.Reason = "", "reason"),
        ["approval with a reason code"] = (b => b.Decision = ShareDecision.Approved, "reasonCode"),
    };

    public static TheoryData<string> CatalogCaseNames => Names(CatalogCases);
    public static TheoryData<string> DecisionCaseNames => Names(DecisionCases);

    [Theory]
    [MemberData(nameof(CatalogCaseNames))]
    public void Catalog_rule_is_enforced(string name) => AssertRejected(CatalogCases[name], ValidBodies.CatalogResourcePublished, BodyValidator.Validate);

    [Theory]
    [MemberData(nameof(DecisionCaseNames))]
    public void Share_decision_rule_is_enforced(string name) => AssertRejected(DecisionCases[name], ValidBodies.ShareDecided, BodyValidator.Validate);

    public static TheoryData<string> IssueCaseNames => Names(IssueCases);
    public static TheoryData<string> IssuerCaseNames => Names(IssuerCases);
    public static TheoryData<string> ChangeCaseNames => Names(ChangeCases);
    public static TheoryData<string> StatusCaseNames => Names(StatusCases);
    public static TheoryData<string> TransferCaseNames => Names(TransferCases);
    public static TheoryData<string> AcceptCaseNames => Names(AcceptCases);
    public static TheoryData<string> UseCaseNames => Names(UseCases);
    public static TheoryData<string> SuccessionCaseNames => Names(SuccessionCases);
    public static TheoryData<string> SealCaseNames => Names(SealCases);
    public static TheoryData<string> SealUseCaseNames => Names(SealUseCases);
    public static TheoryData<string> ShareCaseNames => Names(ShareCases);
    public static TheoryData<string> ReceiptCaseNames => Names(ReceiptCases);

    [Fact]
    public void Every_valid_sample_body_is_valid()
    {
        AssertValid(BodyValidator.Validate(ValidBodies.LicenseIssued()));
        AssertValid(BodyValidator.Validate(ValidBodies.PersonalLicenseIssued()));
        AssertValid(BodyValidator.Validate(ValidBodies.IssuerRegistered()));
        AssertValid(BodyValidator.Validate(ValidBodies.IssuerRevoked()));
        AssertValid(BodyValidator.Validate(ValidBodies.IssuerSucceeded()));
        AssertValid(BodyValidator.Validate(ValidBodies.LicenseChanged()));
        AssertValid(BodyValidator.Validate(ValidBodies.LicenseStatusChanged()));
        AssertValid(BodyValidator.Validate(ValidBodies.LicenseTransferred()));
        AssertValid(BodyValidator.Validate(ValidBodies.LicenseTransferAccepted()));
        AssertValid(BodyValidator.Validate(ValidBodies.LicenseUsed()));
        AssertValid(BodyValidator.Validate(ValidBodies.SealRegistered()));
        AssertValid(BodyValidator.Validate(ValidBodies.SealRevoked()));
        AssertValid(BodyValidator.Validate(ValidBodies.SealUsed()));
        AssertValid(BodyValidator.Validate(ValidBodies.CatalogResourcePublished()));
        AssertValid(BodyValidator.Validate(ValidBodies.ShareDecided()));
        AssertValid(BodyValidator.Validate(ValidBodies.DataShared()));
        AssertValid(BodyValidator.Validate(ValidBodies.DataReceived()));
    }

    [Theory]
    [MemberData(nameof(IssueCaseNames))]
    public void License_issue_rule_is_enforced(string name) => AssertRejected(IssueCases[name], ValidBodies.LicenseIssued, BodyValidator.Validate);

    [Theory]
    [MemberData(nameof(IssuerCaseNames))]
    public void Issuer_register_rule_is_enforced(string name) => AssertRejected(IssuerCases[name], ValidBodies.IssuerRegistered, BodyValidator.Validate);

    [Theory]
    [MemberData(nameof(ChangeCaseNames))]
    public void License_change_rule_is_enforced(string name) => AssertRejected(ChangeCases[name], ValidBodies.LicenseChanged, BodyValidator.Validate);

    [Theory]
    [MemberData(nameof(StatusCaseNames))]
    public void License_status_rule_is_enforced(string name) => AssertRejected(StatusCases[name], ValidBodies.LicenseStatusChanged, BodyValidator.Validate);

    [Theory]
    [MemberData(nameof(TransferCaseNames))]
    public void License_transfer_rule_is_enforced(string name) => AssertRejected(TransferCases[name], ValidBodies.LicenseTransferred, BodyValidator.Validate);

    [Theory]
    [MemberData(nameof(AcceptCaseNames))]
    public void License_transfer_accept_rule_is_enforced(string name) => AssertRejected(AcceptCases[name], ValidBodies.LicenseTransferAccepted, BodyValidator.Validate);

    [Theory]
    [MemberData(nameof(UseCaseNames))]
    public void License_use_rule_is_enforced(string name) => AssertRejected(UseCases[name], ValidBodies.LicenseUsed, BodyValidator.Validate);

    [Theory]
    [MemberData(nameof(SuccessionCaseNames))]
    public void Issuer_succession_rule_is_enforced(string name) => AssertRejected(SuccessionCases[name], ValidBodies.IssuerSucceeded, BodyValidator.Validate);

    [Fact]
    public void A_use_of_a_license_that_is_not_valid_is_valid_with_the_counters_reason()
    {
        var use = ValidBodies.LicenseUsed();
        use.VerdictAtUse = LicenseUseVerdicts.Revoked;
        use.DespiteStatusReason = "申请人持原件到场，吊销决定正在复议";
        AssertValid(BodyValidator.Validate(use));
    }

    [Theory]
    [MemberData(nameof(SealCaseNames))]
    public void Seal_register_rule_is_enforced(string name) => AssertRejected(SealCases[name], ValidBodies.SealRegistered, BodyValidator.Validate);

    [Theory]
    [MemberData(nameof(SealUseCaseNames))]
    public void Seal_use_rule_is_enforced(string name) => AssertRejected(SealUseCases[name], ValidBodies.SealUsed, BodyValidator.Validate);

    [Theory]
    [MemberData(nameof(ShareCaseNames))]
    public void Share_rule_is_enforced(string name) => AssertRejected(ShareCases[name], ValidBodies.DataShared, BodyValidator.Validate);

    [Theory]
    [MemberData(nameof(ReceiptCaseNames))]
    public void Receipt_rule_is_enforced(string name) => AssertRejected(ReceiptCases[name], ValidBodies.DataReceived, BodyValidator.Validate);

    [Fact]
    public void Issuer_revoke_and_seal_revoke_need_an_id_and_a_reason()
    {
        AssertRejected((b => b.IssuerId = "", "issuerId"), ValidBodies.IssuerRevoked, BodyValidator.Validate);
        AssertRejected((b => b.Reason = "", "reason"), ValidBodies.IssuerRevoked, BodyValidator.Validate);
        AssertRejected((b => b.SealId = "", "sealId"), ValidBodies.SealRevoked, BodyValidator.Validate);
        AssertRejected((b => b.Reason = "  ", "reason"), ValidBodies.SealRevoked, BodyValidator.Validate);
    }

    [Theory]
    [InlineData(LicenseStatusAction.Suspend, "02")]
    [InlineData(LicenseStatusAction.Resume, "01")]
    [InlineData(LicenseStatusAction.Revoke, "03")]
    [InlineData(LicenseStatusAction.Revoke, "04")]
    [InlineData(LicenseStatusAction.Revoke, "07")]
    public void Status_code_follows_the_action(LicenseStatusAction action, string status)
    {
        var body = ValidBodies.LicenseStatusChanged();
        body.Action = action;
        body.StatusCode = status;
        AssertValid(BodyValidator.Validate(body));
    }

    [Fact]
    public void Renewal_with_a_new_end_and_unconditional_share_without_approval_are_valid()
    {
        var renew = ValidBodies.LicenseChanged();
        renew.OperationCode = "02";
        renew.ChangedFields.Clear();
        renew.NewValidUntil = "2029-02-28";
        AssertValid(BodyValidator.Validate(renew));

        var share = ValidBodies.DataShared();
        share.SharingType = SharingType.Unconditional;
        share.ApprovalId = "";
        AssertValid(BodyValidator.Validate(share));
    }

    [Fact]
    public void Purpose_of_exactly_200_Chinese_characters_is_accepted()
    {
        var use = ValidBodies.LicenseUsed();
        use.Purpose = new string('核', 200);
        AssertValid(BodyValidator.Validate(use));
        use.Purpose = string.Concat(Enumerable.Repeat("𠀀", 200)); // outside the BMP: 200 characters, 400 UTF-16 units
        AssertValid(BodyValidator.Validate(use));
    }

    [Fact]
    public void Personal_holder_message_says_the_code_must_be_empty()
    {
        var body = ValidBodies.PersonalLicenseIssued();
        body.HolderCode = "11010519491231002X";
        var result = BodyValidator.Validate(body);
        var error = Assert.Single(result.Errors);
        Assert.Equal("holderCode", error.Field);
        Assert.StartsWith("holderCode: must be empty for holder code type 111", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispatcher_validates_every_kind_by_its_schema_type()
    {
        var kinds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (kind, body, _) in ValidBodies.Encoded())
        {
            AssertValid(BodyValidator.Validate(kind, body));
            kinds.Add(kind);
        }
        Assert.Equal(EntryKinds.All.Select(k => k.Name).Order(StringComparer.Ordinal), kinds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Dispatcher_reports_body_rule_errors()
    {
        var body = ValidBodies.LicenseIssued();
        body.HolderCode = "";
        var result = BodyValidator.Validate(EntryKinds.LicenseIssue, CanonicalCodec.Encode(body));
        Assert.True(result.HasErrorFor("holderCode"), result.ToString());
    }

    [Fact]
    public void Dispatcher_rejects_an_unknown_kind_on_kind()
    {
        var result = BodyValidator.Validate("license.burn", CanonicalCodec.Encode(ValidBodies.LicenseIssued()));
        var error = Assert.Single(result.Errors);
        Assert.Equal("kind", error.Field);
        Assert.StartsWith("kind: ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF })]
    [InlineData(new byte[] { 0x0A, 0x05, 0x41 })]
    public void Dispatcher_rejects_undecodable_bytes_on_body(byte[] bytes)
    {
        var result = BodyValidator.Validate(EntryKinds.LicenseIssue, bytes);
        var error = Assert.Single(result.Errors);
        Assert.Equal("body", error.Field);
        Assert.StartsWith("body: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dispatcher_rejects_non_canonical_bytes_on_body()
    {
        var bytes = CanonicalCodec.Encode(ValidBodies.LicenseUsed()).Concat(new byte[] { 0xF8, 0x07, 0x01 }).ToArray(); // field 127, varint 1
        var error = Assert.Single(BodyValidator.Validate(EntryKinds.LicenseUse, bytes).Errors);
        Assert.Equal("body", error.Field);
        Assert.Contains("not canonical", error.Message, StringComparison.Ordinal);
    }

    private static TheoryData<string> Names<T>(Dictionary<string, T> cases)
    {
        var data = new TheoryData<string>();
        foreach (var name in cases.Keys) data.Add(name);
        return data;
    }

    private static void AssertValid(ValidationResult result) => Assert.True(result.IsValid, result.ToString());

    [Theory]
    [InlineData(3)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(60)]
    public void Every_repeated_or_empty_data_item_is_named_in_short_and_long_lists(int count)
    {
        // Short lists are compared pair by pair, long ones through a set: both report the same errors.
        var share = ValidBodies.DataShared();
        share.Fields = [.. Enumerable.Range(0, count).Select(i => $"item{i}")];
        share.Fields.Add(" ");
        share.Fields.Add("item1");
        share.Fields.Add("item1");
        share.Fields.Add($"item{count - 1}");
        var result = BodyValidator.Validate(share);
        Assert.Equal(
            [$"fields[{count}]: name is required", $"fields[{count + 1}]: 'item1' is repeated", $"fields[{count + 2}]: 'item1' is repeated", $"fields[{count + 3}]: 'item{count - 1}' is repeated"],
            result.Errors.Where(e => e.Field.StartsWith("fields", StringComparison.Ordinal)).Select(e => e.Message));
        share.Fields.RemoveRange(count, 4);
        AssertValid(BodyValidator.Validate(share));
    }

    /// <summary>Found by the flows review: a share's data items were checked for repeats only, so a CR or an escape in one reached the audit's CSV and tree.</summary>
    [Theory]
    [InlineData("住所\r=HYPERLINK(1)")]
    [InlineData("类型\u001b[8m")]
    [InlineData("住所\n└─ received")]
    public void A_shared_data_item_is_a_name_without_control_characters(string item)
    {
        var share = ValidBodies.DataShared();
        share.Fields = ["法定代表人", item];
        var result = BodyValidator.Validate(share);
        Assert.False(result.IsValid);
        Assert.True(result.HasErrorFor("fields[1]"), result.ToString());
    }

    private static void AssertRejected<T>((Action<T> Break, string Field) rule, Func<T> valid, Func<T, ValidationResult> validate)
    {
        var body = valid();
        rule.Break(body);
        var result = validate(body);
        Assert.False(result.IsValid, $"expected an error on {rule.Field}");
        Assert.True(result.HasErrorFor(rule.Field), $"expected an error on {rule.Field}, got: {result}");
        Assert.All(result.Errors, e => Assert.StartsWith(e.Field + ": ", e.Message, StringComparison.Ordinal));
    }
}
