using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Node.Tests.Ledger;
using Huren.Node.Tests.Storage;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Node.Tests.Log;

/// <summary>
/// Changsha's log in memory behind a store that fails on demand (<see cref="FaultyStore"/>), written through a real
/// sequencer (no group-commit wait) with the ledger rules, its market regulator (430100-amr) registered: the append
/// path without gRPC.
/// </summary>
internal sealed class SequencedLog : IAsyncDisposable
{
    public const string Origin = LedgerFixture.Changsha;

    private SequencedLog()
    {
        Log = new MerkleLog(new LogStore(Store, Origin));
        Machine = new LogStateMachine(Origin, [Root.PublicKey], "430100-root", Log.Store, null, TimeProvider.System);
        var appender = new LogAppender(Log, Machine, [Machine], null, Health, NullLogger.Instance);
        Sequencer = new Sequencer(appender, new SequencerOptions { MaxBatchDelay = TimeSpan.Zero }, NullLogger.Instance);
    }

    public FaultyStore Store { get; } = new(new MemoryStore());

    public SigningKey Root { get; } = SigningKey.Generate(SignatureAlgorithm.Ed25519);

    public SigningKey Amr { get; } = SigningKey.Generate(SignatureAlgorithm.Ed25519);

    public AppendHealth Health { get; } = new(threshold: 3);

    public MerkleLog Log { get; }

    public LogStateMachine Machine { get; }

    public Sequencer Sequencer { get; }

    /// <summary>The log with 430100-amr registered (entry 0).</summary>
    public static async Task<SequencedLog> StartAsync()
    {
        var log = new SequencedLog();
        var issuer = LedgerBodies.Issuer("430100-amr", LedgerBodies.ChangshaAmrCode, log.Amr.PublicKey, [LedgerBodies.BusinessLicenseType], [], mayShare: false);
        await log.Sequencer.SubmitAsync(Sign(EntryKinds.IssuerRegister, "430100-amr", "430100-root", issuer, log.Root));
        return log;
    }

    public static byte[] Sign<T>(string kind, string recordId, string issuerId, T body, SigningKey key) where T : class
        => EntrySigner.SignToLeaf(Entry.Create(kind, Origin, recordId, issuerId, body, DateTimeOffset.UtcNow), key);

    /// <summary>430100-amr's business license with <paramref name="serial"/>.</summary>
    public byte[] Issue(string serial)
    {
        var body = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, serial);
        return Sign(EntryKinds.LicenseIssue, body.LicenseId, "430100-amr", body, Amr);
    }

    /// <summary>430100-amr's suspension of <paramref name="licenseId"/>, naming the license's latest committed entry as 'previous'.</summary>
    public byte[] Suspend(string licenseId)
    {
        Assert.True(Machine.TryGetLicense(licenseId, out var license), $"license {licenseId} is not in the log");
        var latest = license.EntryIndexes[^1];
        var hash = new byte[32];
        Assert.True(Log.Store.TryGetNode(0, latest, hash));
        var previous = new EntryReference { Origin = Origin, Index = latest, LeafHash = hash, Relation = Relations.Previous };
        return EntrySigner.SignToLeaf(Entry.Create(EntryKinds.LicenseStatus, Origin, licenseId, "430100-amr", LedgerBodies.Suspend(licenseId), DateTimeOffset.UtcNow, previous), Amr);
    }

    public ValueTask DisposeAsync() => Sequencer.DisposeAsync();
}
