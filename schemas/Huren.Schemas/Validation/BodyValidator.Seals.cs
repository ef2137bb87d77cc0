using Huren.Schemas.Bodies;

namespace Huren.Schemas.Validation;

public static partial class BodyValidator
{
    /// <summary>
    /// <c>seal.register</c>: a seal id (the esID, printable ASCII), a name, a seal type code (digits), the owner's valid
    /// 统一社会信用代码, the <c>SES_Seal</c> DER, and a validity window with both ends.
    /// </summary>
    public static ValidationResult Validate(SealRegistered body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        FieldChecks.Id(errors, body.SealId, "sealId");
        FieldChecks.Text(errors, body.Name, "name", max: 200);
        if (string.IsNullOrEmpty(body.SealType) || body.SealType.Length > 4 || !body.SealType.All(char.IsAsciiDigit))
        {
            errors.Add("sealType", $"must be the seal type code (digits, the SES_ESPropertyInfo.type value), got '{body.SealType}'");
        }
        FieldChecks.Uscc(errors, body.OwnerCode, "ownerCode");
        FieldChecks.DerSequence(errors, body.SesSeal, "sesSeal", "an SES_Seal");
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

    /// <summary><c>seal.use</c>: a seal id, the document's 32-byte sm3 or sha256 digest, the <c>SES_Signature</c> DER, and a matter code if given.</summary>
    public static ValidationResult Validate(SealUsed body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        FieldChecks.Id(errors, body.SealId, "sealId");
        FieldChecks.Digest(errors, body.DocumentDigest, body.DigestAlgorithm, "documentDigest", "digestAlgorithm");
        FieldChecks.DerSequence(errors, body.SesSignature, "sesSignature", "an SES_Signature");
        FieldChecks.Id(errors, body.MatterCode, "matterCode", required: false);
        return errors.ToResult();
    }
}
