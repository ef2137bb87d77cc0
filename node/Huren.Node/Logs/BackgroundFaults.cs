namespace Huren.Node.Logs;

/// <summary>
/// Failures of the node's background work (cosignatures asked of each witness, each mirror, the checkpoint timer):
/// each failure is counted (<c>huren_background_failures_total</c>) and kept with its reason until the same work next
/// succeeds. A run of <see cref="Threshold"/> or more failures of one piece of work makes the node's health Degraded
/// with the reasons: it still serves, but an operator sees what keeps failing. Thread-safe.
/// </summary>
/// <param name="counted">Called with the service's name at each failure (the metric); null for none.</param>
/// <param name="threshold">Failures in a row of one piece of work that show in health.</param>
public sealed class BackgroundFaults(Action<string>? counted = null, int threshold = 5)
{
    private readonly Dictionary<string, (int Failures, string Reason)> _work = new(StringComparer.Ordinal);

    /// <summary>Failures in a row of one piece of work that show in health.</summary>
    public int Threshold { get; } = Math.Max(1, threshold);

    /// <summary><paramref name="service"/> failed at <paramref name="target"/> (e.g. a witness's origin) because of <paramref name="reason"/>.</summary>
    public void Failed(string service, string target, string reason)
    {
        var key = $"{service} {target}";
        lock (_work)
        {
            var failures = _work.TryGetValue(key, out var known) ? known.Failures + 1 : 1;
            _work[key] = (failures, reason);
        }
        counted?.Invoke(service);
    }

    /// <summary><paramref name="service"/> succeeded at <paramref name="target"/>: its run of failures ends.</summary>
    public void Succeeded(string service, string target)
    {
        lock (_work)
        {
            if (_work.Count > 0) _work.Remove($"{service} {target}");
        }
    }

    /// <summary>How many times in a row <paramref name="service"/> has failed at <paramref name="target"/>, and the last reason.</summary>
    public (int Failures, string Reason) Of(string service, string target)
    {
        lock (_work) return _work.GetValueOrDefault($"{service} {target}", (0, ""));
    }

    /// <summary>Null when no work has failed <see cref="Threshold"/> times in a row, else each such work with its last reason.</summary>
    public string? Degraded()
    {
        lock (_work)
        {
            List<string>? faults = null;
            foreach (var (key, (failures, reason)) in _work)
            {
                if (failures >= Threshold) (faults ??= []).Add($"{key}: {failures} failures in a row; last: {reason}");
            }
            return faults is null ? null : string.Join("; ", faults);
        }
    }
}
