using Huren.Node.Network;
using Grpc.Core;
using Huren.Node.Logs;
using Huren.Schemas.Services;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Node.Checkpoints;

/// <summary>
/// Offers the latest checkpoint of the node's own log to every other member's witness (old size + consistency proof,
/// per tlog-witness), each witness on its own: one answered is offered the newest checkpoint at once, whatever the
/// others are doing. Each cosignature is added to the stored note as it comes in, and followers are woken so mirrors get
/// the cosigned note. A checkpoint with the network's threshold of cosignatures is final.
/// </summary>
/// <remarks>
/// A witness's answer is untrusted input: a line is kept only if it parses, is in that witness's name and verifies
/// under that witness's key from the configuration. A bad answer, a refusal or an unreachable witness is logged,
/// counted (<see cref="BackgroundFaults"/>, service <c>cosign</c>) and that witness is asked again after a back-off
/// (1 s doubling to 60 s); the others are asked meanwhile. One exception: a witness that refused a size
/// (FAILED_PRECONDITION) when the log has a later checkpoint by then is offered that one at once, the first time — such
/// a refusal is often about the size (its mirror had not integrated it in time, or keeps no status-map version near it),
/// and the back-off would hold that witness's cosignature of the later checkpoint for a second. A second refusal in a
/// row waits it out.
/// Nothing a witness does ends the collector's loop.
/// </remarks>
public sealed partial class CosignatureCollector(
    NetworkView network, IWitnessCalls witnesses, MerkleLog log, LogEvents events, BackgroundFaults faults, TimeProvider time,
    ILogger<CosignatureCollector> logger, CheckpointWriter? writer = null) : BackgroundService
{
    /// <summary>The service name in <see cref="BackgroundFaults"/> and the metric.</summary>
    public const string Service = "cosign";

    // A round every so often whatever happens: the safety net under the events and timers that start rounds.
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);
    // The "back-off" of a witness asked again at once: not zero, so that a second failure in a row waits FirstBackoff.
    private static readonly TimeSpan AskedAgainAtOnce = TimeSpan.FromTicks(1);

    private readonly Dictionary<string, ulong> _witnessSizes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (DateTimeOffset Due, TimeSpan Backoff)> _retry = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);
    private TrustedNetwork? _askedUnder;
    private (DateTimeOffset Due, Task Ends)? _backoffTimer;
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
        // Each witness is asked on its own: a witness whose answer waits for its mirror does not hold back the next
        // offer to another one, and with threshold 1 of 2 the quicker witness makes each checkpoint final.
        var asking = new List<Asking>();
        var waits = new List<Task>();
        Task? wake = null;
        Task? tick = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A round runs on a wake (a new checkpoint, a change of network), an answer, the end of a witness's
                // back-off, or the periodic tick. Without the back-off's own timer a witness was asked again only at the
                // next event or tick: on a quiet log up to 2 s after its back-off of 1 s had ended.
                wake ??= _wake.WaitAsync(stoppingToken);
                tick ??= Task.Delay(Tick, time, stoppingToken);
                waits.Clear();
                waits.Add(wake);
                waits.Add(tick);
                if (BackoffEnds(asking, stoppingToken) is { } backoffEnds) waits.Add(backoffEnds);
                foreach (var offer in asking) waits.Add(offer.Answer);
                await Task.WhenAny(waits).ConfigureAwait(false);
                if (wake.IsCompleted)
                {
                    await wake.ConfigureAwait(false);
                    wake = null;
                    while (_wake.CurrentCount > 0) await _wake.WaitAsync(stoppingToken).ConfigureAwait(false);
                }
                if (tick.IsCompleted)
                {
                    await tick.ConfigureAwait(false);
                    tick = null;
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            try
            {
                TakeAnswers(asking);
                Offer(asking, stoppingToken);
                // Answers that came at once (a refusal, an unreachable witness) are taken in the same round.
                TakeAnswers(asking);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested && ex is not OutOfMemoryException)
            {
                // Not a witness's fault (each is handled per witness): the stored note or the log. Tried again next round.
                faults.Failed(Service, log.Origin, ex.Message);
                LogRoundFailed(logger, ex);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                // An answer cut short by the node stopping.
                return;
            }
            Interlocked.Exchange(ref _collected, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    /// <summary>
    /// Completes when the first back-off of a witness not being asked ends (on the collector's clock), or null when no
    /// witness waits one out. The timer is kept across rounds while that end stays the same (rounds come with every
    /// checkpoint; a new timer each would pile up until they fired).
    /// </summary>
    private Task? BackoffEnds(List<Asking> asking, CancellationToken stoppingToken)
    {
        if (_retry.Count == 0) return null;
        var now = time.GetUtcNow();
        DateTimeOffset? first = null;
        foreach (var (origin, retry) in _retry)
        {
            // A back-off already over is the next round's business (Offer asks that witness), not a timer's.
            if (retry.Due <= now || asking.Exists(a => a.Member.Origin == origin)) continue;
            if (first is null || retry.Due < first) first = retry.Due;
        }
        if (first is not { } due) return null;
        if (_backoffTimer is { } kept && kept.Due == due && !kept.Ends.IsCompleted) return kept.Ends;
        // At least 1 ms, so that a timer firing a little early (timers tick coarsely) does not make rounds spin until
        // the end; at most the longest back-off, whatever the wall clock did meanwhile.
        var wait = TimeSpan.FromTicks(Math.Clamp((due - now).Ticks, TimeSpan.TicksPerMillisecond, MaxBackoff.Ticks));
        _backoffTimer = (due, Task.Delay(wait, time, stoppingToken));
        return _backoffTimer.Value.Ends;
    }

    /// <summary>An offer in flight: to whom, of which checkpoint, the back-off it was asked under, and the answer to come.</summary>
    private sealed record Asking(TrustedMember Member, ulong Size, TimeSpan Backoff, Task<Offered> Answer);

    /// <summary>Offers the latest checkpoint to every witness that has not cosigned it, is not being asked and is not waiting out a back-off.</summary>
    private void Offer(List<Asking> asking, CancellationToken stoppingToken)
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
        SignedNote? note = null;
        foreach (var member in config.Members)
        {
            if (member.Origin == log.Origin || asking.Exists(a => a.Member.Origin == member.Origin)) continue;
            if (_retry.TryGetValue(member.Origin, out var retry) && time.GetUtcNow() < retry.Due) continue;
            note ??= SignedNote.Parse(latest.Note);
            var witnessName = CosignatureSigner.WitnessNameFor(member.Origin);
            if (note.Signatures.Any(s => s.Name == witnessName)) continue;
            asking.Add(new Asking(member, latest.Size, retry.Backoff,
                OfferAsync(member, witnessName, note, latest.Size, _witnessSizes.GetValueOrDefault(member.Origin), self.CheckpointVerifier, stoppingToken)));
        }
        // A note already final when the round looks at it (stored before a restart, or a threshold lowered since) gets no
        // new line to tell the writer by; without this its next checkpoint would wait the whole final wait.
        if (writer is not null && CurrentWitnessLines(note ?? SignedNote.Parse(latest.Note)) >= config.WitnessThreshold) writer.Finalised(latest.Size);
    }

    /// <summary>
    /// Takes every answer that has come: a verified cosignature is added to the note stored for its size (which may hold
    /// another witness's line by now) and followers are woken, since the first one may make the checkpoint final; a
    /// failure puts that witness on back-off.
    /// </summary>
    private void TakeAnswers(List<Asking> asking)
    {
        for (var i = asking.Count - 1; i >= 0; i--)
        {
            var (member, size, lastBackoff, answer) = asking[i];
            if (!answer.IsCompleted) continue;
            asking.RemoveAt(i);
            // OfferAsync turns every failure of the witness into a reason; it throws only when the node is stopping.
            var offered = answer.GetAwaiter().GetResult();
            if (offered.WitnessSize is { } known) _witnessSizes[member.Origin] = known;
            if (offered.Line is { } line)
            {
                if (log.Store.GetCheckpoint(size) is { } stored)
                {
                    var note = SignedNote.Parse(stored);
                    // A full note (32 lines) already holds more cosignatures than any threshold asks (NetworkConfig.MaxWitnessThreshold).
                    if (!note.Signatures.Any(s => s.Name == line.Name) && note.Signatures.Count < SignedNote.MaxSignatures)
                    {
                        // Each line is verified on its own over the same checkpoint text; a cosignature covers the text only.
                        var cosigned = note.WithSignature(line);
                        var bytes = cosigned.ToUtf8();
                        log.Store.PutCheckpoint(size, bytes);
                        events.Publish(new LogEvent(log.Origin, LogEventKind.Checkpoint, size, Note: bytes));
                        if (writer is not null && CurrentWitnessLines(cosigned) >= network.Current?.WitnessThreshold) writer.Finalised(size);
                    }
                }
                _retry.Remove(member.Origin);
                faults.Succeeded(Service, member.Origin);
                continue;
            }
            // The first refusal in a row of a size the log has passed: ask about the later checkpoint at once.
            var atOnce = offered.Refused && lastBackoff == TimeSpan.Zero && log.Store.GetLatestCheckpoint() is { } latest && latest.Size > size;
            var backoff = atOnce ? AskedAgainAtOnce
                : lastBackoff < FirstBackoff ? FirstBackoff
                : TimeSpan.FromTicks(Math.Min(lastBackoff.Ticks * 2, MaxBackoff.Ticks));
            var now = time.GetUtcNow();
            _retry[member.Origin] = (atOnce ? now : now + backoff, backoff);
            if (atOnce) Wake();
            faults.Failed(Service, member.Origin, offered.Failure);
            LogWitnessFailed(logger, member.Origin, size, offered.Failure, atOnce ? 0 : backoff.TotalSeconds);
        }
    }

    /// <summary>
    /// One witness's answer: its verified cosignature line, or why not; the size it is known to hold; and whether it
    /// was a refusal of the checkpoint (FAILED_PRECONDITION) by a witness that answered.
    /// </summary>
    private sealed record Offered(NoteSignature? Line, string Failure, ulong? WitnessSize, bool Refused = false);

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
            return new Offered(null, $"refused ({ex.StatusCode}): {ex.Status.Detail}", null, ex.StatusCode == StatusCode.FailedPrecondition);
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
            // configured key verifies. The rest of the note is this node's own signed checkpoint: a line of the
            // witness's current key is checked on its own, which spares an SM2 and an Ed25519 check of the log's own
            // lines per checkpoint; any other line goes through the whole verifier, whose rules for retired keys decide.
            if (CurrentKeyOf(verifier, line) is { } key)
            {
                return key.VerifySignature(note.TextUtf8, line.Signature, out _)
                    ? new Offered(line, "", size)
                    : new Offered(null, $"its cosignature does not verify: invalid signature for key {key.Name}+{key.KeyIdHex}", known);
            }
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

    /// <summary>
    /// The lines of <paramref name="note"/> by a witness key of the network now: each was verified as it came in (only
    /// verified lines are stored), so counting them tells the writer's pace when the note became final.
    /// </summary>
    private int CurrentWitnessLines(SignedNote note)
    {
        if (network.Current?.ByOrigin(log.Origin) is not { } self) return 0;
        var count = 0;
        foreach (var line in note.Signatures)
        {
            if (CurrentKeyOf(self.CheckpointVerifier, line) is not null) count++;
        }
        return count;
    }

    private static NoteVerifierKey? CurrentKeyOf(CheckpointVerifier verifier, NoteSignature line)
    {
        foreach (var key in verifier.WitnessKeys)
        {
            if (line.IsFrom(key)) return key;
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Witness {Witness} did not cosign size {Size}: {Failure}; asking again in {Seconds} s")]
    private static partial void LogWitnessFailed(ILogger logger, string witness, ulong size, string failure, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "A cosignature round failed; the next round tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception ex);
}
