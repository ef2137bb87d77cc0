namespace Huren.Sdk.Timestamps;

/// <summary>A time-stamp could not be had: the TSA was unreachable, too slow, refused the request or answered something unusable.</summary>
public sealed class TimestampException : Exception
{
    /// <summary>An error with a message saying what went wrong.</summary>
    public TimestampException(string message) : base(message)
    {
    }

    /// <summary>An error with a message and its cause.</summary>
    public TimestampException(string message, Exception inner) : base(message, inner)
    {
    }
}
