using Grpc.Core;
using Huren.Node.Services;

namespace Huren.Node.Tests.Services;

/// <summary>The bounds of one list page, without a node: rows answered, bytes answered, rows read.</summary>
public sealed class ListPagerTests
{
    [Fact]
    public void A_page_ends_after_the_rows_read_bound_even_when_nothing_matched_and_the_next_starts_after_the_last_row_read()
    {
        var page = new ListPager(10, "");
        var read = 0;
        while (page.Continue())
        {
            page.Read("huren.cz-t/430100", $"L{read:D6}");
            read++;
        }
        Assert.Equal(ListPager.MaxRowsRead, read);
        Assert.NotEmpty(page.NextPageToken);

        var next = new ListPager(10, page.NextPageToken);
        Assert.Equal($"L{read - 1:D6}", next.StartAfter("huren.cz-t/430100"));
        Assert.Equal("", next.StartAfter("huren.cz-t/430200"));
    }

    [Fact]
    public void A_page_ends_at_its_size_or_past_its_bytes_and_not_before()
    {
        var bySize = new ListPager(3, "");
        for (var i = 0; i < 3; i++)
        {
            Assert.True(bySize.Continue());
            bySize.Read("o", $"k{i}");
            bySize.Answered(10);
        }
        Assert.False(bySize.Continue());

        var byBytes = new ListPager(0, "");
        Assert.True(byBytes.Continue());
        byBytes.Read("o", "k0");
        byBytes.Answered(ListPager.MaxBytes - 1);
        Assert.True(byBytes.Continue());
        byBytes.Read("o", "k1");
        byBytes.Answered(1);
        Assert.False(byBytes.Continue());

        // The last page: never full, so no token.
        var last = new ListPager(5, "");
        last.Read("o", "k0");
        last.Answered(10);
        Assert.True(last.Continue());
        Assert.Equal("", last.NextPageToken);
    }

    [Theory]
    [InlineData(0u, ListPager.DefaultSize)]
    [InlineData(uint.MaxValue, ListPager.MaxSize)]
    [InlineData(7u, 7)]
    public void Sizes_are_the_default_for_none_and_capped(uint asked, int answered)
    {
        var page = new ListPager(asked, "");
        var taken = 0;
        while (page.Continue())
        {
            page.Read("o", $"k{taken:D4}");
            page.Answered(1);
            taken++;
        }
        Assert.Equal(answered, taken);
        Assert.Equal($"k{taken - 1:D4}", new ListPager(0, page.NextPageToken).StartAfter("o"));
    }

    [Fact]
    public void A_token_tells_nothing_of_the_row_it_names_and_is_taken_back_only_as_given()
    {
        var page = new ListPager(1, "");
        Assert.True(page.Continue());
        page.Read("huren.cz-t/430100", "share-of-another-department");
        page.Answered(1);
        Assert.False(page.Continue());
        var token = page.NextPageToken;
        var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(token);
        Assert.DoesNotContain("share-of-another-department", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal("share-of-another-department", new ListPager(0, token).StartAfter("huren.cz-t/430100"));

        // Any byte changed: refused, not read as some other position.
        for (var i = 0; i < bytes.Length; i++)
        {
            var altered = (byte[])bytes.Clone();
            altered[i] ^= 0x01;
            var ex = Assert.Throws<RpcException>(() => new ListPager(0, System.Buffers.Text.Base64Url.EncodeToString(altered)));
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        }
    }

    [Theory]
    [InlineData("%%%")]
    [InlineData("bm8tbGluZS1icmVhaw")] // "no-line-break"
    [InlineData("Cms")] // "\nk": no origin
    public void Tokens_the_node_did_not_give_are_invalid_arguments(string token)
    {
        var ex = Assert.Throws<RpcException>(() => new ListPager(0, token));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
    }
}
