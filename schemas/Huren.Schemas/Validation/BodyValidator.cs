using Huren.Schemas.Bodies;
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
    /// Decodes <paramref name="body"/> with <see cref="CanonicalCodec.TryDecode{T}"/> as the body type that
    /// <see cref="EntryKinds.Schemas"/> gives <paramref name="kind"/>, and validates it. An unknown kind is an error on
    /// <c>kind</c>; bytes that do not decode or are not canonical are an error on <c>body</c>.
    /// </summary>
    public static ValidationResult Validate(string kind, ReadOnlyMemory<byte> body) => Decode(kind, body, out _);

    /// <summary>Like <see cref="Validate(string, ReadOnlyMemory{byte})"/>, also giving the decoded body (null when it did not decode).</summary>
    internal static ValidationResult Decode(string kind, ReadOnlyMemory<byte> body, out object? decoded)
    {
        decoded = null;
        if (kind is null || !EntryKinds.Schemas.TryGetValue(kind, out var schema))
        {
            return ValidationResult.Of([FieldError.Of("kind", $"'{kind}' is not a known entry kind")]);
        }
        var type = schema.BodyType;
        if (type == typeof(IssuerRegistered)) return Run<IssuerRegistered>(body, Validate, out decoded);
        if (type == typeof(IssuerRevoked)) return Run<IssuerRevoked>(body, Validate, out decoded);
        if (type == typeof(LicenseIssued)) return Run<LicenseIssued>(body, Validate, out decoded);
        if (type == typeof(LicenseChanged)) return Run<LicenseChanged>(body, Validate, out decoded);
        if (type == typeof(LicenseStatusChanged)) return Run<LicenseStatusChanged>(body, Validate, out decoded);
        if (type == typeof(LicenseTransferred)) return Run<LicenseTransferred>(body, Validate, out decoded);
        if (type == typeof(LicenseTransferAccepted)) return Run<LicenseTransferAccepted>(body, Validate, out decoded);
        if (type == typeof(LicenseUsed)) return Run<LicenseUsed>(body, Validate, out decoded);
        if (type == typeof(SealRegistered)) return Run<SealRegistered>(body, Validate, out decoded);
        if (type == typeof(SealRevoked)) return Run<SealRevoked>(body, Validate, out decoded);
        if (type == typeof(SealUsed)) return Run<SealUsed>(body, Validate, out decoded);
        if (type == typeof(DataShared)) return Run<DataShared>(body, Validate, out decoded);
        if (type == typeof(DataReceived)) return Run<DataReceived>(body, Validate, out decoded);
        return ValidationResult.Of([FieldError.Of("kind", $"no validator for the body type {type.Name} of '{kind}'")]);
    }

    /// <summary>The record id a body names: its license, issuer, seal or share id; null for an unknown body type.</summary>
    internal static string? RecordIdOf(object body) => body switch
    {
        IssuerRegistered b => b.IssuerId,
        IssuerRevoked b => b.IssuerId,
        LicenseIssued b => b.LicenseId,
        LicenseChanged b => b.LicenseId,
        LicenseStatusChanged b => b.LicenseId,
        LicenseTransferred b => b.LicenseId,
        LicenseTransferAccepted b => b.LicenseId,
        LicenseUsed b => b.LicenseId,
        SealRegistered b => b.SealId,
        SealRevoked b => b.SealId,
        SealUsed b => b.SealId,
        DataShared b => b.ShareId,
        DataReceived b => b.ShareId,
        _ => null,
    };

    /// <summary>The camelCase name of the id field <see cref="RecordIdOf"/> reads.</summary>
    internal static string RecordIdFieldOf(object body) => body switch
    {
        IssuerRegistered or IssuerRevoked => "issuerId",
        SealRegistered or SealRevoked or SealUsed => "sealId",
        DataShared or DataReceived => "shareId",
        _ => "licenseId",
    };

    private static ValidationResult Run<T>(ReadOnlyMemory<byte> body, Func<T, ValidationResult> validate, out object? decoded)
        where T : class
    {
        if (!CanonicalCodec.TryDecode<T>(body, out var message, out var error))
        {
            decoded = null;
            return ValidationResult.Of([FieldError.Of("body", error ?? "does not decode")]);
        }
        decoded = message;
        return validate(message!);
    }

    private static void Reason(ErrorList errors, string? reason) => FieldChecks.Text(errors, reason, "reason");

    private static void License(ErrorList errors, string? licenseId, string field = "licenseId") =>
        errors.Add(LicenseIdentifier.Validate(licenseId, field));
}
