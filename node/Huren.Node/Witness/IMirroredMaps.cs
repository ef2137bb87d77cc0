using Huren.Sdk.Merkle;

namespace Huren.Node.Witness;

/// <summary>
/// The status maps this node's mirrors recompute for the logs it witnesses: a witness cosigns a checkpoint that
/// carries a <c>huren-status-map/v1</c> line only when its own mirror reached that size and recomputed the same root.
/// </summary>
public interface IMirroredMaps
{
    /// <summary>
    /// Waits, at most <paramref name="timeout"/>, until this node's mirror of <paramref name="origin"/> has integrated
    /// <paramref name="size"/> entries, and answers the map root it recomputed at that size, or why it has none.
    /// </summary>
    Task<MirroredMapRoot> RootAtAsync(string origin, ulong size, TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>The map root a mirror recomputed at a size (<see cref="Root"/>), or why it has none (<see cref="Missing"/>).</summary>
/// <param name="Root">The recomputed map root, or null.</param>
/// <param name="Missing">Why there is no root (not integrated that far, the mirror stopped), or null.</param>
public sealed record MirroredMapRoot(Hash256? Root, string? Missing);
