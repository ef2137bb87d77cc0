using Huren.Sdk.Entries;

namespace Huren.Node.Logs;

/// <summary>
/// Decides whether an entry may enter the log. Split in two so that the expensive part (signature checks) runs in
/// parallel on the submitters' threads and only the cheap, order-dependent part runs on the writer thread.
/// </summary>
public interface IEntryAdmission
{
    /// <summary>
    /// Stateless checks on the submitter's thread: canonical encoding, schema, signature by a known key.
    /// Throws <see cref="AdmissionException"/>.
    /// </summary>
    DecodedLeaf CheckStateless(byte[] leaf);

    /// <summary>
    /// Order-dependent checks on the writer thread (issuer still registered, record owned, status transition possible)
    /// against the log plus the entries staged earlier in the same batch; on success the entry's effect is staged.
    /// Throws <see cref="AdmissionException"/> and stages nothing; any other exception fails the whole batch.
    /// </summary>
    void CheckInOrder(DecodedLeaf leaf, ulong index);

    /// <summary>The batch was not written: forget what <see cref="CheckInOrder"/> staged.</summary>
    void Discard();
}
