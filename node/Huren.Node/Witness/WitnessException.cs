namespace Huren.Node.Witness;

/// <summary>Why a witness refused a checkpoint; each maps to one gRPC status (checkpoints.md, "Witness answers").</summary>
public enum WitnessFailure
{
    /// <summary>The origin is not another member of the network in force (NOT_FOUND).</summary>
    UnknownOrigin,
    /// <summary>No valid signature by the origin's log key, or a known key's signature fails (PERMISSION_DENIED).</summary>
    BadSignature,
    /// <summary>A malformed request: unparsable note or checkpoint, old size above the new size, too long a proof (INVALID_ARGUMENT).</summary>
    InvalidRequest,
    /// <summary>
    /// The checkpoint cannot be cosigned: a bad consistency proof, an equivocation, a malformed empty-tree checkpoint, a
    /// proof from size 0, or an origin quarantined after an equivocation (FAILED_PRECONDITION).
    /// </summary>
    Inconsistent,
}

/// <summary>A checkpoint the witness refuses to cosign; <see cref="Exception.Message"/> names the cause.</summary>
public sealed class WitnessException : Exception
{
    /// <summary>A refusal of kind <paramref name="failure"/>.</summary>
    public WitnessException(WitnessFailure failure, string message)
        : base(message) => Failure = failure;

    /// <summary>The kind of refusal.</summary>
    public WitnessFailure Failure { get; }

    /// <summary>True when the refusal recorded equivocation evidence and quarantined the origin.</summary>
    public bool IsEquivocation { get; init; }
}
