using Huren.Sdk.Merkle;

namespace Huren.Node.Witness;

/// <summary>
/// The logs this node's mirrors hold for the origins it witnesses: a witness cosigns a checkpoint only when its own
/// mirror reached that size with the same tree root, and, for a checkpoint with a <c>huren-status-map/v1</c> line,
/// recomputed the same map root.
/// </summary>
public interface IMirroredLogs
{
    /// <summary>
    /// Waits, at most <paramref name="timeout"/>, until this node's mirror of <paramref name="origin"/> has integrated
    /// <paramref name="size"/> entries, and answers its roots at that size, or why it has none.
    /// </summary>
    Task<MirroredRoots> RootsAtAsync(string origin, ulong size, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>
    /// The origin's signed checkpoint under which this node's mirror stored its first <paramref name="size"/> entries (the
    /// smallest stored size at or above), as evidence against a checkpoint that contradicts them; null when none is kept.
    /// </summary>
    string? NoteCovering(string origin, ulong size);
}

/// <summary>What a mirror holds at a size.</summary>
/// <param name="LogRoot">The RFC 9162 root of its first entries, or null when it has not integrated that many.</param>
/// <param name="MapRoot">The status-map root it recomputed there, or null.</param>
/// <param name="Missing">Why a root is null (not integrated that far, the mirror stopped, no map version near), or null.</param>
public sealed record MirroredRoots(Hash256? LogRoot, Hash256? MapRoot, string? Missing);
