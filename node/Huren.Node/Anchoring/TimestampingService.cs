using System.Security.Cryptography;
using System.Text;
using Huren.Sdk.Timestamps;

namespace Huren.Node.Anchoring;

/// <summary>
/// Gets RFC 3161 time-stamps of the node's own final checkpoints from the configured TSA, off the write path: the
/// newest final note is stamped at most every <see cref="TimestampingOptions.Interval"/> (newer checkpoints replace an
/// older one still waiting: a one-slot queue, so a TSA that is down never piles work up), the token is checked with
/// <see cref="TimestampVerifier"/> against the configured roots and kept in <see cref="TimestampStore"/>. A failing TSA
/// is logged, counted and retried with pauses doubling up to <see cref="TimestampingOptions.MaxRetryDelay"/>.
/// </summary>
public sealed partial class TimestampingService : BackgroundService
{
    private readonly TimestampingOptions _options;
    private readonly string _origin;
    private readonly FinalCheckpoints _finals;
    private readonly AnchoringMetrics _metrics;
    private readonly ILogger<TimestampingService> _logger;
    private readonly TimestampVerifier _verifier;
    private readonly HttpClient _http = new();
    private readonly TimestampClient _client;
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Reads the trusted roots; the TSA is first asked when a final checkpoint exists.</summary>
    public TimestampingService(TimestampingOptions options, string origin, string contentRoot, TimestampStore store, FinalCheckpoints finals,
        AnchoringMetrics metrics, ILogger<TimestampingService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(finals);
        _options = options;
        _origin = origin;
        _finals = finals;
        _metrics = metrics;
        _logger = logger;
        Store = store;
        var rootsFile = Path.GetFullPath(options.TrustedRootsFile, contentRoot);
        if (!File.Exists(rootsFile)) throw new InvalidOperationException($"Huren:Timestamping:TrustedRootsFile: '{rootsFile}' does not exist");
        IReadOnlyList<System.Security.Cryptography.X509Certificates.X509Certificate2> roots;
        try
        {
            roots = TimestampTrust.CertificatesFromPem(File.ReadAllText(rootsFile));
        }
        catch (CryptographicException ex)
        {
            throw new InvalidOperationException($"Huren:Timestamping:TrustedRootsFile: '{rootsFile}': {ex.Message}", ex);
        }
        if (roots.Count == 0) throw new InvalidOperationException($"Huren:Timestamping:TrustedRootsFile: '{rootsFile}' holds no certificate");
        _verifier = new TimestampVerifier(new TimestampTrust
        {
            Roots = roots,
            Policies = options.Policy.Length > 0 ? [options.Policy] : [],
        });
        _client = new TimestampClient(_http, new TimestampClientOptions
        {
            Url = new Uri(options.Url),
            Timeout = options.Timeout,
            Attempts = options.Attempts,
            Policy = options.Policy.Length > 0 ? options.Policy : null,
        });
        finals.Changed += o =>
        {
            if (o == _origin) _wake.Release();
        };
    }

    /// <summary>The kept tokens.</summary>
    public TimestampStore Store { get; }

    /// <summary>The last error while the TSA keeps failing, else null.</summary>
    public string? LastError { get; private set; }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ulong stamped = Store.AtOrBelow(_origin)?.Size ?? 0;
        var failures = 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await _wake.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                if (_finals.LatestOf(_origin) is not { } latest || latest.Size <= stamped) continue;
                TimeSpan pause;
                try
                {
                    await StampAsync(latest.Size, latest.Note, stoppingToken).ConfigureAwait(false);
                    stamped = latest.Size;
                    failures = 0;
                    LastError = null;
                    pause = _options.Interval;
                }
                // Whatever a TSA's answer makes fail is a failed stamp, tried again later: a background service that
                // throws stops the node (the host's default).
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    failures++;
                    LastError = ex.Message;
                    _metrics.TimestampFailed();
                    pause = TimeSpan.FromMilliseconds(Math.Min(_options.MaxRetryDelay.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(failures - 1, 20))));
                    LogStampFailed(_logger, latest.Size, failures, pause.TotalSeconds, ex.Message);
                }
                try
                {
                    await Task.Delay(pause, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
        finally
        {
            _http.Dispose();
        }
    }

    private async Task StampAsync(ulong size, string note, CancellationToken cancellationToken)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(note));
        var token = await _client.RequestAsync(digest, cancellationToken).ConfigureAwait(false);
        var check = _verifier.Verify(token, digest, token.Nonce);
        if (!check.IsValid) throw new InvalidDataException($"the TSA's token for size {size} does not verify: {check.Failure}");
        Store.Save(new CheckpointTimestamp { Origin = _origin, Size = size, Note = note, Token = token.ToArray(), GenTime = token.GenTime });
        _metrics.Timestamped(size);
        LogStamped(_logger, size, token.GenTime);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Time-stamped the checkpoint of size {Size} at {GenTime:O}")]
    private static partial void LogStamped(ILogger logger, ulong size, DateTimeOffset genTime);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Time-stamp of size {Size} failed ({Failures} in a row), next try in {Seconds:0.#} s: {Error}")]
    private static partial void LogStampFailed(ILogger logger, ulong size, int failures, double seconds, string error);
}
