namespace Huren.Schemas.Catalog;

/// <summary>
/// A license type (证照类型) of the catalog. The codes of the built-in catalog are LOCAL values in the GB/T 36904
/// format, not national codes; see <see cref="LicenseTypeCatalog"/>.
/// </summary>
/// <param name="Code">The 21-character type code: the defining authority's 统一社会信用代码 + a 3-digit sequence.</param>
/// <param name="Name">The Chinese name, e.g. 营业执照.</param>
/// <param name="EnglishName">The English name, e.g. Business License.</param>
/// <param name="DefiningAuthority">The name of the authority that defines the type (证照定义机构).</param>
/// <param name="DepartmentKind">The kind of department that issues it, one of <see cref="DepartmentKinds"/>.</param>
/// <param name="HolderCodeTypes">The holder code types (GB/T 36903 Appendix A) a holder of this type may have.</param>
/// <param name="Fields">
/// Every type-specific field a license of this type may carry (<c>LicenseField</c> entries), with its kind of value,
/// limits and whether it is required; a field not declared here is refused.
/// </param>
/// <param name="DefaultValidityYears">
/// The type's term in years, or null when it has no fixed term (长期 or set case by case). A license of a type with a
/// term must give its last day, at most that many years after its first (a client fills in <see cref="DefaultValidUntil"/>
/// when none is given).
/// </param>
public sealed record LicenseType(
    string Code,
    string Name,
    string EnglishName,
    string DefiningAuthority,
    string DepartmentKind,
    IReadOnlyList<string> HolderCodeTypes,
    IReadOnlyList<LicenseFieldSpec> Fields,
    int? DefaultValidityYears)
{
    /// <summary>Names of the fields every license of the type must carry.</summary>
    public IReadOnlyList<string> RequiredFields => [.. Fields.Where(f => f.Required).Select(f => f.Name)];

    /// <summary>The declared field named <paramref name="name"/>, or null.</summary>
    public LicenseFieldSpec? Field(string? name)
    {
        foreach (var field in Fields)
        {
            if (string.Equals(field.Name, name, StringComparison.Ordinal)) return field;
        }
        return null;
    }

    /// <summary>
    /// The last day of validity the type's term gives a license valid from <paramref name="validFrom"/>: the day before
    /// the same date <see cref="DefaultValidityYears"/> later (2024-03-01 + 5 years → 2029-02-28); null without a term.
    /// </summary>
    public DateOnly? DefaultValidUntil(DateOnly validFrom) => DefaultValidityYears is { } years ? validFrom.AddYears(years).AddDays(-1) : null;

    /// <summary>The defining authority's 统一社会信用代码: the first 18 characters of <see cref="Code"/>.</summary>
    public string DefiningAuthorityCode => Code[..18];

    /// <summary>The 3-digit sequence: the last 3 characters of <see cref="Code"/>.</summary>
    public string Sequence => Code[18..];
}
