using Huren.Sdk.Entries;

namespace Huren.Node.Log;

/// <summary>
/// Decides whether an entry may enter the log. Split in two so that the expensive part (signature checks) runs in
/// parallel on the submitters' threads and only the cheap, order-dependent part runs in the single-writer sequencer.
/// </summary>
public interface IEntryAdmission
{
    /// <summary>
    /// Stateless checks on the submitter's thread: canonical encoding, schema, signature by a known key.
    /// Throws <see cref="AdmissionException"/>.
    /// </summary>
    DecodedLeaf CheckStateless(byte[] leaf);

    /// <summary>
    /// Order-dependent checks in the sequencer (issuer still registered, record owned, status transition possible)
    /// against the log plus the entries staged earlier in the same batch; on success the entry's effect is staged.
    /// Throws <see cref="AdmissionException"/> and stages nothing.
    /// </summary>
    void CheckInOrder(DecodedLeaf leaf, ulong index);

    /// <summary>Adds the staged derived-state rows to the batch's commit (same atomic write as the entries).</summary>
    void WriteStaged(Huren.Node.Storage.LogCommit commit);

    /// <summary>The staged batch is durable: its effects become current.</summary>
    void Committed();

    /// <summary>The staged batch failed to commit: forget its effects.</summary>
    void Discard();
}
