using Huren.Schemas.Services;
using Huren.Schemas.Validation;

namespace Huren.Schemas.Tests.Validation;

/// <summary>
/// A department's share request is checked by both nodes before anything is looked up: each rule broken on an
/// otherwise valid request is refused naming its field, within the limits of the entries the request may lead to.
/// </summary>
public sealed class ShareRequestValidationTests
{
    private static ShareRequest Valid() => new()
    {
        ShareId = "430200-req-0001", ConsumerIssuerId = "430200-amr", ConsumerCode = ValidBodies.ZhuzhouAmr, ConsumerName = "株洲市市场监督管理局",
        ConsumerOrigin = "huren.cz-t/430200", ProviderOrigin = "huren.cz-t/430100", ResourceCode = "430100-R-0001", RecordId = ValidBodies.LicenseId,
        Fields = ["住所", "document"], Purpose = "企业跨域经营备案", MatterCode = "430200-QT-0001", LegalBasis = "《政务数据共享条例》第十五条",
        TimeUnixMs = 1_700_000_000_000,
    };

    private static readonly Dictionary<string, (Action<ShareRequest> Break, string Message)> Cases = new()
    {
        ["no share id"] = (r => r.ShareId = "", "share_id: is required"),
        ["share id with a space"] = (r => r.ShareId = "a b", "share_id: must be printable ASCII"),
        ["long consumer issuer id"] = (r => r.ConsumerIssuerId = new string('x', 129), "consumer_issuer_id: must be at most 128"),
        ["bad consumer code"] = (r => r.ConsumerCode = "91430100HUREN0201H", "consumer_code"),
        ["long consumer name"] = (r => r.ConsumerName = new string('局', 201), "consumer_name: must be at most 200 characters"),
        ["bad consumer origin"] = (r => r.ConsumerOrigin = "somewhere", "consumer_origin"),
        ["bad provider origin"] = (r => r.ProviderOrigin = "", "provider_origin"),
        ["long resource code"] = (r => r.ResourceCode = new string('R', 129), "resource_code: must be at most 128"),
        ["no record id"] = (r => r.RecordId = "", "record_id: is required"),
        ["no data item"] = (r => r.Fields.Clear(), "fields: ask for at least one data item"),
        ["too many data items"] = (r => r.Fields = [.. Enumerable.Range(0, BodyValidator.MaxRequestFields + 1).Select(i => $"f{i}")], $"fields: at most {BodyValidator.MaxRequestFields} data items"),
        ["long data item"] = (r => r.Fields[1] = new string('项', 101), "fields[1]: must be at most 100 characters"),
        ["repeated data item"] = (r => r.Fields.Add("住所"), "fields"),
        ["no purpose"] = (r => r.Purpose = " ", "purpose: is required"),
        ["long purpose"] = (r => r.Purpose = new string('用', 1001), "purpose: must be at most 1000 characters"),
        ["matter code with a space"] = (r => r.MatterCode = "430200 QT", "matter_code: must be printable ASCII"),
        ["no legal basis"] = (r => r.LegalBasis = "", "legal_basis: is required"),
        ["long legal basis"] = (r => r.LegalBasis = new string('法', 1001), "legal_basis: must be at most 1000 characters"),
        ["no signing time"] = (r => r.TimeUnixMs = 0, "time_unix_ms: must be a positive Unix time"),
        ["a signing time no date holds"] = (r => r.TimeUnixMs = long.MinValue, "time_unix_ms: must be a positive Unix time"),
    };

    public static TheoryData<string> CaseNames() => [.. Cases.Keys];

    [Fact]
    public void A_valid_request_and_one_without_a_matter_code_pass()
    {
        Assert.True(BodyValidator.Validate(Valid()).IsValid, BodyValidator.Validate(Valid()).ToString());
        var noMatter = Valid();
        noMatter.MatterCode = "";
        Assert.True(BodyValidator.Validate(noMatter).IsValid);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_broken_rule_is_refused_naming_its_field(string name)
    {
        var request = Valid();
        Cases[name].Break(request);
        var result = BodyValidator.Validate(request);
        Assert.False(result.IsValid, name);
        Assert.StartsWith(Cases[name].Message, result.Errors[0].Message, StringComparison.Ordinal);
    }
}
