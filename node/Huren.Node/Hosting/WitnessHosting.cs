using Huren.Node.Logs;
using Huren.Node.Mirrors;
using Huren.Node.Network;
using Huren.Node.Services;
using Huren.Node.Storage;
using Huren.Node.Witness;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Prometheus;

namespace Huren.Node.Hosting;

/// <summary>Adds the witness to the node.</summary>
public static class WitnessHosting
{
    /// <summary>
    /// Registers the witness from services the node already has (<see cref="IKeyValueStore"/>, <see cref="NodeKeys"/>,
    /// <see cref="NodeOptions"/>, <see cref="NetworkView"/>, <see cref="TimeProvider"/>, logging); its metrics go to
    /// <see cref="Metrics.DefaultRegistry"/>.
    /// </summary>
    public static IServiceCollection AddHurenWitness(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton(_ => new WitnessMetrics(Metrics.DefaultRegistry));
        services.AddSingleton(sp => WitnessState.Open(sp.GetRequiredService<IKeyValueStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new Witness.Witness(
            sp.GetRequiredService<WitnessState>(),
            sp.GetRequiredService<NetworkView>(),
            sp.GetRequiredService<NodeOptions>().Origin,
            sp.GetRequiredService<NodeKeys>().WitnessKey,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<WitnessMetrics>(),
            sp.GetRequiredService<ILogger<Witness.Witness>>(),
            sp.GetRequiredService<IMirroredLogs>()));
        // Tests of the witness's service alone may register theirs first.
        services.TryAddSingleton<IMirroredLogs>(sp => new MirroredLogs(sp.GetRequiredService<MirrorSet>, sp.GetRequiredService<LogDirectory>()));
        return services;
    }

    /// <summary>Maps the <c>huren.v1.Witness</c> gRPC service (opening the witness state now, so a bad data folder fails at start).</summary>
    public static WebApplication MapHurenWitness(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var witness = app.Services.GetRequiredService<Witness.Witness>();
        // A status-map root a mirror cannot reproduce is recorded and alarmed like an equivocation.
        app.Services.GetRequiredService<MirrorSet>().ForkFound = (origin, note, reason) => witness.RecordFork(origin, note, reason);
        app.MapGrpcService<WitnessService>();
        return app;
    }
}
