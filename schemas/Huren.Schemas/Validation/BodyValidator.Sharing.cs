using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;

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
        // Names like the catalogue's and the request's: no control characters or line breaks for an audit's CSV or tree.
        for (var i = 0; i < body.Fields.Count; i++)
        {
            // A blank one is DistinctNames' to report.
            if (!string.IsNullOrWhiteSpace(body.Fields[i])) FieldChecks.Name(errors, body.Fields[i], $"fields[{i}]", max: 100);
        }
        FieldChecks.DistinctNames(errors, body.Fields, static f => f, "fields");
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

    /// <summary>The most data items one share request may ask for.</summary>
    public const int MaxRequestFields = 200;

    /// <summary>
    /// A department's <see cref="Services.ShareRequest"/>, checked by both nodes before anything is looked up: ids, codes,
    /// names and texts within the limits of the share and decision entries it may lead to, the two logs' origins, and
    /// 1 to <see cref="MaxRequestFields"/> distinct data items, and a signing time a date can hold. Field names are the
    /// request's (snake_case).
    /// </summary>
    public static ValidationResult Validate(Services.ShareRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ErrorList();
        FieldChecks.Id(errors, request.ShareId, "share_id");
        FieldChecks.Id(errors, request.ConsumerIssuerId, "consumer_issuer_id");
        FieldChecks.Uscc(errors, request.ConsumerCode, "consumer_code");
        FieldChecks.Name(errors, request.ConsumerName, "consumer_name");
        errors.Add(LogOrigin.Validate(request.ConsumerOrigin, "consumer_origin"));
        errors.Add(LogOrigin.Validate(request.ProviderOrigin, "provider_origin"));
        FieldChecks.Id(errors, request.ResourceCode, "resource_code");
        FieldChecks.Id(errors, request.RecordId, "record_id");
        if (request.Fields.Count == 0) errors.Add("fields", "ask for at least one data item (minimisation: only what the matter needs)");
        else if (request.Fields.Count > MaxRequestFields) errors.Add("fields", $"at most {MaxRequestFields} data items, got {request.Fields.Count}");
        else
        {
            for (var i = 0; i < request.Fields.Count; i++) FieldChecks.Name(errors, request.Fields[i], $"fields[{i}]", max: 100);
            FieldChecks.DistinctNames(errors, request.Fields, static f => f, "fields");
        }
        FieldChecks.Text(errors, request.Purpose, "purpose");
        FieldChecks.Id(errors, request.MatterCode, "matter_code", required: false);
        FieldChecks.Text(errors, request.LegalBasis, "legal_basis");
        if (request.TimeUnixMs is <= 0 or > EntryLimits.MaxTimeUnixMs)
            errors.Add("time_unix_ms", $"must be a positive Unix time in milliseconds no later than {EntryLimits.MaxTimeUnixMs} (9999-12-30), got {request.TimeUnixMs}");
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

    /// <summary>Reason codes of a refusal (<see cref="ShareDecided.ReasonCode"/>).</summary>
    public static readonly string[] RefusalCodes = ["not-shared", "purpose", "matter", "consumer", "fields", "record", "reviewed"];

    /// <summary>
    /// <c>catalog.publish</c>: a resource code and name; the provider's valid code and name; a sharing type; at least
    /// one distinct field; a legal basis; allowed purposes as texts, matter codes as ids, cities as region codes,
    /// departments as valid codes; a reason when not shared.
    /// </summary>
    public static ValidationResult Validate(CatalogResourcePublished body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        FieldChecks.Id(errors, body.ResourceCode, "resourceCode");
        FieldChecks.Name(errors, body.Name, "name");
        FieldChecks.Uscc(errors, body.ProviderCode, "providerCode");
        FieldChecks.Name(errors, body.ProviderName, "providerName");
        if (body.SharingType is not (SharingType.Unconditional or SharingType.Conditional or SharingType.NotShared))
            errors.Add("sharingType", $"must be unconditional, conditional or not-shared, got {body.SharingType}");
        if (body.Fields.Count == 0) errors.Add("fields", "must list the data items offered");
        for (var i = 0; i < body.Fields.Count; i++) FieldChecks.Name(errors, body.Fields[i], $"fields[{i}]", max: 100);
        FieldChecks.DistinctNames(errors, body.Fields, static f => f, "fields");
        FieldChecks.Name(errors, body.UpdateFrequency, "updateFrequency", required: false);
        FieldChecks.Text(errors, body.LegalBasis, "legalBasis");
        for (var i = 0; i < body.AllowedPurposes.Count; i++) FieldChecks.Text(errors, body.AllowedPurposes[i], $"allowedPurposes[{i}]");
        for (var i = 0; i < body.AllowedMatterCodes.Count; i++) FieldChecks.Id(errors, body.AllowedMatterCodes[i], $"allowedMatterCodes[{i}]");
        for (var i = 0; i < body.AllowedConsumerCities.Count; i++) errors.Add(RegionCode.Validate(body.AllowedConsumerCities[i], $"allowedConsumerCities[{i}]"));
        for (var i = 0; i < body.AllowedConsumerCodes.Count; i++) FieldChecks.Uscc(errors, body.AllowedConsumerCodes[i], $"allowedConsumerCodes[{i}]");
        if (body.SharingType == SharingType.NotShared) FieldChecks.Text(errors, body.NotSharedReason, "notSharedReason");
        else if (body.NotSharedReason.Length > 0) errors.Add("notSharedReason", "is only for a resource that is not shared (不予共享)");
        return errors.ToResult();
    }

    /// <summary>
    /// <c>share.decision</c>: the share id; approved or refused; provider and consumer valid codes; the consumer's log;
    /// the resource and record; a purpose; for a refusal a known reason code and a reason.
    /// </summary>
    public static ValidationResult Validate(ShareDecided body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        FieldChecks.Id(errors, body.ShareId, "shareId");
        if (body.Decision is not (ShareDecision.Approved or ShareDecision.Refused)) errors.Add("decision", $"must be approved or refused, got {body.Decision}");
        FieldChecks.Uscc(errors, body.ProviderCode, "providerCode");
        FieldChecks.Uscc(errors, body.ConsumerCode, "consumerCode");
        errors.Add(LogOrigin.Validate(body.ConsumerOrigin, "consumerOrigin"));
        FieldChecks.Id(errors, body.ResourceCode, "resourceCode");
        FieldChecks.Id(errors, body.RecordId, "recordId");
        FieldChecks.Text(errors, body.Purpose, "purpose");
        FieldChecks.Id(errors, body.MatterCode, "matterCode", required: false);
        for (var i = 0; i < body.Fields.Count; i++) FieldChecks.Name(errors, body.Fields[i], $"fields[{i}]", max: 100);
        if (body.Decision == ShareDecision.Refused)
        {
            if (Array.IndexOf(RefusalCodes, body.ReasonCode) < 0) errors.Add("reasonCode", $"must be one of {string.Join(", ", RefusalCodes)}, got '{body.ReasonCode}'");
            FieldChecks.Text(errors, body.Reason, "reason");
        }
        else
        {
            if (body.ReasonCode.Length > 0) errors.Add("reasonCode", "is only for a refusal");
            FieldChecks.Text(errors, body.Reason, "reason", required: false);
        }
        return errors.ToResult();
    }
}
