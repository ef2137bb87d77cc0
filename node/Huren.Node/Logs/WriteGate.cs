namespace Huren.Node.Logs;

/// <summary>
/// Whether the node's own log takes new entries. Closed while the node checks its log against what the other cities'
/// witnesses have cosigned, and while it rebuilds a log found behind or different (a lost or restored disk): writing
/// then would fork the node's own history. The <see cref="Sequencer"/> refuses every entry while it is closed, with the
/// reason; health reports it. Thread-safe.
/// </summary>
public sealed class WriteGate
{
    private volatile string? _closed;

    /// <summary>A gate, open unless <paramref name="closedReason"/> is given.</summary>
    public WriteGate(string? closedReason = null) => _closed = closedReason;

    /// <summary>Why writes are refused, or null when the log takes entries.</summary>
    public string? ClosedReason => _closed;

    /// <summary>Refuses writes from now on, for <paramref name="reason"/>.</summary>
    public void Close(string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(reason);
        _closed = reason;
    }

    /// <summary>Takes writes again.</summary>
    public void Open() => _closed = null;

    /// <summary>Throws the refusal (UNAVAILABLE, with the reason) when the gate is closed.</summary>
    /// <exception cref="AdmissionException">The gate is closed.</exception>
    public void ThrowIfClosed(string origin)
    {
        if (_closed is { } reason)
            throw new AdmissionException(RejectionKind.Unavailable, $"{origin} takes no entries now: {reason}; try again later");
    }
}
