namespace Huren.Node.Logs;

/// <summary>Why an entry was refused; maps one-to-one onto a gRPC status code.</summary>
public enum RejectionKind
{
    /// <summary>Malformed or schema-invalid input (INVALID_ARGUMENT).</summary>
    InvalidArgument,
    /// <summary>Unknown, revoked or out-of-scope signer; bad signature (PERMISSION_DENIED).</summary>
    PermissionDenied,
    /// <summary>The record already exists under another issuer or was already issued (ALREADY_EXISTS).</summary>
    AlreadyExists,
    /// <summary>The change is impossible in the record's current state (FAILED_PRECONDITION).</summary>
    FailedPrecondition,
    /// <summary>A referenced entry or record does not exist (NOT_FOUND).</summary>
    NotFound,
    /// <summary>
    /// The entry references another log beyond what this node's copy of it holds yet (UNAVAILABLE): the same entry may be
    /// admitted once the mirror has caught up, so callers retry.
    /// </summary>
    Unavailable,
}

/// <summary>An entry refused before anything was written; the message names the cause.</summary>
public sealed class AdmissionException(RejectionKind kind, string message) : Exception(message)
{
    /// <summary>The category of the refusal.</summary>
    public RejectionKind Kind { get; } = kind;

    /// <summary>
    /// For <see cref="RejectionKind.Unavailable"/>: the kept copy of another log that must reach <c>Size</c> entries
    /// before the entry can be judged again (null when the refusal names none).
    /// </summary>
    public (MerkleLog Log, ulong Size)? WaitsFor { get; init; }

    /// <summary>A short label for metrics (e.g. <c>permission_denied</c>).</summary>
    public string Reason => Kind switch
    {
        RejectionKind.InvalidArgument => "invalid_argument",
        RejectionKind.PermissionDenied => "permission_denied",
        RejectionKind.AlreadyExists => "already_exists",
        RejectionKind.FailedPrecondition => "failed_precondition",
        RejectionKind.Unavailable => "unavailable",
        _ => "not_found",
    };
}
