namespace Huren.Cli.Output;

/// <summary>
/// Reports progress on the reporting thread, in order. <see cref="Progress{T}"/> posts to the thread pool, so its
/// last reports could reach the command's writer after the command ended.
/// </summary>
internal sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
