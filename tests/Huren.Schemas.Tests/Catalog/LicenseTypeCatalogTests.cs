using Huren.Schemas.Catalog;
using Huren.Schemas.Validation;

namespace Huren.Schemas.Tests.Catalog;

public class LicenseTypeCatalogTests
{
    public static TheoryData<string> RequiredNames => new()
    {
        "营业执照", "食品经营许可证", "药品经营许可证", "道路运输经营许可证",
        "货运车辆通行证", "医疗机构执业许可证", "建筑业企业资质证书", "排污许可证",
    };

    [Theory]
    [MemberData(nameof(RequiredNames))]
    public void Catalog_has_the_type(string name)
    {
        Assert.True(LicenseTypeCatalog.TryGetByName(name, out var type));
        Assert.True(LicenseTypeCatalog.TryGet(type.Code, out var byCode));
        Assert.Same(type, byCode);
        Assert.False(string.IsNullOrWhiteSpace(type.EnglishName));
        Assert.False(string.IsNullOrWhiteSpace(type.DefiningAuthority));
        Assert.True(DepartmentKinds.IsKnown(type.DepartmentKind), type.DepartmentKind);
        Assert.NotEmpty(type.RequiredFields);
        Assert.NotEmpty(type.HolderCodeTypes);
    }

    [Fact]
    public void Version_is_1_and_the_note_says_the_codes_are_local()
    {
        Assert.Equal("1", LicenseTypeCatalog.Version);
        Assert.Contains("LOCAL", LicenseTypeCatalog.Note, StringComparison.Ordinal);
        Assert.Equal(8, LicenseTypeCatalog.All.Count);
    }

    [Fact]
    public void Codes_are_unique_and_well_formed()
    {
        Assert.Equal(LicenseTypeCatalog.All.Count, LicenseTypeCatalog.All.Select(t => t.Code).Distinct(StringComparer.Ordinal).Count());
        foreach (var type in LicenseTypeCatalog.All)
        {
            Assert.Equal(21, type.Code.Length);
            Assert.Null(UnifiedSocialCreditCode.Validate(type.DefiningAuthorityCode, "definingAuthorityCode"));
            Assert.Matches("^[0-9]{3}$", type.Sequence);
            // A type code must make valid license identifiers.
            Assert.True(LicenseIdentifier.TryParse(LicenseIdentifier.Create(type.Code, "11430100HUREN01013", "1", 1).ToString(), out _));
        }
    }

    [Fact]
    public void Required_field_names_are_unique_within_a_type()
    {
        foreach (var type in LicenseTypeCatalog.All)
        {
            Assert.Equal(type.RequiredFields.Count, type.RequiredFields.Distinct(StringComparer.Ordinal).Count());
            Assert.All(type.RequiredFields, f => Assert.False(string.IsNullOrWhiteSpace(f)));
        }
    }

    [Fact]
    public void Every_field_is_declared_with_its_kind_and_limits()
    {
        foreach (var type in LicenseTypeCatalog.All)
        {
            Assert.Equal(type.Fields.Count, type.Fields.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count());
            foreach (var field in type.Fields)
            {
                switch (field.Type)
                {
                    case LicenseFieldType.Text: Assert.InRange(field.MaxLength, 1, LicenseFieldSpec.MaxTextLength); break;
                    case LicenseFieldType.Code: Assert.NotEmpty(field.Values); break;
                }
                Assert.False(string.IsNullOrEmpty(field.Describe()));
            }
        }
        Assert.True(LicenseTypeCatalog.TryGetByName("营业执照", out var business));
        Assert.Equal(LicenseFieldType.Date, business.Field("成立日期")!.Type);
        Assert.True(business.Field("成立日期")!.Required);
        Assert.False(business.Field("法定代表人")!.Required);
        Assert.Null(business.Field("董事长"));
    }

    [Theory]
    [InlineData("""{"name":"住所","type":"string","maxLength":10}""", "type 'string' is not text, date, code, number, region or uscc")]
    [InlineData("""{"name":"住所","type":"text"}""", "maxLength is required for text fields")]
    [InlineData("""{"name":"住所","type":"text","maxLength":5000}""", "maxLength must be 1–4000")]
    [InlineData("""{"name":"类别","type":"code"}""", "values is required for code fields")]
    [InlineData("""{"name":"类别","type":"code","values":["a","a"]}""", "values must be distinct")]
    [InlineData("""{"name":"床位","type":"number","min":5,"max":1}""", "min is above max")]
    [InlineData("""{"name":"住所","type":"text","maxLength":10,"unit":"米"}""", "decimals, min, max and unit are for number fields only")]
    [InlineData("""{"name":"住所","type":"text","maxLength":10},{"name":"住所","type":"date"}""", "name 住所 is repeated")]
    [InlineData("""{"name":" 住所","type":"date"}""", "name must be a one-line name")]
    [InlineData("""{"name":"住所","type":"date","colour":"red"}""", "colour")]
    public void A_catalog_with_a_bad_field_declaration_is_refused_naming_it(string fields, string expected)
    {
        var json = $$"""
            {"version":"t","types":[{"code":"11100000HUREN0001P001","name":"营业执照","englishName":"x","definingAuthority":"y",
             "departmentKind":"market-regulation","holderCodeTypes":["001"],"fields":[{{fields}}],"defaultValidityYears":null}]}
            """;
        var ex = Assert.Throws<InvalidDataException>(() => LicenseTypeCatalog.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Business_license_requires_its_business_scope()
    {
        Assert.True(LicenseTypeCatalog.TryGetByName("营业执照", out var type));
        Assert.Contains("经营范围", type.RequiredFields);
        Assert.Equal(["001"], type.HolderCodeTypes);
        Assert.Null(type.DefaultValidityYears);
    }

    [Fact]
    public void Construction_certificate_uses_MOHURD_uscc_but_not_the_published_032_code()
    {
        // 11100000000013338W is MOHURD's USCC (valid GB 32100 check); 032 is, per public implementations, the code of
        // 建筑施工特种作业人员操作资格证书, so 建筑业企业资质证书 gets a local sequence.
        Assert.True(LicenseTypeCatalog.TryGetByName("建筑业企业资质证书", out var type));
        Assert.Equal("11100000000013338W", type.DefiningAuthorityCode);
        Assert.NotEqual("11100000000013338W032", type.Code);
        Assert.False(LicenseTypeCatalog.TryGet("11100000000013338W032", out _));
    }

    [Fact]
    public void Unknown_or_null_code_is_not_found()
    {
        Assert.False(LicenseTypeCatalog.TryGet(null, out _));
        Assert.False(LicenseTypeCatalog.TryGet("", out _));
        Assert.False(LicenseTypeCatalog.TryGet("11100000hurEN0001P001", out _));
    }
}
