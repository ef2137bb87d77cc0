namespace Huren.Node.Logs;

/// <summary>
/// Prunes the status map of every log the node keeps (its own and each mirror's), so that superseded pages do not
/// stay in the store for ever (<see cref="StatusMapOptions"/>). Each round notes every map's durable version; a version
/// noted at least <see cref="StatusMapOptions.KeepVersionsFor"/> ago becomes that map's floor, and what only versions
/// below it read is deleted (<see cref="LogStatusMap.Prune"/>). A restarted node starts noting afresh, so it prunes
/// nothing younger than the retention however long it was down.
/// </summary>
/// <param name="logs">The logs whose maps are pruned (own and mirrors).</param>
/// <param name="options">Retention, round interval and step size.</param>
/// <param name="time">The clock the retention is measured on.</param>
/// <param name="faults">Where a failed round is reported (health).</param>
/// <param name="logger">Logs each pruning and each failure.</param>
/// <param name="pruned">Told of each log pruned to a new floor, with the root records and pages deleted (metrics).</param>
public sealed partial class StatusMapPruner(LogDirectory logs, StatusMapOptions options, TimeProvider time, BackgroundFaults faults, ILogger<StatusMapPruner> logger,
    Action<string, ulong, long>? pruned = null)
    : BackgroundService
{
    /// <summary>The service name in <see cref="BackgroundFaults"/> and health.</summary>
    public const string Service = "statusmap-prune";

    // Per log: the versions noted at each round (oldest first), and the floor pruned to so far.
    private readonly Dictionary<string, Queue<(DateTimeOffset At, ulong Version)>> _noted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ulong> _floors = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PruneInterval, time);
        try
        {
            do
            {
                await PruneAsync(stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: a step not taken is taken by the next start's rounds.
        }
    }

    /// <summary>One round over every log: note its version and prune below its floor; returns the root records and pages deleted.</summary>
    public async Task<long> PruneAsync(CancellationToken cancellationToken)
    {
        long deleted = 0;
        foreach (var log in logs.All)
        {
            try
            {
                deleted += await PruneAsync(log, cancellationToken).ConfigureAwait(false);
                faults.Succeeded(Service, log.Origin);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
            {
                // A failed write deletes nothing (one atomic write per step); the next round tries again.
                faults.Failed(Service, log.Origin, ex.Message);
                LogPruneFailed(logger, log.Origin, ex);
            }
        }
        return deleted;
    }

    private async Task<long> PruneAsync(MerkleLog log, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!_noted.TryGetValue(log.Origin, out var noted)) _noted[log.Origin] = noted = new();
        noted.Enqueue((now, log.StatusMap.Version));
        ulong? floor = null;
        while (noted.TryPeek(out var oldest) && oldest.At <= now - options.KeepVersionsFor)
        {
            floor = oldest.Version;
            noted.Dequeue();
        }
        if (floor is not { } target || target <= _floors.GetValueOrDefault(log.Origin)) return 0;
        long deleted = 0;
        int step;
        while ((step = log.StatusMap.Prune(target, options.PruneBatchSize)) > 0)
        {
            deleted += step;
            // Between steps the log's own writes go first.
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
        }
        _floors[log.Origin] = target;
        pruned?.Invoke(log.Origin, target, deleted);
        if (deleted > 0) LogPruned(logger, log.Origin, deleted, target);
        return deleted;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Deleted} root records and pages of the status map of {Origin} below version {Floor}")]
    private static partial void LogPruned(ILogger logger, string origin, long deleted, ulong floor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning the status map of {Origin} failed; the next round tries again")]
    private static partial void LogPruneFailed(ILogger logger, string origin, Exception ex);
}
