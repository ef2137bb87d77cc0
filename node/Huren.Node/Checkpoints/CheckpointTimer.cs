namespace Huren.Node.Checkpoints;

/// <summary>
/// Signs a checkpoint for entries whose batch did not carry one (see <see cref="Logs.SequencerOptions.CheckpointInterval"/>):
/// one interval after the interval since the last checkpoint has ended, if no batch has carried one by then (so an
/// entry waits at most two intervals for a checkpoint, or while the last checkpoint awaits its cosignatures until
/// the writer's final wait has passed or it is final), and on every tick of <c>period</c> in any case.
/// </summary>
public sealed partial class CheckpointTimer(CheckpointWriter writer, TimeSpan period, TimeProvider time, Logs.BackgroundFaults faults, ILogger<CheckpointTimer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period, time);
        var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
        while (true)
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
            if (await Task.WhenAny(tick, writer.BatchSkipped).ConfigureAwait(false) == tick)
            {
                if (!await tick.ConfigureAwait(false)) return;
                tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
                continue;
            }
            // A batch carried no checkpoint: sign one interval after the interval ends, unless a batch carries one by
            // then (then wait again from it). While batches keep coming the first one past the interval carries it in
            // its own write; the timer signs only for a log that went quiet (signing at the interval's end itself was
            // measured to cost more CPU per exchange under load: a synced write and a checkpoint of its own).
            try
            {
                while (true)
                {
                    // In this order: a Finalised between the two reads then completes the task taken, not a later one.
                    var finalised = writer.Finalisation;
                    var due = writer.NextDue;
                    var wait = due + writer.Interval - time.GetUtcNow();
                    if (wait > TimeSpan.Zero)
                    {
                        // The last checkpoint becoming final brings the due time forward (the writer's pacing by finality).
                        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                        var delay = Task.Delay(wait, time, waiting.Token);
                        await Task.WhenAny(delay, finalised).ConfigureAwait(false);
                        await waiting.CancelAsync().ConfigureAwait(false);
                        stoppingToken.ThrowIfCancellationRequested();
                        if (!delay.IsCompletedSuccessfully) continue;
                    }
                    if (writer.NextDue == due) break;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            // Armed again before signing: a batch skipped from here on is signed on the next round, one before is in the size signed now.
            writer.ResetBatchSkipped();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The checkpoint timer could not sign or store a checkpoint")]
    private static partial void LogSignFailed(ILogger logger, Exception ex);
}
