using Huren.Sdk.Notes;

namespace Huren.Node.Witness;

/// <summary>
/// A witness's normal answer: its cosignature of the checkpoint, or — when the caller's old size is not the size the
/// witness last cosigned — a conflict carrying that size (tlog-witness "409 Conflict").
/// </summary>
public sealed class WitnessResult
{
    private WitnessResult(NoteSignature? cosignature, Checkpoint? checkpoint, ulong knownSize)
    {
        Cosignature = cosignature;
        Checkpoint = checkpoint;
        KnownSize = knownSize;
    }

    /// <summary>The cosignature (type 0x04, cosignature/v1), or null on conflict.</summary>
    public NoteSignature? Cosignature { get; }

    /// <summary>The cosigned checkpoint, or null on conflict.</summary>
    public Checkpoint? Checkpoint { get; }

    /// <summary>On conflict, the size the witness last cosigned; otherwise the size just cosigned.</summary>
    public ulong KnownSize { get; }

    /// <summary>True when the caller must retry from <see cref="KnownSize"/>.</summary>
    public bool IsConflict => Cosignature is null;

    internal static WitnessResult Cosigned(NoteSignature cosignature, Checkpoint checkpoint) => new(cosignature, checkpoint, checkpoint.Size);

    internal static WitnessResult Conflict(ulong knownSize) => new(null, null, knownSize);
}
