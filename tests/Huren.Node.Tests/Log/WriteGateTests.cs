using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Sdk.Entries;
using Huren.Sdk.Crypto;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Node.Tests.Log;

/// <summary>
/// The own log's write gate (a lost or restored disk being checked or rebuilt): while it is closed the sequencer
/// refuses every entry as UNAVAILABLE with the reason and writes nothing; once open, the same entry is appended.
/// </summary>
public sealed class WriteGateTests : IAsyncLifetime
{
    private const string Origin = LedgerFixture.Changsha;
    private readonly MemoryStore _store = new();
    private readonly SigningKey _root = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    private readonly WriteGate _gate = new("it is rebuilding its log from the other cities' mirrors");
    private MerkleLog _log = null!;
    private Sequencer _sequencer = null!;

    public Task InitializeAsync()
    {
        _log = new MerkleLog(new LogStore(_store, Origin));
        var machine = new LogStateMachine(Origin, [_root.PublicKey], "430100-root", _log.Store, null, TimeProvider.System);
        _sequencer = new Sequencer(new LogAppender(_log, machine, [machine], null, null, NullLogger.Instance),
            new SequencerOptions { MaxBatchDelay = TimeSpan.Zero }, NullLogger.Instance, _gate);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _sequencer.DisposeAsync();

    private byte[] Registration(string issuerId)
    {
        var body = LedgerBodies.Issuer(issuerId, LedgerBodies.ChangshaAmrCode, SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: false);
        return EntrySigner.SignToLeaf(Entry.Create(EntryKinds.IssuerRegister, Origin, issuerId, "430100-root", body, DateTimeOffset.UtcNow), _root);
    }

    [Fact]
    public async Task A_closed_gate_refuses_entries_with_its_reason_and_writes_nothing_until_it_opens()
    {
        var leaf = Registration("430100-amr");
        var refused = await Assert.ThrowsAsync<AdmissionException>(() => _sequencer.SubmitAsync(leaf));
        Assert.Equal(RejectionKind.Unavailable, refused.Kind);
        Assert.Equal("huren.cz-t/430100 takes no entries now: it is rebuilding its log from the other cities' mirrors; try again later", refused.Message);
        Assert.Equal(0ul, _log.Size);
        Assert.Null(_log.Store.ReadHead());

        _gate.Open();
        Assert.Null(_gate.ClosedReason);
        var appended = await _sequencer.SubmitAsync(leaf);
        Assert.Equal((0ul, false), (appended.Index, appended.Duplicate));

        _gate.Close("it differs from what the witnesses cosigned");
        var again = await Assert.ThrowsAsync<AdmissionException>(() => _sequencer.SubmitAsync(Registration("430100-hc")));
        Assert.Contains("it differs from what the witnesses cosigned", again.Message, StringComparison.Ordinal);
        Assert.Equal(1ul, _log.Size);
        Assert.Throws<ArgumentException>(() => _gate.Close(""));
    }
}
