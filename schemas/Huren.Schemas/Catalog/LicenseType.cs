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
/// <param name="RequiredFields">Names of the type-specific <c>LicenseField</c> entries every issue must carry.</param>
/// <param name="DefaultValidityYears">The usual validity in years, or null when it has no fixed term (长期 or set case by case).</param>
public sealed record LicenseType(
    string Code,
    string Name,
    string EnglishName,
    string DefiningAuthority,
    string DepartmentKind,
    IReadOnlyList<string> HolderCodeTypes,
    IReadOnlyList<string> RequiredFields,
    int? DefaultValidityYears)
{
    /// <summary>The defining authority's 统一社会信用代码: the first 18 characters of <see cref="Code"/>.</summary>
    public string DefiningAuthorityCode => Code[..18];

    /// <summary>The 3-digit sequence: the last 3 characters of <see cref="Code"/>.</summary>
    public string Sequence => Code[18..];
}
