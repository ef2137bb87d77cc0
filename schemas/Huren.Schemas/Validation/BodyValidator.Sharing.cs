using Huren.Schemas.Bodies;

namespace Huren.Schemas.Validation;

public static partial class BodyValidator
{
    /// <summary>
    /// <c>share</c>: a share id; provider and consumer with valid codes and names, consumer different from provider;
    /// the consumer's log origin; the sharing office's code if given; the resource and at least one data item; the
    /// payload digest; a purpose and a legal basis; a sharing type, with an approval id when conditional; an expiry date.
    /// </summary>
    public static ValidationResult Validate(DataShared body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        FieldChecks.Id(errors, body.ShareId, "shareId");
        FieldChecks.Uscc(errors, body.ProviderCode, "providerCode");
        FieldChecks.Name(errors, body.ProviderName, "providerName");
        FieldChecks.Uscc(errors, body.ConsumerCode, "consumerCode");
        FieldChecks.Name(errors, body.ConsumerName, "consumerName");
        if (!string.IsNullOrEmpty(body.ConsumerCode) && string.Equals(body.ConsumerCode, body.ProviderCode, StringComparison.Ordinal))
        {
            errors.Add("consumerCode", "must differ from providerCode");
        }
        errors.Add(LogOrigin.Validate(body.ConsumerOrigin, "consumerOrigin"));
        FieldChecks.Uscc(errors, body.SharingOfficeCode, "sharingOfficeCode", required: false);
        FieldChecks.Id(errors, body.ResourceId, "resourceId");
        if (body.Fields.Count == 0) errors.Add("fields", "must list the data items shared");
        FieldChecks.DistinctNames(errors, body.Fields, "fields");
        FieldChecks.Digest(errors, body.PayloadDigest, body.DigestAlgorithm, "payloadDigest", "digestAlgorithm");
        FieldChecks.Text(errors, body.Purpose, "purpose");
        FieldChecks.Id(errors, body.MatterCode, "matterCode", required: false);
        FieldChecks.Text(errors, body.LegalBasis, "legalBasis");
        switch (body.SharingType)
        {
            case SharingType.Conditional:
                if (string.IsNullOrWhiteSpace(body.ApprovalId)) errors.Add("approvalId", "is required for conditional sharing (有条件共享)");
                else FieldChecks.Id(errors, body.ApprovalId, "approvalId");
                break;
            case SharingType.Unconditional:
                FieldChecks.Id(errors, body.ApprovalId, "approvalId", required: false);
                break;
            default:
                errors.Add("sharingType", $"must be unconditional or conditional, got {body.SharingType}");
                break;
        }
        errors.Add(LicenseDates.ValidateRequired(body.ExpiresOn, "expiresOn"));
        return errors.ToResult();
    }

    /// <summary><c>receipt</c>: a share id; the provider's log origin; the consumer's valid code; the payload digest.</summary>
    public static ValidationResult Validate(DataReceived body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        FieldChecks.Id(errors, body.ShareId, "shareId");
        errors.Add(LogOrigin.Validate(body.ProviderOrigin, "providerOrigin"));
        FieldChecks.Uscc(errors, body.ConsumerCode, "consumerCode");
        FieldChecks.Digest(errors, body.PayloadDigest, body.DigestAlgorithm, "payloadDigest", "digestAlgorithm");
        return errors.ToResult();
    }
}
