using System.Threading.Channels;

namespace Huren.Node.Logs;

/// <summary>What happened to a log.</summary>
public enum LogEventKind
{
    /// <summary>A batch of entries became durable.</summary>
    Appended,
    /// <summary>A checkpoint note became durable (new, or the same size with more cosignatures).</summary>
    Checkpoint,
}

/// <summary>
/// One event of a log: its origin, what happened, the size, the entries appended or the note stored, and for a
/// checkpoint whether this node has just signed it (<paramref name="Signed"/>; false for a note stored again with more
/// cosignatures, or a mirrored origin's note).
/// </summary>
public sealed record LogEvent(string Origin, LogEventKind Kind, ulong Size, int Count = 0, byte[]? Note = null, bool Signed = false);

/// <summary>
/// Delivers log events to subscribers (metrics, followers, the cosignature collector, later publishers such as
/// anchoring) on a thread of its own, in order, so the writer never waits for them and a failing subscriber cannot
/// fail a batch. Publishing never blocks.
/// </summary>
public sealed partial class LogEvents : IAsyncDisposable
{
    private readonly Channel<LogEvent> _queue = Channel.CreateUnbounded<LogEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<Action<LogEvent>> _subscribers = [];
    private readonly ILogger _logger;
    private readonly Task _loop;

    /// <summary>Starts delivering.</summary>
    public LogEvents(ILogger<LogEvents> logger)
    {
        _logger = logger;
        _loop = Task.Run(DeliverAsync);
    }

    /// <summary>Adds <paramref name="subscriber"/>; it sees the events published from now on.</summary>
    public void Subscribe(Action<LogEvent> subscriber)
    {
        lock (_subscribers) _subscribers.Add(subscriber);
    }

    /// <summary>Queues <paramref name="e"/> for the subscribers.</summary>
    public void Publish(LogEvent e) => _queue.Writer.TryWrite(e);

    private async Task DeliverAsync()
    {
        await foreach (var e in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            Action<LogEvent>[] subscribers;
            lock (_subscribers) subscribers = [.. _subscribers];
            foreach (var subscriber in subscribers)
            {
                try
                {
                    subscriber(e);
                }
                catch (Exception ex)
                {
                    LogSubscriberFailed(_logger, ex, e.Kind, e.Origin);
                }
            }
        }
    }

    /// <summary>Delivers what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A subscriber failed on the {Kind} event of {Origin}")]
    private static partial void LogSubscriberFailed(ILogger logger, Exception ex, LogEventKind kind, string origin);
}
