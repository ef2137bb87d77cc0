using ProtoBuf;
using ProtoBuf.Grpc;
using ProtoBuf.Grpc.Configuration;

namespace Huren.Schemas.Services;

/// <summary>
/// A city node acting as witness for the other members' logs (C2SP tlog-witness semantics): it cosigns a checkpoint
/// only when it is consistent with the last one it cosigned for that origin.
/// </summary>
[Service("huren.v1.Witness")]
public interface IWitnessService
{
    /// <summary>Offers a checkpoint with a consistency proof from the size the caller believes the witness holds.</summary>
    [Operation]
    ValueTask<AddCheckpointResponse> AddCheckpointAsync(AddCheckpointRequest request, CallContext context = default);

    /// <summary>Equivocations this witness has seen, with both signed notes as evidence.</summary>
    [Operation]
    ValueTask<EquivocationsResponse> ListEquivocationsAsync(EquivocationsRequest request, CallContext context = default);

    /// <summary>
    /// The last checkpoint of an origin this witness cosigned, as the signed note it kept: how a node that lost or
    /// restored its disk learns the size the network has already seen of its own log.
    /// </summary>
    [Operation]
    ValueTask<CosignedCheckpointResponse> GetCosignedAsync(CosignedCheckpointRequest request, CallContext context = default);

    /// <summary>Every origin's quarantine, in force or cleared (operator and auditor).</summary>
    [Operation]
    ValueTask<QuarantinesResponse> ListQuarantinesAsync(QuarantinesRequest request, CallContext context = default);

    /// <summary>The operator accepts a quarantined origin again; the reason is recorded with the clearing.</summary>
    [Operation]
    ValueTask<Quarantine> ClearQuarantineAsync(ClearQuarantineRequest request, CallContext context = default);
}

/// <summary>Asks for the last checkpoint of an origin a witness cosigned.</summary>
[ProtoContract]
public sealed class CosignedCheckpointRequest
{
    /// <summary>The origin.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
}

/// <summary>The last checkpoint of an origin a witness cosigned, or nothing.</summary>
[ProtoContract]
public sealed class CosignedCheckpointResponse
{
    /// <summary>True when the witness has cosigned a checkpoint of the origin.</summary>
    [ProtoMember(1, Name = "found")] public bool Found { get; set; }
    /// <summary>Its tree size.</summary>
    [ProtoMember(2, Name = "size")] public ulong Size { get; set; }
    /// <summary>The signed note with the origin's own signature lines, verbatim.</summary>
    [ProtoMember(3, Name = "note")] public string Note { get; set; } = "";
}

/// <summary>Asks for the quarantines.</summary>
[ProtoContract]
public sealed class QuarantinesRequest
{
}

/// <summary>One origin's quarantine row.</summary>
[ProtoContract]
public sealed class Quarantine
{
    /// <summary>The origin.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>True while the witness refuses the origin.</summary>
    [ProtoMember(2, Name = "in_force")] public bool InForce { get; set; }
    /// <summary>Since when (Unix ms).</summary>
    [ProtoMember(3, Name = "since_unix_ms")] public long SinceUnixMs { get; set; }
    /// <summary>The sequence number of the equivocation evidence that caused it.</summary>
    [ProtoMember(4, Name = "equivocation")] public long Equivocation { get; set; }
    /// <summary>Why it was quarantined.</summary>
    [ProtoMember(5, Name = "reason")] public string Reason { get; set; } = "";
    /// <summary>When an operator cleared it (Unix ms); 0 while in force.</summary>
    [ProtoMember(6, Name = "cleared_unix_ms")] public long ClearedUnixMs { get; set; }
    /// <summary>The reason the operator gave for clearing it.</summary>
    [ProtoMember(7, Name = "cleared_reason")] public string ClearedReason { get; set; } = "";
    /// <summary>The principal that cleared it.</summary>
    [ProtoMember(8, Name = "cleared_by")] public string ClearedBy { get; set; } = "";
}

/// <summary>The quarantines.</summary>
[ProtoContract]
public sealed class QuarantinesResponse
{
    /// <summary>Every origin's row, in origin order.</summary>
    [ProtoMember(1, Name = "quarantines")] public List<Quarantine> Quarantines { get; set; } = [];
}

/// <summary>Clears a quarantine.</summary>
[ProtoContract]
public sealed class ClearQuarantineRequest
{
    /// <summary>The origin to accept again.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>Why (required): what the operator checked, recorded with the clearing.</summary>
    [ProtoMember(2, Name = "reason")] public string Reason { get; set; } = "";
}

/// <summary>A checkpoint offered for cosigning.</summary>
[ProtoContract]
public sealed class AddCheckpointRequest
{
    /// <summary>The size the caller believes the witness last cosigned (0 for none).</summary>
    [ProtoMember(1, Name = "old_size")] public ulong OldSize { get; set; }
    /// <summary>RFC 9162 consistency proof from the old size to the new checkpoint's size.</summary>
    [ProtoMember(2, Name = "consistency_proof")] public List<byte[]> ConsistencyProof { get; set; } = [];
    /// <summary>The complete signed checkpoint note.</summary>
    [ProtoMember(3, Name = "note")] public string Note { get; set; } = "";
}

/// <summary>The witness's answer: a cosignature line, or the size it holds when the caller's old size was wrong.</summary>
[ProtoContract]
public sealed class AddCheckpointResponse
{
    /// <summary>The cosignature line (<c>— name base64</c>) to add to the note; empty on conflict.</summary>
    [ProtoMember(1, Name = "cosignature")] public string Cosignature { get; set; } = "";
    /// <summary>On conflict: the size the witness last cosigned.</summary>
    [ProtoMember(2, Name = "known_size")] public ulong KnownSize { get; set; }
    /// <summary>True when the request's <see cref="AddCheckpointRequest.OldSize"/> was not the witness's size: retry from <see cref="KnownSize"/>.</summary>
    [ProtoMember(3, Name = "conflict")] public bool Conflict { get; set; }
}

/// <summary>Asks for recorded equivocations.</summary>
[ProtoContract]
public sealed class EquivocationsRequest
{
    /// <summary>Only this origin; empty for all.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
}

/// <summary>One equivocation: two validly signed checkpoints of one origin that are not consistent.</summary>
[ProtoContract]
public sealed class Equivocation
{
    /// <summary>The origin.</summary>
    [ProtoMember(1, Name = "origin")] public string Origin { get; set; } = "";
    /// <summary>The checkpoint the witness had cosigned.</summary>
    [ProtoMember(2, Name = "known_note")] public string KnownNote { get; set; } = "";
    /// <summary>The conflicting checkpoint.</summary>
    [ProtoMember(3, Name = "conflicting_note")] public string ConflictingNote { get; set; } = "";
    /// <summary>When the witness saw it (Unix ms).</summary>
    [ProtoMember(4, Name = "seen_unix_ms")] public long SeenUnixMs { get; set; }
    /// <summary>Why they conflict.</summary>
    [ProtoMember(5, Name = "reason")] public string Reason { get; set; } = "";
}

/// <summary>Recorded equivocations.</summary>
[ProtoContract]
public sealed class EquivocationsResponse
{
    /// <summary>The equivocations, oldest first.</summary>
    [ProtoMember(1, Name = "equivocations")] public List<Equivocation> Equivocations { get; set; } = [];
}
