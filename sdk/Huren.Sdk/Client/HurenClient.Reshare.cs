using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;

namespace Huren.Sdk.Client;

public sealed partial class HurenClient
{
    /// <summary>
    /// Records a re-share of received data (docs/exchange.md, "Re-sharing"): a <c>share</c> entry in the department's own
    /// city's log, written by the department that received, referencing its <paramref name="receipt"/> there (relation
    /// <see cref="Relations.Receipt"/>: origin, index, leaf hash). The node refuses it unless <see cref="ReshareRule"/>
    /// holds: same resource and record as the share received, no other data items, the same purpose, no later expiry.
    /// The onward consumer then writes its receipt as for any share. Moving the data itself is not part of this call.
    /// </summary>
    /// <exception cref="Grpc.Core.RpcException">Refused by the ledger's rules (FAILED_PRECONDITION with the rule, NOT_FOUND for a receipt that is not there).</exception>
    public async Task<SubmitResponse> RecordReshareAsync(SubmitResponse receipt, DataShared onward, string issuerId, SigningKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        ArgumentNullException.ThrowIfNull(onward);
        var reference = new EntryReference { Origin = receipt.Origin, Index = receipt.Index, LeafHash = receipt.LeafHash, Relation = Relations.Receipt };
        var entry = Entry.Create(EntryKinds.Share, receipt.Origin, onward.ShareId, issuerId, onward, DateTimeOffset.UtcNow, reference);
        return await Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(entry, key) }, Options(cancellationToken)).ConfigureAwait(false);
    }
}
