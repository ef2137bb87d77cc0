using Huren.Sdk.Crypto;

namespace Huren.Node.Auth;

/// <summary>What a client may do.</summary>
public enum ClientRole
{
    /// <summary>Submits entries within its issuer's scope; verifies; traces its own entries.</summary>
    Issuer,
    /// <summary>A service window: verifies licenses and traces its own uses.</summary>
    Counter,
    /// <summary>Reads and traces everything.</summary>
    Auditor,
    /// <summary>Runs the node: everything, including submitting entries signed by the city root key.</summary>
    Operator,
    /// <summary>Another member's node: follows logs and offers checkpoints to witness. Never configured by hand:
    /// peers are the network configuration's members, authenticated with their witness keys.</summary>
    Peer,
}

/// <summary>An authenticated caller.</summary>
/// <param name="Name">The principal name the caller signed with.</param>
/// <param name="Role">Its role.</param>
/// <param name="IssuerId">For issuers and counters, the issuer id whose entries it may submit and trace.</param>
/// <param name="Key">The key its calls are signed with.</param>
public sealed record ClientPrincipal(string Name, ClientRole Role, string? IssuerId, PublicKey Key);

/// <summary>One configured client (section <c>Huren:Clients:&lt;name&gt;</c>).</summary>
public sealed class ClientOptions
{
    /// <summary>operator, auditor, counter or issuer.</summary>
    public string Role { get; set; } = "";

    /// <summary>For issuers and counters: the issuer id it acts for.</summary>
    public string? IssuerId { get; set; }

    /// <summary>Its public key, PEM text or a path to a PEM file.</summary>
    public string PublicKey { get; set; } = "";
}
