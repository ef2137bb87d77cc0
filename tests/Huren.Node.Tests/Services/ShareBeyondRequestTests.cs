using Huren.Node.Services;
using Huren.Schemas.Bodies;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;

namespace Huren.Node.Tests.Services;

/// <summary>
/// The consumer's node believes a provider's share only within what its department asked: a share of another record,
/// purpose or data item, or parts the share does not name, are refused before any data is held (so no receipt follows).
/// </summary>
public sealed class ShareBeyondRequestTests
{
    private static ShareRequest Asked() => new()
    {
        ShareId = "430200-req-1", ResourceCode = "R-OPEN", RecordId = "L1", Fields = ["住所", "document"],
        Purpose = "企业跨域经营备案", MatterCode = "430200-QT-0001", LegalBasis = "《政务数据共享条例》第十五条",
    };

    private static DataShared Share() => new()
    {
        ShareId = "430200-req-1", ResourceId = "R-OPEN", RecordId = "L1", Fields = ["住所", "document"],
        Purpose = "企业跨域经营备案", MatterCode = "430200-QT-0001", LegalBasis = "《政务数据共享条例》第十五条",
    };

    private static List<SharePart> Parts(params string[] names) => [.. names.Select(n => new SharePart { Name = n, Length = 1, Sha256 = new byte[32] })];

    public static TheoryData<string> Cases() => [.. Breaks.Keys];

    private static readonly Dictionary<string, (Action<DataShared> Share, string[] Parts, string Reason)> Breaks = new()
    {
        ["another record"] = (s => s.RecordId = "L2", [SharePayload.FieldsPart, "document"], "not the R-OPEN/L1 asked for"),
        ["another resource"] = (s => s.ResourceId = "R-COND", [SharePayload.FieldsPart, "document"], "not the R-OPEN/L1 asked for"),
        ["another purpose"] = (s => s.Purpose = "其他用途", [SharePayload.FieldsPart, "document"], "purpose, matter code or legal basis"),
        ["another legal basis"] = (s => s.LegalBasis = "另一依据", [SharePayload.FieldsPart, "document"], "purpose, matter code or legal basis"),
        ["a data item not asked for"] = (s => s.Fields.Add("法定代表人"), [SharePayload.FieldsPart, "document"], "'法定代表人', which was not asked for"),
        ["a part the share does not name"] = (_ => { }, [SharePayload.FieldsPart, "photo"], "part 'photo'"),
        ["a part twice"] = (_ => { }, [SharePayload.FieldsPart, "document", "document"], "part 'document'"),
    };

    [Fact]
    public void The_share_asked_for_and_a_smaller_one_pass()
    {
        Assert.Null(ExchangeService.ShareBeyondRequest(Asked(), Share(), Parts(SharePayload.FieldsPart, "document")));
        var fewer = Share();
        fewer.Fields = ["住所"];
        Assert.Null(ExchangeService.ShareBeyondRequest(Asked(), fewer, Parts(SharePayload.FieldsPart)));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_share_beyond_the_request_is_refused_with_the_reason(string name)
    {
        var (change, parts, reason) = Breaks[name];
        var share = Share();
        change(share);
        var problem = ExchangeService.ShareBeyondRequest(Asked(), share, Parts(parts));
        Assert.NotNull(problem);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }
}
