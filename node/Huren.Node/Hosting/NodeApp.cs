using Huren.Node.Anchoring;
using Huren.Node.Checkpoints;
using Huren.Node.Content;
using Huren.Node.Network;
using Grpc.Reflection;
using Huren.Node.Auth;
using Huren.Node.CounterDesk;
using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Mirrors;
using Huren.Node.Recovery;
using Huren.Node.Services;
using Huren.Node.Storage;
using Huren.Sdk.Client;
using Huren.Sdk.Network;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Prometheus;
using ProtoBuf.Grpc.Server;

namespace Huren.Node.Hosting;

/// <summary>Composes the city node: options, keys, storage, the sequencer and the gRPC services.</summary>
public static partial class NodeApp
{
    /// <summary>The host setting, as a command-line argument, that keeps configuration files from being watched for changes.</summary>
    private const string NoConfigReload = "hostBuilder:reloadConfigOnChange=false";

    /// <summary>Builds the node from configuration; <paramref name="configure"/> lets tests add settings.</summary>
    /// <exception cref="InvalidOperationException">A setting is invalid; the message names it.</exception>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Settings are read once at start, so appsettings.json is not watched: the default watcher covers the whole
        // content root, the city folder with its database and content store, and read an event for every file write
        // there (≈ 2 % of the machine under the exchange benchmark). A later argument may still turn it back on.
        var builder = WebApplication.CreateBuilder([$"--{NoConfigReload}", .. args]);
        configure?.Invoke(builder);
        var options = builder.Configuration.GetSection("Huren").Get<NodeOptions>() ?? new NodeOptions();
        if (options.Validate() is { } error) throw new InvalidOperationException(error);
        var baseDir = builder.Environment.ContentRootPath;
        var keys = NodeKeys.Load(options.Keys, baseDir, options.CreateMissingKeys);

        // Node-to-node mutual TLS: peers may present a certificate, and only one the network configuration lists (or a
        // metrics scraper's, Huren:Metrics) gets through the handshake. Clients without certificates authenticate with
        // their signed call credential; a certificate stands for a peer only with that peer's credential.
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // A call on a connection that died without a close (a peer's host gone, a network cut) would hold its
            // permit (Huren:Limits) and its stream until TCP gave up: HTTP/2 pings find such a connection in under a minute.
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(20);
            kestrel.ConfigureHttpsDefaults(https =>
            {
                https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.AllowCertificate;
                https.ClientCertificateValidation = (certificate, _, _) =>
                {
                    var fingerprint = PinnedTls.Fingerprint(certificate);
                    return kestrel.ApplicationServices.GetRequiredService<ClientRegistry>().IsMemberCertificate(fingerprint)
                        || kestrel.ApplicationServices.GetRequiredService<MetricsAccess>().IsScraperCertificate(fingerprint);
                };
            });
        });
        var services = builder.Services;
        // Bounded shutdown: on SIGTERM, requests and hosted services get this long before the node closes its storage
        // and exits (peer streams end at once: they observe ApplicationStopping).
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(4));
        services.AddSingleton(options);
        services.AddSingleton(new MetricsAccess(options.Metrics));
        // Made by the container, so that it disposes the limiter (and its timer) with the node.
        services.AddSingleton(_ => new CallsInFlight(options.Limits));
        services.AddSingleton(sp => LoadNetwork(options, baseDir) is { } genesis
            ? new NetworkView(genesis, new KeySpace(sp.GetRequiredService<IKeyValueStore>(), StoreFamily.State, NetworkView.KeySpaceName))
            : new NetworkView());
        services.AddSingleton(keys);
        services.AddSingleton(TimeProvider.System);
        // Tests may put another store in first (e.g. one that injects faults).
        services.TryAddSingleton<IKeyValueStore>(_ => RocksStore.Open(Path.GetFullPath(options.DataPath, baseDir)));
        services.AddSingleton(sp => new AppendHealth(options.Sequencer.FailedBatchesUnhealthy));
        services.AddSingleton(sp =>
        {
            var events = new LogEvents(sp.GetRequiredService<ILogger<LogEvents>>());
            // Subscribers run on the events' own thread, never on a writer's.
            var metrics = sp.GetRequiredService<NodeMetrics>();
            var directory = new Lazy<LogDirectory>(sp.GetRequiredService<LogDirectory>);
            var collector = new Lazy<CosignatureCollector>(sp.GetRequiredService<CosignatureCollector>);
            events.Subscribe(e =>
            {
                if (e.Kind == LogEventKind.Appended && e.Origin == options.Origin) metrics.BatchCommitted(e.Count);
                if (e.Kind == LogEventKind.Checkpoint && e.Origin == options.Origin)
                {
                    metrics.Checkpoint(options.Origin, e.Size, e.Signed);
                    collector.Value.Wake();
                }
                directory.Value.Grew(e.Origin);
            });
            return events;
        });
        services.AddSingleton(sp => new MerkleLog(new LogStore(sp.GetRequiredService<IKeyValueStore>(), options.Origin)));
        services.AddSingleton(sp => new LogDirectory(sp.GetRequiredService<MerkleLog>()));
        services.AddSingleton(sp =>
        {
            var network = sp.GetRequiredService<NetworkView>();
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger<LogStateMachine>();
            var state = new LogStateMachine(options.Origin, OwnRootKeys(keys.RootKey, network.Current, options.Origin, logger), options.RootIssuerId,
                sp.GetRequiredService<MerkleLog>().Store, sp.GetRequiredService<LogDirectory>().ReferenceExists, sp.GetRequiredService<TimeProvider>(),
                // Resolved at call time: the mirrors' states exist only once the node is composed.
                (origin, id) => sp.GetRequiredService<LedgerStates>().Get(origin) is { } s && s.TryGetLicense(id, out var l) ? l : null)
            {
                AdmitsOwnEntries = true,
                KeptLogs = sp.GetRequiredService<LogDirectory>().Find,
                RefusedData = (origin, shareId) => sp.GetRequiredService<ContentIndex>().RefusedData(origin, shareId),
            };
            // The other members' mirrors judge this log by the version in force: so does the node, from the moment it is.
            network.Changed += config => state.RootKeys = OwnRootKeys(keys.RootKey, config, options.Origin, logger);
            return state;
        });
        services.AddSingleton(sp => new LedgerStates(sp.GetRequiredService<LogStateMachine>()));
        services.AddSingleton(sp =>
        {
            var environment = sp.GetRequiredService<IHostEnvironment>();
            return new PeerClients(options.CityCode, keys.WitnessKey, () =>
            {
                var cert = Path.GetFullPath(options.Keys.TlsCertificate, environment.ContentRootPath);
                var key = Path.GetFullPath(options.Keys.TlsKey, environment.ContentRootPath);
                return File.Exists(cert) && File.Exists(key) ? PinnedTls.LoadCertificate(cert, key) : null;
            });
        });
        services.AddSingleton(new LicenseServiceOptions(options.CheckpointTimer, options.TestHooks.OmitRevocations));
        services.AddSingleton<MirrorSet>();
        services.AddHostedService<MirrorRunner>();
        // Lost or restored disk: the own log takes no entries until it is checked against what the others hold of it.
        services.AddSingleton(sp => OwnLogRecovery.InitialGate(sp.GetRequiredService<NetworkView>(), options.Origin));
        services.AddSingleton(options.Recovery);
        services.AddSingleton<OwnLogRecovery>();
        services.AddHostedService(sp => sp.GetRequiredService<OwnLogRecovery>());
        services.AddSingleton(sp => new BackgroundFaults(sp.GetRequiredService<NodeMetrics>().BackgroundFailure));
        services.AddSingleton<IWitnessCalls>(sp => new PeerWitnessCalls(sp.GetRequiredService<PeerClients>()));
        services.AddSingleton<CosignatureCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<CosignatureCollector>());
        services.AddSingleton(sp =>
        {
            var network = sp.GetRequiredService<NetworkView>();
            var staged = Path.GetFullPath(options.Keys.StagedKeys, sp.GetRequiredService<IHostEnvironment>().ContentRootPath);
            return new NodeCheckpointSigner(options.Origin, keys.LogKey, keys.Sm2LogKey, () => network.Current?.ByOrigin(options.Origin),
                () => NodeKeys.LoadStaged(staged), sp.GetRequiredService<ILoggerFactory>().CreateLogger<NodeCheckpointSigner>());
        });
        services.AddSingleton(sp =>
        {
            var network = sp.GetRequiredService<NetworkView>();
            return new EvidenceBuilder(options.NetworkId, sp.GetRequiredService<TimeProvider>(), sp.GetService<AnchorProofs>(), sp.GetService<TimestampStore>(), () => network.Current?.Version ?? 0);
        });
        AddAnchoring(services, options, baseDir);
        services.AddSingleton(sp =>
        {
            // Resolved once: the writer asks on its write path (a container being disposed must not fail a batch).
            var network = sp.GetRequiredService<NetworkView>();
            return new CheckpointWriter(sp.GetRequiredService<MerkleLog>(),
                options.TestHooks.WrongMapRoot ? WrongMapRootSigner(sp.GetRequiredService<NodeCheckpointSigner>().Sign) : sp.GetRequiredService<NodeCheckpointSigner>().Sign,
                options.Sequencer.CheckpointInterval, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<LogEvents>(),
                // No witness cosigns a log that is not a member's: nothing to wait for then.
                options.Sequencer.CheckpointFinalWait, () => network.Current is { } current && current.ByOrigin(options.Origin) is not null ? current.WitnessThreshold : 0);
        });
        services.AddSingleton(sp =>
        {
            var state = sp.GetRequiredService<LogStateMachine>();
            var appender = new LogAppender(sp.GetRequiredService<MerkleLog>(), state, [state, sp.GetRequiredService<CheckpointWriter>()],
                sp.GetRequiredService<LogEvents>(), sp.GetRequiredService<AppendHealth>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<LogAppender>());
            return new Sequencer(appender, options.Sequencer, sp.GetRequiredService<ILoggerFactory>().CreateLogger<Sequencer>(), sp.GetRequiredService<WriteGate>());
        });
        services.AddSingleton(sp => new NodeMetrics(Metrics.DefaultRegistry));
        services.AddSingleton(sp =>
        {
            var own = sp.GetRequiredService<LogStateMachine>();
            return new ClientRegistry(options.Clients, baseDir, sp.GetRequiredService<TimeProvider>(), options.CityCode, sp.GetRequiredService<NetworkView>(),
                issuerId => own.TryGetIssuer(issuerId, out var issuer) && !issuer.Revoked ? issuer.Registration.PublicKey : null,
                own.IsIssuerRevoked);
        });
        services.AddSingleton<ClientAuthInterceptor>();
        services.AddHostedService(sp => new CheckpointTimer(sp.GetRequiredService<CheckpointWriter>(), options.CheckpointTimer, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<BackgroundFaults>(), sp.GetRequiredService<ILogger<CheckpointTimer>>()));
        services.AddHostedService(sp => new StatusMapPruner(sp.GetRequiredService<LogDirectory>(), options.StatusMap, sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<BackgroundFaults>(), sp.GetRequiredService<ILogger<StatusMapPruner>>(), sp.GetRequiredService<NodeMetrics>().StatusMapPruned));

        services.AddSingleton(sp =>
        {
            var keys = new ContentKeys(options.Content.EffectiveKeyFiles, options.Content.ActiveKeyId, baseDir);
            if (options.CreateMissingKeys) keys.CreateActiveIfMissing();
            return new ContentStore(Path.GetFullPath(options.Content.Path, baseDir), keys, options.Content.ChunkSize, options.Content.MaxObjectBytes,
                sp.GetRequiredService<IKeyValueStore>(), options.Content.InlineMaxBytes);
        });
        services.AddSingleton(sp => new ContentIndex(sp.GetRequiredService<IKeyValueStore>()));
        services.AddSingleton<ContentService>();
        services.AddSingleton(new ExchangeSettings(options.Origin, options.NetworkId, options.Exchange, baseDir, options.TestHooks.AlterSharedData, options.TestHooks.KillAfterShareOfRecord, options.TestHooks.HoldProvideOfRecord));
        services.AddSingleton<ExchangeService>();
        services.AddSingleton<LicenseService>();
        // One instance, so the counter page shares it and its seal verifier keeps parsed certificates across calls.
        services.AddSingleton<SealService>();
        services.AddSingleton<LedgerService>();
        services.AddSingleton<AdminService>();
        if (options.Counter.Enabled) services.AddCounterPage(options.Counter, new CounterNode(options.Origin, options.CityCode));

        services.AddHurenWitness();
        // protobuf-net's binding, but uploads read their 64 KiB pieces into pooled buffers (TransferMarshalling).
        services.AddSingleton(TransferMarshalling.Binder);
        services.AddCodeFirstGrpc(grpc =>
        {
            // Outermost: whatever a handler (or the authentication) lets through still answers a status that says why.
            grpc.Interceptors.Add<FaultStatusInterceptor>();
            grpc.Interceptors.Add<ClientAuthInterceptor>();
            // No answer larger than the SDK takes: past it a call fails at the node with RESOURCE_EXHAUSTED instead of
            // sending what the client would refuse after reading it all.
            grpc.MaxSendMessageSize = Sdk.Client.HurenClient.MaxMessageBytes;
        });
        services.AddGrpcHealthChecks().AddCheck<LogHealthCheck>("log");
        services.AddSingleton(new ReflectionServiceImpl(ProtoReflection.ServiceDescriptors()));

        var app = builder.Build();
        // Fail at start, not at the first call, on bad client or storage settings.
        app.Services.GetRequiredService<ClientRegistry>();
        app.Services.GetRequiredService<Sequencer>();
        var mirrors = app.Services.GetRequiredService<MirrorSet>();
        // Follows checkpoint events from the start (after the mirrors' logs are known), not from the first call that asks.
        app.Services.GetRequiredService<FinalCheckpoints>();
        app.Services.GetRequiredService<NodeMetrics>().ObserveMirrors(() => mirrors.Mirrors.Select(m => (m.Origin, m.Log.Size, m.Fault is not null)));
        app.Services.GetRequiredService<ContentStore>();
        // Bad anchoring or time-stamping settings (key file, roots) fail the start too.
        if (options.Anchoring.Enabled) app.Services.GetRequiredService<AnchoringService>();
        if (options.Timestamping.Enabled) app.Services.GetRequiredService<TimestampingService>();
        var log = app.Services.GetRequiredService<MerkleLog>();
        var state = app.Services.GetRequiredService<LogStateMachine>();
        if (state.AppliedSize != log.Size)
        {
            throw new InvalidOperationException($"the ledger state of {options.Origin} covers {state.AppliedSize} entries but the log holds {log.Size}: the data folder was written by something else");
        }
        app.MapGrpcService<LedgerService>();
        app.MapGrpcService<LicenseService>();
        app.MapGrpcService<TraceService>();
        app.MapGrpcService<IssuerService>();
        app.MapHurenWitness();
        app.MapGrpcService<NetworkService>();
        app.MapGrpcService<SealService>();
        app.MapGrpcService<ContentService>();
        app.MapGrpcService<ExchangeService>();
        app.MapGrpcService<AnchoringRpcService>();
        app.MapGrpcService<AdminService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcService<ReflectionServiceImpl>();
        app.Use(app.Services.GetRequiredService<MetricsAccess>().GuardAsync);
        app.MapMetrics(MetricsAccess.Path).WithMetadata(MetricsAccess.EndpointMarker.Instance);
        // The same checks over plain HTTP (HTTP/1.1 or 2) for load balancers and curl: 200 Healthy, 503 Unhealthy.
        app.MapHealthChecks("/healthz");
        if (options.Counter.Enabled) app.MapCounterPage();
        LogStarted(app.Logger, options.Origin, log.Size);
        return app;
    }

    // Anchoring and time-stamping: background services fed by log events, never called by the sequencer.
    /// <summary>
    /// TEST HOOK (<see cref="TestHookOptions.WrongMapRoot"/>): signs checkpoints of a non-empty log with the status-map
    /// root's first byte changed, so the node publishes a map root no mirror can reproduce.
    /// </summary>
    private static Func<ulong, byte[], IReadOnlyList<string>, byte[]> WrongMapRootSigner(Func<ulong, byte[], IReadOnlyList<string>, byte[]> sign)
        => (size, root, lines) => sign(size, root, size == 0 ? lines : [.. lines.Select(line =>
        {
            if (!Huren.Sdk.StatusMap.StatusMapLine.TryParse(line, out var mapRoot, out _)) return line;
            var wrong = mapRoot.ToArray();
            wrong[0] ^= 1;
            return Huren.Sdk.StatusMap.StatusMapLine.Format(new Huren.Sdk.Merkle.Hash256(wrong));
        })]);

    private static void AddAnchoring(IServiceCollection services, NodeOptions options, string baseDir)
    {
        // Also what GetCheckpoint answers for the newest final checkpoint, with or without anchoring.
        services.AddSingleton(sp => new FinalCheckpoints(sp.GetRequiredService<NetworkView>(), sp.GetRequiredService<LogDirectory>(), sp.GetRequiredService<LogEvents>()));
        services.AddSingleton(sp => new TimestampStore(sp.GetRequiredService<IKeyValueStore>()));
        services.AddSingleton<AnchoringRpcService>();
        if (!options.Anchoring.Enabled && !options.Timestamping.Enabled) return;
        services.AddSingleton(_ => new AnchoringMetrics(Metrics.DefaultRegistry));
        if (options.Anchoring.Enabled)
        {
            services.AddSingleton(sp => new NodeAnchorStore(sp.GetRequiredService<IKeyValueStore>()));
            services.AddSingleton(sp => new AnchorProofs(sp.GetRequiredService<NodeAnchorStore>(), sp.GetRequiredService<LogDirectory>()));
            services.AddSingleton(sp => new AnchoringService(options.Anchoring, baseDir, sp.GetRequiredService<NodeAnchorStore>(), sp.GetRequiredService<FinalCheckpoints>(),
                sp.GetRequiredService<AnchoringMetrics>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
            services.AddHostedService(sp => sp.GetRequiredService<AnchoringService>());
        }
        if (options.Timestamping.Enabled)
        {
            services.AddSingleton(sp => new TimestampingService(options.Timestamping, options.Origin, baseDir, sp.GetRequiredService<TimestampStore>(),
                sp.GetRequiredService<FinalCheckpoints>(), sp.GetRequiredService<AnchoringMetrics>(), sp.GetRequiredService<ILogger<TimestampingService>>()));
            services.AddHostedService(sp => sp.GetRequiredService<TimestampingService>());
        }
    }

    private static TrustedNetwork? LoadNetwork(NodeOptions options, string baseDir)
    {
        if (string.IsNullOrEmpty(options.NetworkConfig)) return null;
        var path = Path.GetFullPath(options.NetworkConfig, baseDir);
        if (!File.Exists(path)) throw new InvalidOperationException($"Huren:NetworkConfig: '{path}' does not exist");
        TrustedNetwork config;
        try
        {
            config = TrustedNetwork.Parse(File.ReadAllBytes(path));
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"Huren:NetworkConfig: '{path}': {ex.Message}", ex);
        }
        if (config.NetworkId != options.NetworkId) throw new InvalidOperationException($"Huren:NetworkConfig is for network '{config.NetworkId}', the node is in '{options.NetworkId}'");
        if (config.ByOrigin(options.Origin) is null) throw new InvalidOperationException($"Huren:NetworkConfig does not list this node's origin {options.Origin}");
        return config;
    }

    /// <summary>
    /// The own log's city root keys: <c>Huren:Keys:RootPublicKey</c> as the current key, with the retired root keys the
    /// configuration in force lists for this city (<see cref="CityRootKeys.ForOwnLog"/>); an alarm when that version
    /// retired or revoked the configured key (the node must be restarted with the new one).
    /// </summary>
    private static CityRootKeys OwnRootKeys(Sdk.Crypto.PublicKey configured, TrustedNetwork? network, string origin, ILogger logger)
    {
        var self = network?.ByOrigin(origin);
        var rootKeys = CityRootKeys.ForOwnLog(configured, self);
        if (self is not null && !rootKeys.IsCurrent(configured)) LogRootKeyNotCurrent(logger, configured.Id.ToString(), network!.Version, self.RootKey.Id.ToString());
        return rootKeys;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "ALARM: Huren:Keys:RootPublicKey (key {KeyId}) is not the city's root key in network configuration version {Version} (retired there, or unknown to it): the log takes the root entries that version allows, as its mirrors do; set it to the city's root key {Current} and restart")]
    private static partial void LogRootKeyNotCurrent(ILogger logger, string keyId, int version, string current);

    [LoggerMessage(Level = LogLevel.Information, Message = "Huren node for {Origin} opened its log at size {Size}")]
    private static partial void LogStarted(ILogger logger, string origin, ulong size);
}

/// <summary>
/// The node's health: unhealthy while a log's batches keep failing to be written (<see cref="AppendHealth"/>), and not
/// ready while its own log takes no entries (<see cref="WriteGate"/>: checking or rebuilding it after a lost or restored
/// disk); degraded (still serving) while a piece of background work keeps failing (<see cref="BackgroundFaults"/>).
/// </summary>
internal sealed class LogHealthCheck(AppendHealth health, BackgroundFaults background, WriteGate gate, Sequencer sequencer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(health.Fault() is { } fault ? HealthCheckResult.Unhealthy(fault)
            : sequencer.StoppedReason is { } stopped ? HealthCheckResult.Unhealthy($"the own log takes no entries: {stopped}")
            : gate.ClosedReason is { } closed ? HealthCheckResult.Unhealthy($"the own log takes no entries: {closed}")
            : background.Degraded() is { } degraded ? HealthCheckResult.Degraded(degraded)
            : HealthCheckResult.Healthy());
}
