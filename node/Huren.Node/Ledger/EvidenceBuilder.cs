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
/// to one signed checkpoint of its log, and, where the node anchors, the anchor proofs of those checkpoints, and the RFC 3161
/// time-stamps it keeps of exactly those checkpoints.
/// </summary>
public sealed class EvidenceBuilder(string networkId, TimeProvider time, Anchoring.AnchorProofs? anchors = null, Anchoring.TimestampStore? timestamps = null, Func<int>? configVersion = null)
{
    /// <summary>The clock that dates bundles (<c>createdAt</c>): a verdict stated "as of the bundle's day" is read from it.</summary>
    public TimeProvider Time => time;

    /// <summary>
    /// A bundle about <paramref name="license"/> in <paramref name="log"/>, as of its latest checkpoint. A license
    /// transferred in carries its history hop by hop (<paramref name="sources"/>: the license's record in each log it
    /// passed through, the releasing log of the last hop first): each log's issue or accept, changes and transfer, so
    /// the verdict can be recomputed across every log. A log met twice (a license back in a city it left) gets one
    /// checkpoint and the entries of both its records.
    /// </summary>
    public EvidenceBundle ForLicense(MerkleLog log, LogStateMachine state, LicenseRecord license, string verdict, string reason,
        IReadOnlyList<(MerkleLog Log, LogStateMachine State, LicenseRecord License)>? sources = null)
    {
        var checkpoint = log.Store.GetLatestCheckpoint() ?? throw new InvalidOperationException($"log {log.Origin} has no checkpoint yet");
        var bundle = New(license.LicenseId, verdict, reason, log.Origin, checkpoint.Size);
        // Per log, in the order first met: its checkpoint, state, and the entries and issuers of its records.
        var parts = new List<(MerkleLog Log, (ulong Size, byte[] Note) Checkpoint, LogStateMachine State, List<ulong> Entries, List<string> Issuers)>();
        void Collect(MerkleLog partLog, (ulong Size, byte[] Note) partCheckpoint, LogStateMachine partState, LicenseRecord record)
        {
            var index = parts.FindIndex(p => p.Log.Origin == partLog.Origin);
            if (index < 0)
            {
                parts.Add((partLog, partCheckpoint, partState, [], []));
                index = parts.Count - 1;
            }
            Gather(parts[index].State, record, parts[index].Entries, parts[index].Issuers);
        }
        Collect(log, checkpoint, state, license);
        foreach (var (sourceLog, sourceState, sourceLicense) in sources ?? [])
        {
            var known = parts.Find(p => p.Log.Origin == sourceLog.Origin);
            if (known.Log is not null) Collect(sourceLog, known.Checkpoint, sourceState, sourceLicense);
            else if (sourceLog.Store.GetLatestCheckpoint() is { } sourceCheckpoint) Collect(sourceLog, sourceCheckpoint, sourceState, sourceLicense);
        }
        foreach (var part in parts) Add(bundle, part.Log, part.Checkpoint, part.State, part.Entries, part.Issuers);
        anchors?.Attach(bundle);
        timestamps?.Attach(bundle);
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
        timestamps?.Attach(bundle);
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

    /// <summary>A license record's entries and issuer, and the successions (and successors) that answer for it.</summary>
    private static void Gather(LogStateMachine state, LicenseRecord license, List<ulong> entries, List<string> issuers)
    {
        entries.AddRange(license.EntryIndexes);
        issuers.Add(license.IssuerId);
        // A successor acts for the license: the successions that lead to it, and each successor's registration.
        foreach (var succession in state.SuccessionChainOf(license))
        {
            entries.Add(succession.Index);
            issuers.Add(succession.SuccessorId);
        }
    }

    /// <summary>
    /// When the checkpoint carries a status-map line: for the subject and every record whose state the bundle's entries
    /// of this log set, the map proof of its latest state as of the checkpoint into <c>statusProofs</c>, and that latest entry into
    /// <paramref name="indexes"/> if it was not there (a verifier refuses a bundle whose entries end in another state).
    /// </summary>
    private static void AddStatusProofs(EvidenceBundle bundle, MerkleLog log, (ulong Size, byte[] Note) checkpoint, SortedSet<ulong> indexes)
    {
        var parsed = Checkpoint.FromNote(SignedNote.Parse(System.Text.Encoding.UTF8.GetString(checkpoint.Note)), log.Origin);
        if (!parsed.Extensions.Any(StatusMapLine.IsStatusMapLine)) return;
        // The subject's own state too, also where no entry of this log names it (a license accepted under a new id).
        var records = new SortedSet<string>(StringComparer.Ordinal);
        if (bundle.Subject.Length > 0) records.Add(bundle.Subject);
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
