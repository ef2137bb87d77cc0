using Huren.Node.Storage;

namespace Huren.Node.Log;

/// <summary>
/// Decides when a checkpoint is signed and signs it: with a batch (in the batch's own atomic write, so no checkpoint
/// ever names a size that is not durable) when the last one is old enough, else later by <see cref="SignLatestIfBehind"/>.
/// </summary>
public sealed class CheckpointWriter(Func<ulong, byte[], byte[]> signNote, TimeSpan interval, TimeProvider time)
{
    private DateTimeOffset _lastSigned = DateTimeOffset.MinValue;
    private ulong _lastSize;
    private readonly Lock _lock = new();

    /// <summary>Raised with (size, note) after a checkpoint is durable.</summary>
    public event Action<ulong, byte[]>? Signed;

    /// <summary>Adds a checkpoint for the staged size to the commit when one is due.</summary>
    public void AttachIfDue(LogStaging staging, LogCommit commit)
    {
        lock (_lock)
        {
            if (time.GetUtcNow() - _lastSigned < interval) return;
            commit.Checkpoint = (staging.Size, signNote(staging.Size, staging.Root()));
        }
    }

    /// <summary>Called after a commit that carried a checkpoint.</summary>
    public void Published(LogCommit commit)
    {
        if (commit.Checkpoint is not { } cp) return;
        lock (_lock)
        {
            _lastSigned = time.GetUtcNow();
            _lastSize = cp.Size;
        }
        Signed?.Invoke(cp.Size, cp.Note);
    }

    /// <summary>Signs the durable head of <paramref name="log"/> when no checkpoint covers it yet.</summary>
    public void SignLatestIfBehind(MerkleLog log)
    {
        byte[] note;
        ulong size;
        lock (_lock)
        {
            size = log.Size;
            if (size == _lastSize && _lastSigned != DateTimeOffset.MinValue) return;
            if (log.Store.GetLatestCheckpoint() is { } latest && latest.Size == size)
            {
                // Already signed before a restart: keep that note (and any cosignatures it gathered).
                _lastSize = size;
                _lastSigned = time.GetUtcNow();
                return;
            }
            note = signNote(size, log.RootAt(size));
            log.Store.PutCheckpoint(size, note);
            _lastSigned = time.GetUtcNow();
            _lastSize = size;
        }
        Signed?.Invoke(size, note);
    }
}
