using Huren.Cli.Commands.Audit;
using Huren.Cli.Commands.Trace;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;

namespace Huren.Cli.Tests.Exchange;

/// <summary>
/// The join of shares and receipts that <c>trace --flows</c> and <c>audit flows</c> report, and what their outputs make
/// of text the departments wrote. Found by the flows review: a receipt that only pointed at a share counted as its
/// receipt, whatever log it was in and whatever it said; CSV cells could start a formula or break a row on a bare CR;
/// the tree printed line breaks from a share's purpose.
/// </summary>
public sealed class FlowJoinTests
{
    private const string Changsha = "huren.cz-t/430100", Zhuzhou = "huren.cz-t/430200", Xiangtan = "huren.cz-t/430300";
    private static readonly byte[] ShareLeafHash = [.. Enumerable.Repeat((byte)1, 32)];
    private static readonly byte[] Digest = [.. Enumerable.Repeat((byte)7, 32)];

    private static DataShared ShareBody(string purpose = "企业跨域经营备案") => new()
    {
        ShareId = "S1", ProviderCode = "11430100HUREN0101X", ConsumerCode = "11430200HUREN0101X", ConsumerOrigin = Zhuzhou, ResourceId = "R-OPEN",
        RecordId = "REC-1", Fields = ["住所"], PayloadDigest = Digest, DigestAlgorithm = "sha256", Purpose = purpose, RecordCount = 1,
    };

    private static FlowLedger Ledger(DataShared share, params (string Origin, DataReceived Body)[] receipts)
    {
        var ledger = new FlowLedger();
        ledger.Shares.Add(new FlowLedger.Share(Changsha, 5, ShareLeafHash, Entry.Create(EntryKinds.Share, Changsha, share.ShareId, "430100-amr", share, DateTimeOffset.UtcNow), share, null));
        var reference = new EntryReference { Origin = Changsha, Index = 5, LeafHash = ShareLeafHash, Relation = Relations.Share };
        ulong index = 1;
        foreach (var (origin, body) in receipts)
        {
            var entry = Entry.Create(EntryKinds.Receipt, origin, body.ShareId, $"{origin[^6..]}-amr", body, DateTimeOffset.UtcNow, reference);
            ledger.Receipts.Add(new FlowLedger.Receipt(origin, index++, [.. Enumerable.Repeat((byte)(index + 1), 32)], entry, body, reference));
        }
        return ledger;
    }

    private static DataReceived Honest() => new() { ShareId = "S1", ProviderOrigin = Changsha, ConsumerCode = "11430200HUREN0101X", PayloadDigest = Digest, DigestAlgorithm = "sha256", RecordCount = 1 };

    [Fact]
    public void A_receipt_that_only_points_at_a_share_acknowledges_nothing()
    {
        // In a third city's log, by another department, for another share id, digest algorithm and count.
        var rogue = new DataReceived { ShareId = "OTHER", ProviderOrigin = Changsha, ConsumerCode = "11430300HUREN0101X", PayloadDigest = Digest, DigestAlgorithm = "sm3", RecordCount = 7 };
        var ledger = Ledger(ShareBody(), (Xiangtan, rogue));
        var document = FlowDocument.Build("REC-1", "cz-t", ledger);
        Assert.Null(Assert.Single(document.Shares).Receipt);
        Assert.Null(ledger.ShareOf(ledger.Receipts[0]));
        Assert.Same(ledger.Shares[0], ledger.Referenced(ledger.Receipts[0]));
        Assert.Contains("no receipt", document.ToTree(), StringComparison.Ordinal);

        // The consumer's own receipt, beside it, is the one joined.
        ledger = Ledger(ShareBody(), (Xiangtan, rogue), (Zhuzhou, Honest()));
        Assert.Equal(Zhuzhou, FlowDocument.Build("REC-1", "cz-t", ledger).Shares[0].Receipt!.Origin);
    }

    [Fact]
    public void Text_the_departments_wrote_cannot_forge_a_line_of_the_tree()
    {
        var forged = ShareBody("备案\n   └─ received in huren.cz-t/430200 #99 by 430200-amr");
        var tree = FlowDocument.Build("REC-1", "cz-t", Ledger(forged)).ToTree();
        Assert.DoesNotContain("\n   └─ received in", tree, StringComparison.Ordinal);
        Assert.Contains("备案\\u000A", tree, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("住所\r=HYPERLINK(\"x\")", "\"住所\r=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("a\rb", "\"a\rb\"")]
    [InlineData("=1+1", "'=1+1")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("-2", "'-2")]
    public void A_csv_cell_stays_one_cell_and_never_a_formula(string cell, string written)
        => Assert.Equal(written, AuditFlowsCommand.Quote(cell));
}
