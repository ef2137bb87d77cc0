namespace Huren.Schemas.Catalog;

/// <summary>The kinds of department that define or issue license types, as the catalog and issuer registrations name them.</summary>
public static class DepartmentKinds
{
    /// <summary>市场监督管理.</summary>
    public const string MarketRegulation = "market-regulation";
    /// <summary>卫生健康.</summary>
    public const string Health = "health";
    /// <summary>交通运输.</summary>
    public const string Transport = "transport";
    /// <summary>住房和城乡建设.</summary>
    public const string HousingConstruction = "housing-construction";
    /// <summary>生态环境.</summary>
    public const string EcologyEnvironment = "ecology-environment";
    /// <summary>药品监督管理.</summary>
    public const string DrugAdministration = "drug-administration";
    /// <summary>公安 (e.g. traffic police issuing vehicle passes).</summary>
    public const string PublicSecurity = "public-security";
    /// <summary>行政审批 (a 行政审批服务局 issuing on behalf of several departments, 相对集中行政许可).</summary>
    public const string AdministrativeApproval = "administrative-approval";
    /// <summary>数据管理 (the city data office, 数据局).</summary>
    public const string DataAdministration = "data-administration";

    /// <summary>Every kind above.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        MarketRegulation, Health, Transport, HousingConstruction, EcologyEnvironment, DrugAdministration,
        PublicSecurity, AdministrativeApproval, DataAdministration,
    ];

    /// <summary>True when <paramref name="kind"/> is one of <see cref="All"/>.</summary>
    public static bool IsKnown(string? kind)
    {
        foreach (var k in All)
        {
            if (string.Equals(k, kind, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
