using Huren.Node.Network;
using Grpc.Core;
using Huren.Node.Logs;
using Huren.Schemas.Services;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Node.Checkpoints;

/// <summary>
/// Offers each new checkpoint of the node's own log to every other member's witness (old size + consistency proof,
/// per tlog-witness), adds the cosignatures they return to the stored note, and wakes followers so mirrors get the
/// cosigned note. A checkpoint with the network's threshold of cosignatures is final.
/// </summary>
/// <remarks>
/// A witness's answer is untrusted input: a line is kept only if it parses, is in that witness's name and verifies
/// under that witness's key from the configuration. A bad answer, a refusal or an unreachable witness is logged,
/// counted (<see cref="BackgroundFaults"/>, service <c>cosign</c>) and that witness is asked again after a back-off
/// (1 s doubling to 60 s); the others are asked meanwhile. Nothing a witness does ends the collector's loop.
/// </remarks>
public sealed partial class CosignatureCollector(
    NetworkView network, IWitnessCalls witnesses, MerkleLog log, LogEvents events, BackgroundFaults faults, TimeProvider time,
    ILogger<CosignatureCollector> logger) : BackgroundService
{
    /// <summary>The service name in <see cref="BackgroundFaults"/> and the metric.</summary>
    public const string Service = "cosign";

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, ulong> _witnessSizes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset Due, TimeSpan Backoff)> _retry = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);
    private TrustedNetwork? _askedUnder;
    private TaskCompletionSource _collected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Asks the collector to offer the latest checkpoint now.</summary>
    public void Wake() => _wake.Release();

    /// <summary>Completes after the next collection round.</summary>
    public Task NextRoundAsync() => Volatile.Read(ref _collected).Task;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (network.Current is null) return;
        // A new version may add a witness, or move one that was unreachable: ask at once.
        network.Changed += _ => Wake();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(false);
                while (_wake.CurrentCount > 0) await _wake.WaitAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                await CollectAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                // Not a witness's fault (each is handled per witness): the stored note or the log. Tried again next round.
                faults.Failed(Service, log.Origin, ex.Message);
                LogRoundFailed(logger, ex);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Interlocked.Exchange(ref _collected, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private async Task CollectAsync(CancellationToken stoppingToken)
    {
        if (network.Current is not { } config || config.ByOrigin(log.Origin) is not { } self || log.Store.GetLatestCheckpoint() is not { } latest) return;
        if (!ReferenceEquals(config, _askedUnder))
        {
            // The witness set, endpoints or pins may have changed: a witness waiting out a back-off is asked again now.
            _retry.Clear();
            _askedUnder = config;
        }
        var note = SignedNote.Parse(latest.Note);
        var verifier = self.CheckpointVerifier;
        var changed = false;
        foreach (var member in config.Members)
        {
            if (member.Origin == log.Origin) continue;
            var witnessName = CosignatureSigner.WitnessNameFor(member.Origin);
            if (note.Signatures.Any(s => s.Name == witnessName)) continue;
            if (_retry.TryGetValue(member.Origin, out var retry) && time.GetUtcNow() < retry.Due) continue;
            string failure;
            try
            {
                (note, failure) = await AskAsync(member, witnessName, note, latest.Size, verifier, stoppingToken).ConfigureAwait(false);
            }
            catch (RpcException ex) when (!stoppingToken.IsCancellationRequested)
            {
                failure = $"refused ({ex.StatusCode}): {ex.Status.Detail}";
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                // Unreachable, a malformed answer the client could not read, a configuration without an endpoint, …
                failure = $"{ex.GetType().Name}: {ex.Message}";
            }
            if (failure.Length == 0)
            {
                _retry.Remove(member.Origin);
                faults.Succeeded(Service, member.Origin);
                changed = true;
                continue;
            }
            var backoff = retry.Backoff == TimeSpan.Zero ? FirstBackoff : TimeSpan.FromTicks(Math.Min(retry.Backoff.Ticks * 2, MaxBackoff.Ticks));
            _retry[member.Origin] = (time.GetUtcNow() + backoff, backoff);
            faults.Failed(Service, member.Origin, failure);
            LogWitnessFailed(logger, member.Origin, latest.Size, failure, backoff.TotalSeconds);
        }
        if (changed)
        {
            var bytes = note.ToUtf8();
            log.Store.PutCheckpoint(latest.Size, bytes);
            events.Publish(new LogEvent(log.Origin, LogEventKind.Checkpoint, latest.Size, Note: bytes));
        }
    }

    /// <summary>
    /// Offers <paramref name="note"/> to <paramref name="member"/>'s witness; the note with its verified cosignature and
    /// "" on success, else the note unchanged and why not.
    /// </summary>
    private async Task<(SignedNote Note, string Failure)> AskAsync(TrustedMember member, string witnessName, SignedNote note, ulong size,
        CheckpointVerifier verifier, CancellationToken stoppingToken)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var oldSize = Math.Min(_witnessSizes.GetValueOrDefault(member.Origin), size);
            var request = new AddCheckpointRequest { OldSize = oldSize, ConsistencyProof = log.ConsistencyProof(oldSize, size), Note = note.ToString() };
            var answer = await witnesses.AddCheckpointAsync(member, request, stoppingToken).ConfigureAwait(false);
            if (answer is null) return (note, "an empty answer");
            if (answer.Conflict)
            {
                // The witness holds another size: offer again from there.
                _witnessSizes[member.Origin] = answer.KnownSize;
                continue;
            }
            if (!NoteSignature.TryParseLine(answer.Cosignature, out var line, out var parseError))
            {
                return (note, $"the answer is not a signature line: {parseError}");
            }
            if (line.Name != witnessName)
            {
                return (note, $"the answer is signed as '{line.Name}', not as this witness '{witnessName}'");
            }
            // A line that does not verify would make the stored note invalid for every verifier (a failing known key
            // rejects the note); a line of an unknown key would be ignored by them. Keep only what the witness's
            // configured key verifies.
            var cosigned = note.WithSignature(line);
            var check = verifier.Verify(cosigned);
            if (!check.IsValid) return (note, $"its cosignature does not verify: {check.Failure}");
            if (!check.Signatures.Verified.Any(v => v.Key.Name == witnessName))
            {
                return (note, $"its cosignature is not by the witness key the configuration gives for {member.Origin}");
            }
            _witnessSizes[member.Origin] = size;
            return (cosigned, "");
        }
        return (note, $"it holds another size of {log.Origin} ({_witnessSizes.GetValueOrDefault(member.Origin)}) after two offers");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Witness {Witness} did not cosign size {Size}: {Failure}; asking again in {Seconds} s")]
    private static partial void LogWitnessFailed(ILogger logger, string witness, ulong size, string failure, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "A cosignature round failed; the next round tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception ex);
}
