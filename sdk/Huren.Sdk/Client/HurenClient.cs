using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Configuration;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using ProtoBuf.Grpc.Client;

namespace Huren.Sdk.Client;

/// <summary>Who calls, with which key, and which node: a principal configured on the node.</summary>
/// <param name="Principal">The principal name the node knows.</param>
/// <param name="Key">The principal's signing key.</param>
/// <param name="Node">
/// The city code of the node called (as the network configuration lists it). Every credential names it, so the node
/// refuses one made for another node, and no node can replay what a caller sent it at another.
/// </param>
public sealed record ClientIdentity(string Principal, SigningKey Key, string Node);

/// <summary>
/// A typed client of one Huren node: every service over one gRPC channel, each call signed with the caller's
/// credential, a default deadline, and retries of idempotent reads on UNAVAILABLE (gRPC service-config retry policy).
/// </summary>
public sealed partial class HurenClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly ConcurrentDictionary<string, (long Seconds, string Header)> _credentials = new(StringComparer.Ordinal);

    /// <summary>The largest message a client takes, and a node sends: 64 MiB (a seal's evidence holds a few MiB).</summary>
    public const int MaxMessageBytes = 64 * 1024 * 1024;

    /// <summary>Connects to <paramref name="endpoint"/> (e.g. <c>http://127.0.0.1:7101</c>) as <paramref name="identity"/>.</summary>
    /// <param name="endpoint">The node's gRPC address.</param>
    /// <param name="identity">The caller; null for unauthenticated calls (only health checks answer those).</param>
    /// <param name="deadline">Deadline of each call; 30 s when not given.</param>
    /// <param name="handler">An HTTP handler (e.g. for TLS settings); a default one when null.</param>
    /// <param name="interceptor">Runs around every call of the services below (e.g. to say which node an error came from); none when null.</param>
    public HurenClient(Uri endpoint, ClientIdentity? identity, TimeSpan? deadline = null, HttpMessageHandler? handler = null, Interceptor? interceptor = null)
    {
        Endpoint = endpoint;
        Deadline = deadline ?? TimeSpan.FromSeconds(30);
        var credentials = CallCredentials.FromInterceptor((context, metadata) =>
        {
            if (identity is not null)
            {
                // Sign the full method path the server sees: /<package.Service>/<Method>.
                var method = new Uri(context.ServiceUrl).AbsolutePath.TrimEnd('/') + "/" + context.MethodName;
                metadata.Add(CallCredential.Header, CredentialFor(identity, method));
            }
            return Task.CompletedTask;
        });
        var retry = new MethodConfig
        {
            Names = { MethodName.Default },
            RetryPolicy = new RetryPolicy
            {
                MaxAttempts = 4,
                InitialBackoff = TimeSpan.FromMilliseconds(200),
                MaxBackoff = TimeSpan.FromSeconds(2),
                BackoffMultiplier = 2,
                RetryableStatusCodes = { StatusCode.Unavailable },
            },
        };
        _channel = GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions
        {
            HttpHandler = handler ?? new SocketsHttpHandler { EnableMultipleHttp2Connections = true, InitialHttp2StreamWindowSize = ReceiveWindowBytes },
            // Signed per-call credentials are fine over cleartext on loopback; TLS carries them between hosts.
            UnsafeUseInsecureChannelCallCredentials = endpoint.Scheme == Uri.UriSchemeHttp,
            Credentials = endpoint.Scheme == Uri.UriSchemeHttps ? ChannelCredentials.Create(ChannelCredentials.SecureSsl, credentials) : ChannelCredentials.Create(ChannelCredentials.Insecure, credentials),
            ServiceConfig = new ServiceConfig { MethodConfigs = { retry } },
            MaxReceiveMessageSize = MaxMessageBytes,
        });
        var invoker = interceptor is null ? _channel.CreateCallInvoker() : _channel.Intercept(interceptor);
        Ledger = invoker.CreateGrpcService<ILedgerService>();
        Licenses = invoker.CreateGrpcService<ILicenseService>();
        Trace = invoker.CreateGrpcService<ITraceService>();
        Issuers = invoker.CreateGrpcService<IIssuerService>();
        Witness = invoker.CreateGrpcService<IWitnessService>();
        Network = invoker.CreateGrpcService<INetworkService>();
        Seals = invoker.CreateGrpcService<ISealService>();
        Anchoring = invoker.CreateGrpcService<IAnchoringService>();
        // Transfers read their 64 KiB pieces into pooled buffers (TransferMarshalling).
        Content = invoker.CreateGrpcService<IContentService>(TransferMarshalling.Clients);
        Exchange = invoker.CreateGrpcService<IExchangeService>(TransferMarshalling.Clients);
        Admin = invoker.CreateGrpcService<IAdminService>();
    }

    /// <summary>
    /// The credential for <paramref name="method"/> this second: signed once per method and second and reused, since the
    /// signed text names only the principal, the node, the method and the second (a busy client would otherwise sign
    /// every call).
    /// </summary>
    private string CredentialFor(ClientIdentity identity, string method)
    {
        var now = DateTimeOffset.UtcNow;
        var seconds = now.ToUnixTimeSeconds();
        if (_credentials.TryGetValue(method, out var cached) && cached.Seconds == seconds) return cached.Header;
        var header = CallCredential.Create(identity.Principal, identity.Node, identity.Key, method, now);
        _credentials[method] = (seconds, header);
        return header;
    }

    /// <summary>The node's address.</summary>
    public Uri Endpoint { get; }

    /// <summary>The default deadline of each call.</summary>
    public TimeSpan Deadline { get; }

    /// <summary>The channel (for health checks and custom services).</summary>
    public GrpcChannel Channel => _channel;

    /// <summary>The Ledger service.</summary>
    public ILedgerService Ledger { get; }

    /// <summary>The Licenses service.</summary>
    public ILicenseService Licenses { get; }

    /// <summary>The Trace service.</summary>
    public ITraceService Trace { get; }

    /// <summary>The Issuers service.</summary>
    public IIssuerService Issuers { get; }

    /// <summary>The Witness service (node-to-node).</summary>
    public IWitnessService Witness { get; }

    /// <summary>The Network service (configuration in force and its updates).</summary>
    public INetworkService Network { get; }

    /// <summary>The Seals service (sealed documents and registered seals).</summary>
    public ISealService Seals { get; }

    /// <summary>The Anchoring service (anchors on an EVM chain, anchor proofs, RFC 3161 time-stamps of checkpoints).</summary>
    public IAnchoringService Anchoring { get; }

    /// <summary>The Content service (the node's content store: streaming upload and download, record data).</summary>
    public IContentService Content { get; }

    /// <summary>The Exchange service (cross-city data exchange: requests, catalogue, release after the receipt).</summary>
    public IExchangeService Exchange { get; }

    /// <summary>The <c>huren.v1.Admin</c> service (operator maintenance: backups).</summary>
    public IAdminService Admin { get; }

    /// <summary>Call options with the default deadline and <paramref name="cancellationToken"/>.</summary>
    public CallOptions Options(CancellationToken cancellationToken = default)
        => new(deadline: DateTime.UtcNow + Deadline, cancellationToken: cancellationToken);

    /// <inheritdoc/>
    public void Dispose() => _channel.Dispose();
}
