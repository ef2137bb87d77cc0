using Huren.Schemas.Envelope;

namespace Huren.Schemas.Validation;

/// <summary>
/// Checks record bodies against the rules of the standard, with no I/O: one <c>Validate</c> overload per body type,
/// and <see cref="Validate(string, ReadOnlyMemory{byte})"/> for the encoded body of an entry. Error fields are the
/// body's property names in camelCase (list items as <c>fields[2]</c>). Whether a referenced license, issuer or
/// seal exists, and whether the writer may write the entry, is the ledger's check, not this one.
/// </summary>
public static partial class BodyValidator
{
    /// <summary>
    /// Decodes <paramref name="body"/> canonically as the body of <paramref name="kind"/> (<see cref="EntryKinds.Find"/>)
    /// and validates it. An unknown kind is an error on <c>kind</c>; a body over the kind's size limit
    /// (<see cref="EntryKind.MaxBodyBytes"/>) and bytes that do not decode or are not canonical are an error on <c>body</c>.
    /// </summary>
    public static ValidationResult Validate(string kind, ReadOnlyMemory<byte> body) => Decode(kind, body, out _);

    /// <summary>Like <see cref="Validate(string, ReadOnlyMemory{byte})"/>, also giving the decoded body (null when it did not decode).</summary>
    internal static ValidationResult Decode(string kind, ReadOnlyMemory<byte> body, out object? decoded)
    {
        decoded = null;
        if (EntryKinds.Find(kind) is not { } entryKind) return ValidationResult.Of([FieldError.Of("kind", $"'{kind}' is not a known entry kind")]);
        if (body.Length > entryKind.MaxBodyBytes)
        {
            return ValidationResult.Of([FieldError.Of("body", $"is {body.Length} bytes, more than the {entryKind.MaxBodyBytes}-byte limit of a {kind} body")]);
        }
        decoded = entryKind.TryDecode(body, out var error);
        return decoded is null ? ValidationResult.Of([FieldError.Of("body", error ?? "does not decode")]) : entryKind.Validate(decoded);
    }

    private static void Reason(ErrorList errors, string? reason) => FieldChecks.Text(errors, reason, "reason");

    private static void License(ErrorList errors, string? licenseId, string field = "licenseId") =>
        errors.Add(LicenseIdentifier.Validate(licenseId, field));
}
