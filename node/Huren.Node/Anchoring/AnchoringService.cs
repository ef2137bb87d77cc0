using System.Globalization;
using System.Numerics;
using Huren.Anchoring;
using Huren.Anchoring.Chain;

namespace Huren.Node.Anchoring;

/// <summary>
/// Anchors the node's view of the network on the EVM chain, off the write path: when <see cref="AnchoringOptions.Interval"/>
/// has passed or <see cref="AnchoringOptions.Entries"/> entries were added, it offers the newest final checkpoint of
/// every held log to the <see cref="Anchorer"/>, which sends, follows to K confirmations and re-anchors after reorgs.
/// Nothing here is called by the sequencer; a chain that is down only delays anchors (the anchorer retries with
/// growing pauses, and each failure is logged and counted).
/// </summary>
public sealed partial class AnchoringService : BackgroundService
{
    private readonly AnchoringOptions _options;
    private readonly FinalCheckpoints _finals;
    private readonly AnchoringMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<AnchoringService> _logger;
    private readonly SemaphoreSlim _wake = new(0);
    private ulong _offeredEntries;
    private int _offeredLogs;
    private long _offeredVersion = -1;
    private DateTimeOffset _lastOffer = DateTimeOffset.MinValue;
    private volatile bool _now;

    /// <summary>Builds the chain client and the anchorer from <paramref name="options"/> (account from the key file).</summary>
    public AnchoringService(AnchoringOptions options, string contentRoot, NodeAnchorStore store, FinalCheckpoints finals, AnchoringMetrics metrics,
        TimeProvider time, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        _options = options;
        _finals = finals;
        _metrics = metrics;
        _time = time;
        _logger = loggers.CreateLogger<AnchoringService>();
        var keyFile = Path.GetFullPath(options.KeyFile, contentRoot);
        if (!File.Exists(keyFile)) throw new InvalidOperationException($"Huren:Anchoring:KeyFile: '{keyFile}' does not exist");
        EvmAccount account;
        try
        {
            account = EvmAccount.FromKeyFile(keyFile, options.KeyPassword);
        }
        catch (Exception ex) when (ex is FormatException or IOException or ArgumentException)
        {
            throw new InvalidOperationException($"Huren:Anchoring:KeyFile: '{keyFile}': {ex.Message}", ex);
        }
        Chain = new AnchorChainClient(new AnchorChainOptions
        {
            RpcUrl = new Uri(options.RpcUrl),
            ChainId = options.ChainId,
            Contract = options.Contract,
            MaxFeePerGas = BigInteger.Parse(options.MaxFeePerGas, CultureInfo.InvariantCulture),
            PriorityFeePerGas = options.PriorityFeePerGas.Length > 0 ? BigInteger.Parse(options.PriorityFeePerGas, CultureInfo.InvariantCulture) : null,
        }, account);
        Store = store;
        Anchorer = new Anchorer(Chain, store, new AnchorerOptions
        {
            Confirmations = options.Confirmations,
            PollInterval = options.PollInterval,
            MaxRetryDelay = options.MaxRetryDelay,
        }, time, loggers.CreateLogger<Anchorer>());
        finals.Changed += _ => _wake.Release();
    }

    /// <summary>The anchorer (status, records).</summary>
    public Anchorer Anchorer { get; }

    /// <summary>The chain client (the account's address, the contract).</summary>
    public AnchorChainClient Chain { get; }

    /// <summary>The record store.</summary>
    public NodeAnchorStore Store { get; }

    /// <summary>The settings.</summary>
    public AnchoringOptions Options => _options;

    /// <summary>Offers the latest final checkpoints now, whatever the interval and entry count say.</summary>
    public void AnchorNow()
    {
        _now = true;
        _wake.Release();
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        LogStarting(_logger, Chain.Address!, _options.ChainId, _options.Contract, _options.Confirmations);
        var run = Anchorer.RunAsync(stoppingToken);
        var observed = ObserveAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    // The interval also wakes the loop when no event came (a due anchor of logs that grew earlier).
                    await _wake.WaitAsync(Min(_options.Interval, TimeSpan.FromSeconds(5)), stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                try
                {
                    OfferWhenDue();
                }
                catch (Exception ex) when (ex is FormatException or InvalidOperationException)
                {
                    LogOfferFailed(_logger, ex.Message);
                }
            }
        }
        finally
        {
            await run.ConfigureAwait(false);
            await observed.ConfigureAwait(false);
            Chain.Dispose();
        }
    }

    private void OfferWhenDue()
    {
        var now = _time.GetUtcNow();
        var forced = _now;
        var version = _finals.Version;
        if (!forced && version == _offeredVersion && now - _lastOffer < _options.Interval) return;
        var finals = _finals.Latest();
        ulong entries = 0;
        foreach (var f in finals.Values) entries += f.Size;
        // A log final for the first time counts as growth, also at size 0: a new network's empty logs are anchored too.
        var grew = entries > _offeredEntries || finals.Count > _offeredLogs;
        var dueByTime = now - _lastOffer >= _options.Interval;
        var dueByEntries = _options.Entries > 0 && entries - Math.Min(entries, _offeredEntries) >= (ulong)_options.Entries;
        _offeredVersion = version;
        if (finals.Count == 0 || !(forced || (grew && (dueByTime || dueByEntries)))) return;
        _now = false;
        Anchorer.Offer(finals.Values.Select(f => f.Note));
        if (forced) Anchorer.Wake();
        _offeredEntries = entries;
        _offeredLogs = finals.Count;
        _lastOffer = now;
        LogOffered(_logger, finals.Count, entries);
    }

    // Turns the anchorer's state into metrics once a second (the anchorer has no events of its own).
    private async Task ObserveAsync(CancellationToken stoppingToken)
    {
        ulong confirmedId = 0, currentId = 0;
        var reorgs = 0;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var status = Anchorer.Status;
                _metrics.AnchorFailures(status.ConsecutiveFailures);
                if (status.LastConfirmed is { } confirmed && confirmed.Id != confirmedId)
                {
                    confirmedId = confirmed.Id;
                    _metrics.AnchorConfirmed(confirmed.Id);
                    if (confirmed.ConfirmedAt is { } at) _metrics.AnchorLatency((at - confirmed.CreatedAt).TotalSeconds);
                }
                if (status.Current is { } current)
                {
                    if (current.Id != currentId) (currentId, reorgs) = (current.Id, 0);
                    if (current.Reorgs > reorgs) _metrics.AnchorReorgs(current.Reorgs - reorgs);
                    reorgs = current.Reorgs;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    [LoggerMessage(Level = LogLevel.Information, Message = "Anchoring with account {Account} on chain {ChainId}, contract {Contract}, K = {Confirmations}")]
    private static partial void LogStarting(ILogger logger, string account, ulong chainId, string contract, int confirmations);

    [LoggerMessage(Level = LogLevel.Information, Message = "Offered {Logs} final checkpoints ({Entries} entries in all) to the anchorer")]
    private static partial void LogOffered(ILogger logger, int logs, ulong entries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not offer checkpoints to the anchorer: {Error}")]
    private static partial void LogOfferFailed(ILogger logger, string error);
}
