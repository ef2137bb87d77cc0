using Prometheus;

namespace Huren.Node.Services;

/// <summary>The node's Prometheus metrics, served at <c>/metrics</c>.</summary>
public sealed class NodeMetrics : IDisposable
{
    private readonly Counter _appended;
    private readonly Counter _rejected;
    private readonly Histogram _batchSize;
    private readonly Gauge _checkpointSize;
    private readonly Counter _checkpointsSigned;
    // The largest checkpoint size seen, none yet when null; only the log events' one thread calls Checkpoint.
    private ulong? _largestCheckpoint;
    private readonly Histogram _verifyLatency;
    private readonly Counter _backgroundFailures;
    private readonly Counter _statusMapPruned;
    private readonly Gauge _statusMapFloor;
    private readonly Gauge _mirrorSize;
    private readonly Gauge _mirrorStopped;
    private readonly CollectorRegistry _registry;
    private volatile Func<IEnumerable<(string Origin, ulong Size, bool Stopped)>>? _mirrors;

    /// <summary>Registers the metrics in <paramref name="registry"/>.</summary>
    public NodeMetrics(CollectorRegistry registry)
    {
        _registry = registry;
        var factory = Metrics.WithCustomRegistry(registry);
        _appended = factory.CreateCounter("huren_entries_appended_total", "Entries made durable in the node's own log.");
        _rejected = factory.CreateCounter("huren_entries_rejected_total", "Entries refused, by reason.", "reason");
        _batchSize = factory.CreateHistogram("huren_batch_size", "Entries per group-commit batch.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 12) });
        _checkpointSize = factory.CreateGauge("huren_checkpoint_size", "Tree size of the latest signed checkpoint.", "origin");
        _checkpointsSigned = factory.CreateCounter("huren_checkpoints_signed_total", "Checkpoints of the node's own log signed (each new size once).", "origin");
        _verifyLatency = factory.CreateHistogram("huren_verify_seconds", "Latency of license verification.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });
        _backgroundFailures = factory.CreateCounter("huren_background_failures_total", "Failures of background work (cosignatures, mirrors, checkpoint timer), by service; each is retried.", "service");
        _statusMapPruned = factory.CreateCounter("huren_statusmap_pruned_total", "Root records and superseded pages of older status-map versions deleted, by log.", "origin");
        _statusMapFloor = factory.CreateGauge("huren_statusmap_floor", "Oldest status-map version kept, by log.", "origin");
        _mirrorSize = factory.CreateGauge("huren_mirror_size", "Entries this node's copy of another member's log holds, checked and durable, by origin.", "origin");
        _mirrorStopped = factory.CreateGauge("huren_mirror_stopped", "1 when a fault (a fork, a wrong root, an entry the origin's rules refuse) stopped the mirror of the origin, else 0.", "origin");
    }

    /// <summary>
    /// Reports each mirror's durable size and whether a fault stopped it, read from <paramref name="mirrors"/> whenever
    /// the metrics are collected (nothing on the mirrors' own path) until the node is disposed; mirrors no longer
    /// followed lose their series.
    /// </summary>
    public void ObserveMirrors(Func<IEnumerable<(string Origin, ulong Size, bool Stopped)>> mirrors)
    {
        ArgumentNullException.ThrowIfNull(mirrors);
        _mirrors = mirrors;
        // The registry keeps its callbacks for good (the default one is shared by every node a process runs, as in tests):
        // a disposed node's reports nothing.
        _registry.AddBeforeCollectCallback(() =>
        {
            if (_mirrors is not { } current) return;
            var followed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var (origin, size, stopped) in current())
            {
                _mirrorSize.WithLabels(origin).Set(size);
                _mirrorStopped.WithLabels(origin).Set(stopped ? 1 : 0);
                followed.Add(origin);
            }
            foreach (var labels in _mirrorSize.GetAllLabelValues().ToList())
            {
                if (followed.Contains(labels[0])) continue;
                _mirrorSize.RemoveLabelled(labels[0]);
                _mirrorStopped.RemoveLabelled(labels[0]);
            }
        });
    }

    /// <summary>The status map of <paramref name="origin"/> was pruned below <paramref name="floor"/>: <paramref name="deleted"/> root records and pages.</summary>
    public void StatusMapPruned(string origin, ulong floor, long deleted)
    {
        _statusMapPruned.WithLabels(origin).Inc(deleted);
        _statusMapFloor.WithLabels(origin).Set(floor);
    }

    /// <summary>Background work of <paramref name="service"/> failed once (it is retried).</summary>
    public void BackgroundFailure(string service) => _backgroundFailures.WithLabels(service).Inc();

    /// <summary>A batch of <paramref name="count"/> entries was committed.</summary>
    public void BatchCommitted(int count)
    {
        _appended.Inc(count);
        _batchSize.Observe(count);
    }

    /// <summary>An entry was refused.</summary>
    public void Rejected(string reason) => _rejected.WithLabels(reason).Inc();

    /// <summary>
    /// A checkpoint note of the own log was stored: <paramref name="signed"/> when this node has just signed it, else an
    /// earlier one stored again with a cosignature. Each signing is counted, whatever order the events arrive in (a timer's
    /// checkpoint may be announced after a larger batch's); the size shown is the largest yet, never set back.
    /// </summary>
    public void Checkpoint(string origin, ulong size, bool signed)
    {
        if (signed) _checkpointsSigned.WithLabels(origin).Inc();
        if (size <= _largestCheckpoint) return;
        _largestCheckpoint = size;
        _checkpointSize.WithLabels(origin).Set(size);
    }

    /// <summary>Times one verification.</summary>
    public IDisposable TimeVerify() => _verifyLatency.NewTimer();

    /// <summary>Stops reporting the mirrors (the node is stopping; its mirrors close).</summary>
    public void Dispose() => _mirrors = null;
}
