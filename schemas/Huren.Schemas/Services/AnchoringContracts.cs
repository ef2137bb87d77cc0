using ProtoBuf;
using ProtoBuf.Grpc;
using ProtoBuf.Grpc.Configuration;

namespace Huren.Schemas.Services;

/// <summary>
/// The node's outside anchors: the state of its anchoring on an EVM chain (records in the
/// <c>huren-anchor-record/v1</c> JSON format), "anchor now", anchor proofs for a checkpoint, and the RFC 3161
/// time-stamp tokens of its final checkpoints. Anchoring and time-stamping run off the write path; a node with
/// neither configured answers with <c>enabled = false</c> and no records.
/// </summary>
[Service("huren.v1.Anchoring")]
public interface IAnchoringService
{
    /// <summary>The anchoring state: settings, the current and the last confirmed record, the last error, recent records.</summary>
    [Operation]
    ValueTask<AnchorStatusResponse> GetAnchorStatusAsync(AnchorStatusRequest request, CallContext context = default);

    /// <summary>Offers the latest final checkpoints to the anchorer now, without waiting for the interval or entry count (operator).</summary>
    [Operation]
    ValueTask<AnchorStatusResponse> AnchorNowAsync(AnchorNowRequest request, CallContext context = default);

    /// <summary>The anchor proof (<c>anchorProofs</c> element of <c>huren-evidence/v1</c>) that covers a checkpoint of a log; NOT_FOUND when no confirmed anchor covers it.</summary>
    [Operation]
    ValueTask<AnchorProofResponse> GetAnchorProofAsync(AnchorProofRequest request, CallContext context = default);

    /// <summary>The RFC 3161 time-stamp token kept for a final checkpoint of a log (the newest when size is 0); NOT_FOUND when none is kept.</summary>
    [Operation]
    ValueTask<CheckpointTimestampResponse> GetTimestampAsync(CheckpointTimestampRequest request, CallContext context = default);
}

/// <summary>Asks for the anchoring state.</summary>
[ProtoContract]
public sealed class AnchorStatusRequest
{
    /// <summary>How many recent records to list besides the current one (0: none, at most 100).</summary>
    [ProtoMember(1, Name = "recent")] public int Recent { get; set; }
}

/// <summary>Asks to anchor now.</summary>
[ProtoContract]
public sealed class AnchorNowRequest
{
}

/// <summary>The node's anchoring and time-stamping state.</summary>
[ProtoContract]
public sealed class AnchorStatusResponse
{
    /// <summary>Whether anchoring is configured on this node.</summary>
    [ProtoMember(1, Name = "enabled")] public bool Enabled { get; set; }
    /// <summary>The chain id anchored on.</summary>
    [ProtoMember(2, Name = "chain_id")] public ulong ChainId { get; set; }
    /// <summary>The anchor contract, 0x hex.</summary>
    [ProtoMember(3, Name = "contract")] public string Contract { get; set; } = "";
    /// <summary>The node's anchoring account, 0x hex.</summary>
    [ProtoMember(4, Name = "account")] public string Account { get; set; } = "";
    /// <summary>K: confirmations before an anchor is confirmed.</summary>
    [ProtoMember(5, Name = "confirmations")] public int Confirmations { get; set; }
    /// <summary>The newest record, <c>huren-anchor-record/v1</c> JSON (UTF-8); empty when there is none.</summary>
    [ProtoMember(6, Name = "current")] public byte[] Current { get; set; } = [];
    /// <summary>The newest confirmed record, JSON; empty when there is none.</summary>
    [ProtoMember(7, Name = "last_confirmed")] public byte[] LastConfirmed { get; set; } = [];
    /// <summary>The last error while the chain keeps failing; empty otherwise.</summary>
    [ProtoMember(8, Name = "last_error")] public string LastError { get; set; } = "";
    /// <summary>Failed steps in a row.</summary>
    [ProtoMember(9, Name = "consecutive_failures")] public int ConsecutiveFailures { get; set; }
    /// <summary>Older records, newest first, JSON each.</summary>
    [ProtoMember(10, Name = "recent")] public List<byte[]> Recent { get; set; } = [];
    /// <summary>Whether time-stamping is configured on this node.</summary>
    [ProtoMember(11, Name = "timestamping")] public bool Timestamping { get; set; }
    /// <summary>The newest kept time-stamp of the node's own log, if any.</summary>
    [ProtoMember(12, Name = "latest_timestamp")] public CheckpointTimestampResponse? LatestTimestamp { get; set; }
    /// <summary>The last time-stamping error while the TSA keeps failing; empty otherwise.</summary>
    [ProtoMember(13, Name = "timestamp_error")] public string TimestampError { get; set; } = "";
}

/// <summary>Asks for the anchor proof of a checkpoint.</summary>
[ProtoContract]
public sealed class AnchorProofRequest
{
    /// <summary>The log's origin (empty: the node's own).</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The checkpoint's size; 0 for the newest confirmed anchor of the log.</summary>
    [ProtoMember(2, Name = "size")] public ulong Size { get; set; }
}

/// <summary>An anchor proof.</summary>
[ProtoContract]
public sealed class AnchorProofResponse
{
    /// <summary>The proof, the <c>anchorProofs</c> element JSON (UTF-8), with a consistency proof when the anchored size differs from the asked one.</summary>
    [ProtoMember(1, Name = "proof")] public byte[] Proof { get; set; } = [];
    /// <summary>The anchor record's id on this node.</summary>
    [ProtoMember(2, Name = "record_id")] public ulong RecordId { get; set; }
    /// <summary>Confirmations the node last saw.</summary>
    [ProtoMember(3, Name = "confirmations")] public ulong Confirmations { get; set; }
}

/// <summary>Asks for the time-stamp of a checkpoint.</summary>
[ProtoContract]
public sealed class CheckpointTimestampRequest
{
    /// <summary>The log's origin (empty: the node's own).</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The checkpoint's size; 0 for the newest kept.</summary>
    [ProtoMember(2, Name = "size")] public ulong Size { get; set; }
}

/// <summary>An RFC 3161 time-stamp of a checkpoint note.</summary>
[ProtoContract]
public sealed class CheckpointTimestampResponse
{
    /// <summary>The log's origin.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The checkpoint's size.</summary>
    [ProtoMember(2, Name = "size")] public ulong Size { get; set; }
    /// <summary>The signed note stamped, verbatim (its SHA-256 is the token's imprint).</summary>
    [ProtoMember(3, Name = "note")] public string Note { get; set; } = "";
    /// <summary>The DER of the TimeStampToken.</summary>
    [ProtoMember(4, Name = "token")] public byte[] Token { get; set; } = [];
    /// <summary>The TSA's time, Unix milliseconds.</summary>
    [ProtoMember(5, Name = "gen_time_unix_ms")] public long GenTimeUnixMs { get; set; }
}
