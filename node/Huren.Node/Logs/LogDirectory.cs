
namespace Huren.Node.Logs;

/// <summary>The logs this node serves: its own, and (once mirrored) every other member's, by origin.</summary>
public sealed class LogDirectory
{
    private readonly Dictionary<string, MerkleLog> _logs = new(StringComparer.Ordinal);

    /// <summary>Creates the directory with the node's own log.</summary>
    public LogDirectory(MerkleLog own)
    {
        Own = own;
        _logs[own.Origin] = own;
    }

    /// <summary>The node's own log.</summary>
    public MerkleLog Own { get; }

    /// <summary>Every log served (a snapshot).</summary>
    public List<MerkleLog> All
    {
        get
        {
            lock (_logs) return [.. _logs.Values];
        }
    }

    private readonly Dictionary<string, TaskCompletionSource> _growth = new(StringComparer.Ordinal);

    /// <summary>
    /// Completes when <paramref name="log"/> next grows (see <see cref="Grew"/>); never cancelled. Ask for it before
    /// reading the log, so growth in between is not missed, and bound the wait where it is awaited
    /// (<c>WaitAsync(timeout, token)</c>): a wait that ends takes its registration with it, whereas one armed with a
    /// token here stayed registered until the log grew, about 200 bytes for every such wait on a quiet log.
    /// </summary>
    public Task Growth(MerkleLog log)
    {
        lock (_growth)
        {
            if (!_growth.TryGetValue(log.Origin, out var tcs)) _growth[log.Origin] = tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return tcs.Task;
        }
    }

    /// <summary>Wakes the followers of <paramref name="origin"/>: the log grew or got a checkpoint.</summary>
    public void Grew(string origin)
    {
        TaskCompletionSource? tcs;
        lock (_growth)
        {
            if (!_growth.Remove(origin, out tcs)) return;
        }
        tcs.TrySetResult();
    }

    /// <summary>Adds a mirrored log.</summary>
    public void Add(MerkleLog log)
    {
        lock (_logs) _logs[log.Origin] = log;
    }

    /// <summary>Whether a kept log holds (index, leaf hash): how ledger rules check references across logs.</summary>
    public bool ReferenceExists(string origin, ulong index, byte[] leafHash)
    {
        MerkleLog? log;
        lock (_logs) log = _logs.GetValueOrDefault(origin);
        return log is not null && index < log.Size && log.LeafHashAt(index).AsSpan().SequenceEqual(leafHash);
    }

    /// <summary>The log for <paramref name="origin"/> (empty: the node's own), or null when this node keeps none.</summary>
    public MerkleLog? Find(string? origin)
    {
        if (string.IsNullOrEmpty(origin)) return Own;
        lock (_logs) return _logs.GetValueOrDefault(origin);
    }
}
