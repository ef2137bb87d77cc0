using Huren.Node.Services;

namespace Huren.Node.Tests.Ledger;

/// <summary>A page of <c>Ledger.GetEntries</c> is bounded by its leaves' bytes as well as by its count.</summary>
public sealed class EntryPageTests
{
    [Fact]
    public void A_page_stops_once_its_leaves_pass_the_byte_limit_and_always_holds_one_entry()
    {
        var log = new LedgerFixture();
        for (var i = 0; i < 6; i++) log.RegisterIssuer($"430100-dept{i}", LedgerBodies.Uscc($"11430100HUREN012{i}"));
        var size = log.Size;
        var leaf = (int)log.Store.GetLeaf(1)!.Length;

        var all = LedgerService.ReadPage(log.Log, 0, size, long.MaxValue);
        Assert.Equal(size, (ulong)all.Count);
        Assert.Equal(Enumerable.Range(0, (int)size).Select(i => (ulong)i), all.Select(e => e.Index));

        // A limit of about two leaves: the page ends with the entry that passes it, and paging on from there reads every entry once.
        var limit = 2L * leaf;
        var pages = new List<List<Schemas.Services.LogEntry>>();
        for (ulong start = 0; start < size;)
        {
            var page = LedgerService.ReadPage(log.Log, start, size, limit);
            Assert.NotEmpty(page);
            Assert.True(page.Count == 1 || page.Take(page.Count - 1).Sum(e => (long)e.Leaf.Length) < limit, "a page went on past its limit");
            pages.Add(page);
            start = page[^1].Index + 1;
        }
        Assert.True(pages.Count > 1);
        Assert.Equal(all.Select(e => e.Index), pages.SelectMany(p => p).Select(e => e.Index));

        // A leaf larger than the limit is still served, alone.
        Assert.Single(LedgerService.ReadPage(log.Log, 1, size, 1));
    }
}
