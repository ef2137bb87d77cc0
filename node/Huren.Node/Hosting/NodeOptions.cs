using Huren.Node.Auth;
using Huren.Node.CounterDesk;
using Huren.Node.Logs;

namespace Huren.Node.Hosting;

/// <summary>The node's settings (section <c>Huren</c>; environment <c>HUREN__Section__Key</c>; command line <c>--Huren:Key=value</c>).</summary>
public sealed class NodeOptions
{
    /// <summary>The network id, e.g. <c>cz-t</c>.</summary>
    public string NetworkId { get; set; } = "";

    /// <summary>The city's 6-digit code, e.g. <c>430100</c>.</summary>
    public string CityCode { get; set; } = "";

    /// <summary>Folder of the RocksDB database (relative paths are relative to the content root).</summary>
    public string DataPath { get; set; } = "data";

    /// <summary>Path of the network configuration (genesis or a later version); empty for a stand-alone node.</summary>
    public string NetworkConfig { get; set; } = "";

    /// <summary>Key files.</summary>
    public NodeKeyFiles Keys { get; set; } = new();

    /// <summary>Generate any missing key file at start (a fresh local node); off in production.</summary>
    public bool CreateMissingKeys { get; set; }

    /// <summary>Clients allowed to call the node, by principal name.</summary>
    public Dictionary<string, ClientOptions> Clients { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Group commit.</summary>
    public SequencerOptions Sequencer { get; set; } = new();

    /// <summary>How long the status map's older versions are kept (section <c>Huren:StatusMap</c>).</summary>
    public StatusMapOptions StatusMap { get; set; } = new();

    /// <summary>The counter page (窗口核验) at <c>/counter/</c>.</summary>
    public CounterOptions Counter { get; set; } = new();

    /// <summary>Anchoring on an EVM chain (off unless <c>RpcUrl</c> is set).</summary>
    public Anchoring.AnchoringOptions Anchoring { get; set; } = new();

    /// <summary>RFC 3161 time-stamps of final checkpoints (off unless <c>Url</c> is set).</summary>
    public Anchoring.TimestampingOptions Timestamping { get; set; } = new();

    /// <summary>What one caller may hold of the node at once.</summary>
    public CallLimitOptions Limits { get; set; } = new();

    /// <summary>Who may read <c>/metrics</c>.</summary>
    public Services.MetricsOptions Metrics { get; set; } = new();

    /// <summary>The content store and its data keys.</summary>
    public Content.ContentOptions Content { get; set; } = new();

    /// <summary>Data exchange (跨域数据共享): department keys for shares and refusals.</summary>
    public Services.ExchangeOptions Exchange { get; set; } = new();

    /// <summary>The start-up check of the node's own log against the other cities (lost or restored disk).</summary>
    public Recovery.RecoveryOptions Recovery { get; set; } = new();

    /// <summary>How often a checkpoint is signed for entries that did not get one with their batch.</summary>
    public TimeSpan CheckpointTimer { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// TEST HOOK, never for a real node (<c>Huren:TestHooks:OmitRevocations</c>): license answers leave out revocation
    /// entries and state VALID, as a dishonest node would, so tests can show that clients catch it (docs/testing.md).
    /// </summary>
    public TestHookOptions TestHooks { get; set; } = new();

    /// <summary>The log's origin line, <c>huren.&lt;network&gt;/&lt;city&gt;</c>.</summary>
    public string Origin => $"huren.{NetworkId}/{CityCode}";

    /// <summary>The city root's issuer id, which signs issuer registrations.</summary>
    public string RootIssuerId => $"{CityCode}-root";

    /// <summary>Names the first invalid setting, or null.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(NetworkId) || NetworkId.Contains('/') || NetworkId.Any(char.IsWhiteSpace))
            return "Huren:NetworkId must be a non-empty id without '/' or spaces (e.g. cz-t)";
        if (CityCode.Length != 6 || !CityCode.All(char.IsAsciiDigit)) return $"Huren:CityCode must be a 6-digit 行政区划代码, got '{CityCode}'";
        if (string.IsNullOrWhiteSpace(DataPath)) return "Huren:DataPath is required";
        if (CheckpointTimer <= TimeSpan.Zero) return "Huren:CheckpointTimer must be positive";
        return Keys.Validate() ?? Recovery.Validate() ?? Sequencer.Validate() ?? StatusMap.Validate() ?? Counter.Validate() ?? Content.Validate() ?? Exchange.Validate() ?? Anchoring.Validate() ?? Timestamping.Validate() ?? Metrics.Validate() ?? Limits.Validate();
    }
}

/// <summary>Switches read only by tests, to make a node misbehave on purpose (docs/testing.md, "Test hooks").</summary>
public sealed class TestHookOptions
{
    /// <summary>License verdicts leave out <c>license.status</c> revocations from their bundles and state VALID.</summary>
    public bool OmitRevocations { get; set; }

    /// <summary>
    /// The node's own checkpoints of a non-empty log carry a wrong <c>huren-status-map/v1</c> root (the true root with
    /// one bit flipped), as a node lying about its records' states would; its mirrors must refuse and record it.
    /// </summary>
    public bool WrongMapRoot { get; set; }

    /// <summary>A provider node flips one bit of the data it sends for a share after recording the share entry, as a
    /// tampering network would; the consumer's node must refuse the data and write no receipt.</summary>
    public bool AlterSharedData { get; set; }

    /// <summary>A provider node kills its own process (SIGKILL) just after sending the header of a new share of this
    /// record id, before any data, as a crash would; restarted and asked again under the same share id, it must send
    /// that share.</summary>
    public string KillAfterShareOfRecord { get; set; } = "";

    /// <summary>A provider node holds every forwarded request for this record id unanswered, writing nothing, until its
    /// caller gives up: each holds a permit of the consumer city's forwarded requests, so a test can fill them.</summary>
    public string HoldProvideOfRecord { get; set; } = "";
}

/// <summary>Paths of the node's key files (PEM).</summary>
public sealed class NodeKeyFiles
{
    /// <summary>Ed25519 PKCS#8: signs checkpoints (C2SP note key, named by the origin).</summary>
    public string LogKey { get; set; } = "keys/log-ed25519.pem";

    /// <summary>SM2 PKCS#8: the national-crypto checkpoint signature.</summary>
    public string Sm2LogKey { get; set; } = "keys/log-sm2.pem";

    /// <summary>Ed25519 PKCS#8: cosigns other cities' checkpoints as a witness.</summary>
    public string WitnessKey { get; set; } = "keys/witness-ed25519.pem";

    /// <summary>SubjectPublicKeyInfo PEM of the city root key, which registers and revokes issuers.</summary>
    public string RootPublicKey { get; set; } = "keys/root.pub.pem";

    /// <summary>PEM certificate of the node's TLS endpoint, also presented to peers (mutual TLS); used when the file exists.</summary>
    public string TlsCertificate { get; set; } = "keys/tls.crt.pem";

    /// <summary>PEM private key of <see cref="TlsCertificate"/>.</summary>
    public string TlsKey { get; set; } = "keys/tls.key.pem";

    /// <summary>
    /// Folder of private keys staged for a key rotation (PKCS#8 PEM files, <c>*.pem</c>): when the configuration in force
    /// lists one of them as this member's log or SM2 key, the node signs its checkpoints with it. Read again at each
    /// adopted version; may be missing.
    /// </summary>
    public string StagedKeys { get; set; } = "keys/staged";

    /// <summary>Names the first missing setting, or null.</summary>
    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(LogKey)) return "Huren:Keys:LogKey is required";
        if (string.IsNullOrWhiteSpace(Sm2LogKey)) return "Huren:Keys:Sm2LogKey is required";
        if (string.IsNullOrWhiteSpace(WitnessKey)) return "Huren:Keys:WitnessKey is required";
        if (string.IsNullOrWhiteSpace(RootPublicKey)) return "Huren:Keys:RootPublicKey is required";
        return null;
    }
}
