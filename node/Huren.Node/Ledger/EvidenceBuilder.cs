using Huren.Node.Logs;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Notes;
using Huren.Sdk.StatusMap;

namespace Huren.Node.Ledger;

/// <summary>
/// Assembles <c>huren-evidence/v1</c> bundles: the entries a verdict rests on (a license's lifecycle, a seal's
/// registration, revocation and recorded use, the registrations and revocations of the issuers that wrote them, and for
/// a license a successor answers for, the successions and the successors' registrations), each with its inclusion proof
/// to one signed checkpoint of its log, and, where the node anchors, the anchor proofs of those checkpoints.
/// </summary>
public sealed class EvidenceBuilder(string networkId, TimeProvider time, Anchoring.AnchorProofs? anchors = null, Func<int>? configVersion = null)
{
    /// <summary>
    /// A bundle about <paramref name="license"/> in <paramref name="log"/>, as of its latest checkpoint. A license
    /// transferred in from another city carries the transferring log's entries too (<paramref name="source"/>: its issue,
    /// changes and the transfer the accept references), so the verdict can be recomputed across both logs.
    /// </summary>
    public EvidenceBundle ForLicense(MerkleLog log, LogStateMachine state, LicenseRecord license, string verdict, string reason,
        (MerkleLog Log, LogStateMachine State, LicenseRecord License)? source = null)
    {
        var checkpoint = log.Store.GetLatestCheckpoint() ?? throw new InvalidOperationException($"log {log.Origin} has no checkpoint yet");
        var bundle = New(license.LicenseId, verdict, reason, log.Origin, checkpoint.Size);
        Add(bundle, log, checkpoint, state, license);
        if (source is var (sourceLog, sourceState, sourceLicense) && sourceLog.Store.GetLatestCheckpoint() is { } sourceCheckpoint)
        {
            Add(bundle, sourceLog, sourceCheckpoint, sourceState, sourceLicense);
        }
        anchors?.Attach(bundle);
        return bundle;
    }

    /// <summary>
    /// A bundle about <paramref name="seal"/> as of <paramref name="checkpoint"/> of its log: its registration and
    /// revocation, the <c>seal.use</c> that recorded the signature judged (<paramref name="use"/>, if any), and the
    /// registrations (and revocations) of the issuers that wrote them.
    /// </summary>
    public EvidenceBundle ForSeal(MerkleLog log, (ulong Size, byte[] Note) checkpoint, LogStateMachine state, SealRecord seal, SealUseRecord? use, string verdict, string reason)
    {
        var bundle = New(seal.SealId, verdict, reason, log.Origin, checkpoint.Size);
        var indexes = new List<ulong> { seal.RegisteredIndex };
        if (seal.Revoked) indexes.Add(seal.RevokedIndex);
        if (use is not null) indexes.Add(use.Index);
        Add(bundle, log, checkpoint, state, indexes, use is null ? [seal.IssuerId] : [seal.IssuerId, use.IssuerId]);
        anchors?.Attach(bundle);
        return bundle;
    }

    private EvidenceBundle New(string subject, string verdict, string reason, string origin, ulong size) => new()
    {
        Network = networkId,
        Subject = subject,
        CreatedAt = time.GetUtcNow(),
        Verdict = new BundleVerdict { Status = verdict, Reason = reason, AsOf = new BundleCheckpointRef { Origin = origin, Size = size } },
        // The version in force names every key its checkpoints may be signed with (key rotation).
        ConfigVersion = configVersion?.Invoke() ?? 0,
    };

    private static void Add(EvidenceBundle bundle, MerkleLog log, (ulong Size, byte[] Note) checkpoint, LogStateMachine state, LicenseRecord license)
    {
        var entries = new List<ulong>(license.EntryIndexes);
        var issuers = new List<string> { license.IssuerId };
        // A successor acts for the license: the successions that lead to it, and each successor's registration.
        foreach (var succession in state.SuccessionChainOf(license))
        {
            entries.Add(succession.Index);
            issuers.Add(succession.SuccessorId);
        }
        Add(bundle, log, checkpoint, state, entries, issuers);
    }

    /// <summary>
    /// When the checkpoint carries a status-map line: for every record whose state the bundle's entries of this log set,
    /// the map proof of its latest state as of the checkpoint into <c>statusProofs</c>, and that latest entry into
    /// <paramref name="indexes"/> if it was not there (a verifier refuses a bundle whose entries end in another state).
    /// </summary>
    private static void AddStatusProofs(EvidenceBundle bundle, MerkleLog log, (ulong Size, byte[] Note) checkpoint, SortedSet<ulong> indexes)
    {
        var parsed = Checkpoint.FromNote(SignedNote.Parse(System.Text.Encoding.UTF8.GetString(checkpoint.Note)), log.Origin);
        if (!parsed.Extensions.Any(StatusMapLine.IsStatusMapLine)) return;
        var records = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var index in indexes)
        {
            var entry = LeafReader.Read(log.GetLeaf(index)!).Entry;
            if (StatusMapRecords.SetsState(entry.Kind)) records.Add(entry.RecordId);
        }
        var root = log.StatusMap.RootFor(checkpoint.Size);
        foreach (var recordId in records)
        {
            if (!log.StatusMap.Tree.TryProve(checkpoint.Size, StatusMapKey.ForRecord(recordId), out var value, out var proof, out var error))
                throw new InvalidOperationException($"the status map of {log.Origin} cannot prove '{recordId}' at size {checkpoint.Size}: {error}");
            if (value is { } latest && log.TryFindLeaf(latest.AsSpan(), out var latestIndex)) indexes.Add(latestIndex);
            bundle.StatusProofs.Add(BundleStatusProof.Create(log.Origin, checkpoint.Size, recordId, root, value, proof).ToJsonElement());
        }
    }

    /// <summary>Adds <paramref name="entries"/> of <paramref name="log"/> and the registrations (and revocations) of <paramref name="issuers"/>, proven to <paramref name="checkpoint"/>.</summary>
    private static void Add(EvidenceBundle bundle, MerkleLog log, (ulong Size, byte[] Note) checkpoint, LogStateMachine state, IEnumerable<ulong> entries, IEnumerable<string> issuers)
    {
        bundle.Checkpoints[log.Origin] = System.Text.Encoding.UTF8.GetString(checkpoint.Note);
        var indexes = new SortedSet<ulong>(entries);
        foreach (var issuerId in issuers)
        {
            if (!state.TryGetIssuer(issuerId, out var issuer)) continue;
            indexes.Add(issuer.RegisteredIndex);
            if (issuer.Revoked) indexes.Add(issuer.RevokedIndex);
        }
        indexes.RemoveWhere(index => index >= checkpoint.Size);
        AddStatusProofs(bundle, log, checkpoint, indexes);
        foreach (var index in indexes)
        {
            // Entries after the checkpoint cannot be proven against it; the verdict is as of the checkpoint.
            if (index >= checkpoint.Size) continue;
            bundle.Entries.Add(new BundleEntry
            {
                Origin = log.Origin,
                Index = index,
                Leaf = Convert.ToBase64String(log.GetLeaf(index)!),
                TreeSize = checkpoint.Size,
                InclusionProof = log.InclusionProof(index, checkpoint.Size).ConvertAll(Convert.ToBase64String),
            });
        }
    }
}
