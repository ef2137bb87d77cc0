using System.Net;
using Huren.Sdk.Client;

namespace Huren.Node.Services;

/// <summary>Who may read <c>/metrics</c> (section <c>Huren:Metrics</c>).</summary>
public sealed class MetricsOptions
{
    /// <summary>Serve the metrics to clients on this machine (a local agent or Prometheus) without a certificate.</summary>
    public bool AllowLoopback { get; set; } = true;

    /// <summary>
    /// SHA-256 fingerprints (hex) of the TLS client certificates of scrapers allowed from anywhere, e.g. a Prometheus
    /// with <c>tls_config.cert_file</c>; the TLS handshake accepts these certificates besides the members'.
    /// </summary>
    public List<string> ScraperCertificates { get; set; } = [];

    /// <summary>Names the first invalid setting, or null.</summary>
    public string? Validate()
    {
        foreach (var fingerprint in ScraperCertificates)
        {
            if (fingerprint.Length != 64 || !fingerprint.All(char.IsAsciiHexDigit))
                return $"Huren:Metrics:ScraperCertificates holds '{fingerprint}', not the 64 hex digits of a certificate's SHA-256";
        }
        return null;
    }
}

/// <summary>
/// The rule for <c>/metrics</c>: the node's counters and sizes describe its traffic (how many licenses, shares and
/// checkpoints, which mirrors lag), so they are served only to this machine's own clients and to scrapers that present
/// a configured TLS client certificate; anyone else gets 403. Health (<c>/healthz</c>, gRPC health) stays open.
/// </summary>
public sealed class MetricsAccess(MetricsOptions options)
{
    private readonly HashSet<string> _scrapers = new(options.ScraperCertificates, StringComparer.OrdinalIgnoreCase);

    /// <summary>The path served.</summary>
    public const string Path = "/metrics";

    /// <summary>Whether the TLS handshake should accept a client certificate with <paramref name="sha256"/> (a scraper's).</summary>
    public bool IsScraperCertificate(string sha256) => _scrapers.Contains(sha256);

    /// <summary>Whether the request on <paramref name="connection"/> may read the metrics.</summary>
    public bool Allows(ConnectionInfo connection)
    {
        if (options.AllowLoopback && connection.RemoteIpAddress is { } address && IPAddress.IsLoopback(address)) return true;
        return connection.ClientCertificate is { } certificate && _scrapers.Contains(PinnedTls.Fingerprint(certificate));
    }

    /// <summary>Marks the metrics endpoint (<c>WithMetadata</c>), so that the guard knows it by what routing chose, whatever the path's case or form.</summary>
    public sealed class EndpointMarker
    {
        /// <summary>The one marker.</summary>
        public static readonly EndpointMarker Instance = new();

        private EndpointMarker()
        {
        }
    }

    /// <summary>
    /// Refuses, before the metrics are collected, a request routed to the metrics endpoint (<see cref="EndpointMarker"/>: routing
    /// matches <c>/METRICS</c> or <c>/metrics/</c> too) that <see cref="Allows"/> does not let through; any other request
    /// passes straight on. Runs after routing.
    /// </summary>
    public Task GuardAsync(HttpContext context, RequestDelegate next)
        => context.GetEndpoint()?.Metadata.GetMetadata<EndpointMarker>() is not null && !Allows(context.Connection) ? RefuseAsync(context) : next(context);

    private static async Task RefuseAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync(
            $"{Path} is served to clients on the node's own machine and to scrapers presenting a TLS client certificate listed in Huren:Metrics:ScraperCertificates\n",
            context.RequestAborted).ConfigureAwait(false);
    }
}
