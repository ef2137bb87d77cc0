using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Validation;

namespace Huren.Node.Ledger;

public sealed partial class LogStateMachine
{
    private void RegisterSeal(EntryContext context, IssuerRecord issuer)
    {
        var body = Body<SealRegistered>(context);
        if (!issuer.MayRegisterSeal(body.SealType))
        {
            throw Reject.PermissionDenied($"seal type {body.SealType} is out of scope for issuer {issuer.IssuerId} (seal permissions: {string.Join(", ", issuer.Registration.SealPermissions)})");
        }
        var key = StateKeys.Seal(body.SealId);
        if (ReadRow<SealRecord>(key) is { } existing)
        {
            throw Reject.AlreadyExists($"seal {body.SealId} already exists (registered by {existing.IssuerId} at index {existing.RegisteredIndex})");
        }
        Stage(key, new SealRecord
        {
            SealId = body.SealId,
            IssuerId = issuer.IssuerId,
            Name = body.Name,
            SealType = body.SealType,
            OwnerCode = body.OwnerCode,
            ValidFrom = body.ValidFrom,
            ValidUntil = body.ValidUntil,
            RegisteredIndex = context.Index,
            RegisteredLeafHash = context.LeafHash,
        });
    }

    private void RevokeSeal(EntryContext context, IssuerRecord issuer)
    {
        var body = Body<SealRevoked>(context);
        var key = StateKeys.Seal(body.SealId);
        var seal = ReadRow<SealRecord>(key) ?? throw Reject.NotFound($"seal {body.SealId} does not exist in {_origin}");
        if (!string.Equals(seal.IssuerId, issuer.IssuerId, StringComparison.Ordinal))
        {
            throw Reject.PermissionDenied($"record id {body.SealId} was registered by another issuer ({seal.IssuerId}), not by {issuer.IssuerId}");
        }
        if (seal.Revoked)
        {
            throw Reject.FailedPrecondition($"seal {body.SealId} was already revoked at index {seal.RevokedIndex}");
        }
        var revoked = seal.Clone();
        revoked.Revoked = true;
        revoked.RevokedIndex = context.Index;
        revoked.RevokeReason = body.Reason;
        Stage(key, revoked);
    }

    /// <summary>
    /// <c>seal.use</c>: the seal exists in this log, is not revoked, and the entry's day (China Standard Time) is in
    /// the seal's validity window. Any registered issuer may record it; it changes no state.
    /// </summary>
    private void UseSeal(EntryContext context)
    {
        var body = Body<SealUsed>(context);
        var seal = ReadRow<SealRecord>(StateKeys.Seal(body.SealId))
            ?? throw Reject.NotFound($"seal {body.SealId} does not exist in {_origin}");
        if (seal.Revoked)
        {
            throw Reject.FailedPrecondition($"seal {body.SealId} was revoked at index {seal.RevokedIndex}");
        }
        var day = LicenseVerdicts.DayOf(DateTimeOffset.FromUnixTimeMilliseconds(context.Entry.TimeUnixMs));
        if (!LicenseDates.IsWithin(day, seal.ValidFrom, seal.ValidUntil))
        {
            throw Reject.FailedPrecondition($"seal {body.SealId} is not valid on {day:yyyy-MM-dd} (valid from {seal.ValidFrom} until {seal.ValidUntil})");
        }
    }

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
