using Huren.Node.Log;

namespace Huren.Node.Services;

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

    /// <summary>Every log served.</summary>
    public IEnumerable<MerkleLog> All => _logs.Values;

    /// <summary>Adds a mirrored log.</summary>
    public void Add(MerkleLog log)
    {
        lock (_logs) _logs[log.Origin] = log;
    }

    /// <summary>The log for <paramref name="origin"/> (empty: the node's own), or a NOT_FOUND error.</summary>
    public MerkleLog Resolve(string? origin)
    {
        if (string.IsNullOrEmpty(origin)) return Own;
        lock (_logs)
        {
            return _logs.TryGetValue(origin, out var log) ? log : throw RpcErrors.NotFound($"this node keeps no log '{origin}'");
        }
    }
}
