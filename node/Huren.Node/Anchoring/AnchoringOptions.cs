using System.Globalization;
using System.Numerics;

namespace Huren.Node.Anchoring;

/// <summary>
/// Anchoring on an EVM chain (section <c>Huren:Anchoring</c>, docs/anchoring.md): off when <see cref="RpcUrl"/> is
/// empty. The node anchors, with its own account, the tree over the latest final checkpoint of every log it holds,
/// when <see cref="Interval"/> has passed or <see cref="Entries"/> entries were added since the last offer.
/// </summary>
public sealed class AnchoringOptions
{
    /// <summary>The chain's JSON-RPC URL; empty: anchoring off.</summary>
    public string RpcUrl { get; set; } = "";

    /// <summary>The chain id (31337 for a local Anvil).</summary>
    public ulong ChainId { get; set; }

    /// <summary>The <c>HurenAnchor</c> contract, 0x hex.</summary>
    public string Contract { get; set; } = "";

    /// <summary>The anchoring account's key file (raw hex private key or a Web3 keystore); relative to the content root.</summary>
    public string KeyFile { get; set; } = "keys/anchor-account.key";

    /// <summary>The keystore's password, when <see cref="KeyFile"/> is a keystore (or environment <c>HUREN__Anchoring__KeyPassword</c>).</summary>
    public string? KeyPassword { get; set; }

    /// <summary>K: confirmations (the including block counts as one) before an anchor is confirmed.</summary>
    public int Confirmations { get; set; } = 12;

    /// <summary>Anchor at most this often when logs grew (N minutes).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Anchor sooner once this many entries were added to the held logs since the last offer (M; 0: by interval only).</summary>
    public long Entries { get; set; }

    /// <summary>How often a sent anchor is looked at until confirmed.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest pause between retries after chain failures.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Fee cap in wei (decimal); default 200 gwei.</summary>
    public string MaxFeePerGas { get; set; } = "200000000000";

    /// <summary>A fixed priority fee in wei (decimal); empty: from the node's gas price.</summary>
    public string PriorityFeePerGas { get; set; } = "";

    /// <summary>Whether anchoring is switched on.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(RpcUrl);

    /// <summary>Names the first invalid setting, or null.</summary>
    public string? Validate()
    {
        if (!Enabled) return null;
        if (!Uri.TryCreate(RpcUrl, UriKind.Absolute, out var url) || (url.Scheme != "http" && url.Scheme != "https"))
            return $"Huren:Anchoring:RpcUrl must be an http(s) URL, got '{RpcUrl}'";
        if (ChainId == 0) return "Huren:Anchoring:ChainId is required (e.g. 31337 for a local Anvil)";
        if (!Sdk.Anchoring.EvmHex.TryParse(Contract, 20, out _)) return $"Huren:Anchoring:Contract must be a 0x address of 20 bytes, got '{Contract}'";
        if (string.IsNullOrWhiteSpace(KeyFile)) return "Huren:Anchoring:KeyFile is required";
        if (Confirmations < 1) return "Huren:Anchoring:Confirmations (K) must be at least 1";
        if (Interval <= TimeSpan.Zero) return "Huren:Anchoring:Interval must be positive";
        if (Entries < 0) return "Huren:Anchoring:Entries must not be negative";
        if (PollInterval <= TimeSpan.Zero) return "Huren:Anchoring:PollInterval must be positive";
        if (MaxRetryDelay <= TimeSpan.Zero) return "Huren:Anchoring:MaxRetryDelay must be positive";
        if (!BigInteger.TryParse(MaxFeePerGas, NumberStyles.None, CultureInfo.InvariantCulture, out var cap) || cap <= 0)
            return $"Huren:Anchoring:MaxFeePerGas must be a positive number of wei, got '{MaxFeePerGas}'";
        if (PriorityFeePerGas.Length > 0 && !BigInteger.TryParse(PriorityFeePerGas, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            return $"Huren:Anchoring:PriorityFeePerGas must be a number of wei, got '{PriorityFeePerGas}'";
        return null;
    }
}

/// <summary>
/// RFC 3161 time-stamps of the node's final checkpoints (section <c>Huren:Timestamping</c>): off when <see cref="Url"/>
/// is empty. The newest final checkpoint of the own log is stamped at most every <see cref="Interval"/>.
/// </summary>
public sealed class TimestampingOptions
{
    /// <summary>The TSA's URL (HTTP POST <c>application/timestamp-query</c>); empty: time-stamping off.</summary>
    public string Url { get; set; } = "";

    /// <summary>Each attempt's deadline.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per request.</summary>
    public int Attempts { get; set; } = 3;

    /// <summary>The TSA policy OID to ask for; empty: the TSA's default.</summary>
    public string Policy { get; set; } = "";

    /// <summary>PEM file of the TSA roots a token must chain to before it is kept (relative to the content root).</summary>
    public string TrustedRootsFile { get; set; } = "";

    /// <summary>Stamp at most this often.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest pause between retries while the TSA fails.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether time-stamping is switched on.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Url);

    /// <summary>Names the first invalid setting, or null.</summary>
    public string? Validate()
    {
        if (!Enabled) return null;
        if (!Uri.TryCreate(Url, UriKind.Absolute, out var url) || (url.Scheme != "http" && url.Scheme != "https"))
            return $"Huren:Timestamping:Url must be an http(s) URL, got '{Url}'";
        if (Timeout <= TimeSpan.Zero) return "Huren:Timestamping:Timeout must be positive";
        if (Attempts is < 1 or > 10) return "Huren:Timestamping:Attempts must be 1 to 10";
        if (string.IsNullOrWhiteSpace(TrustedRootsFile)) return "Huren:Timestamping:TrustedRootsFile is required: tokens are checked before they are kept";
        if (Interval <= TimeSpan.Zero) return "Huren:Timestamping:Interval must be positive";
        if (MaxRetryDelay <= TimeSpan.Zero) return "Huren:Timestamping:MaxRetryDelay must be positive";
        return null;
    }
}
