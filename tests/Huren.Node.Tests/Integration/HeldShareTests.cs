using Grpc.Core;
using Huren.Node.Content;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using Microsoft.Extensions.DependencyInjection;

namespace Huren.Node.Tests.Integration;

/// <summary>
/// Exchange.GetHeld over real gRPC: what a consumer's node holds for a share is answered only to the department that
/// requested it (or its counter), never to another department, an auditor or an operator. The held rows are written
/// as the exchange writes them (ContentIndex.PutHeld), since a single node cannot receive from a provider.
/// </summary>
public sealed class HeldShareTests : IAsyncLifetime
{
    private const string Provider = "huren.cz-t/430200";
    private TestNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync();
        var index = _node.Services.GetRequiredService<ContentIndex>();
        PutHeld(index, Held(Provider, "S-AMR", TestNode.AmrIssuer));
        PutHeld(index, Held(Provider, "S-WINDOW", TestNode.Counter));
        // The same share id from two providers: consumers choose ids, so this may happen.
        PutHeld(index, Held(Provider, "S-TWICE", TestNode.AmrIssuer));
        PutHeld(index, Held("huren.cz-t/430300", "S-TWICE", TestNode.AmrIssuer));
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static void PutHeld(ContentIndex index, HeldShare held)
    {
        using var batch = index.CreateBatch();
        index.PutHeld(batch, held);
        index.Write(batch);
    }

    private static HeldShare Held(string provider, string shareId, string consumer) => new()
    {
        ProviderOrigin = provider, ShareId = shareId, ConsumerIssuerId = consumer, ShareIndex = 7, ShareLeaf = [1, 2, 3], Salt = [9, 9],
        PartNames = ["fields.json", "document"], PartSha256s = [new byte[32], Enumerable.Repeat((byte)1, 32).ToArray()], PartLengths = [12, 3456],
    };

    private static Task<HeldShareResponse> AskAsync(Sdk.Client.HurenClient client, string shareId, string provider = "")
        => client.Exchange.GetHeldAsync(new HeldShareRequest { ShareId = shareId, ProviderOrigin = provider }, client.Options()).AsTask();

    [Fact]
    public async Task The_requesting_department_gets_its_share_with_or_without_the_provider_named()
    {
        using var amr = _node.Client("amr");
        foreach (var provider in new[] { Provider, "" })
        {
            var held = await AskAsync(amr, "S-AMR", provider);
            Assert.Equal(Provider, held.Share!.Origin);
            Assert.Equal(7ul, held.Share.Index);
            Assert.Equal([1, 2, 3], held.Share.Leaf);
            Assert.Equal(TestNode.AmrIssuer, held.ConsumerIssuerId);
            Assert.Equal(["fields.json", "document"], held.Parts.Select(p => p.Name));
            Assert.Equal([12L, 3456L], held.Parts.Select(p => p.Length));
            Assert.Equal(Enumerable.Repeat((byte)1, 32), held.Parts[1].Sha256);
            Assert.Null(held.Receipt); // no receipt entry in this log
        }
    }

    [Fact]
    public async Task A_counter_gets_the_share_its_department_requested()
    {
        using var counter = _node.Client("counter");
        var held = await AskAsync(counter, "S-WINDOW");
        Assert.Equal(TestNode.Counter, held.ConsumerIssuerId);
        var ex = await Assert.ThrowsAsync<RpcException>(() => AskAsync(counter, "S-AMR", Provider));
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    [Fact]
    public async Task Another_department_is_refused_and_learns_nothing_by_share_id_alone()
    {
        using var other = _node.Client("other");
        var named = await Assert.ThrowsAsync<RpcException>(() => AskAsync(other, "S-AMR", Provider));
        Assert.Equal(StatusCode.PermissionDenied, named.StatusCode);
        Assert.Contains("was requested by 430100-amr, not 430100-other", named.Status.Detail);
        var unnamed = await Assert.ThrowsAsync<RpcException>(() => AskAsync(other, "S-AMR"));
        Assert.Equal(StatusCode.NotFound, unnamed.StatusCode);
        Assert.Contains("holds no data of share S-AMR for 430100-other", unnamed.Status.Detail);
    }

    [Theory]
    [InlineData("auditor")]
    [InlineData("operator")]
    public async Task Auditors_and_operators_are_refused(string principal)
    {
        using var client = _node.Client(principal);
        var ex = await Assert.ThrowsAsync<RpcException>(() => AskAsync(client, "S-AMR", Provider));
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    [Fact]
    public async Task An_unknown_share_is_not_found_a_bad_id_is_invalid_and_an_ambiguous_id_asks_for_the_provider()
    {
        using var amr = _node.Client("amr");
        var unknown = await Assert.ThrowsAsync<RpcException>(() => AskAsync(amr, "S-NONE", Provider));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("holds no data of share S-NONE from huren.cz-t/430200", unknown.Status.Detail);
        var empty = await Assert.ThrowsAsync<RpcException>(() => AskAsync(amr, ""));
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        var twice = await Assert.ThrowsAsync<RpcException>(() => AskAsync(amr, "S-TWICE"));
        Assert.Equal(StatusCode.InvalidArgument, twice.StatusCode);
        Assert.Contains("give provider_origin", twice.Status.Detail);
        Assert.Equal("huren.cz-t/430300", (await AskAsync(amr, "S-TWICE", "huren.cz-t/430300")).Share!.Origin);
    }
    [Fact]
    public async Task A_counter_may_submit_its_departments_receipt_but_no_other_exchange_entry()
    {
        using var counter = _node.Client("counter");
        var key = _node.ClientKey("counter");
        // The counter's department, registered with the counter's key so its entries pass the signer check.
        using (var op = _node.Client("operator"))
        {
            var registration = Entry.Create(EntryKinds.IssuerRegister, TestNode.Origin, TestNode.Counter, TestNode.RootId,
                LedgerBodies.Issuer(TestNode.Counter, LedgerBodies.ChangshaDataOfficeCode, key.PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: true), DateTimeOffset.UtcNow);
            await op.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(registration, _node.RootKey) }, op.Options());
        }
        var receipt = Entry.Create(EntryKinds.Receipt, TestNode.Origin, "S-WINDOW", TestNode.Counter,
            new DataReceived { ShareId = "S-WINDOW", ProviderOrigin = Provider, ConsumerCode = LedgerBodies.ChangshaDataOfficeCode, PayloadDigest = new byte[32], DigestAlgorithm = "sha256", RecordCount = 1 },
            DateTimeOffset.UtcNow, new EntryReference { Origin = Provider, Index = 7, LeafHash = new byte[32], Relation = Relations.Share });
        var catalog = Entry.Create(EntryKinds.CatalogPublish, TestNode.Origin, "R-1", TestNode.Counter,
            new CatalogResourcePublished
            {
                ResourceCode = "R-1", Name = "营业执照信息", ProviderCode = LedgerBodies.ChangshaDataOfficeCode, ProviderName = "长沙市政务服务中心",
                SharingType = SharingType.Unconditional, Fields = ["住所"], LegalBasis = "《政务数据共享条例》",
            }, DateTimeOffset.UtcNow);

        var refused = await Assert.ThrowsAsync<RpcException>(() => counter.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(catalog, key) }, counter.Options()).AsTask());
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        Assert.Contains("a counter may only record license uses and receipts", refused.Status.Detail);
        // The receipt passes the role check; the ledger's rules then judge it (here: no such department or share in this node).
        var judged = await Assert.ThrowsAsync<RpcException>(() => counter.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(receipt, key) }, counter.Options()).AsTask());
        Assert.DoesNotContain("a counter may only", judged.Status.Detail);
    }
}
