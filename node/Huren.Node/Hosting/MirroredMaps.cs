using Huren.Node.Logs;
using Huren.Node.Mirrors;
using Huren.Node.Witness;

namespace Huren.Node.Hosting;

/// <summary>The witness's view of the status maps this node's mirrors recompute (<see cref="IMirroredMaps"/>).</summary>
/// <param name="mirrors">The mirrors, resolved when first asked (they are composed after the witness).</param>
/// <param name="directory">Wakes a waiting offer when a mirrored log grows.</param>
internal sealed class MirroredMaps(Func<MirrorSet> mirrors, LogDirectory directory) : IMirroredMaps
{
    public async Task<MirroredMapRoot> RootAtAsync(string origin, ulong size, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var mirror = mirrors().Find(origin);
        if (mirror is null) return new MirroredMapRoot(null, $"this node keeps no mirror of {origin}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            // Ask for the wake-up before looking, so growth between the look and the wait is not missed.
            var growth = directory.Growth(mirror.Log);
            if (mirror.Fault is { } fault) return new MirroredMapRoot(null, $"its mirror of {origin} stopped: {fault}");
            if (mirror.Log.Size >= size)
            {
                // A size inside a run the mirror stored in one batch has no version of its own: derived from the leaves.
                return mirror.Log.StatusMap.DeriveRoot(size) is { } root
                    ? new MirroredMapRoot(root, null)
                    : new MirroredMapRoot(null, $"its mirror of {origin} keeps no status-map version within {mirror.Log.StatusMap.MaxDerivedEntries} entries below size {size}; offer a later checkpoint");
            }
            try
            {
                await growth.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new MirroredMapRoot(null, $"its mirror of {origin} has integrated {mirror.Log.Size} entries, not yet {size} (waited {timeout.TotalSeconds:F0} s)");
            }
        }
    }
}
