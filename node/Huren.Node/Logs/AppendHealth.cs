namespace Huren.Node.Logs;

/// <summary>
/// Whether the node's logs can be written: each log's run of consecutive failed batches and the last failure. A log
/// with <see cref="Threshold"/> or more failed batches in a row makes the node unhealthy with that reason; its next
/// durable batch makes it healthy again. Thread-safe.
/// </summary>
public sealed class AppendHealth(int threshold = 3)
{
    private readonly Dictionary<string, (int Failures, string Reason)> _logs = new(StringComparer.Ordinal);

    /// <summary>Consecutive failed batches of one log that make the node unhealthy.</summary>
    public int Threshold { get; } = Math.Max(1, threshold);

    /// <summary>A batch of <paramref name="origin"/> was written.</summary>
    public void Succeeded(string origin)
    {
        lock (_logs)
        {
            if (_logs.Count > 0) _logs.Remove(origin);
        }
    }

    /// <summary>A batch of <paramref name="origin"/> failed with <paramref name="error"/>.</summary>
    public void Failed(string origin, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        lock (_logs)
        {
            var failures = _logs.TryGetValue(origin, out var known) ? known.Failures + 1 : 1;
            _logs[origin] = (failures, error.Message);
        }
    }

    /// <summary>Null when every log can be written, else why not (each failing log, its run of failures and last error).</summary>
    public string? Fault()
    {
        lock (_logs)
        {
            List<string>? faults = null;
            foreach (var (origin, (failures, reason)) in _logs)
            {
                if (failures >= Threshold) (faults ??= []).Add($"{origin}: {failures} batches in a row failed to be written; last: {reason}");
            }
            return faults is null ? null : string.Join("; ", faults);
        }
    }
}
