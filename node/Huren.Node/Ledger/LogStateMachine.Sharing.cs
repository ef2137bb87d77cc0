using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;

namespace Huren.Node.Ledger;

public sealed partial class LogStateMachine
{
    private void Share(EntryContext context, IssuerRecord issuer)
    {
        RequireSharing(issuer);
        var body = Body<DataShared>(context);
        if (!string.Equals(body.ProviderCode, issuer.AuthorityCode, StringComparison.Ordinal))
        {
            throw Reject.PermissionDenied($"body.providerCode {body.ProviderCode} is not issuer {issuer.IssuerId}'s authority code {issuer.AuthorityCode}: a share is written by its provider");
        }
        var key = StateKeys.Share(body.ShareId);
        if (ReadRow<ShareRecord>(key) is { } existing)
        {
            throw Reject.AlreadyExists($"share {body.ShareId} already exists (index {existing.Index})");
        }
        Stage(key, new ShareRecord
        {
            ShareId = body.ShareId,
            IssuerId = issuer.IssuerId,
            ConsumerCode = body.ConsumerCode,
            ConsumerOrigin = body.ConsumerOrigin,
            ResourceId = body.ResourceId,
            PayloadDigest = body.PayloadDigest,
            ExpiresOn = body.ExpiresOn,
            Index = context.Index,
            LeafHash = context.LeafHash,
        });
    }

    /// <summary>
    /// <c>receipt</c>, in the consumer's log: it references the share entry in the provider's log. When the provider
    /// is this log, the share must be there, made to this consumer, with the same payload digest. One receipt per share.
    /// </summary>
    private void Receipt(EntryContext context, IssuerRecord issuer)
    {
        RequireSharing(issuer);
        var body = Body<DataReceived>(context);
        if (!string.Equals(body.ConsumerCode, issuer.AuthorityCode, StringComparison.Ordinal))
        {
            throw Reject.PermissionDenied($"body.consumerCode {body.ConsumerCode} is not issuer {issuer.IssuerId}'s authority code {issuer.AuthorityCode}: a receipt is written by its consumer");
        }
        var (position, reference) = RequireReference(context, Relations.Share, body.ProviderOrigin, "the share entry");
        if (string.Equals(body.ProviderOrigin, _origin, StringComparison.Ordinal))
        {
            var share = ReadRow<ShareRecord>(StateKeys.Share(body.ShareId))
                ?? throw Reject.NotFound($"share {body.ShareId} does not exist in {_origin}");
            if (share.Index != reference.Index)
            {
                throw Reject.NotFound($"references[{position}]: entry {reference.Index} of {_origin} is not share {body.ShareId} (that is entry {share.Index})");
            }
            if (!string.Equals(share.ConsumerCode, body.ConsumerCode, StringComparison.Ordinal))
            {
                throw Reject.PermissionDenied($"share {body.ShareId} was made to {share.ConsumerCode}, not to {body.ConsumerCode}");
            }
            if (!share.PayloadDigest.AsSpan().SequenceEqual(body.PayloadDigest))
            {
                throw Reject.FailedPrecondition($"body.payloadDigest differs from the payload digest share {body.ShareId} recorded");
            }
        }
        var key = StateKeys.Receipt(body.ProviderOrigin, body.ShareId);
        if (ReadRow<ReceiptRecord>(key) is { } existing)
        {
            throw Reject.AlreadyExists($"share {body.ShareId} of {body.ProviderOrigin} already has a receipt (index {existing.Index})");
        }
        Stage(key, new ReceiptRecord
        {
            ShareId = body.ShareId,
            ProviderOrigin = body.ProviderOrigin,
            ShareIndex = reference.Index,
            ShareLeafHash = reference.LeafHash,
            IssuerId = issuer.IssuerId,
            Index = context.Index,
            LeafHash = context.LeafHash,
        });
    }

    private static void RequireSharing(IssuerRecord issuer)
    {
        if (!issuer.Registration.MayShareData)
        {
            throw Reject.PermissionDenied($"issuer {issuer.IssuerId} may not record data shares or receipts (mayShareData is false)");
        }
    }
}
