namespace Huren.Node.Logs;

/// <summary>Group-commit settings (section <c>Huren:Sequencer</c>).</summary>
public sealed class SequencerOptions
{
    /// <summary>A batch closes when it holds this many entries…</summary>
    public int MaxBatchSize { get; set; } = 512;

    /// <summary>
    /// …or this long after its first entry arrived, at most: the writer waits only while other submissions are being
    /// checked (they are about to join); with none, the batch is written at once.
    /// </summary>
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>How many submissions may wait for the sequencer before submitters are slowed down.</summary>
    public int QueueCapacity { get; set; } = 16_384;

    /// <summary>
    /// Sign a checkpoint with a batch only when the last one is at least this old (0: with every batch). When batches
    /// were skipped and none carries a checkpoint by one more interval, the checkpoint timer signs the newest durable
    /// size, so an entry waits at most two intervals for its checkpoint. Default 10 ms: under load each checkpoint
    /// costs every member work (two signatures here, a mirror run, a cosignature, synced writes), at hundreds of
    /// batches a second (docs/benchmarks.md).
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// While the last checkpoint awaits the network's threshold of cosignatures, the next is signed once it is final, or
    /// this long after it at the latest (0, or not above <see cref="CheckpointInterval"/>: the interval alone decides).
    /// Default 50 ms: a loaded log then signs about one checkpoint per round of its witnesses instead of one per interval,
    /// and a quiet log, whose checkpoints are final within the interval, waits no longer (docs/benchmarks.md).
    /// </summary>
    public TimeSpan CheckpointFinalWait { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Batches in a row of one log that fail to be written before the node reports itself unhealthy.</summary>
    public int FailedBatchesUnhealthy { get; set; } = 3;

    /// <summary>Names the setting that is out of range, or null when all are valid.</summary>
    public string? Validate()
    {
        if (MaxBatchSize is < 1 or > 100_000) return "Huren:Sequencer:MaxBatchSize must be between 1 and 100000";
        if (MaxBatchDelay < TimeSpan.Zero || MaxBatchDelay > TimeSpan.FromSeconds(1)) return "Huren:Sequencer:MaxBatchDelay must be between 0 and 1 second";
        if (QueueCapacity < MaxBatchSize) return "Huren:Sequencer:QueueCapacity must be at least MaxBatchSize";
        if (FailedBatchesUnhealthy < 1) return "Huren:Sequencer:FailedBatchesUnhealthy must be at least 1";
        if (CheckpointInterval < TimeSpan.Zero) return "Huren:Sequencer:CheckpointInterval must not be negative";
        if (CheckpointFinalWait < TimeSpan.Zero || CheckpointFinalWait > TimeSpan.FromSeconds(10)) return "Huren:Sequencer:CheckpointFinalWait must be between 0 and 10 seconds";
        return null;
    }
}
