using Huren.Node.Network;
using Huren.Node.Services;
using System.Numerics;
using Huren.Sdk.Crypto;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.StatusMap;

namespace Huren.Node.Witness;

/// <summary>
/// This node as witness of the other members' logs (c2sp.org/tlog-witness with the rules of checkpoints.md, "Witness
/// rule" and "Witness answers"): it cosigns a checkpoint only when it is consistent with the last one it cosigned for
/// that origin, persists the new checkpoint (compare-and-swap on the stored size) before it answers, and keeps two
/// validly signed checkpoints that cannot both be right as equivocation evidence, after which it refuses the origin
/// until an operator clears it. Thread-safe; the gRPC <see cref="WitnessService"/> is a thin wrapper.
/// </summary>
public sealed partial class Witness
{
    /// <summary>The most consistency proof hashes a request may carry (tlog-witness: at most 63 lines).</summary>
    public const int MaxProofHashes = 63;

    private readonly WitnessState _state;
    private readonly NetworkView _network;
    private readonly string _ownOrigin;
    private readonly NoteSignerKey _signer;
    private readonly TimeProvider _time;
    private readonly WitnessMetrics _metrics;
    private readonly ILogger _logger;
    private readonly IMirroredLogs? _mirrors;

    /// <summary>How long a checkpoint offer waits for this node's mirror to integrate the checkpoint's size.</summary>
    public static readonly TimeSpan MirrorWait = TimeSpan.FromSeconds(3);

    /// <summary>A witness over <paramref name="state"/>.</summary>
    /// <param name="state">Its durable state.</param>
    /// <param name="network">The network configuration in force: the origins it witnesses and their log keys.</param>
    /// <param name="ownOrigin">This node's origin, which it never witnesses; its key name is <c>&lt;ownOrigin&gt;/witness</c>.</param>
    /// <param name="witnessKey">The node's Ed25519 witness key.</param>
    /// <param name="time">The clock of the cosignature timestamps.</param>
    /// <param name="metrics">Where equivocations and cosignatures are counted.</param>
    /// <param name="logger">Where alarms go.</param>
    /// <param name="mirrors">
    /// The logs this node's mirrors hold; when given, a checkpoint is cosigned only once the mirror holds its size with
    /// the same root, and one with a status-map line once it recomputed the same map root (see <see cref="AddCheckpointAsync"/>).
    /// </param>
    public Witness(WitnessState state, NetworkView network, string ownOrigin, SigningKey witnessKey, TimeProvider time, WitnessMetrics metrics, ILogger<Witness> logger,
        IMirroredLogs? mirrors = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrEmpty(ownOrigin);
        ArgumentNullException.ThrowIfNull(witnessKey);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        _state = state;
        _network = network;
        _ownOrigin = ownOrigin;
        _signer = NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(ownOrigin), witnessKey);
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _mirrors = mirrors;
    }

    /// <summary>The witness's key name, <c>&lt;origin&gt;/witness</c>.</summary>
    public string Name => _signer.Name;

    /// <summary>The witness's verifier key (type 0x04), as the network configuration publishes it.</summary>
    public NoteVerifierKey VerifierKey => _signer.VerifierKey;

    /// <summary>The durable state (cosigned checkpoints, evidence, quarantines).</summary>
    public WitnessState State => _state;

    /// <summary>
    /// <see cref="AddCheckpoint"/>, after waiting (at most <see cref="MirrorWait"/>) for this node's mirror of the
    /// origin to integrate the checkpoint's size: the witness then vouches for what its mirror checked. It refuses
    /// (FAILED_PRECONDITION) a size its mirror has not reached, and a status-map root it did not recompute; it records a
    /// tree root other than its mirror's at that size (the origin showed the mirrors one tree and the witnesses another),
    /// or a map root recomputed otherwise, as misbehaviour of the origin, like an equivocation. The note's origin and
    /// signatures are checked before the wait, so only a checkpoint its origin signed can hold a call open.
    /// </summary>
    public async Task<WitnessResult> AddCheckpointAsync(ulong oldSize, IReadOnlyList<byte[]> proof, string note, CancellationToken cancellationToken)
    {
        var offer = Check(note);
        MirroredRoots? mirrored = null;
        if (_mirrors is not null)
        {
            mirrored = await _mirrors.RootsAtAsync(offer.Checkpoint.Origin, offer.Checkpoint.Size, MirrorWait, cancellationToken).ConfigureAwait(false);
            // Checked again at the time of cosigning (a key may retire during the wait); the verifier remembers the
            // signatures it has checked, so this costs no second signature check.
            offer = Check(note);
        }
        return Offer(oldSize, proof, offer, mirrored);
    }

    /// <summary>
    /// Offers a checkpoint for cosigning (tlog-witness add-checkpoint). The checks run in the order of the specification:
    /// origin, signatures, sizes, then consistency with what this witness last cosigned.
    /// </summary>
    /// <param name="oldSize">The size the caller believes this witness last cosigned for the origin (0 for none).</param>
    /// <param name="proof">The RFC 9162 consistency proof from <paramref name="oldSize"/> to the checkpoint's size.</param>
    /// <param name="note">The signed checkpoint note.</param>
    /// <returns>The cosignature, already persisted; or a conflict carrying the size this witness holds.</returns>
    /// <exception cref="WitnessException">Refused; <see cref="WitnessException.Failure"/> says how, the message why.</exception>
    public WitnessResult AddCheckpoint(ulong oldSize, IReadOnlyList<byte[]> proof, string note) => Offer(oldSize, proof, Check(note), null);

    /// <summary>A note whose origin is a member this node witnesses and whose signatures verified.</summary>
    private readonly record struct CheckedNote(SignedNote Signed, Checkpoint Checkpoint, NoteVerification Signatures);

    /// <summary>The checks of the specification that need no state: the note's form, its origin, its signatures.</summary>
    private CheckedNote Check(string note)
    {
        if (!SignedNote.TryParse(note, out var signed, out var error)) throw Fail(WitnessFailure.InvalidRequest, $"the note is malformed: {error}");
        var origin = signed.Text[..signed.Text.IndexOf('\n', StringComparison.Ordinal)];

        // Unknown origin → NOT_FOUND (this node's own log included: a member does not witness itself).
        var member = MemberFor(origin);
        if (!Checkpoint.TryParse(signed.Text, origin, out var checkpoint, out error)) throw Fail(WitnessFailure.InvalidRequest, error);

        // The network's one rule for the origin's checkpoints: its log line required, its SM2 line when the configuration
        // lists that key, and every line of a key the configuration gives (cosignatures included) must verify.
        // A checkpoint signed with a retired key is cosigned only up to the key's end (key rotation).
        var verified = member.VerifyCheckpoint(signed, _time.GetUtcNow());
        if (!verified.IsValid) throw Fail(WitnessFailure.BadSignature, $"checkpoint of {origin} refused: {verified.Failure}");
        return new CheckedNote(signed, checkpoint, verified.Signatures);
    }

    private WitnessResult Offer(ulong oldSize, IReadOnlyList<byte[]> proof, CheckedNote offer, MirroredRoots? mirrored)
    {
        ArgumentNullException.ThrowIfNull(proof);
        var (signed, checkpoint, signatures) = offer;
        var origin = checkpoint.Origin;
        string? error;
        // What is kept (cosigned state, evidence) carries only the origin's verified lines: a line the caller added under
        // another key's name could otherwise make the kept note fail for whoever knows that key.
        var kept = SignedNote.Create(signed.Text, signatures.Verified
            .Where(v => string.Equals(v.Key.Name, origin, StringComparison.Ordinal)).Select(v => v.Signature)).ToString();

        if (proof.Count > MaxProofHashes) throw Fail(WitnessFailure.InvalidRequest, $"the consistency proof has {proof.Count} hashes; at most {MaxProofHashes} are allowed");
        for (var i = 0; i < proof.Count; i++)
        {
            if (proof[i] is null) throw Fail(WitnessFailure.InvalidRequest, $"consistency proof hash {i} is missing");
        }
        var root = new Hash256(checkpoint.RootHash);
        Hash256? mapRoot = null;
        if (checkpoint.Extensions.Any(StatusMapLine.IsStatusMapLine))
        {
            if (!StatusMapLine.TryFind(checkpoint, out var line, out error)) throw Fail(WitnessFailure.InvalidRequest, error);
            mapRoot = line;
        }
        if (checkpoint.Size == 0 && root != MerkleHash.EmptyRoot)
            throw Fail(WitnessFailure.Inconsistent, $"a checkpoint of size 0 has the empty tree's root {MerkleHash.EmptyRoot}, not {root}");

        // Read, check, then compare-and-swap the stored size; on a lost race the checks run again on the new state.
        while (true)
        {
            if (_state.GetQuarantine(origin) is not null) throw Quarantined(origin);
            var known = _state.GetCosigned(origin);
            var knownSize = known?.Size ?? 0;
            var knownRoot = known is null ? MerkleHash.EmptyRoot : new Hash256(known.GetRoot());

            // Two validly signed checkpoints of one size with different roots: an equivocation, whatever the old size.
            if (known is not null && checkpoint.Size == knownSize && root != knownRoot)
            {
                throw Equivocation(origin, known, kept,
                    $"{origin} signed two checkpoints of size {knownSize}: root {knownRoot} (cosigned) and root {root}");
            }
            if (oldSize > checkpoint.Size)
                throw Fail(WitnessFailure.InvalidRequest, $"old size {oldSize} is above the checkpoint's size {checkpoint.Size}: a log never shrinks");
            if (oldSize != knownSize) return WitnessResult.Conflict(knownSize);
            if (oldSize == 0 && proof.Count != 0)
                throw Fail(WitnessFailure.Inconsistent, $"the consistency proof from size 0 must be empty; it has {proof.Count} hashes");
            if (!MerkleProofVerifier.TryVerifyConsistency(knownSize, checkpoint.Size, knownRoot.AsSpan(), root.AsSpan(), proof, out error))
            {
                if (ProvenPrefixRoot(knownSize, checkpoint.Size, proof, root) is { } prefix && prefix != knownRoot)
                {
                    throw Equivocation(origin, known!, kept,
                        $"{origin} signed size {checkpoint.Size} with root {root}, whose consistency proof shows its first {knownSize} entries have root {prefix}, not the cosigned {knownRoot}");
                }
                LogBadProof(_logger, origin, knownSize, checkpoint.Size, error);
                throw Fail(WitnessFailure.Inconsistent, $"the consistency proof of {origin} from size {knownSize} to {checkpoint.Size} does not verify: {error}");
            }
            // A map line once given is not dropped: a checkpoint without it proves no record's state, and a final one
            // would let a bundle leave a revocation out with nothing to contradict it. Checked after the equivocation
            // checks, so that a forked checkpoint is still kept as evidence.
            if (mapRoot is null && known is not null && CarriesMapLine(known.Note))
                throw Fail(WitnessFailure.Inconsistent, $"checkpoint of {origin} at size {checkpoint.Size} has no status-map line, but the one this witness cosigned at size {known.Size} had one: a map line once given is not dropped");
            if (mirrored is not null)
            {
                if (mirrored.LogRoot is not { } held)
                    throw Fail(WitnessFailure.Inconsistent, $"this witness cannot vouch for {origin} at size {checkpoint.Size} yet: {mirrored.Missing}");
                if (held != root)
                {
                    // Its mirror stored those entries under another checkpoint the origin signed: two trees, one shown
                    // to the mirrors and one to the witnesses.
                    throw Equivocation(origin, _mirrors!.NoteCovering(origin, checkpoint.Size) ?? known?.Note ?? kept, kept,
                        $"{origin} signed size {checkpoint.Size} with root {root}, but the entries this node's mirror holds under its signed checkpoints give root {held}");
                }
                if (mapRoot is { } claimed)
                {
                    if (mirrored.MapRoot is not { } recomputed)
                        throw Fail(WitnessFailure.Inconsistent, $"this witness cannot vouch for the status map of {origin} at size {checkpoint.Size} yet: {mirrored.Missing}");
                    if (recomputed != claimed)
                    {
                        throw Equivocation(origin, known?.Note ?? kept, kept,
                            $"{origin} signed size {checkpoint.Size} with status map root {claimed}, but the map recomputed from its entries has root {recomputed}");
                    }
                }
            }

            var now = _time.GetUtcNow();
            var cosignature = CosignatureSigner.Sign(signed.Text, _signer, (ulong)now.ToUnixTimeSeconds());
            var next = new CosignedCheckpoint
            {
                Origin = origin,
                Size = checkpoint.Size,
                Root = root.ToBase64(),
                Note = kept,
                Cosignature = cosignature.ToLine(),
                CosignedUnixMs = now.ToUnixTimeMilliseconds(),
            };
            // Persisted before the answer: a cosignature is never handed out for a state the witness could forget.
            if (_state.TryAdvance(knownSize, next) == AdvanceOutcome.Stored)
            {
                _metrics.Cosigned(origin);
                LogCosigned(_logger, origin, checkpoint.Size);
                return WitnessResult.Cosigned(cosignature, checkpoint);
            }
        }
    }

    private static bool CarriesMapLine(string note)
        => SignedNote.TryParse(note, out var signed, out _) && Checkpoint.TryParse(signed.Text, null, out var checkpoint, out _) && checkpoint.Extensions.Any(StatusMapLine.IsStatusMapLine);

    /// <summary>The recorded equivocations, oldest first; only <paramref name="origin"/>'s when given.</summary>
    public IReadOnlyList<EquivocationRecord> ListEquivocations(string? origin = null) => _state.ListEquivocations(origin);

    /// <summary>The operator's action: accept <paramref name="origin"/> again (see <see cref="WitnessState.ClearQuarantine(string)"/>).</summary>
    public bool ClearQuarantine(string origin) => ClearQuarantine(origin, null, null);

    /// <summary>The operator's action, with the reason and the operator recorded in the quarantine row.</summary>
    public bool ClearQuarantine(string origin, string? reason, string? clearedBy)
    {
        var cleared = _state.ClearQuarantine(origin, reason, clearedBy);
        if (cleared) LogCleared(_logger, origin);
        return cleared;
    }

    /// <summary>
    /// Records a fork of <paramref name="origin"/> that this node's mirror found — a tree or status-map root
    /// (<paramref name="note"/> claims it) that the entries it stored under the origin's other signed checkpoints do not
    /// give — as misbehaviour, like an equivocation: kept as evidence, alarmed, and the origin quarantined. False if the
    /// origin was already quarantined.
    /// </summary>
    public bool RecordFork(string origin, string note, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(origin);
        ArgumentNullException.ThrowIfNull(note);
        var known = _state.GetCosigned(origin);
        return Equivocation(origin, known?.Note ?? note, note, reason).IsEquivocation;
    }

    private WitnessException Equivocation(string origin, CosignedCheckpoint known, string conflictingNote, string reason)
        => Equivocation(origin, known.Note, conflictingNote, reason);

    private WitnessException Equivocation(string origin, string knownNote, string conflictingNote, string reason)
    {
        var record = _state.RecordEquivocation(origin, knownNote, conflictingNote, _time.GetUtcNow().ToUnixTimeMilliseconds(), reason);
        if (record is null) return Quarantined(origin);
        _metrics.Equivocation(origin);
        LogEquivocation(_logger, origin, record.Sequence, reason);
        return new WitnessException(WitnessFailure.Inconsistent,
            $"equivocation: {reason}. Both notes are kept as evidence #{record.Sequence} and {origin} is quarantined; operator action required")
        {
            IsEquivocation = true,
        };
    }

    private static WitnessException Quarantined(string origin)
        => new(WitnessFailure.Inconsistent, $"origin {origin} is quarantined after an equivocation; operator action required");

    private static WitnessException Fail(WitnessFailure failure, string message) => new(failure, message);

    /// <summary>
    /// When a consistency proof from <paramref name="oldSize"/> fails against the cosigned root but does lead to the
    /// signed new root, the old root it leads to is the new tree's real prefix: the log's own signature on the new root
    /// then contradicts its earlier checkpoint (a proof made by the caller alone proves nothing, so a proof that leads
    /// nowhere is just refused). Null when the proof does not establish a prefix root. For an old size that is a power
    /// of two the RFC 9162 proof takes the old root as given, so it can never establish another one.
    /// </summary>
    private static Hash256? ProvenPrefixRoot(ulong oldSize, ulong newSize, IReadOnlyList<byte[]> proof, in Hash256 newRoot)
    {
        if (oldSize == 0 || oldSize >= newSize || BitOperations.IsPow2(oldSize) || proof.Count == 0) return null;
        foreach (var hash in proof)
        {
            if (hash.Length != Hash256.Length) return null;
        }
        // RFC 9162 §2.1.4.2, keeping only the old tree's root: the nodes that are left siblings belong to both trees.
        var fn = oldSize - 1;
        var sn = newSize - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }
        Span<byte> prefix = stackalloc byte[Hash256.Length];
        proof[0].CopyTo(prefix);
        for (var i = 1; i < proof.Count; i++)
        {
            if (sn == 0) return null;
            if ((fn & 1) == 1 || fn == sn)
            {
                MerkleHash.NodeHash(proof[i], prefix, prefix);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            fn >>= 1;
            sn >>= 1;
        }
        var candidate = new Hash256(prefix);
        // The SDK's verifier decides: the proof must be a valid proof from (oldSize, candidate) to (newSize, newRoot).
        return MerkleProofVerifier.VerifyConsistency(oldSize, newSize, candidate.AsSpan(), newRoot.AsSpan(), proof)
            ? candidate
            : null;
    }

    private TrustedMember MemberFor(string origin)
    {
        var config = _network.Current;
        if (config is null || string.Equals(origin, _ownOrigin, StringComparison.Ordinal))
            throw Fail(WitnessFailure.UnknownOrigin, $"this node does not witness origin '{origin}'");
        var member = config.ByOrigin(origin)
            ?? throw Fail(WitnessFailure.UnknownOrigin, $"origin '{origin}' is not a member of network {config.NetworkId} (version {config.Version})");
        return member;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "ALARM: equivocation by {Origin} (evidence #{Sequence}): {Reason}. The origin is quarantined until an operator clears it")]
    private static partial void LogEquivocation(ILogger logger, string origin, long sequence, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a checkpoint of {Origin}: the consistency proof from size {OldSize} to {NewSize} does not verify ({Error})")]
    private static partial void LogBadProof(ILogger logger, string origin, ulong oldSize, ulong newSize, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cosigned {Origin} at size {Size}")]
    private static partial void LogCosigned(ILogger logger, string origin, ulong size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Operator cleared the quarantine of {Origin}; witnessing resumes from the checkpoint last cosigned")]
    private static partial void LogCleared(ILogger logger, string origin);
}
