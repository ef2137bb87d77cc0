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
