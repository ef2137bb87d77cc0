using Huren.Node.Logs;
using Huren.Node.Mirrors;
using Huren.Node.Witness;

namespace Huren.Node.Hosting;

/// <summary>The witness's view of the logs this node's mirrors hold (<see cref="IMirroredLogs"/>).</summary>
/// <param name="mirrors">The mirrors, resolved when first asked (they are composed after the witness).</param>
/// <param name="directory">Wakes a waiting offer when a mirrored log grows.</param>
internal sealed class MirroredLogs(Func<MirrorSet> mirrors, LogDirectory directory) : IMirroredLogs
{
    public async Task<MirroredRoots> RootsAtAsync(string origin, ulong size, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var mirror = mirrors().Find(origin);
        if (mirror is null) return new MirroredRoots(null, null, $"this node keeps no mirror of {origin}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            // Ask for the wake-up before looking, so growth between the look and the wait is not missed.
            var growth = directory.Growth(mirror.Log);
            if (mirror.Fault is { } fault) return new MirroredRoots(null, null, $"its mirror of {origin} stopped: {fault}");
            if (mirror.Log.Size >= size)
            {
                var log = mirror.Log;
                var root = new Huren.Sdk.Merkle.Hash256(log.RootAt(size));
                // A size inside a run the mirror stored in one batch has no version of its own: derived from the leaves.
                return log.StatusMap.DeriveRoot(size) is { } map
                    ? new MirroredRoots(root, map, null)
                    : new MirroredRoots(root, null, $"its mirror of {origin} keeps no status-map version within {log.StatusMap.MaxDerivedEntries} entries below size {size}; offer a later checkpoint");
            }
            try
            {
                await growth.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new MirroredRoots(null, null, $"its mirror of {origin} has integrated {mirror.Log.Size} entries, not yet {size} (waited {timeout.TotalSeconds:F0} s)");
            }
        }
    }

    public string? NoteCovering(string origin, ulong size)
        => mirrors().Find(origin)?.Log.Store is { } store && store.NextCheckpointSize(size) is { } at && store.GetCheckpoint(at) is { } note
            ? System.Text.Encoding.UTF8.GetString(note)
            : null;
}
