using Huren.Node.Network;
using Grpc.Core;
using Huren.Node.Logs;
using Huren.Schemas.Services;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Node.Checkpoints;

/// <summary>
/// Offers each new checkpoint of the node's own log to every other member's witness at once (old size + consistency
/// proof, per tlog-witness), adds each cosignature to the stored note as it comes in, and wakes followers so mirrors
/// get the cosigned note. A checkpoint with the network's threshold of cosignatures is final.
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
        // A batch's checkpoint is in the store as soon as the batch is written, a moment before the log's tree takes the
        // batch in; no consistency proof reaches that size yet. Not a witness's fault: the checkpoint's event, published
        // once the tree has it, wakes this collector again (without this, both witnesses were put on back-off).
        if (latest.Size > log.Size) return;
        if (!ReferenceEquals(config, _askedUnder))
        {
            // The witness set, endpoints or pins may have changed: a witness waiting out a back-off is asked again now.
            _retry.Clear();
            _askedUnder = config;
        }
        var note = SignedNote.Parse(latest.Note);
        var verifier = self.CheckpointVerifier;
        // Every witness due is asked at once, not one after another: a witness's answer may wait for its mirror to
        // reach the size (Witness.MirrorWait), and with threshold 1 of 2 the checkpoint is final on the first answer.
        var asks = new List<(TrustedMember Member, TimeSpan Backoff, Task<Offered> Answer)>();
        foreach (var member in config.Members)
        {
            if (member.Origin == log.Origin) continue;
            var witnessName = CosignatureSigner.WitnessNameFor(member.Origin);
            if (note.Signatures.Any(s => s.Name == witnessName)) continue;
            if (_retry.TryGetValue(member.Origin, out var retry) && time.GetUtcNow() < retry.Due) continue;
            asks.Add((member, retry.Backoff, OfferAsync(member, witnessName, note, latest.Size, _witnessSizes.GetValueOrDefault(member.Origin), verifier, stoppingToken)));
        }
        // Stored as each answer comes in: the first cosignature may already make the checkpoint final.
        while (asks.Count > 0)
        {
            var done = await Task.WhenAny(asks.Select(a => a.Answer)).ConfigureAwait(false);
            var at = asks.FindIndex(a => a.Answer == done);
            var (member, lastBackoff, _) = asks[at];
            asks.RemoveAt(at);
            var offered = await done.ConfigureAwait(false);
            if (offered.WitnessSize is { } known) _witnessSizes[member.Origin] = known;
            if (offered.Line is { } line)
            {
                // Each line is verified on its own over the same checkpoint text; a cosignature covers the text only.
                note = note.WithSignature(line);
                var bytes = note.ToUtf8();
                log.Store.PutCheckpoint(latest.Size, bytes);
                events.Publish(new LogEvent(log.Origin, LogEventKind.Checkpoint, latest.Size, Note: bytes));
                _retry.Remove(member.Origin);
                faults.Succeeded(Service, member.Origin);
                continue;
            }
            var backoff = lastBackoff == TimeSpan.Zero ? FirstBackoff : TimeSpan.FromTicks(Math.Min(lastBackoff.Ticks * 2, MaxBackoff.Ticks));
            _retry[member.Origin] = (time.GetUtcNow() + backoff, backoff);
            faults.Failed(Service, member.Origin, offered.Failure);
            LogWitnessFailed(logger, member.Origin, latest.Size, offered.Failure, backoff.TotalSeconds);
        }
    }

    /// <summary>One witness's answer: its verified cosignature line, or why not; and the size it is known to hold.</summary>
    private sealed record Offered(NoteSignature? Line, string Failure, ulong? WitnessSize);

    /// <summary><see cref="AskAsync"/>, with every way a witness can fail turned into a reason.</summary>
    private async Task<Offered> OfferAsync(TrustedMember member, string witnessName, SignedNote note, ulong size, ulong witnessSize,
        CheckpointVerifier verifier, CancellationToken stoppingToken)
    {
        try
        {
            return await AskAsync(member, witnessName, note, size, witnessSize, verifier, stoppingToken).ConfigureAwait(false);
        }
        catch (RpcException ex) when (!stoppingToken.IsCancellationRequested)
        {
            return new Offered(null, $"refused ({ex.StatusCode}): {ex.Status.Detail}", null);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is not OutOfMemoryException)
        {
            // Unreachable, a malformed answer the client could not read, a configuration without an endpoint, …
            return new Offered(null, $"{ex.GetType().Name}: {ex.Message}", null);
        }
    }

    /// <summary>
    /// Offers <paramref name="note"/> to <paramref name="member"/>'s witness, which last cosigned
    /// <paramref name="witnessSize"/> as far as this collector knows; its verified cosignature line on success, else why not.
    /// </summary>
    private async Task<Offered> AskAsync(TrustedMember member, string witnessName, SignedNote note, ulong size, ulong witnessSize,
        CheckpointVerifier verifier, CancellationToken stoppingToken)
    {
        ulong? known = null;
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var oldSize = Math.Min(known ?? witnessSize, size);
            var request = new AddCheckpointRequest { OldSize = oldSize, ConsistencyProof = log.ConsistencyProof(oldSize, size), Note = note.ToString() };
            var answer = await witnesses.AddCheckpointAsync(member, request, stoppingToken).ConfigureAwait(false);
            if (answer is null) return new Offered(null, "an empty answer", known);
            if (answer.Conflict)
            {
                // The witness holds another size: offer again from there.
                known = answer.KnownSize;
                continue;
            }
            if (!NoteSignature.TryParseLine(answer.Cosignature, out var line, out var parseError))
            {
                return new Offered(null, $"the answer is not a signature line: {parseError}", known);
            }
            if (line.Name != witnessName)
            {
                return new Offered(null, $"the answer is signed as '{line.Name}', not as this witness '{witnessName}'", known);
            }
            // A line that does not verify would make the stored note invalid for every verifier (a failing known key
            // rejects the note); a line of an unknown key would be ignored by them. Keep only what the witness's
            // configured key verifies.
            var check = verifier.Verify(note.WithSignature(line));
            if (!check.IsValid) return new Offered(null, $"its cosignature does not verify: {check.Failure}", known);
            if (!check.Signatures.Verified.Any(v => v.Key.Name == witnessName))
            {
                return new Offered(null, $"its cosignature is not by the witness key the configuration gives for {member.Origin}", known);
            }
            return new Offered(line, "", size);
        }
        return new Offered(null, $"it holds another size of {log.Origin} ({known}) after two offers", known);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Witness {Witness} did not cosign size {Size}: {Failure}; asking again in {Seconds} s")]
    private static partial void LogWitnessFailed(ILogger logger, string witness, ulong size, string failure, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "A cosignature round failed; the next round tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception ex);
}
