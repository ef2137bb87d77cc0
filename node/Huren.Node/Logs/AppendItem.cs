using Huren.Sdk.Entries;

namespace Huren.Node.Logs;

/// <summary>Where a submitted entry landed.</summary>
/// <param name="Index">Its index in the log.</param>
/// <param name="LeafHash">Its RFC 9162 leaf hash.</param>
/// <param name="Duplicate">True when the same bytes were already in the log; nothing was appended.</param>
public readonly record struct AppendResult(ulong Index, byte[] LeafHash, bool Duplicate);

/// <summary>One entry offered to <see cref="LogAppender.Append"/>; after the call it holds a result or an error.</summary>
public class AppendItem(byte[] leaf, byte[] leafHash, DecodedLeaf decoded)
{
    /// <summary>The exact SignedEntry bytes.</summary>
    public byte[] Leaf { get; } = leaf;

    /// <summary>SHA-256(0x00 ‖ leaf).</summary>
    public byte[] LeafHash { get; } = leafHash;

    /// <summary>The leaf, decoded by the stateless checks.</summary>
    public DecodedLeaf Decoded { get; } = decoded;

    /// <summary>
    /// The submitter's own rows, added to the batch's atomic write when this entry is appended (not when it duplicates
    /// one already written): what must exist exactly when the entry does.
    /// </summary>
    public Action<Storage.StoreBatch>? WriteWith { get; init; }

    /// <summary>Where it landed (or the durable copy it duplicates), when it did.</summary>
    public AppendResult? Result { get; set; }

    /// <summary>Why not: an <see cref="AdmissionException"/>, a <see cref="BatchRefusedException"/> or an <see cref="AppendFailedException"/>.</summary>
    public Exception? Error { get; set; }

    /// <summary>An earlier item of the same batch with the same bytes: this one gets its answer, as a duplicate.</summary>
    public AppendItem? SameAs { get; set; }

    /// <summary>Clears the outcome before the item is offered again.</summary>
    public void Reset()
    {
        Result = null;
        Error = null;
        SameAs = null;
    }

    /// <summary>The final answer: the result, the duplicate of the same bytes earlier in the batch, or the error thrown.</summary>
    public AppendResult Outcome()
    {
        if (SameAs is { } first) return first.Outcome() with { Duplicate = true };
        if (Error is not null) throw Error;
        return Result ?? throw new InvalidOperationException("the item was not appended");
    }
}

/// <summary>What became of a batch.</summary>
/// <param name="Appended">Entries written (0 when the batch failed or was refused).</param>
/// <param name="Refusal">The refusal that ended the batch (<see cref="LogAppender.Append"/> with refusals ending it, or a participant's <see cref="BatchRefusedException"/>).</param>
/// <param name="Failure">The fault that failed the batch, or null.</param>
public readonly record struct BatchOutcome(int Appended, Exception? Refusal, Exception? Failure)
{
    /// <summary>Written (or nothing to write) without refusal or failure.</summary>
    public bool Succeeded => Refusal is null && Failure is null;
}
