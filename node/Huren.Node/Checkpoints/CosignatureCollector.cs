using Huren.Node.Network;
using Grpc.Core;
using Huren.Node.Logs;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Notes;

namespace Huren.Node.Checkpoints;

/// <summary>
/// Offers each new checkpoint of the node's own log to every other member's witness (old size + consistency proof,
/// per tlog-witness), adds the cosignatures they return to the stored note, and wakes followers so mirrors get the
/// cosigned note. A checkpoint with the network's threshold of cosignatures is final.
/// </summary>
public sealed partial class CosignatureCollector(
    NetworkView network, PeerClients peers, MerkleLog log, LogEvents events, ILogger<CosignatureCollector> logger) : BackgroundService
{
    private readonly Dictionary<string, ulong> _witnessSizes = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);
    private TaskCompletionSource _collected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Asks the collector to offer the latest checkpoint now.</summary>
    public void Wake() => _wake.Release();

    /// <summary>Completes after the next collection round.</summary>
    public Task NextRoundAsync() => Volatile.Read(ref _collected).Task;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (network.Current is null) return;
        var clients = new Dictionary<string, HurenClient>(StringComparer.Ordinal);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await _wake.WaitAsync(TimeSpan.FromSeconds(2), stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                while (_wake.CurrentCount > 0) await _wake.WaitAsync(stoppingToken).ConfigureAwait(false);
                await CollectAsync(clients, stoppingToken).ConfigureAwait(false);
                Interlocked.Exchange(ref _collected, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
        finally
        {
            foreach (var c in clients.Values) c.Dispose();
        }
    }

    private async Task CollectAsync(Dictionary<string, HurenClient> clients, CancellationToken stoppingToken)
    {
        if (network.Current is not { } config || config.ByOrigin(log.Origin) is not { } self || log.Store.GetLatestCheckpoint() is not { } latest) return;
        var note = SignedNote.Parse(latest.Note);
        // A cosignature line that does not verify would make the stored note invalid for every verifier (a failing known
        // key rejects the note), so each answer is checked before it is kept.
        var verifier = self.CheckpointVerifier;
        var changed = false;
        foreach (var member in config.Members)
        {
            if (member.Origin == log.Origin) continue;
            var witnessName = CosignatureSigner.WitnessNameFor(member.Origin);
            if (note.Signatures.Any(s => s.Name == witnessName)) continue;
            if (!clients.TryGetValue(member.Origin, out var client)) clients[member.Origin] = client = peers.For(member, TimeSpan.FromSeconds(5));
            try
            {
                for (var attempt = 0; attempt < 2; attempt++)
                {
                    var oldSize = Math.Min(_witnessSizes.GetValueOrDefault(member.Origin), latest.Size);
                    var request = new AddCheckpointRequest { OldSize = oldSize, ConsistencyProof = log.ConsistencyProof(oldSize, latest.Size), Note = note.ToString() };
                    var answer = await client.Witness.AddCheckpointAsync(request, client.Options(stoppingToken)).ConfigureAwait(false);
                    if (answer.Conflict)
                    {
                        // The witness holds another size: offer again from there.
                        _witnessSizes[member.Origin] = answer.KnownSize;
                        continue;
                    }
                    var cosigned = note.WithSignature(NoteSignature.ParseLine(answer.Cosignature));
                    var check = verifier.Verify(cosigned);
                    if (!check.IsValid)
                    {
                        LogBadCosignature(logger, member.Origin, latest.Size, check.Failure);
                        break;
                    }
                    note = cosigned;
                    _witnessSizes[member.Origin] = latest.Size;
                    changed = true;
                    break;
                }
            }
            catch (RpcException ex)
            {
                LogWitnessRefused(logger, member.Origin, latest.Size, ex.StatusCode, ex.Status.Detail);
            }
            catch (HttpRequestException ex)
            {
                LogWitnessUnreachable(logger, member.Origin, ex.Message);
            }
        }
        if (changed)
        {
            var bytes = note.ToUtf8();
            log.Store.PutCheckpoint(latest.Size, bytes);
            events.Publish(new LogEvent(log.Origin, LogEventKind.Checkpoint, latest.Size, Note: bytes));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Witness {Witness} did not cosign size {Size}: {Status} {Detail}")]
    private static partial void LogWitnessRefused(ILogger logger, string witness, ulong size, StatusCode status, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Witness {Witness} answered a cosignature of size {Size} that is not kept: {Failure}")]
    private static partial void LogBadCosignature(ILogger logger, string witness, ulong size, string failure);

    [LoggerMessage(Level = LogLevel.Information, Message = "Witness {Witness} unreachable: {Error}")]
    private static partial void LogWitnessUnreachable(ILogger logger, string witness, string error);
}
