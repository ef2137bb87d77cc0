using System.Threading.RateLimiting;
using Grpc.Core;

namespace Huren.Node.Auth;

/// <summary>Bounds on what one caller may hold of the node at once (section <c>Huren:Limits</c>).</summary>
public sealed class CallLimitOptions
{
    /// <summary>
    /// Calls (unary or streaming) one principal may have in flight at once; one more is refused with RESOURCE_EXHAUSTED
    /// until one ends. A client with many connections and streams could otherwise hold the node's memory and threads
    /// from everyone else, the counters (窗口) included. Generous: the busiest callers measured (the benchmarks' 32
    /// concurrent submitters, a peer's follows, witness offers and exchanges) stay far below it.
    /// </summary>
    public int CallsInFlightPerClient { get; set; } = 256;

    /// <summary>Names the first invalid setting, or null.</summary>
    public string? Validate()
        => CallsInFlightPerClient is < 1 or > 100_000 ? $"Huren:Limits:CallsInFlightPerClient must be 1–100000, got {CallsInFlightPerClient}" : null;
}

/// <summary>
/// Counts each authenticated principal's calls in flight (a concurrency limiter per principal, no queue): a call
/// beyond <see cref="CallLimitOptions.CallsInFlightPerClient"/> is refused at once, naming the limit, and the permit is
/// given back when a call ends however it ends. A peer node's forwarded exchange requests (<see cref="ProvideMethod"/>,
/// one per department request in its city, each open for its whole transfer) count apart from its other calls: a
/// burst of exchanges must not take the permits its mirrors' follows and witness offers need, or finality would stall.
/// </summary>
public sealed class CallsInFlight(CallLimitOptions options) : IDisposable
{
    /// <summary>The setting, named in every refusal.</summary>
    public const string Setting = "Huren:Limits:CallsInFlightPerClient";

    /// <summary>The method a consumer's node forwards its departments' share requests with.</summary>
    public const string ProvideMethod = "/huren.v1.Exchange/Provide";

    // Partitioned by principal, and for a peer by whether the call is a forwarded share request.
    private readonly PartitionedRateLimiter<(string Principal, bool Exchange)> _limiter = PartitionedRateLimiter.Create<(string Principal, bool Exchange), (string, bool)>(partition =>
        RateLimitPartition.GetConcurrencyLimiter(partition, _ => new ConcurrencyLimiterOptions { PermitLimit = options.CallsInFlightPerClient, QueueLimit = 0 }));

    /// <summary>A permit for one call of <paramref name="principal"/> to <paramref name="method"/>, to dispose when the call ends.</summary>
    /// <exception cref="RpcException">RESOURCE_EXHAUSTED: the principal already has the limit of calls in flight.</exception>
    public RateLimitLease Admit(ClientPrincipal principal, string method)
    {
        var exchange = principal.Role == ClientRole.Peer && string.Equals(method, ProvideMethod, StringComparison.Ordinal);
        var lease = _limiter.AttemptAcquire((principal.Name, exchange));
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        throw new RpcException(new Status(StatusCode.ResourceExhausted,
            $"'{principal.Name}' already has {options.CallsInFlightPerClient} {(exchange ? "forwarded share requests" : "calls")} in flight at this node ({Setting}); end some, or wait for them, and call again"));
    }

    /// <inheritdoc/>
    public void Dispose() => _limiter.Dispose();
}
