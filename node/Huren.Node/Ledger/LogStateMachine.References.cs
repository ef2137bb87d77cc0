using Huren.Schemas.Envelope;
using Huren.Schemas.Validation;

namespace Huren.Node.Ledger;

public sealed partial class LogStateMachine
{
    /// <summary>
    /// Every reference names an entry that exists: in this log, an earlier entry (durable or staged in this batch)
    /// with that leaf hash; in another log, one the node keeps, when it can ask (<c>referenceExists</c>).
    /// </summary>
    private void CheckReferences(EntryContext context)
    {
        var references = context.Entry.References;
        Span<byte> stored = stackalloc byte[EntryValidator.LeafHashLength];
        for (var i = 0; i < references.Count; i++)
        {
            var r = references[i];
            if (r.LeafHash is not { Length: EntryValidator.LeafHashLength })
            {
                throw Reject.InvalidArgument($"references[{i}].leafHash: must be {EntryValidator.LeafHashLength} bytes, got {r.LeafHash?.Length ?? 0}");
            }
            if (string.Equals(r.Origin, _origin, StringComparison.Ordinal))
            {
                if (!TryGetLocalLeafHash(r.Index, context.Index, stored))
                {
                    throw Reject.NotFound($"references[{i}]: entry {r.Index} of {_origin} does not exist (this entry is {context.Index})");
                }
                if (!stored.SequenceEqual(r.LeafHash))
                {
                    throw Reject.NotFound($"references[{i}]: entry {r.Index} of {_origin} with leaf hash {Convert.ToHexStringLower(r.LeafHash)} does not exist (its leaf hash is {Convert.ToHexStringLower(stored)})");
                }
            }
            else if (KeptLogs?.Invoke(r.Origin) is { } kept && r.Index >= kept.Size)
            {
                // The other city may well hold it: this node's copy is behind (or the index is made up). Either way
                // the answer can change once the copy catches up, so it is not NOT_FOUND.
                throw Reject.Behind(kept, r.Index, $"references[{i}]: this node's copy of {r.Origin} holds {kept.Size} entries and has not reached entry {r.Index} yet; retry once it has caught up");
            }
            else if (_referenceExists is not null && !_referenceExists(r.Origin, r.Index, r.LeafHash))
            {
                throw Reject.NotFound($"references[{i}]: entry {r.Index} of {r.Origin} with leaf hash {Convert.ToHexStringLower(r.LeafHash)} does not exist in this node's copy of that log");
            }
        }
    }

    /// <summary>The leaf hash of an entry of this log before <paramref name="before"/>: staged in this batch, else durable.</summary>
    private bool TryGetLocalLeafHash(ulong index, ulong before, Span<byte> hash)
    {
        if (index >= before) return false;
        if (_batch.EntryAt(index) is { } staged)
        {
            staged.LeafHash.CopyTo(hash);
            return true;
        }
        return _store.TryGetNode(0, index, hash);
    }

    /// <summary>
    /// The reference of <paramref name="relation"/> an entry must carry (in <paramref name="origin"/> when given), and its
    /// position. Its existence was checked by <see cref="CheckReferences"/> when the node can check it; when the node
    /// keeps no copy of the other log it cannot, and the entry is refused.
    /// </summary>
    private (int Position, EntryReference Reference) RequireReference(EntryContext context, string relation, string? origin, string what)
    {
        var references = context.Entry.References;
        for (var i = 0; i < references.Count; i++)
        {
            var r = references[i];
            if (!string.Equals(r.Relation, relation, StringComparison.Ordinal)) continue;
            if (origin is not null && !string.Equals(r.Origin, origin, StringComparison.Ordinal))
            {
                throw Reject.InvalidArgument($"references[{i}]: the '{relation}' reference must name {what} in {origin}, not in {r.Origin}");
            }
            if (!string.Equals(r.Origin, _origin, StringComparison.Ordinal) && _referenceExists is null)
            {
                throw Reject.NotFound($"references[{i}]: origin {r.Origin} is not kept by this node, so {what} cannot be found");
            }
            return (i, r);
        }
        throw Reject.InvalidArgument($"references: {context.Entry.Kind} must reference {what} (relation '{relation}')");
    }

    /// <summary>Refuses a second reference of <paramref name="relation"/> after the one at <paramref name="first"/>: one entry names one of each.</summary>
    private static void RefuseSecond(EntryContext context, string relation, int first)
    {
        var references = context.Entry.References;
        for (var i = first + 1; i < references.Count; i++)
        {
            if (string.Equals(references[i].Relation, relation, StringComparison.Ordinal))
                throw Reject.InvalidArgument($"references[{i}]: a second '{relation}' reference (the first is references[{first}]): an entry names one");
        }
    }
}
