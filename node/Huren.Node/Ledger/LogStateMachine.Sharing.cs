using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Entries;

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
        CheckReshare(context, body);
        var key = StateKeys.Share(body.ShareId);
        if (ReadRow<ShareRecord>(key) is { } existing)
        {
            throw Reject.AlreadyExists($"share {body.ShareId} already exists (index {existing.Index})");
        }
        if (ReadRow<DecisionRecord>(StateKeys.Decision(body.ShareId)) is { } decision)
        {
            if (!decision.Approved)
            {
                throw Reject.FailedPrecondition($"share request {body.ShareId} was refused (entry {decision.Index}): no share may follow a refusal");
            }
            CheckApproved(context, body, issuer, decision);
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
    /// A share under an approval is the approved request's (<see cref="ShareDecisionRule"/>), made by the department that
    /// decided: an approval of one request releases nothing another request under the same share id asks for.
    /// </summary>
    private void CheckApproved(EntryContext context, DataShared body, IssuerRecord issuer, DecisionRecord decision)
    {
        if (!string.Equals(decision.IssuerId, issuer.IssuerId, StringComparison.Ordinal))
        {
            throw Reject.PermissionDenied($"share request {body.ShareId} was approved by {decision.IssuerId} (entry {decision.Index}); only it may share under that approval, not {issuer.IssuerId}");
        }
        var decided = _batch.EntryAt(decision.Index)?.Entry
            ?? (_store.GetLeaf(decision.Index) is { } leaf ? LeafReader.Read(leaf).Entry : null)
            ?? throw new InvalidDataException($"the decision entry {decision.Index} of {_origin} that state row {StateKeys.Decision(body.ShareId)} names cannot be read");
        if (ShareDecisionRule.CheckShare(CanonicalCodec.Decode<ShareDecided>(decided.Body), body) is { } mismatch)
        {
            throw Reject.FailedPrecondition($"share {body.ShareId} is not the request approved by entry {decision.Index}: {mismatch}");
        }
    }

    /// <summary>
    /// A share that references a receipt (relation <c>receipt</c>) is a re-share of received data (<see cref="ReshareRule"/>):
    /// the receipt is an earlier entry of this log by the re-sharing department; the share it acknowledges (in the
    /// provider's log, read only when admitting into the node's own log, as for receipts) is of the same resource and
    /// record, with every data item the re-share names, for the same purpose, expiring no earlier.
    /// </summary>
    private void CheckReshare(EntryContext context, DataShared body)
    {
        EntryReference? marked;
        try
        {
            marked = ReshareRule.ReceiptReference(context.Entry);
        }
        catch (ArgumentException ex)
        {
            throw Reject.InvalidArgument(ex.Message);
        }
        if (marked is null) return;
        var (position, reference) = RequireReference(context, Relations.Receipt, _origin, "the receipt of the data it shares on");
        var receipt = ReferencedEntry(reference, context.Index)
            ?? throw Reject.NotFound($"references[{position}]: entry {reference.Index} of {_origin} is not an earlier entry of this log");
        if (ReshareRule.CheckReceipt(receipt, reference.Index, body, _origin) is { } problem)
        {
            throw Reject.FailedPrecondition($"references[{position}]: {problem}");
        }
        var shareReference = receipt.References.Find(r => string.Equals(r.Relation, Relations.Share, StringComparison.Ordinal));
        if (shareReference is null || ReferencedEntry(shareReference, context.Index) is not { } original) return;
        if (!CanonicalCodec.TryDecode<DataShared>(original.Body, out var originalBody, out _)) return; // the receipt rule refused such a receipt
        if (ReshareRule.CheckOriginal(originalBody!, body) is { } limit)
        {
            throw Reject.FailedPrecondition($"re-share of {shareReference.Origin}#{shareReference.Index}: {limit}");
        }
    }

    /// <summary>
    /// <c>receipt</c>, in the consumer's log: it references the share entry in the provider's log, and must match it
    /// (<see cref="ReceiptRule"/>: a share of the same id, made to this consumer and to this log, with the same payload
    /// digest and record count). When the provider is this log, the share is read here. When it is another city's log,
    /// the share is read from this node's copy of that log, only when admitting into the node's own log
    /// (<see cref="AdmitsOwnEntries"/>): a mirror judges a log the same way whatever it holds of third logs. One receipt per share.
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
        // CheckReferences has found the entry (origin, index, leaf hash) wherever it can look.
        if (ReferencedEntry(reference, context.Index) is { } share
            && ReceiptRule.Check(share, reference.Index, body, _origin) is { } mismatch)
        {
            var message = $"references[{position}]: {mismatch.Message}";
            throw mismatch.Kind switch
            {
                ReceiptMismatchKind.NotAShare or ReceiptMismatchKind.OtherShare => Reject.NotFound(message),
                ReceiptMismatchKind.OtherConsumer => Reject.PermissionDenied(message),
                _ => Reject.FailedPrecondition(message),
            };
        }
        var key = StateKeys.Receipt(body.ProviderOrigin, body.ShareId);
        if (ReadRow<ReceiptRecord>(key) is { } existing)
        {
            throw Reject.AlreadyExists($"share {body.ShareId} of {body.ProviderOrigin} already has a receipt (index {existing.Index})");
        }
        if (AdmitsOwnEntries && RefusedData?.Invoke(body.ProviderOrigin, body.ShareId) is { } refusal)
        {
            throw Reject.FailedPrecondition($"body.shareId: this node refused the data it received for share {body.ShareId} of {body.ProviderOrigin} ({refusal}); a receipt says the data arrived whole");
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

    /// <summary>
    /// The entry a reference names, decoded: in this log (staged in this batch or durable), or in this node's copy of
    /// another log when admitting into the node's own log; null when it is not to be read here.
    /// </summary>
    private Entry? ReferencedEntry(EntryReference reference, ulong before)
    {
        if (string.Equals(reference.Origin, _origin, StringComparison.Ordinal))
        {
            if (reference.Index >= before) return null;
            if (_batch.EntryAt(reference.Index) is { } staged) return staged.Entry;
            return _store.GetLeaf(reference.Index) is { } own ? LeafReader.Read(own).Entry : null;
        }
        if (!AdmitsOwnEntries || KeptLogs?.Invoke(reference.Origin) is not { } kept) return null;
        var leaf = kept.GetLeaf(reference.Index)
            ?? throw Reject.Behind(kept, reference.Index, $"this node's copy of {reference.Origin} holds {kept.Size} entries and has not reached entry {reference.Index} yet; retry once it has caught up");
        return LeafReader.Read(leaf).Entry;
    }

    /// <summary>
    /// <c>catalog.publish</c>: by a department that may share data, as provider under its own authority code; a resource
    /// code published before may be published again (a new version) only by the same department.
    /// </summary>
    private void PublishCatalog(EntryContext context, IssuerRecord issuer)
    {
        RequireSharing(issuer);
        var body = Body<CatalogResourcePublished>(context);
        if (!string.Equals(body.ProviderCode, issuer.AuthorityCode, StringComparison.Ordinal))
        {
            throw Reject.PermissionDenied($"body.providerCode {body.ProviderCode} is not issuer {issuer.IssuerId}'s authority code {issuer.AuthorityCode}: a department publishes its own resources");
        }
        var key = StateKeys.Catalog(body.ResourceCode);
        if (ReadRow<CatalogRecord>(key) is { } existing && !string.Equals(existing.IssuerId, issuer.IssuerId, StringComparison.Ordinal))
        {
            throw Reject.PermissionDenied($"catalogue resource {body.ResourceCode} was published by {existing.IssuerId} (entry {existing.Index}); only it may publish it again");
        }
        Stage(key, new CatalogRecord { ResourceCode = body.ResourceCode, IssuerId = issuer.IssuerId, Index = context.Index, LeafHash = context.LeafHash });
    }

    /// <summary>
    /// <c>share.decision</c>: by the department that published the resource (in this log), once per request, and not
    /// after a share of that id.
    /// </summary>
    private void DecideShare(EntryContext context, IssuerRecord issuer)
    {
        RequireSharing(issuer);
        var body = Body<ShareDecided>(context);
        if (!string.Equals(body.ProviderCode, issuer.AuthorityCode, StringComparison.Ordinal))
        {
            throw Reject.PermissionDenied($"body.providerCode {body.ProviderCode} is not issuer {issuer.IssuerId}'s authority code {issuer.AuthorityCode}");
        }
        var resource = ReadRow<CatalogRecord>(StateKeys.Catalog(body.ResourceCode))
            ?? throw Reject.NotFound($"body.resourceCode: this log's catalogue has no resource {body.ResourceCode}");
        if (!string.Equals(resource.IssuerId, issuer.IssuerId, StringComparison.Ordinal))
        {
            throw Reject.PermissionDenied($"catalogue resource {body.ResourceCode} is {resource.IssuerId}'s: only it decides on requests for it");
        }
        var key = StateKeys.Decision(body.ShareId);
        if (ReadRow<DecisionRecord>(key) is { } existing)
        {
            throw Reject.AlreadyExists($"share request {body.ShareId} was already {(existing.Approved ? "approved" : "refused")} (entry {existing.Index})");
        }
        if (ReadRow<ShareRecord>(StateKeys.Share(body.ShareId)) is { } share)
        {
            throw Reject.FailedPrecondition($"share {body.ShareId} was already made (entry {share.Index})");
        }
        Stage(key, new DecisionRecord { ShareId = body.ShareId, Approved = body.Decision == ShareDecision.Approved, IssuerId = issuer.IssuerId, Index = context.Index, LeafHash = context.LeafHash });
    }

    private static void RequireSharing(IssuerRecord issuer)
    {
        if (!issuer.Registration.MayShareData)
        {
            throw Reject.PermissionDenied($"issuer {issuer.IssuerId} may not record data shares or receipts (mayShareData is false)");
        }
    }
}
