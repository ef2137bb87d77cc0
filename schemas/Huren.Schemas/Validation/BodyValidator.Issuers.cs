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
        FieldChecks.Text(errors, body.Name, "name", max: 200);
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
        var index = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var code in body.LicenseTypeCodes)
        {
            var field = $"licenseTypeCodes[{index++}]";
            if (!LicenseTypeCatalog.TryGet(code, out _)) errors.Add(field, $"'{code}' is not in the license-type catalog (version {LicenseTypeCatalog.Version})");
            else if (!seen.Add(code)) errors.Add(field, $"'{code}' is repeated");
        }
        index = 0;
        seen.Clear();
        foreach (var seal in body.SealPermissions)
        {
            var field = $"sealPermissions[{index++}]";
            if (string.IsNullOrEmpty(seal) || seal.Length > 4 || !seal.All(char.IsAsciiDigit)) errors.Add(field, $"'{seal}' is not a seal type code (digits, the SES_ESPropertyInfo.type value)");
            else if (!seen.Add(seal)) errors.Add(field, $"'{seal}' is repeated");
        }
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

    /// <summary><c>issuer.revoke</c>: issuer id and reason.</summary>
    public static ValidationResult Validate(IssuerRevoked body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new ErrorList();
        FieldChecks.Id(errors, body.IssuerId, "issuerId");
        Reason(errors, body.Reason);
        return errors.ToResult();
    }
}
