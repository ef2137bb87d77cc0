using Huren.Schemas.Bodies;
using Huren.Schemas.Catalog;
using Huren.Schemas.Envelope;

namespace Huren.Schemas.Validation;

public static partial class BodyValidator
{
    /// <summary>The longest stated purpose (申请事由) of a license use, in characters.</summary>
    public const int MaxPurposeLength = 200;

    /// <summary>
    /// <c>license.issue</c>: the type is in the catalog; every field is declared by the type, named once and valid for
    /// its declared kind, and every required field is present; the GB/T 36903 metadata is present (name, license number,
    /// holder name, issuing authority, dates) and names are one line without control, formatting or bidirectional
    /// characters; holder code type 111 has an EMPTY holder code and a 32-byte commitment, type 001 a valid
    /// 统一社会信用代码 and no commitment; the issuing authority code is valid; the license id parses and its type and
    /// authority parts equal <c>typeCode</c> and <c>issuingAuthorityCode</c>; the digest is sm3 or sha256 of 32 bytes;
    /// the jurisdiction is a region code; the dates are <c>yyyy-MM-dd</c> with issue date and valid-from not after
    /// valid-until (empty = 长期), and a type with a term has a valid-until within it.
    /// </summary>
    public static ValidationResult Validate(LicenseIssued body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();

        LicenseType? type = null;
        if (string.IsNullOrEmpty(body.TypeCode)) errors.Add("typeCode", "is required (21-character license type code)");
        else if (!LicenseTypeCatalog.TryGet(body.TypeCode, out type))
        {
            errors.Add("typeCode", $"'{body.TypeCode}' is not in the license-type catalog (version {LicenseTypeCatalog.Version})");
        }

        var idError = LicenseIdentifier.Validate(body.LicenseId, "licenseId", out var idType, out var idAuthority);
        errors.Add(idError);
        if (idError is null)
        {
            var id = body.LicenseId.AsSpan();
            if (!id[idType].SequenceEqual(body.TypeCode))
            {
                errors.Add("licenseId", $"type code part {id[idType]} differs from typeCode {body.TypeCode}");
            }
            if (!id[idAuthority].SequenceEqual(body.IssuingAuthorityCode))
            {
                errors.Add("licenseId", $"authority code part {id[idAuthority]} differs from issuingAuthorityCode {body.IssuingAuthorityCode}");
            }
        }

        FieldChecks.Name(errors, body.Name, "name");
        FieldChecks.Name(errors, body.LicenseNumber, "licenseNumber", max: 128);
        FieldChecks.Name(errors, body.HolderName, "holderName");
        FieldChecks.Name(errors, body.IssuingAuthority, "issuingAuthority");
        FieldChecks.Uscc(errors, body.IssuingAuthorityCode, "issuingAuthorityCode");
        Holder(errors, body, type);
        errors.AddRange(LicenseDates.ValidateWindow(body.ValidFrom, body.ValidUntil, body.IssueDate));
        if (type is not null) Term(errors, type, body.ValidFrom, body.ValidUntil, "validUntil");
        FieldChecks.Digest(errors, body.DocumentDigest, body.DigestAlgorithm, "documentDigest", "digestAlgorithm");
        errors.Add(RegionCode.Validate(body.JurisdictionCode, "jurisdictionCode"));
        Fields(errors, body.Fields, "fields", type);
        if (type is not null)
        {
            foreach (var required in type.Fields)
            {
                if (required.Required && !body.Fields.Exists(f => string.Equals(f.Name, required.Name, StringComparison.Ordinal)))
                {
                    errors.Add("fields", $"{type.Name} requires the field {required.Name} ({required.Describe()})");
                }
            }
        }
        return errors.ToResult();
    }

    /// <summary>
    /// A type with a term (<see cref="LicenseType.DefaultValidityYears"/>) needs a last day of validity, at most the
    /// term after the first: a license without one would read 长期 (no end).
    /// </summary>
    private static void Term(ErrorList errors, LicenseType type, string validFrom, string validUntil, string field)
    {
        if (type.DefaultValidityYears is not { } years || !LicenseDates.TryParse(validFrom, out var from)) return;
        var longest = type.DefaultValidUntil(from)!.Value;
        if (string.IsNullOrEmpty(validUntil))
        {
            errors.Add(field, $"is required: {type.Name} has a term of {years} years (a license valid from {validFrom} ends at the latest on {longest:yyyy-MM-dd}); empty would mean 长期");
        }
        else if (LicenseDates.TryParse(validUntil, out var until) && until > longest)
        {
            errors.Add(field, $"{validUntil} is beyond the {years}-year term of {type.Name}: a license valid from {validFrom} ends at the latest on {longest:yyyy-MM-dd}");
        }
    }

    private static void Holder(ErrorList errors, LicenseIssued body, LicenseType? type)
    {
        switch (body.HolderCodeType)
        {
            case HolderCodeTypes.CitizenId:
                if (!string.IsNullOrEmpty(body.HolderCode))
                {
                    errors.Add("holderCode", "must be empty for holder code type 111: a personal identifier never enters the ledger, only holderIdCommitment");
                }
                if (body.HolderIdCommitment.Length != 32)
                {
                    errors.Add("holderIdCommitment", $"must be 32 bytes (SM3 of salt and identifier) for holder code type 111, got {body.HolderIdCommitment.Length}");
                }
                break;
            case HolderCodeTypes.Uscc:
                errors.Add(UnifiedSocialCreditCode.Validate(body.HolderCode, "holderCode"));
                if (body.HolderIdCommitment.Length != 0)
                {
                    errors.Add("holderIdCommitment", "must be empty for holder code type 001 (the code is in clear)");
                }
                break;
            case "":
                errors.Add("holderCodeType", "is required (111 公民身份号码 or 001 统一社会信用代码)");
                return;
            default:
                errors.Add("holderCodeType", $"'{body.HolderCodeType}' is not supported (111 公民身份号码 or 001 统一社会信用代码)");
                return;
        }
        if (type is not null && !type.HolderCodeTypes.Contains(body.HolderCodeType))
        {
            errors.Add("holderCodeType", $"{type.Name} may not have holder code type {body.HolderCodeType} (allowed: {string.Join(", ", type.HolderCodeTypes)})");
        }
    }

    /// <summary>
    /// Type-specific fields: named, each name once, each declared by the license type (<paramref name="type"/>, when
    /// known) and its value valid for the declared kind (<see cref="LicenseFieldSpec.Check"/>). Without a known type
    /// only the names and generic text rules are checked (the type's own error is reported elsewhere).
    /// </summary>
    private static void Fields(ErrorList errors, List<LicenseField> fields, string field, LicenseType? type)
    {
        if (type is not null && fields.Count > type.Fields.Count)
        {
            errors.Add(field, $"has {fields.Count} fields, but {type.Name} declares only {type.Fields.Count} ({string.Join("、", type.Fields.Select(f => f.Name))})");
            return;
        }
        FieldChecks.DistinctNames(errors, fields, static f => f.Name, field);
        for (var i = 0; i < fields.Count; i++)
        {
            var name = fields[i].Name;
            if (string.IsNullOrWhiteSpace(name)) continue;
            var at = $"{field}[{i}]";
            if (type is null)
            {
                FieldChecks.Name(errors, name, at, max: 64);
                FieldChecks.Text(errors, fields[i].Value, at, max: LicenseFieldSpec.MaxTextLength);
                continue;
            }
            if (type.Field(name) is not { } spec)
            {
                errors.Add(at, $"'{TextContent.Printable(name, 40)}' is not a field of {type.Name} (its fields: {string.Join("、", type.Fields.Select(f => f.Name))})");
                continue;
            }
            if (spec.Check(fields[i].Value) is { } problem) errors.Add(at, problem);
        }
    }

    /// <summary>
    /// <c>license.change</c>: a valid license id; operation code 09 (变更) or 02 (延续); a renewal names a new
    /// valid-until; a change changes something (fields, valid-until or document); changed fields are named once,
    /// declared by the license's type (its id's type part) and valid for their kind; a new digest comes with its algorithm; a reason.
    /// </summary>
    public static ValidationResult Validate(LicenseChanged body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        License(errors, body.LicenseId);
        switch (body.OperationCode)
        {
            case LicenseCodes.OperationRenew:
                if (string.IsNullOrEmpty(body.NewValidUntil)) errors.Add("newValidUntil", "is required for a renewal (operation 02)");
                break;
            case LicenseCodes.OperationChange:
                if (body.ChangedFields.Count == 0 && string.IsNullOrEmpty(body.NewValidUntil) && body.NewDocumentDigest.Length == 0)
                {
                    errors.Add("changedFields", "a change (operation 09) must change a field, the validity or the document");
                }
                break;
            default:
                errors.Add("operationCode", $"must be 09 (变更) or 02 (延续), got '{body.OperationCode}'");
                break;
        }
        Fields(errors, body.ChangedFields, "changedFields", TypeOf(body.LicenseId));
        errors.Add(LicenseDates.ValidateOptional(body.NewValidUntil, "newValidUntil"));
        FieldChecks.Digest(errors, body.NewDocumentDigest, body.DigestAlgorithm, "newDocumentDigest", "digestAlgorithm", required: false);
        Reason(errors, body.Reason);
        return errors.ToResult();
    }

    /// <summary>The catalog type a license id names, when the id parses and the type is in the catalog.</summary>
    private static LicenseType? TypeOf(string licenseId) =>
        LicenseIdentifier.TryParse(licenseId, out var id) && LicenseTypeCatalog.TryGet(id.TypeCode, out var type) ? type : null;

    /// <summary>
    /// <c>license.status</c>: a valid license id; an action; the status code the action leads to
    /// (suspend → 02, resume → 01, revoke → 03 撤销, 04 注销 or 07 吊销); a reason.
    /// </summary>
    public static ValidationResult Validate(LicenseStatusChanged body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        License(errors, body.LicenseId);
        string[]? allowed = body.Action switch
        {
            LicenseStatusAction.Suspend => [LicenseCodes.StatusSuspended],
            LicenseStatusAction.Resume => [LicenseCodes.StatusValid],
            LicenseStatusAction.Revoke => [.. LicenseCodes.RevocationStatuses],
            _ => null,
        };
        if (allowed is null) errors.Add("action", $"must be suspend, resume or revoke, got {body.Action}");
        else if (Array.IndexOf(allowed, body.StatusCode) < 0)
        {
            errors.Add("statusCode", $"must be {string.Join(" or ", allowed)} for {body.Action.ToString().ToLowerInvariant()}, got '{body.StatusCode}'");
        }
        Reason(errors, body.Reason);
        return errors.ToResult();
    }

    /// <summary><c>license.transfer</c>: a valid license id; the receiving city's code and a log origin of that city; a reason.</summary>
    public static ValidationResult Validate(LicenseTransferred body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        License(errors, body.LicenseId);
        var cityError = RegionCode.Validate(body.ToCityCode, "toCityCode");
        errors.Add(cityError);
        var originError = LogOrigin.Validate(body.ToOrigin, "toOrigin");
        errors.Add(originError);
        if (cityError is null && originError is null && LogOrigin.CityCodeOf(body.ToOrigin) != body.ToCityCode)
        {
            errors.Add("toOrigin", $"is not the log of toCityCode {body.ToCityCode}");
        }
        Reason(errors, body.Reason);
        return errors.ToResult();
    }

    /// <summary><c>license.transfer.accept</c>: a valid license id; the transferring log's origin; a new license id, if any, valid and different.</summary>
    public static ValidationResult Validate(LicenseTransferAccepted body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        License(errors, body.LicenseId);
        errors.Add(LogOrigin.Validate(body.FromOrigin, "fromOrigin"));
        if (!string.IsNullOrEmpty(body.NewLicenseId))
        {
            License(errors, body.NewLicenseId, "newLicenseId");
            if (string.Equals(body.NewLicenseId, body.LicenseId, StringComparison.Ordinal)) errors.Add("newLicenseId", "must differ from licenseId (leave it empty to keep the identifier)");
        }
        return errors.ToResult();
    }

    /// <summary>
    /// <c>license.use</c>: a valid license id; a matter code and the matter's name; the counter; a purpose of at most 200
    /// characters; the verdict the counter saw (<see cref="LicenseUseVerdicts"/>); a reason for using it despite its
    /// status exactly when that verdict is not VALID.
    /// </summary>
    public static ValidationResult Validate(LicenseUsed body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        License(errors, body.LicenseId);
        FieldChecks.Id(errors, body.MatterCode, "matterCode");
        FieldChecks.Name(errors, body.MatterName, "matterName");
        FieldChecks.Name(errors, body.Counter, "counter");
        FieldChecks.Text(errors, body.Purpose, "purpose", max: MaxPurposeLength);
        FieldChecks.Name(errors, body.BusinessSerial, "businessSerial", required: false, max: FieldChecks.MaxIdLength);
        if (string.IsNullOrEmpty(body.VerdictAtUse)) errors.Add("verdictAtUse", $"is required: the verdict the counter saw ({string.Join(", ", LicenseUseVerdicts.All)})");
        else if (!LicenseUseVerdicts.All.Contains(body.VerdictAtUse, StringComparer.Ordinal))
        {
            errors.Add("verdictAtUse", $"must be one of {string.Join(", ", LicenseUseVerdicts.All)}, got '{TextContent.Printable(body.VerdictAtUse, 40)}'");
        }
        else if (body.VerdictAtUse == LicenseUseVerdicts.Valid)
        {
            if (body.DespiteStatusReason.Length > 0) errors.Add("despiteStatusReason", "must be empty for a VALID license (it says why a license that is not valid was used)");
        }
        else if (string.IsNullOrWhiteSpace(body.DespiteStatusReason))
        {
            errors.Add("despiteStatusReason", $"is required: the license was {body.VerdictAtUse} when used, and a use of a license that is not VALID is recorded only with the counter's reason");
        }
        else FieldChecks.Text(errors, body.DespiteStatusReason, "despiteStatusReason", max: MaxPurposeLength);
        return errors.ToResult();
    }
}
