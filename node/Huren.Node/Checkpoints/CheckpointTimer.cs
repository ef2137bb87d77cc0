namespace Huren.Node.Checkpoints;

/// <summary>Signs a checkpoint for entries whose batch did not carry one (see <see cref="Logs.SequencerOptions.CheckpointInterval"/>).</summary>
public sealed partial class CheckpointTimer(CheckpointWriter writer, TimeSpan period, Logs.BackgroundFaults faults, ILogger<CheckpointTimer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period);
        do
        {
            try
            {
                writer.SignLatestIfBehind();
                faults.Succeeded("checkpoint-timer", "");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A failed write is tried again on the next tick; the timer must outlive it.
                faults.Failed("checkpoint-timer", "", ex.Message);
                LogSignFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The checkpoint timer could not sign or store a checkpoint")]
    private static partial void LogSignFailed(ILogger logger, Exception ex);
}
