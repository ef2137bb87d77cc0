using Grpc.Core;
using Grpc.Health.V1;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Node.Tests.Integration;
using Huren.Node.Tests.Ledger;
using Huren.Node.Tests.Storage;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Huren.Node.Tests.Log;

/// <summary>
/// The append path under storage faults: a failing write, a failing read and a damaged state row each fail their batch
/// with UNAVAILABLE, leave the log at its durable size, and the next batch is written; a run of failed batches makes the
/// node unhealthy with the reason, and a written batch makes it healthy again.
/// </summary>
public sealed class AppendFaultTests : IAsyncLifetime
{
    private const string Origin = SequencedLog.Origin;
    private SequencedLog _at = null!;

    public async Task InitializeAsync() => _at = await SequencedLog.StartAsync();

    public async Task DisposeAsync() => await _at.DisposeAsync();

    /// <summary>The log's size as a fresh reader of the store sees it: what is durable.</summary>
    private ulong DurableSize() => new MerkleLog(new LogStore(_at.Store.Inner, Origin)).Size;

    private async Task<AppendFailedException> FailsAsync(byte[] leaf)
    {
        var size = _at.Log.Size;
        var ex = await Assert.ThrowsAsync<AppendFailedException>(() => _at.Sequencer.SubmitAsync(leaf));
        Assert.Equal(size, _at.Log.Size);
        Assert.Equal(size, DurableSize());
        Assert.Equal(size, _at.Machine.AppliedSize);
        return ex;
    }

    [Fact]
    public async Task A_failing_write_fails_the_batch_and_the_same_entry_is_written_next()
    {
        var leaf = _at.Issue("2024000001");
        var cachedPages = _at.Log.StatusMap.CachedPages;
        _at.Store.FailNextWrites(1);
        var ex = await FailsAsync(leaf);
        // The failed batch's status-map pages were never stored, so none of them may be served from memory.
        Assert.Equal(cachedPages, _at.Log.StatusMap.CachedPages);
        // The submitter learns that nothing was written and the fault's kind; its text (which may name the node's files)
        // stays with the exception, for the node's log.
        Assert.Contains("nothing of it was written (IOException; the node's log has the details)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("injected write fault", ex.Message, StringComparison.Ordinal);
        Assert.Contains("injected write fault", ex.InnerException!.Message, StringComparison.Ordinal);
        Assert.False(_at.Machine.TryGetLicense(LedgerBodies.LicenseId(LedgerBodies.ChangshaAmrCode, "2024000001"), out _));

        var result = await _at.Sequencer.SubmitAsync(leaf);
        Assert.Equal(1UL, result.Index);
        Assert.False(result.Duplicate);
        Assert.Equal(2UL, DurableSize());
        Assert.True(_at.Machine.TryGetLicense(LedgerBodies.LicenseId(LedgerBodies.ChangshaAmrCode, "2024000001"), out _));
    }

    [Fact]
    public async Task A_failing_read_in_the_writer_fails_the_batch_and_the_next_one_is_written()
    {
        _at.Store.FailReadsOf = StoreFamily.State;
        var ex = await FailsAsync(_at.Issue("2024000002"));
        Assert.Contains("injected read fault", ex.InnerException!.Message, StringComparison.Ordinal);
        _at.Store.FailReadsOf = null;
        Assert.Equal(1UL, (await _at.Sequencer.SubmitAsync(_at.Issue("2024000002"))).Index);
    }

    [Fact]
    public async Task A_failing_read_before_queueing_is_unavailable_too()
    {
        _at.Store.FailReadsOf = StoreFamily.LeafIndex;
        await FailsAsync(_at.Issue("2024000003"));
        _at.Store.FailReadsOf = null;
        Assert.Equal(1UL, (await _at.Sequencer.SubmitAsync(_at.Issue("2024000003"))).Index);
    }

    [Fact]
    public async Task A_damaged_state_row_fails_its_batch_and_other_batches_go_on()
    {
        var licenseId = LedgerBodies.LicenseId(LedgerBodies.ChangshaAmrCode, "2024000004");
        await _at.Sequencer.SubmitAsync(_at.Issue("2024000004"));
        new KeySpace(_at.Store.Inner, StoreFamily.State, Origin).PutNow(System.Text.Encoding.UTF8.GetBytes("license/" + licenseId), [0xff, 0xff, 0xff]);

        var ex = await FailsAsync(SequencedLog.Sign(EntryKinds.LicenseStatus, licenseId, "430100-amr", LedgerBodies.Suspend(licenseId), _at.Amr));
        Assert.Contains("does not decode", ex.InnerException!.Message, StringComparison.Ordinal);
        Assert.Equal(2UL, (await _at.Sequencer.SubmitAsync(_at.Issue("2024000005"))).Index);
    }

    [Fact]
    public async Task Every_entry_of_a_failed_batch_fails_and_none_is_half_written()
    {
        var leaves = Enumerable.Range(10, 20).Select(i => _at.Issue($"20240000{i}")).ToList();
        _at.Store.FailNextWrites(1);
        var outcomes = await Task.WhenAll(leaves.Select(async leaf =>
        {
            try
            {
                return (object)await _at.Sequencer.SubmitAsync(leaf);
            }
            catch (AppendFailedException ex)
            {
                return ex;
            }
        }));
        // The first batch failed as a whole; whatever came in a later batch was written after it.
        var failed = outcomes.OfType<AppendFailedException>().Count();
        Assert.True(failed > 0);
        Assert.Equal(1UL + (ulong)(leaves.Count - failed), DurableSize());
        Assert.Equal(DurableSize(), _at.Machine.AppliedSize);
    }

    [Fact]
    public async Task A_run_of_failed_batches_makes_the_log_unhealthy_until_one_is_written()
    {
        _at.Store.FailNextWrites(3);
        for (var i = 0; i < 2; i++) await FailsAsync(_at.Issue($"202400010{i}"));
        Assert.Null(_at.Health.Fault());
        await FailsAsync(_at.Issue("2024000102"));
        var fault = _at.Health.Fault();
        Assert.NotNull(fault);
        Assert.Contains(Origin, fault, StringComparison.Ordinal);
        Assert.Contains("3 batches in a row", fault, StringComparison.Ordinal);
        Assert.Contains("injected write fault", fault, StringComparison.Ordinal);

        await _at.Sequencer.SubmitAsync(_at.Issue("2024000103"));
        Assert.Null(_at.Health.Fault());
    }

    [Fact]
    public async Task Over_gRPC_the_node_answers_UNAVAILABLE_reports_NOT_SERVING_with_the_reason_and_recovers()
    {
        FaultyStore? faulty = null;
        await using var node = await TestNode.StartAsync(dir => faulty = new FaultyStore(RocksStore.Open(dir)));
        var amr = SigningKey.Generate(SignatureAlgorithm.Sm2Sm3);
        using var op = node.Client("operator");
        var register = EntrySigner.SignToLeaf(Entry.Create(EntryKinds.IssuerRegister, TestNode.Origin, TestNode.AmrIssuer, TestNode.RootId,
            LedgerBodies.Issuer(TestNode.AmrIssuer, LedgerBodies.ChangshaAmrCode, amr.PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: false), DateTimeOffset.UtcNow), node.RootKey);
        var health = new Health.HealthClient(op.Channel);

        // The SDK client retries UNAVAILABLE a few times: every write fails until the fault is lifted.
        faulty!.FailNextWrites(int.MaxValue);
        for (var i = 0; i < 3; i++)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => op.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = register }, op.Options()).AsTask());
            Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
            Assert.Contains("nothing of it was written", ex.Status.Detail, StringComparison.Ordinal);
        }
        faulty.FailNextWrites(0);
        Assert.Equal(0UL, node.Services.GetRequiredService<MerkleLog>().Size);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.NotServing, (await health.CheckAsync(new HealthCheckRequest())).Status);
        var report = await node.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Contains("injected write fault", report.Entries["log"].Description, StringComparison.Ordinal);

        var written = await op.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = register }, op.Options());
        Assert.Equal(0UL, written.Index);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
    }
}
