using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Mirrors;
using Huren.Node.Network;
using Huren.Node.Storage;
using Huren.Sdk.Network;

namespace Huren.Node.Recovery;

/// <summary>
/// At start, checks the node's own log against what the other members hold of it — the last checkpoint each one's
/// witness cosigned and each one's mirror's latest — before the log takes entries (the <see cref="WriteGate"/> is
/// closed until then). A log behind what they hold (a restored backup, a deleted data folder) is rebuilt from their
/// mirrors: every entry and checkpoint is checked as a mirror checks another city's log, against this node's own log
/// key, and stored run by run in atomic writes; then the log takes entries again. A log that differs from what they
/// hold is not rebuilt: writes stay refused, with the reason, for the operator. Members that do not answer are asked
/// again in the background; a later answer showing the log behind closes the gate and rebuilds.
/// </summary>
public sealed partial class OwnLogRecovery(
    NetworkView network, PeerClients peers, LogDirectory directory, LogStateMachine state, IKeyValueStore store, WriteGate gate,
    LogEvents events, AppendHealth health, RecoveryOptions options, IHostApplicationLifetime lifetime, ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<OwnLogRecovery>();

    /// <summary>The gate's state at start: closed while there are other members to ask, open otherwise.</summary>
    public static WriteGate InitialGate(NetworkView network, string origin)
        => OthersOf(network, origin).Count > 0
            ? new WriteGate("it is checking its log against what the other cities' witnesses have cosigned")
            : new WriteGate();

    /// <summary>The last outcome, for operators and tests (e.g. <c>rebuilt from 12 to 30 entries</c>).</summary>
    public string? Outcome { get; private set; }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var own = directory.Own;
        if (network.Current?.ByOrigin(own.Origin) is not { } self || OthersOf(network, own.Origin) is not { Count: > 0 } others)
        {
            gate.Open();
            return;
        }
        // Peers read this node while it checks (its mirrors of their logs, its witness): wait until it listens.
        try
        {
            await Task.Delay(Timeout.Infinite, lifetime.ApplicationStarted).WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStarted.IsCancellationRequested && !stoppingToken.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException)
        {
            return;
        }
        // Off the thread that signalled ApplicationStarted (the host's start): the questions run on the thread pool.
        await Task.Yield();

        var asker = new PeerClaims(peers, self, options.PeerTimeout);
        var unanswered = new List<TrustedMember>(others);
        var claims = new List<LogClaim>();
        var started = DateTimeOffset.UtcNow;
        var decided = false;
        var backoff = TimeSpan.FromMilliseconds(300);
        while (!stoppingToken.IsCancellationRequested && (unanswered.Count > 0 || !decided))
        {
            var answered = await AskRoundAsync(asker, unanswered, claims, stoppingToken).ConfigureAwait(false);
            if (stoppingToken.IsCancellationRequested) return;
            var waited = DateTimeOffset.UtcNow - started;
            if (answered > 0 || (!decided && waited >= options.PeerWait))
            {
                if (unanswered.Count == others.Count)
                {
                    LogUnchecked(_logger, own.Origin, waited.TotalSeconds, string.Join(", ", unanswered.Select(m => m.Origin)));
                }
                if (!await DecideAsync(self, claims, stoppingToken).ConfigureAwait(false)) return;
                decided = true;
            }
            if (unanswered.Count == 0) break;
            try
            {
                await Task.Delay(decided ? TimeSpan.FromSeconds(5) : backoff, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Asks every unanswered peer once, in parallel; returns how many answered (they leave <paramref name="unanswered"/>).</summary>
    private async Task<int> AskRoundAsync(PeerClaims asker, List<TrustedMember> unanswered, List<LogClaim> claims, CancellationToken stoppingToken)
    {
        var asks = unanswered.Select(async peer =>
        {
            try
            {
                return (peer, Answer: await asker.AskAsync(peer, stoppingToken).ConfigureAwait(false), Error: (string?)null);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return (peer, Answer: (Claims: new List<LogClaim>(), Problems: new List<string>()), Error: ex.Message);
            }
        }).ToList();
        var answered = 0;
        foreach (var (peer, answer, error) in await Task.WhenAll(asks).ConfigureAwait(false))
        {
            if (error is not null)
            {
                LogPeerUnanswered(_logger, peer.Origin, error);
                continue;
            }
            foreach (var problem in answer.Problems) LogBadClaim(_logger, problem);
            claims.AddRange(answer.Claims);
            unanswered.Remove(peer);
            answered++;
        }
        return answered;
    }

    /// <summary>Opens the gate, or rebuilds first, or keeps it closed; false when the log differs (stop checking).</summary>
    private async Task<bool> DecideAsync(TrustedMember self, List<LogClaim> claims, CancellationToken stoppingToken)
    {
        var own = directory.Own;
        LogClaim? best = null;
        foreach (var claim in claims)
        {
            if (claim.Size <= own.Size && !own.RootAt(claim.Size).AsSpan().SequenceEqual(claim.Root))
            {
                var reason = $"its log differs from the checkpoint that {claim} holds (root {Convert.ToBase64String(claim.Root)}, this node's {Convert.ToBase64String(own.RootAt(claim.Size))}); "
                    + "it is not rebuilt over: the operator restores a good backup or empties the data folder (docs/operations.md)";
                Refuse(reason);
                return false;
            }
            if (best is null || claim.Size > best.Size) best = claim;
        }
        if (best is null || best.Size <= own.Size)
        {
            gate.Open();
            Outcome = $"checked at size {own.Size} against {claims.Count} checkpoints held by other members";
            LogChecked(_logger, own.Origin, own.Size, claims.Count);
            return true;
        }

        var from = own.Size;
        gate.Close($"it is rebuilding its log from the other cities' mirrors: it holds {from} entries and {best} holds more");
        LogRebuilding(_logger, own.Origin, from, best.ToString());
        var sources = claims.Where(c => c.Kind == "mirror").OrderByDescending(c => c.Size).Select(c => c.Peer).Distinct().ToList();
        string? failure = "no member's mirror holds the log";
        foreach (var peer in sources)
        {
            failure = await RebuildFromAsync(self, network.Current!.ByOrigin(peer)!, best, stoppingToken).ConfigureAwait(false);
            if (failure is null) break;
            LogRebuildFailed(_logger, own.Origin, peer, failure);
        }
        if (stoppingToken.IsCancellationRequested) return false;
        if (failure is not null)
        {
            Refuse($"it could not rebuild its log to {best}: {failure}");
            return false;
        }
        gate.Open();
        Outcome = $"rebuilt from {from} to {own.Size} entries";
        LogRebuilt(_logger, own.Origin, from, own.Size, Convert.ToBase64String(own.RootAt(own.Size)));
        return true;
    }

    /// <summary>Follows the own log from <paramref name="peer"/>'s mirror until it reaches <paramref name="target"/>; null on success, else why not.</summary>
    private async Task<string?> RebuildFromAsync(TrustedMember self, TrustedMember peer, LogClaim target, CancellationToken stoppingToken)
    {
        var own = directory.Own;
        // The mirror's own checks, rules and atomic runs, over this node's own log: entries are checked by its ledger
        // rules, each run's root against its own signed checkpoint (verified under its own log key) before it is stored.
        var mirror = new LogMirror(own, state, self.CheckpointVerifier, () => peers.For(peer, TimeSpan.FromDays(1)),
            LogMirror.EvidenceSpace(store, own.Origin), events, health, loggers.CreateLogger<LogMirror>());
        using var follow = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var run = mirror.RunAsync(follow.Token);
        var deadline = DateTimeOffset.UtcNow + options.RebuildTimeout;
        while (own.Size < target.Size && mirror.Fault is null && !run.IsCompleted && DateTimeOffset.UtcNow < deadline && !stoppingToken.IsCancellationRequested)
        {
            var grown = directory.Growth(own);
            await Task.WhenAny(grown, run, Task.Delay(TimeSpan.FromSeconds(1), follow.Token)).ConfigureAwait(false);
        }
        await follow.CancelAsync().ConfigureAwait(false);
        try
        {
            await run.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or Grpc.Core.RpcException)
        {
            // Cancelled under the stream.
        }
        if (mirror.Fault is { } fault) return fault;
        if (own.Size < target.Size) return $"the mirror of {peer.Origin} gave {own.Size} entries in {options.RebuildTimeout.TotalSeconds:F0} s";
        if (!own.RootAt(target.Size).AsSpan().SequenceEqual(target.Root))
            return $"the rebuilt log's root at size {target.Size} is not the one {target} holds";
        return null;
    }

    private void Refuse(string reason)
    {
        gate.Close(reason);
        Outcome = reason;
        LogRefused(_logger, directory.Own.Origin, reason);
    }

    private static List<TrustedMember> OthersOf(NetworkView network, string origin)
        => network.Current is { } config && config.ByOrigin(origin) is not null ? [.. config.Members.Where(m => m.Origin != origin && m.Endpoint is not null)] : [];

    [LoggerMessage(Level = LogLevel.Information, Message = "Own log {Origin} checked at size {Size} against {Claims} checkpoints other members hold: it takes entries")]
    private static partial void LogChecked(ILogger logger, string origin, ulong size, int claims);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Own log {Origin}: no other member answered in {Seconds:F0} s ({Peers}); taking entries unchecked, still asking")]
    private static partial void LogUnchecked(ILogger logger, string origin, double seconds, string peers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Own log check: {Peer} did not answer ({Error}); asking again")]
    private static partial void LogPeerUnanswered(ILogger logger, string peer, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Own log check: {Problem}; ignored")]
    private static partial void LogBadClaim(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Own log {Origin} holds {Size} entries, behind {Claim}: writes refused, rebuilding from the other cities' mirrors")]
    private static partial void LogRebuilding(ILogger logger, string origin, ulong size, string claim);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Own log {Origin}: rebuilding from the mirror of {Peer} failed: {Failure}")]
    private static partial void LogRebuildFailed(ILogger logger, string origin, string peer, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Own log {Origin} rebuilt from {From} to {Size} entries (root {Root}); it takes entries again")]
    private static partial void LogRebuilt(ILogger logger, string origin, ulong from, ulong size, string root);

    [LoggerMessage(Level = LogLevel.Critical, Message = "ALARM: own log {Origin} takes no entries: {Reason}")]
    private static partial void LogRefused(ILogger logger, string origin, string reason);
}
