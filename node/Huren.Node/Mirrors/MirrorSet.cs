using Huren.Node.Network;
using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Storage;

namespace Huren.Node.Mirrors;

/// <summary>One mirror per other member of the network in force, opened at start so their logs are served at once.</summary>
public sealed class MirrorSet
{
    /// <summary>Opens the mirrored logs and their ledger states, and registers them for serving.</summary>
    public MirrorSet(NetworkView network, IKeyValueStore store, PeerClients peers, LogDirectory directory,
        LedgerStates states, LogEvents events, AppendHealth health, TimeProvider time, ILoggerFactory loggers)
    {
        if (network.Current is not { } config) return;
        foreach (var member in config.Members)
        {
            if (member.Origin == directory.Own.Origin) continue;
            var log = new MerkleLog(new LogStore(store, member.Origin));
            var state = new LogStateMachine(member.Origin, [member.RootKey], member.RootIssuerId, log.Store,
                directory.ReferenceExists, time, (origin, id) => states.Get(origin) is { } s && s.TryGetLicense(id, out var l) ? l : null)
            {
                // A mirror replays history: entry times are the origin's, long past.
                MaxClockSkew = null,
                // A reference into a third log this node has not mirrored that far is UNAVAILABLE: the mirror retries.
                KeptLogs = directory.Find,
            };
            if (state.AppliedSize != log.Size) throw new InvalidOperationException($"mirror of {member.Origin}: ledger state covers {state.AppliedSize} entries, the log {log.Size}");
            directory.Add(log);
            states.Add(state);
            // Every line of a key the configuration gives (log, SM2, witnesses) must verify.
            // The verifier of the version in force (falling back to the start's if a later one drops the member), so a
            // rotated log or SM2 key is followed without a restart.
            var origin = member.Origin;
            var atStart = member.CheckpointVerifier;
            Mirrors.Add(new LogMirror(log, state, () => network.Current?.ByOrigin(origin)?.CheckpointVerifier ?? atStart, () => peers.For(member, TimeSpan.FromDays(1)),
                LogMirror.EvidenceSpace(store, member.Origin), events, health, loggers.CreateLogger<LogMirror>(), time));
        }
    }

    /// <summary>The mirrors.</summary>
    public List<LogMirror> Mirrors { get; } = [];
}

/// <summary>
/// Runs every mirror for the node's lifetime. A mirror handles the faults it knows (unreachable peer, root mismatch, …);
/// anything else it throws is logged, counted (<see cref="BackgroundFaults"/>, service <c>mirror</c>) and the mirror is
/// started again after a back-off, so no exception ends this service or the node.
/// </summary>
internal sealed partial class MirrorRunner(MirrorSet mirrors, BackgroundFaults faults, ILogger<MirrorRunner> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var runs = new List<Task>();
        foreach (var mirror in mirrors.Mirrors) runs.Add(RunAsync(mirror, stoppingToken));
        return Task.WhenAll(runs);
    }

    private async Task RunAsync(LogMirror mirror, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Returns when the node stops or the mirror stopped on a fault it must not retry (its Fault).
                await mirror.RunAsync(stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                faults.Failed("mirror", mirror.Origin, ex.Message);
                LogMirrorCrashed(logger, mirror.Origin, backoff.TotalSeconds, ex);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(60).Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Mirror of {Origin} failed unexpectedly; starting it again in {Seconds} s")]
    private static partial void LogMirrorCrashed(ILogger logger, string origin, double seconds, Exception ex);
}
