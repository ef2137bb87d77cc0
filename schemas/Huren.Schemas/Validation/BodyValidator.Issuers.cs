using Huren.Schemas.Bodies;
using Huren.Schemas.Catalog;
using Huren.Schemas.Envelope;

namespace Huren.Schemas.Validation;

public static partial class BodyValidator
{
    /// <summary>The most seal maker keys one issuer registers.</summary>
    public const int MaxSealMakerKeys = 16;

    /// <summary>
    /// <c>issuer.register</c>: issuer id, name, a valid authority code and region code, a known department kind, a
    /// DER public key with a set algorithm, license types that are in the catalog, seal types as digits, seal maker keys
    /// only with seal types, no repeats.
    /// </summary>
    public static ValidationResult Validate(IssuerRegistered body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        FieldChecks.Id(errors, body.IssuerId, "issuerId");
        FieldChecks.Name(errors, body.Name, "name");
        FieldChecks.Uscc(errors, body.AuthorityCode, "authorityCode");
        if (!DepartmentKinds.IsKnown(body.DepartmentKind))
        {
            errors.Add("departmentKind", $"'{body.DepartmentKind}' is not one of {string.Join(", ", DepartmentKinds.All)}");
        }
        errors.Add(RegionCode.Validate(body.RegionCode, "regionCode"));
        FieldChecks.DerSequence(errors, body.PublicKey, "publicKey", "a SubjectPublicKeyInfo");
        if (body.Algorithm == SignatureAlgorithm.Unspecified || !Enum.IsDefined(body.Algorithm))
        {
            errors.Add("algorithm", $"must be SM2-SM3, ECDSA-P256-SHA256 or Ed25519, got {body.Algorithm}");
        }
        LicenseTypes(errors, body.LicenseTypeCodes, "licenseTypeCodes");
        SealTypes(errors, body.SealPermissions, "sealPermissions");
        if (body.SealMakerKeys.Count > MaxSealMakerKeys) errors.Add("sealMakerKeys", $"at most {MaxSealMakerKeys} keys, got {body.SealMakerKeys.Count}");
        if (body.SealMakerKeys.Count > 0 && body.SealPermissions.Count == 0) errors.Add("sealMakerKeys", "seal maker keys are for an issuer that registers seals (sealPermissions is empty)");
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < body.SealMakerKeys.Count; i++)
        {
            var field = $"sealMakerKeys[{i}]";
            FieldChecks.DerSequence(errors, body.SealMakerKeys[i], field, "a SubjectPublicKeyInfo");
            if (body.SealMakerKeys[i] is { Length: > 0 } key && !keys.Add(Convert.ToBase64String(key))) errors.Add(field, "is repeated");
        }
        return errors.ToResult();
    }

    private static void LicenseTypes(ErrorList errors, List<string> codes, string field)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < codes.Count; i++)
        {
            if (!LicenseTypeCatalog.TryGet(codes[i], out _)) errors.Add($"{field}[{i}]", $"'{TextContent.Printable(codes[i], 40)}' is not in the license-type catalog (version {LicenseTypeCatalog.Version})");
            else if (!seen.Add(codes[i])) errors.Add($"{field}[{i}]", $"'{codes[i]}' is repeated");
        }
    }

    private static void SealTypes(ErrorList errors, List<string> sealTypes, string field)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sealTypes.Count; i++)
        {
            var seal = sealTypes[i];
            if (string.IsNullOrEmpty(seal) || seal.Length > 4 || !seal.All(char.IsAsciiDigit)) errors.Add($"{field}[{i}]", $"'{TextContent.Printable(seal, 40)}' is not a seal type code (digits, the SES_ESPropertyInfo.type value)");
            else if (!seen.Add(seal)) errors.Add($"{field}[{i}]", $"'{seal}' is repeated");
        }
    }

    /// <summary><c>issuer.revoke</c>: issuer id and reason.</summary>
    public static ValidationResult Validate(IssuerRevoked body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        FieldChecks.Id(errors, body.IssuerId, "issuerId");
        Reason(errors, body.Reason);
        return errors.ToResult();
    }

    /// <summary>
    /// <c>issuer.succeed</c>: predecessor and successor ids, different; at least one license type or seal type passed
    /// on; license types in the catalog, seal types as digits, each once; a reason.
    /// </summary>
    public static ValidationResult Validate(IssuerSucceeded body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        FieldChecks.Id(errors, body.PredecessorId, "predecessorId");
        FieldChecks.Id(errors, body.SuccessorId, "successorId");
        if (body.SuccessorId.Length > 0 && string.Equals(body.SuccessorId, body.PredecessorId, StringComparison.Ordinal))
        {
            errors.Add("successorId", "must differ from predecessorId");
        }
        if (body.LicenseTypeCodes.Count == 0 && body.SealTypes.Count == 0)
        {
            errors.Add("licenseTypeCodes", "a succession passes on at least one license type or seal type (licenseTypeCodes, sealTypes)");
        }
        LicenseTypes(errors, body.LicenseTypeCodes, "licenseTypeCodes");
        SealTypes(errors, body.SealTypes, "sealTypes");
        Reason(errors, body.Reason);
        return errors.ToResult();
    }
}
