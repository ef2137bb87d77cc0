using Prometheus;

namespace Huren.Node.Witness;

/// <summary>The witness's Prometheus metrics.</summary>
public sealed class WitnessMetrics
{
    private readonly Counter _equivocations;
    private readonly Counter _cosigned;

    /// <summary>Registers the metrics in <paramref name="registry"/> (the node uses <see cref="Metrics.DefaultRegistry"/>).</summary>
    public WitnessMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        _equivocations = factory.CreateCounter("huren_equivocations_total",
            "Equivocations seen by this witness: two validly signed checkpoints of one origin that are not consistent.", "origin");
        _cosigned = factory.CreateCounter("huren_witness_cosignatures_total", "Checkpoints this witness cosigned, by origin.", "origin");
    }

    /// <summary>An equivocation of <paramref name="origin"/> was recorded.</summary>
    public void Equivocation(string origin) => _equivocations.WithLabels(origin).Inc();

    /// <summary>A checkpoint of <paramref name="origin"/> was cosigned.</summary>
    public void Cosigned(string origin) => _cosigned.WithLabels(origin).Inc();

    /// <summary>Equivocations counted for <paramref name="origin"/>.</summary>
    public double EquivocationCount(string origin) => _equivocations.WithLabels(origin).Value;
}
