using Prometheus;

namespace Huren.Node.Anchoring;

/// <summary>Prometheus metrics of anchoring and time-stamping, served at <c>/metrics</c> with the node's others.</summary>
public sealed class AnchoringMetrics
{
    private readonly Gauge _anchorFailures;
    private readonly Gauge _anchorConfirmedId;
    private readonly Counter _anchorsConfirmed;
    private readonly Counter _anchorReorgs;
    private readonly Histogram _anchorLatency;
    private readonly Counter _timestampFailures;
    private readonly Gauge _timestampSize;

    /// <summary>Registers the metrics in <paramref name="registry"/>.</summary>
    public AnchoringMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _anchorFailures = factory.CreateGauge("huren_anchor_consecutive_failures", "Failed anchoring steps in a row (chain unreachable or refusing).");
        _anchorConfirmedId = factory.CreateGauge("huren_anchor_confirmed_id", "Id of the newest anchor record with K confirmations.");
        _anchorsConfirmed = factory.CreateCounter("huren_anchors_confirmed_total", "Anchors that reached K confirmations.");
        _anchorReorgs = factory.CreateCounter("huren_anchor_reorgs_total", "Anchors found reorged away below K and sent again.");
        _anchorLatency = factory.CreateHistogram("huren_anchor_latency_seconds", "From an anchor's record (final checkpoints offered) to K confirmations.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.25, 2, 14) });
        _timestampFailures = factory.CreateCounter("huren_timestamp_failures_total", "RFC 3161 requests that failed (TSA down, refused, or a token that does not verify).");
        _timestampSize = factory.CreateGauge("huren_timestamp_size", "Size of the newest time-stamped checkpoint of the own log.");
    }

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
