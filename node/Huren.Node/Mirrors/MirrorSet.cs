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
            Mirrors.Add(new LogMirror(log, state, member.CheckpointVerifier, () => peers.For(member, TimeSpan.FromDays(1)),
                LogMirror.EvidenceSpace(store, member.Origin), events, health, loggers.CreateLogger<LogMirror>()));
        }
    }

    /// <summary>The mirrors.</summary>
    public List<LogMirror> Mirrors { get; } = [];
}

/// <summary>Runs every mirror for the node's lifetime.</summary>
internal sealed class MirrorRunner(MirrorSet mirrors) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var runs = new List<Task>();
        foreach (var mirror in mirrors.Mirrors) runs.Add(mirror.RunAsync(stoppingToken));
        return Task.WhenAll(runs);
    }
}
