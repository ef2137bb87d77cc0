using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Node.Tests.Ledger;

/// <summary>A clock that stands still.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>An issuer registered in a test log, with its signing key.</summary>
internal sealed record TestIssuer(string Id, string AuthorityCode, SigningKey Key, ulong Index);

/// <summary>Where an admitted entry landed.</summary>
internal sealed record Admitted(string Origin, ulong Index, byte[] LeafHash)
{
    public EntryReference Ref(string relation) => new() { Origin = Origin, Index = Index, LeafHash = LeafHash, Relation = relation };
}

/// <summary>
/// One city log under test: a <see cref="MemoryStore"/>, a <see cref="MerkleLog"/> and a <see cref="LogStateMachine"/>
/// in it, and batches through the node's one append path (<see cref="LogAppender"/>) with real signed entries.
/// </summary>
internal sealed class LedgerFixture
{
    public const string Changsha = "huren.cz-t/430100";
    public const string Zhuzhou = "huren.cz-t/430200";

    /// <summary>2024-06-01 10:00 in China.</summary>
    public static readonly DateTimeOffset Now = LedgerBodies.FixtureNow;

    private readonly Func<string, ulong, byte[], bool>? _referenceExists;
    private readonly Func<string, string, LicenseRecord?>? _foreignLicense;
    private readonly bool _admitsOwnEntries;
    private readonly Func<string, MerkleLog?>? _keptLogs;

    public LedgerFixture(
        string origin = Changsha,
        Func<string, ulong, byte[], bool>? referenceExists = null,
        Func<string, string, LicenseRecord?>? foreignLicense = null,
        bool admitsOwnEntries = false,
        Func<string, MerkleLog?>? keptLogs = null)
    {
        _admitsOwnEntries = admitsOwnEntries;
        _keptLogs = keptLogs;
        Origin = origin;
        RootId = $"{origin[^6..]}-root";
        RootKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        _referenceExists = referenceExists;
        _foreignLicense = foreignLicense;
        Machine = Open();
    }

    public string Origin { get; }

    public string RootId { get; }

    public SigningKey RootKey { get; }

    public MemoryStore Backing { get; } = new();

    public LogStore Store => Log.Store;

    public MerkleLog Log { get; private set; } = null!;

    private LogAppender _appender = null!;

    public FixedTime Time { get; } = new(Now);

    public LogStateMachine Machine { get; private set; }

    /// <summary>The committed size of the log.</summary>
    public ulong Size => Log.Size;

    /// <summary>A new state machine over the same store, as after a restart; it becomes <see cref="Machine"/>.</summary>
    public LogStateMachine Reopen() => Machine = Open();

    private LogStateMachine Open()
    {
        Log = new MerkleLog(new LogStore(Backing, Origin));
        var machine = new LogStateMachine(Origin, [RootKey.PublicKey], RootId, Log.Store, _referenceExists, Time, _foreignLicense) { AdmitsOwnEntries = _admitsOwnEntries, KeptLogs = _keptLogs };
        _appender = new LogAppender(Log, machine, [machine], null, null, NullLogger.Instance);
        return machine;
    }

    /// <summary>This log when <paramref name="origin"/> is its origin: the <c>KeptLogs</c> another city's log would be given.</summary>
    public MerkleLog? Kept(string origin) => origin == Origin ? Log : null;

    /// <summary>Whether this log holds (index, leaf hash): the <c>referenceExists</c> another city's log would be given.</summary>
    public bool Holds(string origin, ulong index, byte[] leafHash)
    {
        Span<byte> stored = stackalloc byte[32];
        return origin == Origin && Store.TryGetNode(0, index, stored) && stored.SequenceEqual(leafHash);
    }

    /// <summary>
    /// An unsigned entry of this log. A license change, status change or transfer names the license's latest committed
    /// entry as 'previous' unless <paramref name="references"/> already name one, as a client reading the license's
    /// history does; build the entry with <see cref="Schemas.Envelope.Entry.Create"/> to leave it out.
    /// </summary>
    public Entry Entry<T>(string kind, string recordId, string issuerId, T body, params EntryReference[] references) where T : class
    {
        if (EntryKinds.NamesPrevious(kind)
            && !Array.Exists(references, r => r.Relation == Relations.Previous) && Previous(recordId) is { } previous)
        {
            references = [.. references, previous];
        }
        return Schemas.Envelope.Entry.Create(kind, Origin, recordId, issuerId, body, Time.Now, references);
    }

    /// <summary>A 'previous' reference to the latest committed entry of license <paramref name="licenseId"/>, or null when the log has no such license.</summary>
    public EntryReference? Previous(string licenseId)
    {
        if (!Machine.TryGetLicense(licenseId, out var license)) return null;
        var index = license.EntryIndexes[^1];
        var hash = new byte[32];
        Assert.True(Store.TryGetNode(0, index, hash), $"leaf {index} of {Origin} is not stored");
        return new EntryReference { Origin = Origin, Index = index, LeafHash = hash, Relation = Relations.Previous };
    }

    public static byte[] LeafHash(byte[] leaf) => MerkleLog.HashLeaf(leaf);

    /// <summary>Runs one batch through the append path: each result is the entry's index or its refusal.</summary>
    public List<object> Batch(params byte[][] leaves)
    {
        var results = new object[leaves.Length];
        var items = new List<(int Position, AppendItem Item)>();
        for (var i = 0; i < leaves.Length; i++)
        {
            try
            {
                var decoded = Machine.CheckStateless(leaves[i]);
                items.Add((i, new AppendItem(leaves[i], LeafHash(leaves[i]), decoded)));
            }
            catch (AdmissionException ex)
            {
                results[i] = ex;
            }
        }
        var outcome = _appender.Append(items.ConvertAll(x => x.Item));
        if (outcome.Failure is { } failure) throw failure;
        foreach (var (position, item) in items)
        {
            results[position] = item.Error is { } error ? error : item.Outcome().Index;
        }
        return [.. results];
    }

    /// <summary>Signs and appends one entry, which must be admitted.</summary>
    public Admitted Admit(Entry entry, SigningKey key)
    {
        var leaf = EntrySigner.SignToLeaf(entry, key);
        var result = Batch(leaf)[0];
        if (result is AdmissionException ex) Assert.Fail($"{entry.Kind} {entry.RecordId} was refused: {ex.Kind}: {ex.Message}");
        return new Admitted(Origin, (ulong)result, LeafHash(leaf));
    }

    public Admitted Admit<T>(TestIssuer issuer, string kind, string recordId, T body, params EntryReference[] references) where T : class =>
        Admit(Entry(kind, recordId, issuer.Id, body, references), issuer.Key);

    /// <summary>
    /// Signs and offers one entry, which must be refused with <paramref name="kind"/> and a message containing
    /// <paramref name="messagePart"/>; checks that nothing was staged and the log did not grow.
    /// </summary>
    public AdmissionException Refuse(Entry entry, SigningKey key, RejectionKind kind, string messagePart) =>
        Refuse(EntrySigner.SignToLeaf(entry, key), kind, messagePart);

    public AdmissionException Refuse<T>(TestIssuer issuer, string kind, string recordId, T body, RejectionKind rejection, string messagePart, params EntryReference[] references) where T : class =>
        Refuse(Entry(kind, recordId, issuer.Id, body, references), issuer.Key, rejection, messagePart);

    public AdmissionException Refuse(byte[] leaf, RejectionKind kind, string messagePart)
    {
        var size = Size;
        var ex = Assert.Throws<AdmissionException>(() => Machine.CheckInOrder(Machine.CheckStateless(leaf), Size));
        Assert.True(kind == ex.Kind, $"expected {kind}, got {ex.Kind}: {ex.Message}");
        Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);
        Assert.Empty(Machine.StagedRows());
        Assert.Equal(size, Size);
        return ex;
    }

    /// <summary>
    /// Registers an issuer with a fresh key, signed by the city root. An issuer with seal types may make seals with
    /// <paramref name="sealMakerKeys"/> (default: the maker key of <see cref="LedgerSeals.Default"/>).
    /// </summary>
    public TestIssuer RegisterIssuer(
        string issuerId, string authorityCode, string[]? licenseTypes = null, string[]? seals = null, bool mayShare = true,
        SignatureAlgorithm algorithm = SignatureAlgorithm.Ed25519, PublicKey[]? sealMakerKeys = null)
    {
        var key = SigningKey.Generate(algorithm);
        var sealTypes = seals ?? ["1", "2"];
        var body = LedgerBodies.Issuer(issuerId, authorityCode, key.PublicKey, licenseTypes ?? [LedgerBodies.BusinessLicenseType], sealTypes, mayShare, Origin[^6..],
            sealTypes.Length == 0 ? [] : sealMakerKeys ?? [LedgerSeals.Default.MakerKey.PublicKey]);
        var admitted = Admit(Entry(EntryKinds.IssuerRegister, issuerId, RootId, body), RootKey);
        return new TestIssuer(issuerId, authorityCode, key, admitted.Index);
    }

    /// <summary>Revokes an issuer, signed by the city root.</summary>
    public Admitted RevokeIssuer(string issuerId) =>
        Admit(Entry(EntryKinds.IssuerRevoke, issuerId, RootId, new IssuerRevoked { IssuerId = issuerId, Reason = "机构改革撤并" }), RootKey);

    /// <summary>Passes <paramref name="predecessor"/>'s records of the given types to <paramref name="successor"/>, signed by the city root.</summary>
    public Admitted Succeed(string predecessor, string successor, string[]? licenseTypes = null, string[]? sealTypes = null) =>
        Admit(Entry(EntryKinds.IssuerSucceed, predecessor, RootId, LedgerBodies.Succession(predecessor, successor, licenseTypes, sealTypes)), RootKey);

    public LicenseRecord License(string licenseId)
    {
        Assert.True(Machine.TryGetLicense(licenseId, out var license), $"license {licenseId} is not in {Origin}");
        return license;
    }
}
