namespace Huren.Node.Logs;

/// <summary>How long the status map's older versions are kept (section <c>Huren:StatusMap</c>; docs/status-map.md).</summary>
public sealed class StatusMapOptions
{
    /// <summary>
    /// Versions of the map (one per batch) stay provable while they are at least as new as the version the map had this
    /// long ago; older ones are pruned: their root records and the pages only they read. The node proves against its
    /// latest checkpoints and witnesses ask about the newest sizes, so minutes are plenty; a superseded page costs about
    /// 2.5 KB per entry written, which without pruning the store kept for ever.
    /// </summary>
    public TimeSpan KeepVersionsFor { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often every log's map (the own log's and each mirror's) is looked at and pruned.</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Root records or pages (each page with its stale row) deleted per write while pruning, so that a large backlog goes in steps between the log's own writes.</summary>
    public int PruneBatchSize { get; set; } = 10_000;

    /// <summary>Names the setting that is out of range, or null when all are valid.</summary>
    public string? Validate()
    {
        if (KeepVersionsFor < TimeSpan.Zero) return "Huren:StatusMap:KeepVersionsFor must not be negative";
        if (PruneInterval <= TimeSpan.Zero) return "Huren:StatusMap:PruneInterval must be positive";
        if (PruneBatchSize < 1) return "Huren:StatusMap:PruneBatchSize must be at least 1";
        return null;
    }
}
