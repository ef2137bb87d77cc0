using Huren.Node.Storage;
using Huren.Sdk.Entries;

namespace Huren.Node.Logs;

/// <summary>
/// Something that keeps state derived from a log and must change in the same atomic write as the log's entries: the
/// ledger's state rows, a checkpoint, later the status map. <see cref="LogAppender"/> calls every participant on the
/// writer thread, in this order, once per batch: <see cref="Stage"/> for each admitted entry, <see cref="Write"/> to
/// add rows to the batch, then <see cref="Committed"/> after the synced write, or <see cref="Discarded"/> when the
/// batch was refused or failed (its rows were never written).
/// </summary>
public interface IBatchParticipant
{
    /// <summary>An admitted entry got <paramref name="index"/> in the batch being staged.</summary>
    void Stage(DecodedLeaf leaf, ulong index)
    {
    }

    /// <summary>Adds this participant's rows for the staged batch to <paramref name="batch"/>. May throw: the batch then fails.</summary>
    void Write(StoreBatch batch, LogStaging staging);

    /// <summary>The batch is durable: make the staged effects current. Must be quick and must not do I/O.</summary>
    void Committed(LogStaging staging);

    /// <summary>The batch was not written: forget what was staged (durable state is the truth).</summary>
    void Discarded();
}

/// <summary>
/// A participant's refusal of a whole batch for what it holds, not for a fault (a mirror whose recomputed root differs
/// from the origin's signed checkpoint): the batch is discarded, but it does not count as a storage fault.
/// </summary>
public sealed class BatchRefusedException(string message) : Exception(message);

/// <summary>
/// A batch could not be made durable (a failed write or read, a damaged row): nothing of it was written, the caller
/// may retry. Maps to gRPC UNAVAILABLE.
/// </summary>
public sealed class AppendFailedException(string message, Exception? inner = null) : IOException(message, inner);
