using Huren.Schemas.Services;
using ProtoBuf.Grpc;

namespace Huren.Node.Tests.Mirrors;

/// <summary>A Ledger service whose Follow stream plays one script per connection (the last one again), then stays open.</summary>
internal sealed class ScriptedLedger : ILedgerService
{
    private readonly List<FollowMessage?[]> _scripts = [];
    private int _connections;

    public int Connections => Volatile.Read(ref _connections);

    public void Script(params FollowMessage?[] messages)
    {
        lock (_scripts) _scripts.Add(messages);
    }

    public async IAsyncEnumerable<FollowMessage> FollowAsync(FollowRequest request, CallContext context = default)
    {
        var n = Interlocked.Increment(ref _connections) - 1;
        FollowMessage?[] script;
        lock (_scripts) script = _scripts[Math.Min(n, _scripts.Count - 1)];
        var ends = script.Length > 0 && script[^1]?.Checkpoint is null;
        foreach (var message in script)
        {
            // A null in the script: the peer fails the stream there.
            if (message is null) throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unavailable, "scripted failure"));
            // The mirror asks from its own size: skip what it has.
            if (message.Entry is { } e && e.Index < request.FromIndex) continue;
            yield return message;
        }
        if (ends) yield break;
        await Task.Delay(Timeout.Infinite, context.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public ValueTask<SubmitResponse> SubmitAsync(SubmitRequest request, CallContext context = default) => throw new NotSupportedException();

    public IAsyncEnumerable<SubmitResponse> SubmitStreamAsync(IAsyncEnumerable<SubmitRequest> requests, CallContext context = default) => throw new NotSupportedException();

    public ValueTask<SubmitBatchResponse> SubmitBatchAsync(SubmitBatchRequest request, CallContext context = default) => throw new NotSupportedException();

    public ValueTask<LogEntry> GetEntryAsync(GetEntryRequest request, CallContext context = default) => throw new NotSupportedException();

    public ValueTask<GetEntriesResponse> GetEntriesAsync(GetEntriesRequest request, CallContext context = default) => throw new NotSupportedException();

    public ValueTask<CheckpointResponse> GetCheckpointAsync(CheckpointRequest request, CallContext context = default) => throw new NotSupportedException();

    public ValueTask<ProofResponse> GetInclusionProofAsync(InclusionProofRequest request, CallContext context = default) => throw new NotSupportedException();

    public ValueTask<ProofResponse> GetConsistencyProofAsync(ConsistencyProofRequest request, CallContext context = default) => throw new NotSupportedException();
}
