using Huren.Node.Logs;
using Huren.Node.Network;
using Huren.Sdk.Notes;

namespace Huren.Node.Services;

/// <summary>
/// How a verdict's answer waits, for licenses and seals alike: for a stored checkpoint that covers the entries the
/// evidence rests on (reads never sign), and, when the caller asks, until every checkpoint of the bundle is final, so
/// a client asks once instead of polling.
/// </summary>
/// <param name="logs">The kept logs, whose growth wakes the waits.</param>
/// <param name="network">The network in force, for finality (a stand-alone node has nothing to wait for).</param>
/// <param name="checkpointTimerPeriod">How often the checkpoint timer signs: a checkpoint is waited for at most about twice that.</param>
public sealed class VerdictWaits(LogDirectory logs, NetworkView network, TimeSpan checkpointTimerPeriod)
{
    /// <summary>The longest a caller may have a verdict held for finality.</summary>
    public static readonly TimeSpan MaxFinalityWait = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Makes the answer with <paramref name="answer"/> (which returns it with the notes its bundle rests on, by
    /// origin) and, for <paramref name="waitFinalMs"/> &gt; 0, makes it again whenever a kept log grows or gets a new
    /// note, until every note is final or the time (at most <see cref="MaxFinalityWait"/>) is up.
    /// </summary>
    public async Task<T> HoldUntilFinalAsync<T>(uint waitFinalMs, Func<CancellationToken, Task<(T Answer, IReadOnlyDictionary<string, string> Notes)>> answer, CancellationToken cancellationToken)
    {
        var finalBy = DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(Math.Min(waitFinalMs, MaxFinalityWait.TotalMilliseconds));
        if (waitFinalMs == 0) return (await answer(cancellationToken).ConfigureAwait(false)).Answer;
        while (true)
        {
            // Armed before the answer is made, so a cosignature that lands meanwhile is not missed; ended once this round
            // is over, so that no wait stays registered on a log that does not grow.
            using var round = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                var changed = AnyChange(round.Token);
                var (made, notes) = await answer(cancellationToken).ConfigureAwait(false);
                var remaining = finalBy - DateTimeOffset.UtcNow;
                if (remaining <= TimeSpan.Zero || notes.Count == 0 || IsFinal(notes)) return made;
                try
                {
                    await changed.WaitAsync(remaining, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
            }
            finally
            {
                await round.CancelAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Waits until a stored checkpoint of <paramref name="log"/> covers its first <paramref name="needed"/> entries; UNAVAILABLE when the timer does not sign.</summary>
    public async Task WaitForCheckpointAsync(MerkleLog log, ulong needed, CancellationToken cancellationToken)
    {
        // Two timer periods and a second of slack: longer means the timer is not signing, which the caller must hear.
        var deadline = DateTimeOffset.UtcNow + 2 * checkpointTimerPeriod + TimeSpan.FromSeconds(1);
        while (true)
        {
            var grown = logs.Growth(log);
            if (log.Store.GetLatestCheckpoint() is { } latest && latest.Size >= needed) return;
            var remaining = deadline - DateTimeOffset.UtcNow;
            if (remaining <= TimeSpan.Zero) throw RpcErrors.Unavailable($"no checkpoint of {log.Origin} covers size {needed} yet; try again");
            try
            {
                await grown.WaitAsync(remaining, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>Whether every note carries the network's threshold of valid cosignatures (a stand-alone node has nothing to wait for).</summary>
    private bool IsFinal(IReadOnlyDictionary<string, string> notes)
    {
        if (network.Current is not { } current) return true;
        foreach (var (origin, note) in notes)
        {
            if (!SignedNote.TryParse(note, out var parsed, out _) || !current.IsFinal(origin, parsed)) return false;
        }
        return true;
    }

    /// <summary>Completes when any kept log grows or gets a new checkpoint note, or when <paramref name="until"/> is cancelled.</summary>
    private Task AnyChange(CancellationToken until)
    {
        var waits = new List<Task>();
        foreach (var log in logs.All) waits.Add(logs.Growth(log).WaitAsync(until));
        return Task.WhenAny(waits);
    }
}
