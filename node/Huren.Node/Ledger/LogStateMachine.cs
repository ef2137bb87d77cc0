using System.Collections.Immutable;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Validation;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.StatusMap;

namespace Huren.Node.Ledger;

/// <summary>
/// The authorization and lifecycle rules of ONE city log: who may write which entry, and what each entry does to the
/// issuers, licenses, seals and shares of the log. The node's sequencer admits its own entries through it; a mirror
/// re-checks another city's log with its own instance over that log's store.
/// </summary>
/// <remarks>
/// <para>Derived state is kept as state rows (the log's <see cref="LogStore.State"/> key space) written in the same atomic
/// batch as the entries that made them (<see cref="Write"/>: the machine is a participant of the log's
/// <see cref="LogAppender"/>), so a restart reads the rows and never rescans the log. Issuers
/// and keys are also held in memory, as an immutable snapshot swapped when a batch is durable; licenses, seals and
/// shares are read from the store, overlaid with what the current batch staged.</para>
/// <para>Threads: <see cref="CheckStateless"/> and the read methods are thread-safe and see committed state only;
/// <see cref="CheckInOrder"/>, <see cref="Write"/>, <see cref="Committed"/> and <see cref="Discard"/> are called by
/// the log's single writer thread.</para>
/// </remarks>
public sealed partial class LogStateMachine : IEntryAdmission, IBatchParticipant
{
    private readonly string _origin;
    private readonly string _rootId;
    private volatile CityRootKeys _rootKeys;
    private readonly LogStore _store;
    private readonly Func<string, ulong, byte[], bool>? _referenceExists;
    private readonly Func<string, string, LicenseRecord?>? _foreignLicense;
    private readonly TimeProvider _time;
    private readonly SignatureCheck _signatures;
    // Leaves passed by CheckStatelessSignerInBatch without their signature checked (by reference; weak, so a leaf never
    // offered to CheckInOrder, e.g. when a follow breaks, is not kept).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DecodedLeaf, object> _signerInBatch = new();
    private static readonly object SignerInBatch = new();
    private readonly StagedBatch _batch = new();
    private readonly List<(string Key, object Record)> _effects = [];
    private readonly List<RegisteredKey> _effectKeys = [];
    private volatile CommittedIssuers _committed;

    /// <summary>Opens the rules of the log <paramref name="origin"/> over <paramref name="store"/>, restoring the derived state from its rows.</summary>
    /// <param name="origin">The log's origin, e.g. <c>huren.cz-t/430100</c>.</param>
    /// <param name="cityRootKeys">The city's root keys (from the network configuration): they alone register and revoke issuers.</param>
    /// <param name="cityRootIssuerId">The issuer id the city root writes under, e.g. <c>430100-root</c>.</param>
    /// <param name="store">The log's storage.</param>
    /// <param name="referenceExists">
    /// Whether (origin, index, leaf hash) is an entry of another city's log this node keeps; null when only this log's
    /// references can be checked (then entries that must reference another log are refused as NOT_FOUND).
    /// </param>
    /// <param name="time">The clock, for the future-time check of entries and today's verdicts.</param>
    /// <param name="foreignLicense">
    /// Optional: the derived license record of (origin, license id) in another log this node keeps. When given, a
    /// transfer is accepted only if that log transferred the license to this one at the referenced entry, and the
    /// accepted license takes its name, holder, validity and documents from it.
    /// </param>
    /// <exception cref="ArgumentException">The origin is not a log origin, the root id is empty or there is no root key.</exception>
    /// <exception cref="InvalidOperationException">The store's state rows belong to another origin.</exception>
    /// <exception cref="InvalidDataException">A state row does not decode.</exception>
    public LogStateMachine(
        string origin,
        IReadOnlyList<PublicKey> cityRootKeys,
        string cityRootIssuerId,
        LogStore store,
        Func<string, ulong, byte[], bool>? referenceExists,
        TimeProvider time,
        Func<string, string, LicenseRecord?>? foreignLicense = null)
        : this(origin, new CityRootKeys(cityRootKeys ?? throw new ArgumentNullException(nameof(cityRootKeys))), cityRootIssuerId, store, referenceExists, time, foreignLicense)
    {
    }

    /// <summary>Opens the rules of the log <paramref name="origin"/> over <paramref name="store"/>, restoring the derived state from its rows.</summary>
    /// <param name="origin">The log's origin, e.g. <c>huren.cz-t/430100</c>.</param>
    /// <param name="cityRootKeys">The city's root keys, current and retired (from the network configuration): they alone register and revoke issuers.</param>
    /// <param name="cityRootIssuerId">The issuer id the city root writes under, e.g. <c>430100-root</c>.</param>
    /// <param name="store">The log's storage.</param>
    /// <param name="referenceExists">As for the other constructor.</param>
    /// <param name="time">The clock, for the future-time check of entries and today's verdicts.</param>
    /// <param name="foreignLicense">As for the other constructor.</param>
    /// <exception cref="ArgumentException">The origin is not a log origin or the root id is empty.</exception>
    /// <exception cref="InvalidOperationException">The store's state rows belong to another origin.</exception>
    /// <exception cref="InvalidDataException">A state row does not decode.</exception>
    public LogStateMachine(
        string origin,
        CityRootKeys cityRootKeys,
        string cityRootIssuerId,
        LogStore store,
        Func<string, ulong, byte[], bool>? referenceExists,
        TimeProvider time,
        Func<string, string, LicenseRecord?>? foreignLicense = null)
    {
        ArgumentNullException.ThrowIfNull(cityRootKeys);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        var originError = LogOrigin.Validate(origin, nameof(origin));
        if (originError is not null) throw new ArgumentException(originError.Message, nameof(origin));
        if (string.IsNullOrEmpty(cityRootIssuerId)) throw new ArgumentException("the city root's issuer id is required", nameof(cityRootIssuerId));
        _origin = origin;
        _rootId = cityRootIssuerId;
        _rootKeys = cityRootKeys;
        _store = store;
        _referenceExists = referenceExists;
        _foreignLicense = foreignLicense;
        _time = time;
        _signatures = new SignatureCheck(origin, ResolveKey);
        _committed = Load();
    }

    /// <summary>The log's origin.</summary>
    public string Origin => _origin;

    /// <summary>The issuer id the city root writes under.</summary>
    public string CityRootIssuerId => _rootId;

    /// <summary>
    /// The city root keys the rules accept. Replaced when a network configuration version in force changes them (a root
    /// key rotated or revoked); each check reads the set once.
    /// </summary>
    public CityRootKeys RootKeys
    {
        get => _rootKeys;
        set => _rootKeys = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>How many entries the durable derived state reflects: the index the next entry gets.</summary>
    public ulong AppliedSize => _committed.NextIndex;

    /// <summary>
    /// How far ahead of this node's clock an entry's time may be; null for no limit (a mirror re-checking old entries
    /// need not care). Default 10 minutes.
    /// </summary>
    public TimeSpan? MaxClockSkew { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Optional: the copy this node keeps of another city's log, by origin (null when it keeps none). With it, a
    /// reference beyond the copy's size is refused as UNAVAILABLE (the copy has not caught up yet: retry) rather than
    /// NOT_FOUND, and a receipt admitted into the node's own log is checked against the share entry it references there.
    /// </summary>
    public Func<string, MerkleLog?>? KeptLogs { get; init; }

    /// <summary>
    /// Optional, with <see cref="AdmitsOwnEntries"/>: why this node refused the data it received for share (provider
    /// origin, share id), or null. A receipt of such a share is not admitted into the node's own log: a receipt says the
    /// data arrived whole. A mirror does not ask (another node's refusals are not in its log).
    /// </summary>
    public Func<string, string, string?>? RefusedData { get; init; }

    /// <summary>
    /// Whether this machine admits new entries into the node's own log (true), or re-checks another city's log as its
    /// mirror (false, the default). Only admission compares an entry with what this node holds of a third log (the
    /// verdict a <c>license.use</c> of another city's license records): a mirror must judge a log the same way whatever
    /// it holds of other logs, or it would stop on an entry its origin rightly admitted.
    /// </summary>
    public bool AdmitsOwnEntries { get; init; }

    /// <inheritdoc/>
    /// <remarks>
    /// Decodes the leaf canonically and verifies its signature by a city root key or a registered issuer's key (revoked
    /// issuers' keys included: whether the signer may write the entry is <see cref="CheckInOrder"/>'s question), then
    /// validates the entry and its body (for seals, the GB/T 38540 structures and their signatures). Thread-safe.
    /// </remarks>
    public DecodedLeaf CheckStateless(byte[] leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        var decoded = Validate(_signatures.Check(leaf));
        CheckUseIsNow(decoded.Entry);
        CheckRetiredRootSignsNow(decoded);
        return decoded;
    }

    /// <summary>How far an entry's own date lies before this node's clock (negative: after it).</summary>
    private TimeSpan BehindClock(Entry entry) => _time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(entry.TimeUnixMs);

    /// <summary>
    /// A retired city root key counts for root entries dated up to its end (<see cref="CityRootKeys"/>), and the signer
    /// chooses the date: a new submission under a retired key must be dated now, or whoever still holds the old key
    /// could write entries dated before its end for ever. Replays (mirrors, rebuilds) take old entries as they were
    /// written, through <see cref="CheckStatelessSignerInBatch"/>.
    /// </summary>
    private void CheckRetiredRootSignsNow(DecodedLeaf decoded)
    {
        if (MaxClockSkew is not { } skew || !string.Equals(decoded.Entry.IssuerId, _rootId, StringComparison.Ordinal)) return;
        var signer = decoded.Signed.SignerKeyId;
        if (signer.Length != KeyId.Length || _rootKeys.IsCurrent(KeyId.FromBytes(signer))) return;
        var behind = BehindClock(decoded.Entry);
        if (behind > skew)
        {
            throw Reject.PermissionDenied($"signer is a retired city root key of '{_rootId}': a new entry it signs must be dated now, "
                + $"but {decoded.Entry.TimeUnixMs} is {behind.TotalMinutes:F0} min before this node's clock (at most {skew.TotalMinutes:F0} min allowed)");
        }
    }

    /// <summary>
    /// An entry that records an event as it happens, submitted now, is dated now: a use (<c>license.use</c>,
    /// <c>seal.use</c>) is judged on its own day, so one dated back to before the license expired would record VALID for
    /// an expired license; a data flow (<c>share</c>, <c>share.decision</c>, <c>receipt</c>) dated back would fall outside
    /// an auditor's <c>audit flows --since</c>. Only new submissions are asked (a mirror or a rebuild replays old entries
    /// through <see cref="CheckStatelessSignerInBatch"/>), within the same <see cref="MaxClockSkew"/> as the future bound.
    /// </summary>
    private void CheckUseIsNow(Entry entry)
    {
        if (MaxClockSkew is not { } skew || entry.Kind is not (EntryKinds.LicenseUse or EntryKinds.SealUse or EntryKinds.Share or EntryKinds.ShareDecision or EntryKinds.Receipt)) return;
        var behind = BehindClock(entry);
        if (behind > skew)
            throw Reject.InvalidArgument($"timeUnixMs: a {entry.Kind} entry is recorded when it happens, but {entry.TimeUnixMs} is {behind.TotalMinutes:F0} min before this node's clock (at most {skew.TotalMinutes:F0} min allowed)");
    }

    /// <summary>
    /// <see cref="CheckStateless"/> for a mirror re-checking a run in order: an entry whose signer key this log does not
    /// hold yet passes with its signature unchecked, and <see cref="CheckInOrder"/> verifies it under the key an earlier
    /// entry of the same batch registers (or refuses it). The origin admitted such entries in one batch, and a run ends
    /// wherever the origin signed a checkpoint. Thread-safe.
    /// </summary>
    public DecodedLeaf CheckStatelessSignerInBatch(byte[] leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        var decoded = Validate(_signatures.Check(leaf, deferUnknownSigner: true, out var signerUnknown));
        if (signerUnknown) _signerInBatch.AddOrUpdate(decoded, SignerInBatch);
        return decoded;
    }

    private DecodedLeaf Validate(DecodedLeaf decoded)
    {
        var result = EntryValidator.Validate(decoded.Entry, out var body);
        if (!result.IsValid) throw Reject.InvalidArgument(result.ToString());
        // Keep the body decoded for the check: the rules on the writer thread use it instead of decoding it again.
        decoded = decoded with { Body = body };
        CheckSeal(decoded.Entry);
        if (MaxClockSkew is { } skew)
        {
            var ahead = DateTimeOffset.FromUnixTimeMilliseconds(decoded.Entry.TimeUnixMs) - _time.GetUtcNow();
            if (ahead > skew)
            {
                throw Reject.InvalidArgument($"timeUnixMs: {decoded.Entry.TimeUnixMs} is {ahead.TotalSeconds:F0} s ahead of this node's clock (at most {skew.TotalSeconds:F0} s allowed)");
            }
        }
        return decoded;
    }

    /// <inheritdoc/>
    public void CheckInOrder(DecodedLeaf leaf, ulong index)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        var next = _batch.NextIndex ?? _committed.NextIndex;
        if (index < next)
        {
            throw new InvalidOperationException($"entry index {index} is below the next index {next} of {_origin}'s derived state: the log and its state disagree");
        }
        if (_signerInBatch.TryGetValue(leaf, out _)) VerifySignerInBatch(leaf);
        // Effects are collected apart and staged only when every check passed: a refused entry stages nothing.
        _effects.Clear();
        _effectKeys.Clear();
        var context = new EntryContext(leaf, index);
        Check(context);
        _batch.Add(context, _effects, _effectKeys);
        _effects.Clear();
        _effectKeys.Clear();
    }

    /// <inheritdoc/>
    public void Write(StoreBatch batch, LogStaging staging)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (_batch.NextIndex is not { } next) return;
        foreach (var (key, record) in _batch.Rows) _store.State.Put(batch, key, StateKeys.Encode(record));
        _store.State.Put(batch, StateKeys.Meta, StateKeys.Encode(new StateMeta { Origin = _origin, NextIndex = next }));
    }

    /// <summary>The staged rows, encoded as <see cref="Write"/> writes them (for tests of what a batch would write).</summary>
    internal List<(string Key, byte[] Value)> StagedRows()
    {
        var rows = new List<(string, byte[])>();
        foreach (var (key, record) in _batch.Rows) rows.Add((key, StateKeys.Encode(record)));
        return rows;
    }

    /// <inheritdoc/>
    public void Committed(LogStaging staging)
    {
        if (_batch.NextIndex is not { } next) return;
        var committed = _committed;
        var issuers = committed.Issuers;
        foreach (var (_, record) in _batch.Rows)
        {
            if (record is IssuerRecord issuer) issuers = issuers.SetItem(issuer.IssuerId, issuer);
        }
        var keys = committed.Keys;
        foreach (var (id, key) in _batch.Keys) keys = keys.SetItem(id, key);
        _committed = new CommittedIssuers(issuers, keys, next);
        _batch.Clear();
    }

    /// <inheritdoc/>
    public void Discard() => _batch.Clear();

    /// <inheritdoc/>
    public void Discarded() => _batch.Clear();

    private void Check(EntryContext context)
    {
        var entry = context.Entry;
        if (!string.Equals(entry.Origin, _origin, StringComparison.Ordinal))
        {
            throw Reject.InvalidArgument($"entry origin '{entry.Origin}' is not this log ('{_origin}')");
        }
        var issuer = Authorize(context);
        CheckReferences(context);
        var kind = EntryKinds.Find(entry.Kind) ?? throw Reject.InvalidArgument($"kind: '{entry.Kind}' is not a known entry kind");
        // License ids have a form no other kind may use (EntryValidator), so only the kinds with free ids need the row.
        if (StatusMapRecords.RecordKindOf(entry.Kind) is { } recordKind && recordKind != StatusMapRecords.License) CheckRecordKind(entry.RecordId, recordKind);
        Handlers[kind](this, context, issuer);
    }

    /// <summary>
    /// One record id names one record in a log: the status map is keyed by record id alone, so a share under a seal's id
    /// (say) would stand as the seal's latest state, and a bundle without the seal's revocation would prove "valid".
    /// </summary>
    private void CheckRecordKind(string recordId, string kind)
    {
        var key = StateKeys.RecordKind(recordId);
        if (ReadRow<RecordKindRow>(key) is { } named)
        {
            if (!string.Equals(named.Kind, kind, StringComparison.Ordinal))
                throw Reject.FailedPrecondition($"recordId: '{recordId}' is already taken in this log by a record of kind '{named.Kind}', not '{kind}': a record id names one record (its state in the status map)");
            return;
        }
        Stage(key, new RecordKindRow { Kind = kind });
    }

    private delegate void KindHandler(LogStateMachine machine, EntryContext context, IssuerRecord? issuer);

    /// <summary>The ledger rule of each entry kind of the standard (every kind has one: a test checks it).</summary>
    private static readonly Dictionary<EntryKind, KindHandler> Handlers = new()
    {
        [EntryKinds.Of<IssuerRegistered>()] = (m, c, _) => m.RegisterIssuer(c),
        [EntryKinds.Of<IssuerRevoked>()] = (m, c, _) => m.RevokeIssuer(c),
        [EntryKinds.Of<IssuerSucceeded>()] = (m, c, _) => m.SucceedIssuer(c),
        [EntryKinds.Of<LicenseIssued>()] = (m, c, i) => m.IssueLicense(c, i!),
        [EntryKinds.Of<LicenseChanged>()] = (m, c, i) => m.ChangeLicense(c, i!),
        [EntryKinds.Of<LicenseStatusChanged>()] = (m, c, i) => m.ChangeLicenseStatus(c, i),
        [EntryKinds.Of<LicenseTransferred>()] = (m, c, i) => m.TransferLicense(c, i!),
        [EntryKinds.Of<LicenseTransferAccepted>()] = (m, c, i) => m.AcceptTransfer(c, i!),
        [EntryKinds.Of<LicenseUsed>()] = (m, c, _) => m.UseLicense(c),
        [EntryKinds.Of<SealRegistered>()] = (m, c, i) => m.RegisterSeal(c, i!),
        [EntryKinds.Of<SealRevoked>()] = (m, c, i) => m.RevokeSeal(c, i!),
        [EntryKinds.Of<SealUsed>()] = (m, c, i) => m.UseSeal(c, i!),
        [EntryKinds.Of<DataShared>()] = (m, c, i) => m.Share(c, i!),
        [EntryKinds.Of<DataReceived>()] = (m, c, i) => m.Receipt(c, i!),
        [EntryKinds.Of<CatalogResourcePublished>()] = (m, c, i) => m.PublishCatalog(c, i!),
        [EntryKinds.Of<ShareDecided>()] = (m, c, i) => m.DecideShare(c, i!),
    };

    /// <summary>Whether the ledger has a rule for <paramref name="kind"/>.</summary>
    internal static bool Handles(EntryKind kind) => Handlers.ContainsKey(kind);

    private void Stage(string key, object record) => _effects.Add((key, record));

    private static T Body<T>(EntryContext context) where T : class
    {
        // Decoded once by CheckStateless (same bytes, same canonical codec); decoded here only if it was not.
        if (context.Leaf.Body is T decoded) return decoded;
        if (!CanonicalCodec.TryDecode<T>(context.Entry.Body, out var body, out var error)) throw Reject.InvalidArgument($"body: {error}");
        return body!;
    }

    /// <summary>The signature <see cref="CheckStatelessSignerInBatch"/> left unchecked, under a key staged in this batch or committed since.</summary>
    private void VerifySignerInBatch(DecodedLeaf leaf)
    {
        var id = KeyId.FromBytes(leaf.Signed.SignerKeyId);
        var key = _batch.Keys.TryGetValue(id, out var staged) ? staged.Key : ResolveKey(id);
        if (key is null) throw SignatureCheck.UnknownSigner(id);
        if (!SignedEntryVerifier.Verify(leaf.Signed, key, out var error)) throw Reject.PermissionDenied(error!);
    }

    private PublicKey? ResolveKey(KeyId id) =>
        _rootKeys.Find(id) is { } root ? root
        : _committed.Keys.TryGetValue(id, out var registered) ? registered.Key
        : null;

    /// <summary>A state row as of the current batch: staged, else stored.</summary>
    private T? ReadRow<T>(string key) where T : class
    {
        if (_batch.TryGetRow<T>(key, out var staged)) return staged;
        var stored = _store.State.Get(key);
        return stored is null ? null : StateKeys.Decode<T>(key, stored);
    }

    /// <summary>An issuer as of the current batch. Never change the returned record: clone it.</summary>
    private IssuerRecord? ReadIssuer(string issuerId)
    {
        if (_batch.TryGetRow<IssuerRecord>(StateKeys.Issuer(issuerId), out var staged)) return staged;
        return _committed.Issuers.GetValueOrDefault(issuerId);
    }

    /// <summary>The issuer a key is registered to as of the current batch, or null.</summary>
    private string? KeyOwner(KeyId id)
    {
        if (_batch.Keys.TryGetValue(id, out var staged)) return staged.IssuerId;
        return _committed.Keys.TryGetValue(id, out var registered) ? registered.IssuerId : null;
    }

    private CommittedIssuers Load()
    {
        var next = 0UL;
        if (_store.State.Get(StateKeys.Meta) is { } metaBytes)
        {
            var meta = StateKeys.Decode<StateMeta>(StateKeys.Meta, metaBytes);
            if (!string.Equals(meta.Origin, _origin, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"the store holds the derived state of '{meta.Origin}', not of '{_origin}'");
            }
            next = meta.NextIndex;
        }
        var issuers = ImmutableDictionary.CreateBuilder<string, IssuerRecord>(StringComparer.Ordinal);
        var keys = ImmutableDictionary.CreateBuilder<KeyId, RegisteredKey>();
        foreach (var (key, value) in _store.State.Scan(StateKeys.IssuerPrefix))
        {
            var issuer = StateKeys.Decode<IssuerRecord>(key, value);
            PublicKey publicKey;
            try
            {
                publicKey = PublicKey.FromSubjectPublicKeyInfo(issuer.Registration.PublicKey);
            }
            catch (FormatException ex)
            {
                throw new InvalidDataException($"derived-state row '{key}' holds a key that does not parse: {ex.Message}", ex);
            }
            issuers[issuer.IssuerId] = issuer;
            keys[publicKey.Id] = new RegisteredKey(publicKey, issuer.IssuerId);
        }
        return new CommittedIssuers(issuers.ToImmutable(), keys.ToImmutable(), next);
    }

    /// <summary>The durable issuers and keys, replaced as a whole when a batch is durable.</summary>
    private sealed record CommittedIssuers(
        ImmutableDictionary<string, IssuerRecord> Issuers,
        ImmutableDictionary<KeyId, RegisteredKey> Keys,
        ulong NextIndex);
}
