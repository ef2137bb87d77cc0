using Prometheus;

namespace Huren.Node.Services;

/// <summary>The node's Prometheus metrics, served at <c>/metrics</c>.</summary>
public sealed class NodeMetrics
{
    private readonly Counter _appended;
    private readonly Counter _rejected;
    private readonly Histogram _batchSize;
    private readonly Gauge _checkpointSize;
    private readonly Histogram _verifyLatency;
    private readonly Gauge _anchorFailures;
    private readonly Gauge _anchorConfirmedId;
    private readonly Counter _anchorsConfirmed;
    private readonly Counter _anchorReorgs;
    private readonly Histogram _anchorLatency;
    private readonly Counter _timestampFailures;
    private readonly Gauge _timestampSize;

    /// <summary>Registers the metrics in <paramref name="registry"/>.</summary>
    public NodeMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _appended = factory.CreateCounter("huren_entries_appended_total", "Entries made durable in the node's own log.");
        _rejected = factory.CreateCounter("huren_entries_rejected_total", "Entries refused, by reason.", "reason");
        _batchSize = factory.CreateHistogram("huren_batch_size", "Entries per group-commit batch.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(1, 2, 12) });
        _checkpointSize = factory.CreateGauge("huren_checkpoint_size", "Tree size of the latest signed checkpoint.", "origin");
        _verifyLatency = factory.CreateHistogram("huren_verify_seconds", "Latency of license verification.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });
        _anchorFailures = factory.CreateGauge("huren_anchor_consecutive_failures", "Failed anchoring steps in a row (chain unreachable or refusing).");
        _anchorConfirmedId = factory.CreateGauge("huren_anchor_confirmed_id", "Id of the newest anchor record with K confirmations.");
        _anchorsConfirmed = factory.CreateCounter("huren_anchors_confirmed_total", "Anchors that reached K confirmations.");
        _anchorReorgs = factory.CreateCounter("huren_anchor_reorgs_total", "Anchors found reorged away below K and sent again.");
        _anchorLatency = factory.CreateHistogram("huren_anchor_latency_seconds", "From an anchor's record (final checkpoints offered) to K confirmations.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.25, 2, 14) });
        _timestampFailures = factory.CreateCounter("huren_timestamp_failures_total", "RFC 3161 requests that failed (TSA down, refused, or a token that does not verify).");
        _timestampSize = factory.CreateGauge("huren_timestamp_size", "Size of the newest time-stamped checkpoint of the own log.");
    }

    /// <summary>A batch of <paramref name="count"/> entries was committed.</summary>
    public void BatchCommitted(int count)
    {
        _appended.Inc(count);
        _batchSize.Observe(count);
    }

    /// <summary>An entry was refused.</summary>
    public void Rejected(string reason) => _rejected.WithLabels(reason).Inc();

    /// <summary>A checkpoint was signed.</summary>
    public void Checkpoint(string origin, ulong size) => _checkpointSize.WithLabels(origin).Set(size);

    /// <summary>Times one verification.</summary>
    public IDisposable TimeVerify() => _verifyLatency.NewTimer();

    /// <summary>The anchorer's failed steps in a row.</summary>
    public void AnchorFailures(int failures) => _anchorFailures.Set(failures);

    /// <summary>An anchor reached K confirmations.</summary>
    public void AnchorConfirmed(ulong id)
    {
        _anchorConfirmedId.Set(id);
        _anchorsConfirmed.Inc();
    }

    /// <summary>Reorgs seen below K.</summary>
    public void AnchorReorgs(int count) => _anchorReorgs.Inc(count);

    /// <summary>One anchor's time from record to K confirmations.</summary>
    public void AnchorLatency(double seconds) => _anchorLatency.Observe(seconds);

    /// <summary>A time-stamp request failed.</summary>
    public void TimestampFailed() => _timestampFailures.Inc();

    /// <summary>A checkpoint of <paramref name="size"/> was time-stamped.</summary>
    public void Timestamped(ulong size) => _timestampSize.Set(size);
}
