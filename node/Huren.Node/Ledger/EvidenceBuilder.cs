using Huren.Node.Logs;
using Huren.Sdk.Evidence;

namespace Huren.Node.Ledger;

/// <summary>
/// Assembles <c>huren-evidence/v1</c> bundles: the entries a verdict rests on (issue, latest status change, transfer,
/// the issuer's registration and revocation), each with its inclusion proof to one signed checkpoint of its log.
/// </summary>
public sealed class EvidenceBuilder(string networkId, TimeProvider time)
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
        var bundle = new EvidenceBundle
        {
            Network = networkId,
            Subject = license.LicenseId,
            CreatedAt = time.GetUtcNow(),
            Verdict = new BundleVerdict { Status = verdict, Reason = reason, AsOf = new BundleCheckpointRef { Origin = log.Origin, Size = checkpoint.Size } },
        };
        Add(bundle, log, checkpoint, state, license);
        if (source is var (sourceLog, sourceState, sourceLicense) && sourceLog.Store.GetLatestCheckpoint() is { } sourceCheckpoint)
        {
            Add(bundle, sourceLog, sourceCheckpoint, sourceState, sourceLicense);
        }
        return bundle;
    }

    private static void Add(EvidenceBundle bundle, MerkleLog log, (ulong Size, byte[] Note) checkpoint, LogStateMachine state, LicenseRecord license)
    {
        bundle.Checkpoints[log.Origin] = System.Text.Encoding.UTF8.GetString(checkpoint.Note);
        var indexes = new SortedSet<ulong>();
        foreach (var index in license.EntryIndexes) indexes.Add(index);
        if (state.TryGetIssuer(license.IssuerId, out var issuer))
        {
            indexes.Add(issuer.RegisteredIndex);
            if (issuer.Revoked) indexes.Add(issuer.RevokedIndex);
        }
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
