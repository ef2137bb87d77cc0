using Grpc.Core;
using Huren.Node.Logs;
using Huren.Node.Tests.Ledger;
using Microsoft.Extensions.DependencyInjection;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Notes;

namespace Huren.Node.Tests.Integration;

/// <summary>
/// The <c>Follow</c> stream over real loopback gRPC: every entry in order with its stored bytes, each batch's own
/// checkpoint right after the batch's last entry, and with <c>max_entries</c> runs of entries per message that never
/// cross a checkpoint nor exceed the asked count; without it, one entry per message as before.
/// </summary>
public sealed class FollowTests : IAsyncLifetime
{
    private TestNode _node = null!;
    private readonly SigningKey _amrKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly List<ulong> _batchEnds = [];

    public async Task InitializeAsync()
    {
        // A checkpoint with every batch: these tests are about Follow sending every stored checkpoint.
        _node = await TestNode.StartAsync(null, "--Huren:Sequencer:CheckpointInterval=00:00:00");
        using var op = _node.Client("operator");
        var register = Entry.Create(EntryKinds.IssuerRegister, TestNode.Origin, TestNode.AmrIssuer, TestNode.RootId,
            LedgerBodies.Issuer(TestNode.AmrIssuer, LedgerBodies.ChangshaAmrCode, _amrKey.PublicKey, [LedgerBodies.BusinessLicenseType], ["2"], mayShare: false), DateTimeOffset.UtcNow);
        _batchEnds.Add((await op.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(register, _node.RootKey) }, op.Options())).Index + 1);
        using var amr = _node.Client("amr");
        var serial = 0;
        foreach (var count in new[] { 5, 300, 7 })
        {
            var entries = Enumerable.Range(0, count).Select(_ =>
            {
                var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, $"FW{serial++:D4}");
                return Entry.Create(EntryKinds.LicenseIssue, TestNode.Origin, body.LicenseId, TestNode.AmrIssuer, body, DateTimeOffset.UtcNow);
            }).ToList();
            _batchEnds.Add((await amr.SubmitBatchAsync(entries, _amrKey))[^1].Index + 1);
        }
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Theory]
    [InlineData(0u)]
    [InlineData(1u)]
    [InlineData(100u)]
    [InlineData(1000u)]
    public async Task Entries_come_in_order_with_each_batch_checkpoint_after_its_last_entry(uint maxEntries)
    {
        using var client = _node.Client("operator");
        var size = _batchEnds[^1];
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var leaves = new List<byte[]>();
        var checkpoints = new List<ulong>();
        var largest = 0;
        await foreach (var message in client.Ledger.FollowAsync(new FollowRequest { Origin = TestNode.Origin, MaxEntries = maxEntries },
            new ProtoBuf.Grpc.CallContext(client.Options(stop.Token))))
        {
            if (maxEntries > 1) Assert.Null(message.Entry);
            else Assert.Empty(message.Entries);
            IEnumerable<LogEntry> run = message.Entry is { } one ? [one] : message.Entries;
            largest = Math.Max(largest, message.Entries.Count);
            foreach (var entry in run)
            {
                Assert.Equal((ulong)leaves.Count, entry.Index);
                Assert.Equal(TestNode.Origin, entry.Origin);
                leaves.Add(entry.Leaf);
            }
            if (message.Checkpoint is { } checkpoint)
            {
                // A checkpoint covers exactly the entries sent before it.
                Assert.Equal((ulong)leaves.Count, checkpoint.Size);
                Assert.True(SignedNote.TryParse(checkpoint.Note, out _, out var error), error);
                checkpoints.Add(checkpoint.Size);
                if (checkpoint.Size == size) break;
            }
        }
        Assert.Equal(_batchEnds, checkpoints);
        Assert.True(largest <= (int)maxEntries, $"a message carried {largest} entries, {maxEntries} asked at most");
        // The 300-entry batch is sent in runs as large as asked (without crossing the next checkpoint).
        if (maxEntries > 1) Assert.Equal((int)Math.Min(maxEntries, 300), largest);
        using var reader = _node.Client("operator");
        foreach (var index in new[] { 0, 1, 6, 150, 305, leaves.Count - 1 })
        {
            var stored = await reader.Ledger.GetEntryAsync(new GetEntryRequest { Index = (ulong)index }, reader.Options());
            Assert.Equal(stored.Leaf, leaves[index]);
        }
    }

    [Fact]
    public async Task Batches_written_after_the_follower_caught_up_come_each_with_its_checkpoint()
    {
        using var client = _node.Client("operator");
        using var amr = _node.Client("amr");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var expected = new List<ulong>(_batchEnds);
        var checkpoints = new List<ulong>();
        ulong received = 0;
        var serial = 0;
        await foreach (var message in client.Ledger.FollowAsync(new FollowRequest { Origin = TestNode.Origin, MaxEntries = 64 },
            new ProtoBuf.Grpc.CallContext(client.Options(stop.Token))))
        {
            foreach (var entry in message.Entries)
            {
                Assert.Equal(received, entry.Index);
                received++;
            }
            if (message.Checkpoint is not { } checkpoint) continue;
            Assert.Equal(received, checkpoint.Size);
            checkpoints.Add(checkpoint.Size);
            if (checkpoint.Size != expected[^1]) continue;
            if (expected.Count == _batchEnds.Count + 3) break;
            // Caught up: two batches at once now, so the stream has a batch checkpoint to send between them.
            var batches = new[] { 3, 70 }.Select(count => Enumerable.Range(0, count).Select(_ =>
            {
                var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, $"FL{serial++:D4}");
                return Entry.Create(EntryKinds.LicenseIssue, TestNode.Origin, body.LicenseId, TestNode.AmrIssuer, body, DateTimeOffset.UtcNow);
            }).ToList()).ToList();
            foreach (var batch in batches) expected.Add((await amr.SubmitBatchAsync(batch, _amrKey))[^1].Index + 1);
            if (expected.Count == _batchEnds.Count + 2)
            {
                // And a third at once, while the stream may be sending the first two.
                var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, $"FL{serial++:D4}");
                expected.Add((await amr.SubmitBatchAsync([Entry.Create(EntryKinds.LicenseIssue, TestNode.Origin, body.LicenseId, TestNode.AmrIssuer, body, DateTimeOffset.UtcNow)], _amrKey))[^1].Index + 1);
            }
        }
        Assert.Equal(expected, checkpoints);
    }

    [Fact]
    public async Task Batches_written_concurrently_while_followed_each_come_with_their_checkpoint()
    {
        // Many one-entry batches from several writers while the stream is caught up: the next batch often lands between
        // the stream reading the log's size and sending that size's checkpoint. Each batch's checkpoint must still be
        // sent (a mirror stores run by run, and keeps a status-map root only at the sizes it stored).
        var log = _node.Services.GetRequiredService<LogDirectory>().Own;
        var from = log.Size;
        using var client = _node.Client("operator");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var trail = new List<string>();
        var sizes = System.Threading.Channels.Channel.CreateUnbounded<ulong>();
        var follower = Task.Run(async () =>
        {
            await foreach (var message in client.Ledger.FollowAsync(new FollowRequest { Origin = TestNode.Origin, FromIndex = from, MaxEntries = 64 },
                new ProtoBuf.Grpc.CallContext(client.Options(stop.Token))))
            {
                lock (trail) trail.Add(message.Checkpoint is { } c ? $"C{c.Size}" : message.Entries.Count > 0 ? $"E{message.Entries[0].Index}-{message.Entries[^1].Index}" : "other");
                if (message.Checkpoint is { } checkpoint) sizes.Writer.TryWrite(checkpoint.Size);
            }
        });
        var serial = 0;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using var amr = _node.Client("amr");
            for (var i = 0; i < 60; i++)
            {
                var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, $"FC{Interlocked.Increment(ref serial):D4}");
                await amr.SubmitBatchAsync([Entry.Create(EntryKinds.LicenseIssue, TestNode.Origin, body.LicenseId, TestNode.AmrIssuer, body, DateTimeOffset.UtcNow)], _amrKey);
            }
        })));
        var received = new List<ulong>();
        while (received.Count == 0 || received[^1] != log.Size)
        {
            var size = await sizes.Reader.ReadAsync(stop.Token);
            // The checkpoint at the size followed from comes first; after it, every size once (more cosignatures may resend one).
            if (size > from && (received.Count == 0 || received[^1] != size)) received.Add(size);
        }
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => follower);
        var stored = new List<ulong>();
        for (var size = log.Store.NextCheckpointSize(from + 1); size is { } s && s <= log.Size; size = log.Store.NextCheckpointSize(s + 1)) stored.Add(s);
        Assert.True(stored.Count > 20, $"only {stored.Count} batches for 240 entries: the writers did not run concurrently enough to test this");
        if (!stored.SequenceEqual(received)) Assert.Fail(string.Join(' ', trail) + " stored: " + string.Join(',', stored));
    }

    [Fact]
    public async Task A_checkpoint_passed_by_the_stream_that_gains_a_cosignature_is_sent_again_beside_the_ordered_checkpoints()
    {
        var log = _node.Services.GetRequiredService<LogDirectory>().Own;
        using var client = _node.Client("operator");
        using var amr = _node.Client("amr");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var older = _batchEnds[^2];
        var stored = SignedNote.Parse(log.Store.GetCheckpoint(older)!);
        // A cosignature line as the collector adds it (the stream checks nothing, its followers do).
        var witness = NoteSignerKey.ForCosigner("witness.test", SigningKey.Generate(SignatureAlgorithm.Ed25519));
        var cosigned = CosignatureSigner.Cosign(stored, witness, DateTimeOffset.UtcNow).ToUtf8();
        var ordered = new List<ulong>();
        CheckpointResponse? resent = null;
        await foreach (var message in client.Ledger.FollowAsync(new FollowRequest { Origin = TestNode.Origin, MaxEntries = 64 },
            new ProtoBuf.Grpc.CallContext(client.Options(stop.Token))))
        {
            if (message.Cosigned is { } again)
            {
                resent = again;
                break;
            }
            if (message.Checkpoint is not { } checkpoint) continue;
            Assert.True(ordered.Count == 0 || checkpoint.Size >= ordered[^1], "the ordered checkpoints never go back");
            ordered.Add(checkpoint.Size);
            if (checkpoint.Size != _batchEnds[^1] || ordered.Count != _batchEnds.Count) continue;
            // Caught up: the stream has passed the older size. It gains a cosignature, then the log grows on.
            log.Store.PutCheckpoint(older, cosigned);
            var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "FG0001");
            await amr.SubmitBatchAsync([Entry.Create(EntryKinds.LicenseIssue, TestNode.Origin, body.LicenseId, TestNode.AmrIssuer, body, DateTimeOffset.UtcNow)], _amrKey);
        }
        Assert.NotNull(resent);
        Assert.Equal(older, resent.Size);
        Assert.Equal(cosigned, System.Text.Encoding.UTF8.GetBytes(resent.Note));
    }

    [Fact]
    public async Task A_followers_stream_ends_once_its_department_is_revoked()
    {
        using var amr = _node.Client("amr");
        using var op = _node.Client("operator");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var size = _batchEnds[^1];
        ulong received = 0;
        var revokedAt = 0UL;
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var message in amr.Ledger.FollowAsync(new FollowRequest { Origin = TestNode.Origin, MaxEntries = 1000 },
                new ProtoBuf.Grpc.CallContext(amr.Options(stop.Token))))
            {
                received += message.Entry is null ? (ulong)message.Entries.Count : 1;
                Assert.True(revokedAt == 0 || received <= revokedAt, $"entry {received - 1} was sent after the revocation at index {revokedAt}");
                if (received == size && revokedAt == 0)
                {
                    var revoke = Entry.Create(EntryKinds.IssuerRevoke, TestNode.Origin, TestNode.AmrIssuer, TestNode.RootId,
                        new IssuerRevoked { IssuerId = TestNode.AmrIssuer, Reason = "机构撤并" }, DateTimeOffset.UtcNow);
                    revokedAt = (await op.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(revoke, _node.RootKey) }, op.Options())).Index;
                }
            }
        });
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Contains("'amr' acts for issuer 430100-amr, which this node's log has revoked", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(size, received);
    }
}
