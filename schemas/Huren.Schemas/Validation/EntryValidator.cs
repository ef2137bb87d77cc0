using Huren.Schemas.Envelope;

namespace Huren.Schemas.Validation;

/// <summary>
/// Checks an <see cref="Entry"/> envelope and its body with no I/O: the kind is known and its schema id and version
/// match; record id, issuer id and origin are present; the time is positive and a date (at most <see cref="EntryLimits.MaxTimeUnixMs"/>); references have an origin and a
/// 32-byte leaf hash (at most <see cref="EntryLimits.MaxReferences"/>); and the body is within its kind's size limit, decodes canonically, is valid (errors as <c>body.&lt;field&gt;</c>), and names the
/// entry's record id. Signatures, authorization and whether referenced entries exist are the ledger's checks.
/// </summary>
public static class EntryValidator
{
    /// <summary>The length of an RFC 9162 leaf hash (SHA-256).</summary>
    public const int LeafHashLength = 32;

    /// <summary>Validates <paramref name="entry"/> (see the class summary).</summary>
    public static ValidationResult Validate(Entry entry) => Validate(entry, out _);

    /// <summary>
    /// Validates <paramref name="entry"/> (see the class summary) and hands out its body as decoded for the check, so a
    /// caller that needs the body does not decode the same bytes again.
    /// </summary>
    /// <param name="entry">The entry.</param>
    /// <param name="body">The decoded body (of the kind's body type), or null when the kind is unknown or the body does not decode.</param>
    public static ValidationResult Validate(Entry entry, out object? body)
    {
        ArgumentNullException.ThrowIfNull(entry);
        body = null;
        var errors = new ErrorList();
        var schema = EntryKinds.Find(entry.Kind);
        var knownKind = schema is not null;
        if (schema is null) errors.Add("kind", $"'{entry.Kind}' is not a known entry kind");
        else if (!string.Equals(entry.SchemaId, schema.SchemaId, StringComparison.Ordinal))
        {
            errors.Add("schemaId", $"must be {schema.SchemaId} for kind {entry.Kind}, got '{entry.SchemaId}'");
        }
        if (entry.SchemaVersion != EntryKinds.SchemaVersion)
        {
            errors.Add("schemaVersion", $"must be {EntryKinds.SchemaVersion}, got {entry.SchemaVersion}");
        }
        if (string.IsNullOrEmpty(entry.RecordId)) errors.Add("recordId", "is required");
        // The status map is keyed by record id alone: a license id is for license entries only, or another record under
        // it would stand as the license's latest state.
        else if (knownKind && !entry.Kind!.StartsWith("license.", StringComparison.Ordinal) && LicenseIdentifier.Validate(entry.RecordId, "recordId") is null)
            errors.Add("recordId", $"'{entry.RecordId}' has the form of a license id (GB/T 36904), which only license entries may use");
        FieldChecks.Id(errors, entry.IssuerId, "issuerId");
        if (entry.TimeUnixMs is <= 0 or > EntryLimits.MaxTimeUnixMs)
            errors.Add("timeUnixMs", $"must be a positive Unix time in milliseconds no later than {EntryLimits.MaxTimeUnixMs} (9999-12-30), got {entry.TimeUnixMs}");
        errors.Add(LogOrigin.Validate(entry.Origin, "origin"));
        if (entry.References.Count > EntryLimits.MaxReferences) errors.Add("references", $"has {entry.References.Count} references, more than {EntryLimits.MaxReferences}");
        for (var i = 0; i < entry.References.Count && i < EntryLimits.MaxReferences; i++)
        {
            var r = entry.References[i];
            var field = $"references[{i}]";
            if (r is null)
            {
                errors.Add(field, "is missing");
                continue;
            }
            if (string.IsNullOrEmpty(r.Origin)) errors.Add($"{field}.origin", "is required");
            else errors.Add(LogOrigin.Validate(r.Origin, $"{field}.origin"));
            if (r.LeafHash is not { Length: LeafHashLength }) errors.Add($"{field}.leafHash", $"must be {LeafHashLength} bytes, got {r.LeafHash?.Length ?? 0}");
        }
        if (knownKind)
        {
            var bodyResult = BodyValidator.Decode(entry.Kind!, entry.Body ?? [], out var decoded);
            body = decoded;
            foreach (var e in bodyResult.Errors) errors.Add(e.Field == "body" ? e : e.Under("body"));
            if (decoded is not null && !string.IsNullOrEmpty(entry.RecordId))
            {
                var bodyId = schema!.RecordIdOf(decoded);
                if (!string.Equals(bodyId, entry.RecordId, StringComparison.Ordinal))
                {
                    errors.Add("recordId", $"'{entry.RecordId}' differs from the body's {schema.RecordIdField} '{bodyId}'");
                }
            }
        }
        return errors.ToResult();
    }
}
