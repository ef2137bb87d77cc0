using Huren.Sdk.Entries;

namespace Huren.Node.Logs;

/// <summary>
/// Admission by signature alone, with no ledger rules: for exercising the log itself (crash tests, benchmarks).
/// A city node admits its own entries through the ledger's state machine instead.
/// </summary>
public sealed class SignatureOnlyAdmission(SignatureCheck check) : IEntryAdmission
{
    /// <inheritdoc/>
    public DecodedLeaf CheckStateless(byte[] leaf) => check.Check(leaf);

    /// <inheritdoc/>
    public void CheckInOrder(DecodedLeaf leaf, ulong index)
    {
    }

    /// <inheritdoc/>
    public void Discard()
    {
    }
}
