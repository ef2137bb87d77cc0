using Huren.Node.Logs;
using Huren.Node.Storage;

namespace Huren.Node.Mirrors;

/// <summary>
/// A mirror's participant in each stored run: the run is written only if the root recomputed over it equals the root
/// of the origin's signed checkpoint for that size, and that checkpoint is written with it.
/// </summary>
internal sealed class OriginCheckpoint(MerkleLog log) : IBatchParticipant
{
    private (ulong Size, byte[] Root, byte[] Note)? _expected;

    /// <summary>The origin's verified checkpoint the next run must reach.</summary>
    public void Expect(ulong size, byte[] root, byte[] note) => _expected = (size, root, note);

    public void Write(StoreBatch batch, LogStaging staging)
    {
        if (_expected is not { } cp) throw new InvalidOperationException("a mirrored run needs the origin's checkpoint");
        if (staging.Size != cp.Size || !staging.Root().AsSpan().SequenceEqual(cp.Root))
            throw new BatchRefusedException($"the root recomputed at size {staging.Size} differs from the signed checkpoint");
        log.Store.PutCheckpoint(batch, cp.Size, cp.Note);
    }

    public void Committed(LogStaging staging) => _expected = null;

    public void Discarded() => _expected = null;
}
