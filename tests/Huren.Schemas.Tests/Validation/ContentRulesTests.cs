using Huren.Schemas.Bodies;
using Huren.Schemas.Catalog;
using Huren.Schemas.Envelope;
using Huren.Schemas.Validation;

namespace Huren.Schemas.Tests.Validation;

/// <summary>
/// The content rules of docs/content-rules.md, one case each: the catalog's field declarations (undeclared, repeated,
/// wrong kind of value), the characters text may hold, 公民身份号码 kept off the ledger, body size limits, the type's
/// term. Each case asserts the field the error names and the rule its message states.
/// </summary>
public class ContentRulesTests
{
    private const string Rlo = "\u202E";

    /// <summary>Breaks a valid 营业执照 one way; the error must be on <c>Field</c> and contain <c>Rule</c>.</summary>
    private static readonly Dictionary<string, (Action<LicenseIssued> Break, string Field, string Rule)> IssueCases = new()
    {
        ["undeclared field"] = (b => b.Fields.Add(new LicenseField { Name = "注册资金", Value = "100" }), "fields[4]", "'注册资金' is not a field of 营业执照"),
        ["repeated field"] = (b => b.Fields.Add(new LicenseField { Name = "住所", Value = "湖南省长沙市" }), "fields[4]", "'住所' is repeated"),
        ["date field not a date"] = (b => b.Fields.Find(f => f.Name == "成立日期")!.Value = "2024年3月1日", "fields[2]", "成立日期 must be a yyyy-MM-dd date, got '2024年3月1日'"),
        ["date field impossible"] = (b => b.Fields.Find(f => f.Name == "成立日期")!.Value = "2024-02-30", "fields[2]", "成立日期 must be a yyyy-MM-dd date"),
        ["text field too long"] = (b => b.Fields.Find(f => f.Name == "住所")!.Value = new string('路', 201), "fields[1]", "住所 must be at most 200 characters, got 201"),
        ["number field not a number"] = (b => b.Fields.Add(new LicenseField { Name = "注册资本", Value = "一百万" }), "fields[4]", "注册资本 must be a decimal number with at most 6 decimals"),
        ["number field with an exponent"] = (b => b.Fields.Add(new LicenseField { Name = "注册资本", Value = "1e3" }), "fields[4]", "注册资本 must be a decimal number"),
        ["number field below its minimum"] = (b => b.Fields.Add(new LicenseField { Name = "注册资本", Value = "-5" }), "fields[4]", "注册资本 must be at least 0, got -5"),
        ["text field with a bidi override"] = (b => b.Fields.Find(f => f.Name == "经营范围")!.Value = "软件开发" + Rlo + "询咨", "fields[3]", "经营范围 must not contain bidirectional control characters (U+202E RIGHT-TO-LEFT OVERRIDE at character 5)"),
        ["text field with a 公民身份号码"] = (b => b.Fields.Find(f => f.Name == "类型")!.Value = "个人独资（投资人11010519491231002X）", "fields[0]", "类型 must not contain a 公民身份号码 (characters 9–26)"),
        ["too many fields"] = (b => { for (var i = 0; i < 100; i++) b.Fields.Add(new LicenseField { Name = $"f{i}", Value = "x" }); }, "fields", "has 104 fields, but 营业执照 declares only 7"),
        ["holder name with a right-to-left override"] = (b => b.HolderName = "长沙" + Rlo + "司公限有技科", "holderName", "must not contain bidirectional control characters (U+202E RIGHT-TO-LEFT OVERRIDE at character 3)"),
        ["holder name with a zero-width space"] = (b => b.HolderName = "长沙互认\u200B科技有限公司", "holderName", "must not contain zero-width characters (U+200B ZERO WIDTH SPACE at character 5)"),
        ["holder name with a zero-width joiner"] = (b => b.HolderName = "长沙互认\u200D科技有限公司", "holderName", "zero-width characters (U+200D ZERO WIDTH JOINER"),
        ["holder name with a byte-order mark"] = (b => b.HolderName = "\uFEFF长沙互认科技有限公司", "holderName", "zero-width characters (U+FEFF"),
        ["holder name with a soft hyphen"] = (b => b.HolderName = "长沙互认\u00AD科技有限公司", "holderName", "invisible formatting characters (U+00AD"),
        ["holder name with a control character"] = (b => b.HolderName = "长沙互认\u0007科技有限公司", "holderName", "must not contain control characters (U+0007"),
        ["holder name on two lines"] = (b => b.HolderName = "长沙互认\n科技有限公司", "holderName", "must be one line (a line feed at character 5)"),
        ["holder name with a line separator"] = (b => b.HolderName = "长沙互认\u2028科技有限公司", "holderName", "must not contain line or paragraph separators"),
        ["holder name with a trailing space"] = (b => b.HolderName = "长沙互认科技有限公司 ", "holderName", "must not begin or end with white space"),
        ["holder name with a lone surrogate"] = (b => b.HolderName = "长沙\uD840互认", "holderName", "is not valid Unicode"),
        ["license name with a 公民身份号码"] = (b => b.Name = "营业执照 110105194912310021", "name", "must not contain a 公民身份号码"),
        ["issuing authority too long"] = (b => b.IssuingAuthority = new string('局', 201), "issuingAuthority", "must be at most 200 characters, got 201"),
    };

    public static TheoryData<string> IssueCaseNames => new(IssueCases.Keys);

    [Theory]
    [MemberData(nameof(IssueCaseNames))]
    public void A_license_issue_breaking_a_content_rule_is_refused_naming_the_field_and_the_rule(string name)
    {
        var (breakIt, field, rule) = IssueCases[name];
        var body = ValidBodies.LicenseIssued();
        breakIt(body);
        var result = BodyValidator.Validate(body);
        var error = result.Errors.FirstOrDefault(e => e.Field == field);
        Assert.True(error is not null, $"expected an error on {field}, got: {result}");
        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
        Assert.StartsWith(field + ": ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("长沙互认科技有限公司（统一社会信用代码91430100HUREN0201G）")] // a valid 统一社会信用代码 is not a person's number
    [InlineData("号码 1101051949123100212 不是")]                        // 19 digits: not a 公民身份号码 run
    [InlineData("编号 110105180012310021")]                               // birth year 1800: implausible
    [InlineData("编号 990105194912310021")]                               // province 99: none
    [InlineData("𠀀𠀁 生僻字名称")]                                         // characters outside the BMP are fine
    [InlineData("经营范围：\n一、软件开发\n二、信息技术咨询\t（依法须经批准的项目除外）")]
    public void Text_that_only_looks_odd_is_accepted(string value)
    {
        var body = ValidBodies.LicenseIssued();
        body.Fields.Find(f => f.Name == "经营范围")!.Value = value;
        Assert.True(BodyValidator.Validate(body).IsValid, BodyValidator.Validate(body).ToString());
    }

    [Fact]
    public void A_mistyped_公民身份号码_in_text_is_refused_too()
    {
        // Check character wrong (the valid one is X): still a person's number, still refused.
        var use = ValidBodies.LicenseUsed();
        use.Purpose = "为110105194912310023办理";
        Assert.Contains("must not contain a 公民身份号码", BodyValidator.Validate(use).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_field_of_a_code_number_and_region_type_is_checked_by_its_kind()
    {
        var food = FoodLicense();
        Assert.True(BodyValidator.Validate(food).IsValid, BodyValidator.Validate(food).ToString());
        food.Fields.Find(f => f.Name == "主体业态")!.Value = "网红餐厅";
        var error = Assert.Single(BodyValidator.Validate(food).Errors);
        Assert.Equal("fields[1]", error.Field);
        Assert.Contains("主体业态 must be one of 食品销售经营者、餐饮服务经营者、单位食堂, got '网红餐厅'", error.Message, StringComparison.Ordinal);

        var transport = ValidBodies.LicenseIssued();
        transport.TypeCode = "11100000HUREN0003X001";
        transport.LicenseId = LicenseIdentifier.Create(transport.TypeCode, ValidBodies.ChangshaAmr, "2024000001", "001").ToString();
        transport.Fields = [new() { Name = "住所", Value = "长沙" }, new() { Name = "经营范围", Value = "普通货运" }, new() { Name = "行政区划", Value = "990100" }, new() { Name = "车辆数", Value = "12.5" }];
        var errors = BodyValidator.Validate(transport).Errors;
        Assert.Contains(errors, e => e.Field == "fields[2]" && e.Message == "fields[2]: 行政区划 province part 99 is not a province-level code (11–82)");
        Assert.Contains(errors, e => e.Field == "fields[3]" && e.Message.Contains("车辆数 must be a whole number", StringComparison.Ordinal));
    }

    [Fact]
    public void A_type_with_a_term_needs_an_end_date_within_it()
    {
        var food = FoodLicense();
        food.ValidUntil = "";
        var missing = Assert.Single(BodyValidator.Validate(food).Errors);
        Assert.Equal("validUntil", missing.Field);
        Assert.Contains("食品经营许可证 has a term of 5 years (a license valid from 2024-03-01 ends at the latest on 2029-02-28); empty would mean 长期", missing.Message, StringComparison.Ordinal);

        food.ValidUntil = "2029-03-01";
        var beyond = Assert.Single(BodyValidator.Validate(food).Errors);
        Assert.Contains("2029-03-01 is beyond the 5-year term of 食品经营许可证", beyond.Message, StringComparison.Ordinal);

        food.ValidUntil = "2029-02-28";
        Assert.True(BodyValidator.Validate(food).IsValid);
        Assert.Equal(new DateOnly(2029, 2, 28), LicenseTypeCatalog.All.Single(t => t.Name == "食品经营许可证").DefaultValidUntil(new DateOnly(2024, 3, 1)));
        Assert.Null(LicenseTypeCatalog.All.Single(t => t.Name == "营业执照").DefaultValidUntil(new DateOnly(2024, 3, 1)));
    }

    [Fact]
    public void Changed_fields_follow_the_catalog_of_the_license_type()
    {
        var change = ValidBodies.LicenseChanged();
        change.ChangedFields.Add(new LicenseField { Name = "成立日期", Value = "去年" });
        change.ChangedFields.Add(new LicenseField { Name = "董事长", Value = "张三" });
        var errors = BodyValidator.Validate(change).Errors;
        Assert.Contains(errors, e => e.Field == "changedFields[1]" && e.Message.Contains("成立日期 must be a yyyy-MM-dd date", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Field == "changedFields[2]" && e.Message.Contains("'董事长' is not a field of 营业执照", StringComparison.Ordinal));
    }

    [Fact]
    public void A_body_over_its_kinds_size_limit_is_refused_before_it_is_decoded()
    {
        var body = ValidBodies.LicenseIssued();
        for (var i = 0; i < 20; i++) body.Fields.Add(new LicenseField { Name = $"字段{i}", Value = new string('x', 4000) });
        var bytes = CanonicalCodec.Encode(body);
        Assert.True(bytes.Length > EntryLimits.MaxBodyBytes);
        var error = Assert.Single(BodyValidator.Validate(EntryKinds.LicenseIssue, bytes).Errors);
        Assert.Equal("body", error.Field);
        Assert.Equal($"body: is {bytes.Length} bytes, more than the 65536-byte limit of a license.issue body", error.Message);

        var seal = ValidBodies.SealRegistered();
        seal.SesSeal = [0x30, .. new byte[200_000]];
        Assert.True(BodyValidator.Validate(EntryKinds.SealRegister, CanonicalCodec.Encode(seal)).IsValid);
    }

    [Fact]
    public void A_hundred_thousand_bad_fields_get_a_short_answer()
    {
        // Fields of an unknown type are checked one by one (the type's own error is reported too); the answer stays short.
        var body = ValidBodies.LicenseIssued();
        body.TypeCode = "11100000HUREN0001P999";
        for (var i = 0; i < 100_000; i++) body.Fields.Add(new LicenseField { Name = "x", Value = "y" });
        var result = BodyValidator.Validate(body);
        Assert.Equal(21, result.Errors.Count); // the first 20 and one counting the rest
        Assert.StartsWith("body: and ", result.Errors[^1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_references_are_refused()
    {
        var entry = Entry.Create(EntryKinds.LicenseUse, "huren.cz-t/430200", ValidBodies.LicenseId, "430200-window", ValidBodies.LicenseUsed(), DateTimeOffset.UnixEpoch.AddYears(55),
            [.. Enumerable.Range(0, 17).Select(i => new EntryReference { Origin = "huren.cz-t/430100", Index = (ulong)i, LeafHash = new byte[32], Relation = Relations.License })]);
        var result = EntryValidator.Validate(entry);
        Assert.Contains(result.Errors, e => e.Field == "references" && e.Message == "references: has 17 references, more than 16");
    }

    private static LicenseIssued FoodLicense()
    {
        var food = ValidBodies.LicenseIssued();
        food.TypeCode = "11100000HUREN0001P002";
        food.LicenseId = LicenseIdentifier.Create(food.TypeCode, ValidBodies.ChangshaAmr, "2024000001", "001").ToString();
        food.Name = "食品经营许可证";
        food.ValidUntil = "2029-02-28";
        food.Fields =
        [
            new LicenseField { Name = "经营场所", Value = "湖南省长沙市岳麓区麓山南路1号" },
            new LicenseField { Name = "主体业态", Value = "餐饮服务经营者" },
            new LicenseField { Name = "经营项目", Value = "热食类食品制售" },
        ];
        return food;
    }
}
