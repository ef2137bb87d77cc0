namespace Huren.Node.Recovery;

/// <summary>
/// How the node checks its own log against the other cities at start (section <c>Huren:Recovery</c>; see
/// docs/operations.md, "Lost or restored disk").
/// </summary>
public sealed class RecoveryOptions
{
    /// <summary>
    /// How long the node waits at start for at least one other member to answer before it takes entries without that
    /// check (it keeps asking, and a later answer showing its log behind still stops writes). Zero: do not wait.
    /// </summary>
    public TimeSpan PeerWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline of each question to a peer.</summary>
    public TimeSpan PeerTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a rebuild from one peer's mirror may take before the next peer is tried.</summary>
    public TimeSpan RebuildTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Names the first invalid setting, or null.</summary>
    public string? Validate()
    {
        if (PeerWait < TimeSpan.Zero) return "Huren:Recovery:PeerWait must not be negative";
        if (PeerTimeout <= TimeSpan.Zero) return "Huren:Recovery:PeerTimeout must be positive";
        if (RebuildTimeout <= TimeSpan.Zero) return "Huren:Recovery:RebuildTimeout must be positive";
        return null;
    }
}
