using Grpc.Core;
using Huren.Node.Logs;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;

namespace Huren.Node.Tests.Integration;

/// <summary>
/// The <c>SubmitBatch</c> RPC over real loopback gRPC against a real node: one answer per entry in order once all are
/// durable, and all or nothing: a batch with one refused entry (stateless or in-order) leaves the log as it was.
/// </summary>
public sealed class SubmitBatchTests : IAsyncLifetime
{
    private TestNode _node = null!;
    private readonly SigningKey _amrKey = SigningKey.Generate(SignatureAlgorithm.EcdsaP256Sha256);

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync();
        using var op = _node.Client("operator");
        var register = Entry.Create(EntryKinds.IssuerRegister, TestNode.Origin, TestNode.AmrIssuer, TestNode.RootId,
            LedgerBodies.Issuer(TestNode.AmrIssuer, LedgerBodies.ChangshaAmrCode, _amrKey.PublicKey, [LedgerBodies.BusinessLicenseType], ["2"], mayShare: false), DateTimeOffset.UtcNow);
        await op.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(register, _node.RootKey) }, op.Options());
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static Entry Issue(string serial)
    {
        var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, serial);
        return Entry.Create(EntryKinds.LicenseIssue, TestNode.Origin, body.LicenseId, TestNode.AmrIssuer, body, DateTimeOffset.UtcNow);
    }

    private byte[] Signed(Entry entry) => EntrySigner.SignToLeaf(entry, _amrKey);

    private ulong Size => ((LogDirectory)_node.Services.GetService(typeof(LogDirectory))!).Own.Size;

    [Fact]
    public async Task A_batch_is_answered_per_entry_in_order_and_is_durable()
    {
        using var amr = _node.Client("amr");
        var entries = Enumerable.Range(0, 200).Select(i => Issue($"BA{i:D4}")).ToList();
        var before = Size;
        var results = await amr.SubmitBatchAsync(entries, _amrKey);

        Assert.Equal(200, results.Count);
        Assert.Equal(before + 200, Size);
        for (var i = 0; i < results.Count; i++)
        {
            Assert.Equal(before + (ulong)i, results[i].Index);
            Assert.False(results[i].Duplicate);
            Assert.Equal(TestNode.Origin, results[i].Origin);
        }
        // The stored leaf is the submitted bytes, and the entry's rules took effect (the license is valid).
        var stored = await amr.Ledger.GetEntryAsync(new GetEntryRequest { Index = results[7].Index }, amr.Options());
        Assert.Equal(results[7].LeafHash, MerkleHash.LeafHash(stored.Leaf).ToArray());
        Assert.Equal(entries[7].RecordId, LeafReader.Read(stored.Leaf).Entry.RecordId);

        // Durable: after a restart the node holds the whole batch.
        await _node.RestartAsync();
        Assert.Equal(before + 200, Size);
    }

    [Fact]
    public async Task The_same_bytes_again_are_answered_as_duplicates_with_their_indexes()
    {
        using var amr = _node.Client("amr");
        var leaves = Enumerable.Range(0, 10).Select(i => Signed(Issue($"BD{i:D4}"))).ToList();
        var first = await amr.SubmitBatchAsync(leaves);
        var size = Size;
        // Repeated within one batch and across batches: nothing is appended twice.
        var again = await amr.SubmitBatchAsync([.. leaves, leaves[0]]);
        Assert.Equal(size, Size);
        for (var i = 0; i < leaves.Count; i++)
        {
            Assert.True(again[i].Duplicate);
            Assert.Equal(first[i].Index, again[i].Index);
        }
        Assert.Equal(first[0].Index, again[^1].Index);
    }

    [Fact]
    public async Task A_refusal_in_order_leaves_out_the_whole_batch_and_names_the_entry()
    {
        using var amr = _node.Client("amr");
        await amr.SubmitBatchAsync([Signed(Issue("BR0001"))]);
        var size = Size;
        // Entry 3 issues a license that exists: ALREADY_EXISTS, and entries 0–2 and 4 are not written either.
        var leaves = new List<byte[]> { Signed(Issue("BR0010")), Signed(Issue("BR0011")), Signed(Issue("BR0012")), Signed(Issue("BR0001")), Signed(Issue("BR0013")) };
        var ex = await Assert.ThrowsAsync<RpcException>(() => amr.SubmitBatchAsync(leaves));
        Assert.Equal(StatusCode.AlreadyExists, ex.StatusCode);
        Assert.Contains("entry 3 of the batch", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("nothing of the batch was written", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(size, Size);

        // Without the refused entry the rest is accepted as new (nothing of it had been kept).
        var accepted = await amr.SubmitBatchAsync([leaves[0], leaves[1], leaves[2], leaves[4]]);
        Assert.All(accepted, r => Assert.False(r.Duplicate));
        Assert.Equal(size + 4, Size);
    }

    [Fact]
    public async Task A_stateless_refusal_leaves_out_the_whole_batch_and_names_the_entry()
    {
        using var amr = _node.Client("amr");
        var size = Size;
        var forged = Signed(Issue("BS0002"));
        forged[^5] ^= 0x01; // inside the signature: the entry no longer verifies
        var leaves = new List<byte[]> { Signed(Issue("BS0001")), forged, Signed(Issue("BS0003")) };
        var ex = await Assert.ThrowsAsync<RpcException>(() => amr.SubmitBatchAsync(leaves));
        Assert.True(ex.StatusCode is StatusCode.PermissionDenied or StatusCode.InvalidArgument, $"{ex.StatusCode}: {ex.Status.Detail}");
        Assert.Contains("entry 1 of the batch", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(size, Size);
    }

    [Fact]
    public async Task Bad_batches_get_clear_errors()
    {
        using var amr = _node.Client("amr");
        var empty = await Assert.ThrowsAsync<RpcException>(() => amr.Ledger.SubmitBatchAsync(new SubmitBatchRequest(), amr.Options()).AsTask());
        Assert.Equal(StatusCode.InvalidArgument, empty.StatusCode);
        Assert.Contains("signed_entries is empty", empty.Status.Detail, StringComparison.Ordinal);

        var hole = await Assert.ThrowsAsync<RpcException>(() => amr.Ledger.SubmitBatchAsync(new SubmitBatchRequest { SignedEntries = [Signed(Issue("BB0001")), []] }, amr.Options()).AsTask());
        Assert.Equal(StatusCode.InvalidArgument, hole.StatusCode);
        Assert.Contains("signed_entries[1] is empty", hole.Status.Detail, StringComparison.Ordinal);

        var tooMany = await Assert.ThrowsAsync<RpcException>(() => amr.Ledger.SubmitBatchAsync(
            new SubmitBatchRequest { SignedEntries = Enumerable.Range(0, 513).Select(i => Signed(Issue($"BM{i:D4}"))).ToList() }, amr.Options()).AsTask());
        Assert.Equal(StatusCode.InvalidArgument, tooMany.StatusCode);
        Assert.Contains("at most 512", tooMany.Status.Detail, StringComparison.Ordinal);

        // A counter may not submit license issues; an auditor may not submit at all.
        using var counter = _node.Client("counter");
        var denied = await Assert.ThrowsAsync<RpcException>(() => counter.SubmitBatchAsync([Signed(Issue("BB0002"))]));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        using var auditor = _node.Client("auditor");
        var reader = await Assert.ThrowsAsync<RpcException>(() => auditor.SubmitBatchAsync([Signed(Issue("BB0003"))]));
        Assert.Equal(StatusCode.PermissionDenied, reader.StatusCode);
    }
}
