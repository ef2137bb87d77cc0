using ProtoBuf;
using ProtoBuf.Grpc;
using ProtoBuf.Grpc.Configuration;

namespace Huren.Schemas.Services;

/// <summary>
/// A city log: submit signed entries, read entries, checkpoints and proofs of any log the node keeps
/// (its own and its mirrors), and follow a log as it grows.
/// </summary>
[Service("huren.v1.Ledger")]
public interface ILedgerService
{
    /// <summary>Submits one signed entry to the node's own log; answered once it is durable.</summary>
    [Operation]
    ValueTask<SubmitResponse> SubmitAsync(SubmitRequest request, CallContext context = default);

    /// <summary>Submits a stream of signed entries; answers arrive in order, one per entry.</summary>
    [Operation]
    IAsyncEnumerable<SubmitResponse> SubmitStreamAsync(IAsyncEnumerable<SubmitRequest> requests, CallContext context = default);

    /// <summary>
    /// Submits signed entries as one atomic batch, answered once all of them are durable, with one answer per entry in
    /// order. If any entry is refused, nothing of the batch is written and the status names the entry by its position.
    /// </summary>
    [Operation]
    ValueTask<SubmitBatchResponse> SubmitBatchAsync(SubmitBatchRequest request, CallContext context = default);

    /// <summary>One entry of a log.</summary>
    [Operation]
    ValueTask<LogEntry> GetEntryAsync(GetEntryRequest request, CallContext context = default);

    /// <summary>
    /// A page of consecutive entries of a log from <c>start</c>: at most <c>count</c> (at most 1,000), and fewer once
    /// their leaves pass 1 MiB (always at least one). Page on from the last entry returned, not by <c>count</c>.
    /// </summary>
    [Operation]
    ValueTask<GetEntriesResponse> GetEntriesAsync(GetEntriesRequest request, CallContext context = default);

    /// <summary>The latest (or a given size's) signed checkpoint of a log, as the verbatim signed note.</summary>
    [Operation]
    ValueTask<CheckpointResponse> GetCheckpointAsync(CheckpointRequest request, CallContext context = default);

    /// <summary>An RFC 9162 inclusion proof.</summary>
    [Operation]
    ValueTask<ProofResponse> GetInclusionProofAsync(InclusionProofRequest request, CallContext context = default);

    /// <summary>An RFC 9162 consistency proof.</summary>
    [Operation]
    ValueTask<ProofResponse> GetConsistencyProofAsync(ConsistencyProofRequest request, CallContext context = default);

    /// <summary>
    /// Streams a log's entries from an index on, then each new entry as it becomes durable, until cancelled; a
    /// checkpoint message follows each run of entries it covers. Mirrors use it to follow other cities' logs.
    /// </summary>
    [Operation]
    IAsyncEnumerable<FollowMessage> FollowAsync(FollowRequest request, CallContext context = default);
}

/// <summary>Where to start following a log.</summary>
[ProtoContract]
public sealed class FollowRequest
{
    /// <summary>The log; empty for the node's own.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The first index wanted (the follower's own size).</summary>
    [ProtoMember(2, Name = "from_index")] public ulong FromIndex { get; set; }
    /// <summary>
    /// The most entries one message may carry in <see cref="FollowMessage.Entries"/> (consecutive, never past a batch's
    /// checkpoint); 0 or 1: one entry per message, in <see cref="FollowMessage.Entry"/>. A follower catching up asks for
    /// many: the per-message cost of the stream then falls on a run of entries instead of on each.
    /// </summary>
    [ProtoMember(3, Name = "max_entries")] public uint MaxEntries { get; set; }
}

/// <summary>One message of a followed log: an entry or a run of them, or a signed checkpoint covering the entries sent so far.</summary>
[ProtoContract]
public sealed class FollowMessage
{
    /// <summary>An entry (absent on checkpoint messages).</summary>
    [ProtoMember(1, Name = "entry")] public LogEntry? Entry { get; set; }
    /// <summary>A signed checkpoint (absent on entry messages).</summary>
    [ProtoMember(2, Name = "checkpoint")] public CheckpointResponse? Checkpoint { get; set; }
    /// <summary>Consecutive entries, when the follower asked for more than one per message (<see cref="FollowRequest.MaxEntries"/>).</summary>
    [ProtoMember(3, Name = "entries")] public List<LogEntry> Entries { get; set; } = [];
    /// <summary>
    /// A checkpoint of a size below the last one sent, again, with the cosignatures it has gained since it was sent: under
    /// a steady flow of batches the latest checkpoint is rarely cosigned yet, and without this a follower would learn
    /// that entries are final only when the log pauses. Not part of the ordered sequence of <see cref="Checkpoint"/>
    /// messages, whose sizes never go back.
    /// </summary>
    [ProtoMember(4, Name = "cosigned")] public CheckpointResponse? Cosigned { get; set; }
}

/// <summary>A signed entry to append.</summary>
[ProtoContract]
public sealed class SubmitRequest
{
    /// <summary>The exact <c>SignedEntry</c> bytes (the Merkle leaf).</summary>
    [ProtoMember(1, Name = "signed_entry")] public byte[] SignedEntry { get; set; } = [];
}

/// <summary>Where a submitted entry landed.</summary>
[ProtoContract]
public sealed class SubmitResponse
{
    /// <summary>The log.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The entry's index.</summary>
    [ProtoMember(2, Name = "index")] public ulong Index { get; set; }
    /// <summary>Its RFC 9162 leaf hash.</summary>
    [ProtoMember(3, Name = "leaf_hash")] public byte[] LeafHash { get; set; } = [];
    /// <summary>True when the same bytes were already in the log (nothing appended).</summary>
    [ProtoMember(4, Name = "duplicate")] public bool Duplicate { get; set; }
}

/// <summary>Signed entries to append as one atomic batch.</summary>
[ProtoContract]
public sealed class SubmitBatchRequest
{
    /// <summary>The exact <c>SignedEntry</c> bytes of each entry (the Merkle leaves), in the order wanted.</summary>
    [ProtoMember(1, Name = "signed_entries")] public List<byte[]> SignedEntries { get; set; } = [];
}

/// <summary>Where each entry of a batch landed, in the order submitted.</summary>
[ProtoContract]
public sealed class SubmitBatchResponse
{
    /// <summary>One answer per submitted entry.</summary>
    [ProtoMember(1, Name = "results")] public List<SubmitResponse> Results { get; set; } = [];
}

/// <summary>Asks for one entry.</summary>
[ProtoContract]
public sealed class GetEntryRequest
{
    /// <summary>The log; empty for the node's own.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The index.</summary>
    [ProtoMember(2, Name = "index")] public ulong Index { get; set; }
}

/// <summary>An entry with its position.</summary>
[ProtoContract]
public sealed class LogEntry
{
    /// <summary>The log.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The index.</summary>
    [ProtoMember(2, Name = "index")] public ulong Index { get; set; }
    /// <summary>The exact <c>SignedEntry</c> bytes.</summary>
    [ProtoMember(3, Name = "leaf")] public byte[] Leaf { get; set; } = [];
}

/// <summary>Asks for a page of entries.</summary>
[ProtoContract]
public sealed class GetEntriesRequest
{
    /// <summary>The log; empty for the node's own.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>First index.</summary>
    [ProtoMember(2, Name = "start")] public ulong Start { get; set; }
    /// <summary>At most this many (the node caps it).</summary>
    [ProtoMember(3, Name = "count")] public uint Count { get; set; }
}

/// <summary>A page of entries.</summary>
[ProtoContract]
public sealed class GetEntriesResponse
{
    /// <summary>The entries, in index order.</summary>
    [ProtoMember(1, Name = "entries")] public List<LogEntry> Entries { get; set; } = [];
    /// <summary>The log's size when answered.</summary>
    [ProtoMember(2, Name = "tree_size")] public ulong TreeSize { get; set; }
}

/// <summary>Asks for a checkpoint.</summary>
[ProtoContract]
public sealed class CheckpointRequest
{
    /// <summary>The log; empty for the node's own.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>A size; 0 for the latest.</summary>
    [ProtoMember(2, Name = "size")] public ulong Size { get; set; }
    /// <summary>
    /// The newest checkpoint the node holds with the network's threshold of witness cosignatures (final), instead of the
    /// newest one; only with size 0. A busy log's newest checkpoint is often still being cosigned. NOT_FOUND when the
    /// node holds none yet. A node that predates this field answers the newest: check finality either way.
    /// </summary>
    [ProtoMember(3, Name = "final")] public bool Final { get; set; }
}

/// <summary>A signed checkpoint.</summary>
[ProtoContract]
public sealed class CheckpointResponse
{
    /// <summary>The log.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The tree size it commits to.</summary>
    [ProtoMember(2, Name = "size")] public ulong Size { get; set; }
    /// <summary>The complete signed note, verbatim (body, blank line, signature and cosignature lines).</summary>
    [ProtoMember(3, Name = "note")] public string Note { get; set; } = "";
}

/// <summary>Asks for an inclusion proof.</summary>
[ProtoContract]
public sealed class InclusionProofRequest
{
    /// <summary>The log; empty for the node's own.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The leaf index.</summary>
    [ProtoMember(2, Name = "index")] public ulong Index { get; set; }
    /// <summary>The tree size to prove against.</summary>
    [ProtoMember(3, Name = "tree_size")] public ulong TreeSize { get; set; }
}

/// <summary>Asks for a consistency proof.</summary>
[ProtoContract]
public sealed class ConsistencyProofRequest
{
    /// <summary>The log; empty for the node's own.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The older size.</summary>
    [ProtoMember(2, Name = "from_size")] public ulong FromSize { get; set; }
    /// <summary>The newer size.</summary>
    [ProtoMember(3, Name = "to_size")] public ulong ToSize { get; set; }
}

/// <summary>A Merkle proof: the RFC 9162 path, 32-byte hashes.</summary>
[ProtoContract]
public sealed class ProofResponse
{
    /// <summary>The proof's hashes in order.</summary>
    [ProtoMember(1, Name = "hashes")] public List<byte[]> Hashes { get; set; } = [];
}
