using System.Text.Json;
using System.Text.Json.Serialization;
using Huren.Schemas.Bodies;
using Huren.Schemas.Validation;

namespace Huren.Schemas.Catalog;

/// <summary>
/// The license-type catalog (证照目录) of the standard, loaded once from the embedded resource
/// <c>Huren.Schemas.license-types.json</c> (<c>schemas/Huren.Schemas/Catalog/license-types.json</c>). Immutable.
/// </summary>
/// <remarks>
/// The type codes are LOCAL values: they follow the GB/T 36904 format (defining authority's 统一社会信用代码 + a
/// 3-digit sequence) with valid GB 32100 check characters, but the national codes of these types are not known to
/// the project. Placeholder authorities have the form <c>11100000HUREN000x</c>; 建筑业企业资质证书 uses the published
/// USCC of the Ministry of Housing and Urban-Rural Development (<c>11100000000013338W</c>) with the local sequence
/// <c>901</c>. The file's <c>note</c> says the same; <see cref="Note"/> returns it.
/// </remarks>
public static class LicenseTypeCatalog
{
    /// <summary>The manifest resource name of the catalog file.</summary>
    public const string ResourceName = "Huren.Schemas.license-types.json";

    private static readonly Lazy<Loaded> Data = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The catalog version (<c>1</c>).</summary>
    public static string Version => Data.Value.Version;

    /// <summary>The catalog file's note on where the codes come from.</summary>
    public static string Note => Data.Value.Note;

    /// <summary>Every license type, in file order.</summary>
    public static IReadOnlyList<LicenseType> All => Data.Value.Types;

    /// <summary>Finds a type by its 21-character code (exact, case-sensitive).</summary>
    public static bool TryGet(string? code, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LicenseType? type)
    {
        type = null;
        return code is not null && Data.Value.ByCode.TryGetValue(code, out type);
    }

    /// <summary>Finds a type by its Chinese name (e.g. 营业执照).</summary>
    public static bool TryGetByName(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LicenseType? type)
    {
        foreach (var t in All)
        {
            if (string.Equals(t.Name, name, StringComparison.Ordinal))
            {
                type = t;
                return true;
            }
        }
        type = null;
        return false;
    }

    private static Loaded LoadEmbedded()
    {
        using var stream = typeof(LicenseTypeCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"the license-type catalog resource {ResourceName} is missing from {typeof(LicenseTypeCatalog).Assembly.GetName().Name}");
        return Load(stream);
    }

    /// <summary>Reads and checks a catalog file: well-formed, unique codes, every field declared with a known type and its limits; throws <see cref="InvalidDataException"/> naming the problem.</summary>
    internal static Loaded Load(Stream stream)
    {
        CatalogFile? file;
        try
        {
            file = JsonSerializer.Deserialize(stream, CatalogJsonContext.Default.CatalogFile);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"license-type catalog: {ex.Message}", ex);
        }
        if (file is null) throw new InvalidDataException("license-type catalog: empty file");
        if (string.IsNullOrEmpty(file.Version)) throw new InvalidDataException("license-type catalog: version is required");
        var types = new List<LicenseType>(file.Types.Count);
        var byCode = new Dictionary<string, LicenseType>(StringComparer.Ordinal);
        foreach (var t in file.Types)
        {
            var codeError = LicenseIdentifier.ValidateType(t.Code, "code");
            if (codeError is not null) throw new InvalidDataException($"license-type catalog, type '{t.Name}': {codeError.Message}");
            if (string.IsNullOrWhiteSpace(t.Name) || string.IsNullOrWhiteSpace(t.EnglishName) || string.IsNullOrWhiteSpace(t.DefiningAuthority))
            {
                throw new InvalidDataException($"license-type catalog, type {t.Code}: name, englishName and definingAuthority are required");
            }
            if (!DepartmentKinds.IsKnown(t.DepartmentKind)) throw new InvalidDataException($"license-type catalog, type {t.Code}: unknown departmentKind '{t.DepartmentKind}'");
            foreach (var h in t.HolderCodeTypes)
            {
                if (h is not (HolderCodeTypes.Uscc or HolderCodeTypes.CitizenId)) throw new InvalidDataException($"license-type catalog, type {t.Code}: unsupported holder code type '{h}'");
            }
            if (t.HolderCodeTypes.Count == 0) throw new InvalidDataException($"license-type catalog, type {t.Code}: holderCodeTypes is empty");
            if (t.DefaultValidityYears is <= 0 or > 100) throw new InvalidDataException($"license-type catalog, type {t.Code}: defaultValidityYears must be 1–100 or null");
            var type = new LicenseType(t.Code, t.Name, t.EnglishName, t.DefiningAuthority, t.DepartmentKind,
                t.HolderCodeTypes.ToArray(), ReadFields(t), t.DefaultValidityYears);
            if (!byCode.TryAdd(type.Code, type)) throw new InvalidDataException($"license-type catalog: code {t.Code} is repeated");
            types.Add(type);
        }
        return new Loaded(file.Version, file.Note ?? "", types, byCode);
    }

    private static LicenseFieldSpec[] ReadFields(CatalogEntry t)
    {
        if (t.Fields.Count == 0) throw new InvalidDataException($"license-type catalog, type {t.Code}: fields is empty");
        var fields = new LicenseFieldSpec[t.Fields.Count];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < t.Fields.Count; i++)
        {
            var f = t.Fields[i];
            var where = $"license-type catalog, type {t.Code}, fields[{i}]";
            if (string.IsNullOrWhiteSpace(f.Name) || TextContent.NameProblem(f.Name) is not null || f.Name.Length > 64) throw new InvalidDataException($"{where}: name must be a one-line name of at most 64 characters");
            if (!names.Add(f.Name)) throw new InvalidDataException($"{where}: name {f.Name} is repeated");
            var type = f.Type switch
            {
                "text" => LicenseFieldType.Text,
                "date" => LicenseFieldType.Date,
                "code" => LicenseFieldType.Code,
                "number" => LicenseFieldType.Number,
                "region" => LicenseFieldType.Region,
                "uscc" => LicenseFieldType.Uscc,
                _ => throw new InvalidDataException($"{where} ({f.Name}): type '{f.Type}' is not text, date, code, number, region or uscc"),
            };
            if ((type == LicenseFieldType.Text) != (f.MaxLength is not null)) throw new InvalidDataException($"{where} ({f.Name}): maxLength is required for text fields and only for them");
            if (f.MaxLength is < 1 or > LicenseFieldSpec.MaxTextLength) throw new InvalidDataException($"{where} ({f.Name}): maxLength must be 1–{LicenseFieldSpec.MaxTextLength}");
            if ((type == LicenseFieldType.Code) != (f.Values is { Count: > 0 })) throw new InvalidDataException($"{where} ({f.Name}): values is required for code fields and only for them");
            if (f.Values is { } values && (values.Distinct(StringComparer.Ordinal).Count() != values.Count || values.Any(v => string.IsNullOrWhiteSpace(v) || TextContent.NameProblem(v) is not null)))
            {
                throw new InvalidDataException($"{where} ({f.Name}): values must be distinct one-line names");
            }
            if (type != LicenseFieldType.Number && (f.Decimals is not null || f.Min is not null || f.Max is not null || f.Unit is not null))
            {
                throw new InvalidDataException($"{where} ({f.Name}): decimals, min, max and unit are for number fields only");
            }
            if (f.Decimals is < 0 or > 6) throw new InvalidDataException($"{where} ({f.Name}): decimals must be 0–6");
            if (f.Min is { } min && f.Max is { } max && min > max) throw new InvalidDataException($"{where} ({f.Name}): min is above max");
            fields[i] = new LicenseFieldSpec(f.Name, type, f.Required, f.MaxLength ?? 0, f.Values?.ToArray() ?? [], f.Decimals ?? 0, f.Min, f.Max, f.Unit);
        }
        return fields;
    }

    internal sealed record Loaded(string Version, string Note, IReadOnlyList<LicenseType> Types, IReadOnlyDictionary<string, LicenseType> ByCode);
}

internal sealed class CatalogFile
{
    public required string Version { get; init; }
    public string? Note { get; init; }
    public required List<CatalogEntry> Types { get; init; }
}

internal sealed class CatalogEntry
{
    public required string Code { get; init; }
    public required string Name { get; init; }
    public required string EnglishName { get; init; }
    public required string DefiningAuthority { get; init; }
    public required string DepartmentKind { get; init; }
    public required List<string> HolderCodeTypes { get; init; }
    public required List<CatalogField> Fields { get; init; }
    public int? DefaultValidityYears { get; init; }
}

internal sealed class CatalogField
{
    public required string Name { get; init; }
    public required string Type { get; init; }
    public bool Required { get; init; }
    public int? MaxLength { get; init; }
    public List<string>? Values { get; init; }
    public int? Decimals { get; init; }
    public decimal? Min { get; init; }
    public decimal? Max { get; init; }
    public string? Unit { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CatalogFile))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
