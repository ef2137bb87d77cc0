using Grpc.Core;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;

namespace Huren.Node.Tests.Integration;

/// <summary>The list RPCs answer in pages over real gRPC: every row once, in key order, bounded per call, resumable.</summary>
public sealed class ListPagingTests : IAsyncLifetime
{
    private const int LicenseCount = 23;
    private TestNode _node = null!;
    private readonly SigningKey _amrKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly List<string> _licenseIds = [];

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync();
        using var op = _node.Client("operator");
        var register = Entry.Create(EntryKinds.IssuerRegister, TestNode.Origin, TestNode.AmrIssuer, TestNode.RootId,
            LedgerBodies.Issuer(TestNode.AmrIssuer, LedgerBodies.ChangshaAmrCode, _amrKey.PublicKey, [LedgerBodies.BusinessLicenseType], ["2"], mayShare: true),
            DateTimeOffset.UtcNow);
        await op.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(register, _node.RootKey) }, op.Options());

        using var amr = _node.Client("amr");
        var entries = new List<Entry>();
        for (var i = 0; i < LicenseCount; i++)
        {
            // Serials out of order, so that key order differs from issue order.
            var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, ((i * 7) % LicenseCount).ToString("D6", System.Globalization.CultureInfo.InvariantCulture));
            entries.Add(Entry.Create(EntryKinds.LicenseIssue, TestNode.Origin, body.LicenseId, TestNode.AmrIssuer, body, DateTimeOffset.UtcNow));
            _licenseIds.Add(body.LicenseId);
        }
        await amr.SubmitBatchAsync(entries, _amrKey);
        _licenseIds.Sort(StringComparer.Ordinal);
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Pages_of_licenses_hold_every_license_once_in_id_order_and_the_last_page_says_so()
    {
        using var auditor = _node.Client("auditor");
        var seen = new List<string>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await auditor.Licenses.ListAsync(new ListLicensesRequest { PageSize = 5, PageToken = token }, auditor.Options());
            Assert.InRange(page.Licenses.Count, 0, 5);
            seen.AddRange(page.Licenses.Select(l => l.LicenseId));
            token = page.NextPageToken;
            pages++;
            Assert.True(pages <= LicenseCount, "the pages do not end");
        }
        while (token.Length > 0);

        Assert.Equal(_licenseIds, seen);
        Assert.Equal(5, pages); // 23 in pages of 5: the fifth holds 3 and is the last.
    }

    [Fact]
    public async Task The_sdk_reads_every_page_and_the_filters_hold_across_pages()
    {
        using var amr = _node.Client("amr");
        var revoked = new[] { _licenseIds[2], _licenseIds[17] };
        foreach (var id in revoked)
        {
            var entry = Entry.Create(EntryKinds.LicenseStatus, TestNode.Origin, id, TestNode.AmrIssuer, LedgerBodies.Revoke(id), DateTimeOffset.UtcNow, await amr.LatestLicenseEntryAsync(id));
            await amr.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(entry, _amrKey) }, amr.Options());
        }

        using var auditor = _node.Client("auditor");
        var all = new List<string>();
        await foreach (var license in auditor.ListLicensesAsync()) all.Add(license.LicenseId);
        Assert.Equal(_licenseIds, all);

        // Filters apply before the page is counted: a page of 1 walks all the rows and answers only the revoked ones.
        var found = new List<LicenseSummary>();
        var token = "";
        do
        {
            var page = await auditor.Licenses.ListAsync(new ListLicensesRequest { Verdict = LicenseVerdict.Revoked, PageSize = 1, PageToken = token }, auditor.Options());
            found.AddRange(page.Licenses);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        Assert.Equal(revoked, found.Select(l => l.LicenseId));
        Assert.All(found, l => Assert.Equal(LicenseVerdict.Revoked, l.Verdict));

        var none = new List<LicenseSummary>();
        await foreach (var license in auditor.ListLicensesAsync(new ListLicensesRequest { IssuerId = "430100-nobody" })) none.Add(license);
        Assert.Empty(none);
    }

    [Fact]
    public async Task A_page_token_not_given_by_the_node_is_refused_with_a_reason()
    {
        using var auditor = _node.Client("auditor");
        foreach (var token in new[] { "not base64 !", "bm8tbGluZS1icmVhaw", new string('A', 4000) })
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => auditor.Licenses.ListAsync(new ListLicensesRequest { PageToken = token }, auditor.Options()).AsTask());
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.Contains("page_token", ex.Status.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_page_goes_on_after_the_last_row_it_answered_and_lists_rows_written_since_then()
    {
        using var auditor = _node.Client("auditor");
        var first = await auditor.Licenses.ListAsync(new ListLicensesRequest { PageSize = 10 }, auditor.Options());
        Assert.Equal(_licenseIds.Take(10), first.Licenses.Select(l => l.LicenseId));

        // A license whose id sorts after the first page is listed on the next ones.
        using var amr = _node.Client("amr");
        var late = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "999999");
        var entry = Entry.Create(EntryKinds.LicenseIssue, TestNode.Origin, late.LicenseId, TestNode.AmrIssuer, late, DateTimeOffset.UtcNow);
        await amr.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(entry, _amrKey) }, amr.Options());
        Assert.True(string.CompareOrdinal(late.LicenseId, _licenseIds[9]) > 0);

        var rest = new List<string>();
        var token = first.NextPageToken;
        while (token.Length > 0)
        {
            var page = await auditor.Licenses.ListAsync(new ListLicensesRequest { PageSize = 10, PageToken = token }, auditor.Options());
            rest.AddRange(page.Licenses.Select(l => l.LicenseId));
            token = page.NextPageToken;
        }
        Assert.Equal(_licenseIds.Skip(10).Append(late.LicenseId).Order(StringComparer.Ordinal), rest);
    }

    [Fact]
    public async Task A_record_traced_in_pages_gives_every_entry_once_in_log_order()
    {
        var licenseId = _licenseIds[0];
        using var amr = _node.Client("amr");
        // One at a time: each change names the license's latest entry, which is the one before.
        var written = new List<SubmitResponse>();
        for (var i = 0; i < 12; i++)
            written.Add(await amr.SubmitLicenseUpdateAsync(Entry.Create(EntryKinds.LicenseChange, TestNode.Origin, licenseId, TestNode.AmrIssuer, LedgerBodies.Change(licenseId, $"2030-01-{i + 10}"), DateTimeOffset.UtcNow), _amrKey));

        using var auditor = _node.Client("auditor");
        var all = new List<ulong>();
        var links = new List<ulong>();
        await foreach (var entry in auditor.TraceAsync(licenseId))
        {
            all.Add(entry.Index);
            if (LeafReader.Read(entry.Leaf).Entry.References.Find(r => r.Relation == Relations.Previous) is { } previous) links.Add(previous.Index);
        }
        // SubmitLicenseUpdateAsync named each change's predecessor: the issue, then each change before it.
        Assert.Equal(all.SkipLast(1), links);
        Assert.Equal(13, all.Count); // the issue and twelve changes
        Assert.Equal(written.Select(w => w.Index), all.Skip(1));

        var paged = new List<ulong>();
        var token = "";
        var pages = 0;
        do
        {
            var page = await auditor.Trace.TraceAsync(new TraceRequest { RecordId = licenseId, PageSize = 4, PageToken = token }, auditor.Options());
            Assert.InRange(page.Entries.Count, 0, 4);
            Assert.All(page.Entries, e => Assert.Equal(licenseId, LeafReader.Read(e.Leaf).Entry.RecordId));
            paged.AddRange(page.Entries.Select(e => e.Index));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0);
        Assert.Equal(all, paged);
        Assert.Equal(4, pages);

        // A token the node did not seal, naming no index of that log.
        var forged = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(TestNode.Origin + "\nL1")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var ex = await Assert.ThrowsAsync<RpcException>(() => auditor.Trace.TraceAsync(new TraceRequest { RecordId = licenseId, PageToken = forged }, auditor.Options()).AsTask());
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
    }

    [Fact]
    public async Task Catalogue_pages_and_a_code_look_up_answer_each_resource_once()
    {
        using var amr = _node.Client("amr");
        var codes = new[] { "R-C", "R-A", "R-B" };
        foreach (var code in codes)
        {
            await amr.PublishCatalogAsync(new CatalogResourcePublished
            {
                ResourceCode = code, Name = "营业执照信息", ProviderCode = LedgerBodies.ChangshaAmrCode, ProviderName = "长沙市市场监督管理局",
                SharingType = SharingType.Unconditional, Fields = ["住所"], LegalBasis = "《政务数据共享条例》",
            }, TestNode.Origin, TestNode.AmrIssuer, _amrKey);
        }

        using var auditor = _node.Client("auditor");
        var listed = new List<string>();
        var token = "";
        do
        {
            var page = await auditor.Exchange.ListCatalogAsync(new CatalogListRequest { PageSize = 2, PageToken = token }, auditor.Options());
            Assert.InRange(page.Entries.Count, 0, 2);
            listed.AddRange(page.Entries.Select(e => HurenClient.ReadCatalogEntry(e).Resource.ResourceCode));
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        Assert.Equal(["R-A", "R-B", "R-C"], listed);

        var viaSdk = new List<string>();
        await foreach (var resource in auditor.ListCatalogAsync()) viaSdk.Add(resource.Resource.ResourceCode);
        Assert.Equal(listed, viaSdk);

        var one = await auditor.GetCatalogResourceAsync("R-B");
        Assert.NotNull(one);
        Assert.Equal(TestNode.Origin, one.Origin);
        Assert.Null(await auditor.GetCatalogResourceAsync("R-NONE"));
    }
}
