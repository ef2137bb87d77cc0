using System.Threading.Channels;
using Huren.Node.Network;
using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Sdk.Network;

namespace Huren.Node.Mirrors;

/// <summary>
/// One mirror per other member of the network in force. The members at start are opened at once, so their logs are
/// served from the first call; after an adopted configuration change a newly listed member's log is opened and followed,
/// a member no longer listed is no longer followed (its mirrored log and ledger state stay, served read-only), and a
/// member whose endpoint or TLS certificate changed is re-dialled.
/// </summary>
public sealed class MirrorSet
{
    private readonly NetworkView _network;
    private readonly IKeyValueStore _store;
    private readonly PeerClients _peers;
    private readonly LogDirectory _directory;
    private readonly LedgerStates _states;
    private readonly LogEvents _events;
    private readonly AppendHealth _health;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly Lock _lock = new();
    // Every mirror opened since start, by origin (a removed member's stays, so a re-added one continues its log).
    private readonly Dictionary<string, LogMirror> _opened = new(StringComparer.Ordinal);
    private readonly Channel<MirrorChange> _changes = Channel.CreateUnbounded<MirrorChange>(new UnboundedChannelOptions { SingleReader = true });
    private volatile LogMirror[] _following = [];
    // Completed, and replaced, each time a version put in force has given the followed mirrors its rules (root keys).
    private TaskCompletionSource _nextVersion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action<string, string, string>? _forkFound;

    /// <summary>Opens the mirrored logs of the members in force and their ledger states, and registers them for serving.</summary>
    public MirrorSet(NetworkView network, IKeyValueStore store, PeerClients peers, LogDirectory directory,
        LedgerStates states, LogEvents events, AppendHealth health, TimeProvider time, ILoggerFactory loggers)
    {
        _network = network;
        _store = store;
        _peers = peers;
        _directory = directory;
        _states = states;
        _events = events;
        _health = health;
        _time = time;
        _loggers = loggers;
        if (network.Current is not { } config) return;
        var following = new List<LogMirror>();
        foreach (var member in config.Members)
        {
            if (member.Origin != directory.Own.Origin) following.Add(Open(member));
        }
        _following = [.. following];
        network.Changed += Follow;
    }

    /// <summary>The mirrors followed now (members of the configuration in force).</summary>
    public IReadOnlyList<LogMirror> Mirrors => _following;

    /// <summary>The mirror of <paramref name="origin"/> while it is followed, else null.</summary>
    public LogMirror? Find(string origin) => Array.Find(_following, m => string.Equals(m.Origin, origin, StringComparison.Ordinal));

    /// <summary>
    /// Told (origin, checkpoint note, reason) when a mirror finds a fork (a tree or status-map root its stored entries do
    /// not give); set once at start and handed to mirrors opened later too.
    /// </summary>
    public Action<string, string, string>? ForkFound
    {
        get => _forkFound;
        set
        {
            lock (_lock)
            {
                _forkFound = value;
                foreach (var mirror in _opened.Values) mirror.ForkFound = value;
            }
        }
    }

    /// <summary>Completes when the next configuration version is in force and the followed mirrors judge by its rules and keys.</summary>
    internal Task NextVersionInForce
    {
        get
        {
            lock (_lock) return _nextVersion.Task;
        }
    }

    /// <summary>What the runner is to start, stop or re-dial, in the order the configuration changed.</summary>
    internal ChannelReader<MirrorChange> Changes => _changes.Reader;

    /// <summary>Follows the members of <paramref name="config"/>: opens the new ones, drops the removed ones, re-dials changed ones.</summary>
    private void Follow(TrustedNetwork config)
    {
        lock (_lock)
        {
            var before = _following;
            var next = new List<LogMirror>();
            foreach (var member in config.Members)
            {
                if (member.Origin == _directory.Own.Origin) continue;
                var known = Array.Find(before, m => m.Origin == member.Origin);
                var kept = known ?? _opened.GetValueOrDefault(member.Origin);
                // The version may have rotated or revoked the member's root key: the mirror judges by the version in force.
                if (kept is not null) kept.State.RootKeys = CityRootKeys.Of(member);
                var mirror = kept ?? Open(member);
                next.Add(mirror);
                if (known is null) _changes.Writer.TryWrite(new MirrorChange(mirror, MirrorChangeKind.Start));
            }
            foreach (var mirror in before)
            {
                if (!next.Contains(mirror)) _changes.Writer.TryWrite(new MirrorChange(mirror, MirrorChangeKind.Stop));
            }
            _following = [.. next];
            _nextVersion.TrySetResult();
            _nextVersion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        // A changed endpoint or certificate: the open stream goes to the old address or pin; follow again from the new one.
        _changes.Writer.TryWrite(new MirrorChange(null, MirrorChangeKind.Redial, config));
    }

    private LogMirror Open(TrustedMember member)
    {
        var log = new MerkleLog(new LogStore(_store, member.Origin));
        var state = new LogStateMachine(member.Origin, CityRootKeys.Of(member), member.RootIssuerId, log.Store,
            _directory.ReferenceExists, _time, (origin, id) => _states.Get(origin) is { } s && s.TryGetLicense(id, out var l) ? l : null)
        {
            // A mirror replays history: entry times are the origin's, long past.
            MaxClockSkew = null,
            // A reference into a third log this node has not mirrored that far is UNAVAILABLE: the mirror retries.
            KeptLogs = _directory.Find,
        };
        if (state.AppliedSize != log.Size) throw new InvalidOperationException($"mirror of {member.Origin}: ledger state covers {state.AppliedSize} entries, the log {log.Size}");
        _directory.Add(log);
        _states.Add(state);
        // Every line of a key the configuration gives (log, SM2, witnesses) must verify.
        // The verifier and the endpoint of the version in force (falling back to the start's if a later one drops the
        // member), so a rotated key or a moved node is followed without a restart.
        var origin = member.Origin;
        var atStart = member;
        var mirror = new LogMirror(log, state, () => (_network.Current?.ByOrigin(origin) ?? atStart).CheckpointVerifier,
            () => _peers.For(_network.Current?.ByOrigin(origin) ?? atStart, TimeSpan.FromDays(1)),
            LogMirror.EvidenceSpace(_store, member.Origin), _events, _health, _loggers.CreateLogger<LogMirror>(), _time)
        {
            ForkFound = _forkFound,
            OtherLogGrowth = _directory.Growth,
        };
        _opened[origin] = mirror;
        return mirror;
    }
}

/// <summary>What changes for the mirrors after a configuration change.</summary>
internal enum MirrorChangeKind
{
    /// <summary>A member was added: follow its log.</summary>
    Start,

    /// <summary>A member was removed: stop following (its data stays).</summary>
    Stop,

    /// <summary>A new version is in force: re-dial every followed member whose endpoint or certificate changed.</summary>
    Redial,
}

/// <summary>One change for the <see cref="MirrorRunner"/>.</summary>
internal sealed record MirrorChange(LogMirror? Mirror, MirrorChangeKind Kind, TrustedNetwork? Config = null);

/// <summary>
/// Runs every followed mirror for the node's lifetime, and starts, stops or re-dials mirrors as the configuration
/// changes (<see cref="MirrorSet"/>). A mirror handles the faults it knows (unreachable peer, root mismatch, …); anything
/// else it throws is logged, counted (<see cref="BackgroundFaults"/>, service <c>mirror</c>) and the mirror is started
/// again after a back-off, so no exception ends this service or the node. A mirror stopped on a refusal
/// (<see cref="LogMirror.FaultIsRefusal"/>) is started again when the next version is in force.
/// </summary>
internal sealed partial class MirrorRunner(MirrorSet mirrors, NetworkView network, BackgroundFaults faults, ILogger<MirrorRunner> logger) : BackgroundService
{
    private readonly Dictionary<string, (Task Run, CancellationTokenSource Stop, string? Endpoint, string? Certificate)> _runs = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var mirror in mirrors.Mirrors) Start(mirror, stoppingToken);
        try
        {
            // One change at a time: a mirror's old run has ended before it is started again (they share its state).
            await foreach (var change in mirrors.Changes.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                switch (change.Kind)
                {
                    case MirrorChangeKind.Start:
                        Start(change.Mirror!, stoppingToken);
                        LogFollowing(logger, change.Mirror!.Origin);
                        break;
                    case MirrorChangeKind.Stop:
                        await StopAsync(change.Mirror!.Origin).ConfigureAwait(false);
                        LogStopped(logger, change.Mirror!.Origin, change.Mirror.Log.Size);
                        break;
                    case MirrorChangeKind.Redial:
                        foreach (var mirror in mirrors.Mirrors)
                        {
                            if (change.Config!.ByOrigin(mirror.Origin) is not { } member || !_runs.TryGetValue(mirror.Origin, out var run)) continue;
                            if (run.Endpoint == member.Endpoint?.ToString() && run.Certificate == member.TlsCertificateSha256) continue;
                            await StopAsync(mirror.Origin).ConfigureAwait(false);
                            Start(mirror, stoppingToken);
                            LogRedialled(logger, mirror.Origin, member.Endpoint?.ToString() ?? "(none)");
                        }
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node is stopping.
        }
        var running = new List<Task>();
        foreach (var run in _runs.Values) running.Add(run.Run);
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private void Start(LogMirror mirror, CancellationToken stoppingToken)
    {
        // A member added between the set's start and this runner's is both in the set and in a Start change.
        if (_runs.ContainsKey(mirror.Origin)) return;
        var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var member = network.Current?.ByOrigin(mirror.Origin);
        _runs[mirror.Origin] = (RunAsync(mirror, stop.Token), stop, member?.Endpoint?.ToString(), member?.TlsCertificateSha256);
    }

    private async Task StopAsync(string origin)
    {
        if (!_runs.Remove(origin, out var run)) return;
        await run.Stop.CancelAsync().ConfigureAwait(false);
        await run.Run.ConfigureAwait(false);
        run.Stop.Dispose();
    }

    /// <summary>How long a mirror stopped on a refusal waits, at most, before it checks again (a new version ends the wait sooner).</summary>
    internal static readonly TimeSpan RefusalRecheck = TimeSpan.FromMinutes(15);

    private async Task RunAsync(LogMirror mirror, CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Taken before the run, so a version put in force while the run checks entries under the old one is not missed.
                var nextVersion = mirrors.NextVersionInForce;
                // Returns when stopped or the mirror stopped on a fault (its Fault).
                await mirror.RunAsync(stoppingToken).ConfigureAwait(false);
                // A refusal may be the origin being a version ahead (an entry signed with the root key it rotated to):
                // run again, from the durable size, once the next version is in force. Not a root mismatch or a fork:
                // they prove the origin signed something false under any version, and stay stopped until an operator
                // restarts the node (their evidence is kept).
                if (!mirror.FaultIsRefusal) return;
                // Or after a while: some refusals are lifted on the origin's side (it signs again with its current key
                // after a restart), with no new version here. Rare and bounded: one run per RefusalRecheck.
                using (var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    await Task.WhenAny(nextVersion, Task.Delay(RefusalRecheck, wait.Token)).ConfigureAwait(false);
                    await wait.CancelAsync().ConfigureAwait(false);
                }
                stoppingToken.ThrowIfCancellationRequested();
                continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                faults.Failed("mirror", mirror.Origin, ex.Message);
                LogMirrorCrashed(logger, mirror.Origin, backoff.TotalSeconds, ex);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // Stopped (a removed member or a re-dial) while the stream was failing.
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror of {Origin} started: the member is in the network configuration in force")]
    private static partial void LogFollowing(ILogger logger, string origin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror of {Origin} stopped following at size {Size}: the member is not in the network configuration in force; its log is kept")]
    private static partial void LogStopped(ILogger logger, string origin, ulong size);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror of {Origin} re-dialled at {Endpoint}: its endpoint or certificate changed")]
    private static partial void LogRedialled(ILogger logger, string origin, string endpoint);
}
