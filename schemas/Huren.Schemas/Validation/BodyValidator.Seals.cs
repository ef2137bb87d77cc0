using Huren.Schemas.Bodies;

namespace Huren.Schemas.Validation;

public static partial class BodyValidator
{
    /// <summary>The largest <c>SES_Seal</c> or <c>SES_Signature</c> a body carries: 2 MiB (the SDK's seal reader's limit).</summary>
    public const int MaxSealStructureBytes = 2 * 1024 * 1024;

    /// <summary>
    /// <c>seal.register</c>: a seal id (the esID, printable ASCII), a name, a seal type code (digits), the owner's valid
    /// 统一社会信用代码, the <c>SES_Seal</c> DER (present and within the size limit: its structure, maker signature and
    /// agreement with these fields are checked by the SDK's <c>SealEntryRules</c>, which needs the GB/T 38540 reader
    /// this project has no dependency on), and a validity window with both ends.
    /// </summary>
    public static ValidationResult Validate(SealRegistered body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        FieldChecks.Id(errors, body.SealId, "sealId");
        FieldChecks.Name(errors, body.Name, "name");
        if (string.IsNullOrEmpty(body.SealType) || body.SealType.Length > 4 || !body.SealType.All(char.IsAsciiDigit))
        {
            errors.Add("sealType", $"must be the seal type code (digits, the SES_ESPropertyInfo.type value), got '{body.SealType}'");
        }
        FieldChecks.Uscc(errors, body.OwnerCode, "ownerCode");
        SealStructure(errors, body.SesSeal, "sesSeal", "an SES_Seal");
        if (string.IsNullOrEmpty(body.ValidUntil)) errors.Add("validUntil", "is required for a seal (SES_ESPropertyInfo.validEnd)");
        errors.AddRange(LicenseDates.ValidateWindow(body.ValidFrom, body.ValidUntil));
        return errors.ToResult();
    }

    /// <summary><c>seal.revoke</c>: a seal id and a reason.</summary>
    public static ValidationResult Validate(SealRevoked body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        FieldChecks.Id(errors, body.SealId, "sealId");
        Reason(errors, body.Reason);
        return errors.ToResult();
    }

    /// <summary>
    /// <c>seal.use</c>: a seal id, the document's 32-byte SM3 digest (what <c>dataHash</c> holds), the <c>SES_Signature</c> DER (present and
    /// within the size limit; parsed and verified by the SDK's <c>SealEntryRules</c>), and a matter code if given.
    /// </summary>
    public static ValidationResult Validate(SealUsed body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        FieldChecks.Id(errors, body.SealId, "sealId");
        FieldChecks.Digest(errors, body.DocumentDigest, body.DigestAlgorithm, "documentDigest", "digestAlgorithm");
        // The SES_Signature's dataHash is the document's SM3 (docs/seals.md); the entry names the same digest.
        if (body.DigestAlgorithm == "sha256") errors.Add("digestAlgorithm", "must be sm3: a seal signs the SM3 of the document (SES_Signature dataHash)");
        SealStructure(errors, body.SesSignature, "sesSignature", "an SES_Signature");
        FieldChecks.Id(errors, body.MatterCode, "matterCode", required: false);
        return errors.ToResult();
    }

    private static void SealStructure(ErrorList errors, byte[]? der, string field, string what)
    {
        if (der is not { Length: > 0 }) errors.Add(field, $"is required (DER of {what})");
        else if (der.Length > MaxSealStructureBytes) errors.Add(field, $"{der.Length} bytes, more than the {MaxSealStructureBytes}-byte limit of {what}");
    }
}
