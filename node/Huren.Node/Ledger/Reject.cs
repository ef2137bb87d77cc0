using Huren.Node.Logs;

namespace Huren.Node.Ledger;

/// <summary>The one place that makes the ledger's refusals.</summary>
internal static class Reject
{
    public static AdmissionException InvalidArgument(string message) => new(RejectionKind.InvalidArgument, message);

    public static AdmissionException PermissionDenied(string message) => new(RejectionKind.PermissionDenied, message);

    public static AdmissionException AlreadyExists(string message) => new(RejectionKind.AlreadyExists, message);

    public static AdmissionException FailedPrecondition(string message) => new(RejectionKind.FailedPrecondition, message);

    public static AdmissionException NotFound(string message) => new(RejectionKind.NotFound, message);

    /// <summary>The entry references entry <paramref name="index"/> of another log, beyond this node's copy <paramref name="kept"/>.</summary>
    public static AdmissionException Behind(MerkleLog kept, ulong index, string message) => new(RejectionKind.Unavailable, message) { WaitsFor = (kept, index + 1) };
}
