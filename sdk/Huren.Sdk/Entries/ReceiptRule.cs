using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;

namespace Huren.Sdk.Entries;

/// <summary>How a <c>receipt</c> fails to match the <c>share</c> entry it references.</summary>
public enum ReceiptMismatchKind
{
    /// <summary>The referenced entry is not a <c>share</c> (or its body does not decode).</summary>
    NotAShare,
    /// <summary>The referenced entry is a share, but of another share id.</summary>
    OtherShare,
    /// <summary>The share was made to another consumer department or another city's log.</summary>
    OtherConsumer,
    /// <summary>The receipt's payload digest is not the share's.</summary>
    PayloadDigest,
    /// <summary>The receipt's record count is not the share's.</summary>
    RecordCount,
}

/// <summary>Why a receipt does not match its share; <see cref="Message"/> names the field and the rule.</summary>
/// <param name="Kind">What does not match.</param>
/// <param name="Message">For people: the field, the rule and both values.</param>
public sealed record ReceiptMismatch(ReceiptMismatchKind Kind, string Message);

/// <summary>
/// The rule a <c>receipt</c> (the consumer's acknowledgement, in the consumer's log) must keep with the <c>share</c> entry
/// it references in the provider's log: that entry is a share of the same share id, made to the receipt's consumer
/// department and to the log the receipt is in, with the same payload digest and record count. Shared by the node, which
/// refuses a receipt that breaks it, and by the auditor's re-verification of a log, which reports one.
/// </summary>
public static class ReceiptRule
{
    /// <summary>
    /// Checks <paramref name="receipt"/>, written in <paramref name="consumerOrigin"/>, against the entry it references
    /// (<paramref name="shareEntry"/>, at <paramref name="shareIndex"/> of its log). The caller has already checked that the
    /// entry is the one the reference names (origin, index and leaf hash).
    /// </summary>
    /// <returns>Null when the receipt matches its share; otherwise the first mismatch.</returns>
    public static ReceiptMismatch? Check(Entry shareEntry, ulong shareIndex, DataReceived receipt, string consumerOrigin)
    {
        ArgumentNullException.ThrowIfNull(shareEntry);
        ArgumentNullException.ThrowIfNull(receipt);
        var at = $"entry {shareIndex} of {shareEntry.Origin}";
        if (!string.Equals(shareEntry.Kind, EntryKinds.Share, StringComparison.Ordinal))
        {
            return new(ReceiptMismatchKind.NotAShare, $"{at} has kind {shareEntry.Kind}, not share: a receipt references the share entry it acknowledges");
        }
        if (!CanonicalCodec.TryDecode<DataShared>(shareEntry.Body, out var share, out var error))
        {
            return new(ReceiptMismatchKind.NotAShare, $"{at} is a share whose body does not decode: {error}");
        }
        if (!string.Equals(share!.ShareId, receipt.ShareId, StringComparison.Ordinal))
        {
            return new(ReceiptMismatchKind.OtherShare, $"body.shareId: {at} is share {share.ShareId}, not {receipt.ShareId}");
        }
        if (!string.Equals(share.ConsumerOrigin, consumerOrigin, StringComparison.Ordinal))
        {
            return new(ReceiptMismatchKind.OtherConsumer, $"share {share.ShareId} ({at}) is addressed to the log {share.ConsumerOrigin}, not to {consumerOrigin}: a receipt is written in the receiving city's log");
        }
        if (!string.Equals(share.ConsumerCode, receipt.ConsumerCode, StringComparison.Ordinal))
        {
            return new(ReceiptMismatchKind.OtherConsumer, $"body.consumerCode: share {share.ShareId} ({at}) was made to {share.ConsumerCode}, not to {receipt.ConsumerCode}");
        }
        if (!string.Equals(share.DigestAlgorithm, receipt.DigestAlgorithm, StringComparison.Ordinal))
        {
            return new(ReceiptMismatchKind.PayloadDigest, $"body.digestAlgorithm: {receipt.DigestAlgorithm} is not the algorithm {share.DigestAlgorithm} of the payload digest share {share.ShareId} ({at}) recorded");
        }
        if (!share.PayloadDigest.AsSpan().SequenceEqual(receipt.PayloadDigest))
        {
            return new(ReceiptMismatchKind.PayloadDigest, $"body.payloadDigest: {Convert.ToHexStringLower(receipt.PayloadDigest)} is not the payload digest {Convert.ToHexStringLower(share.PayloadDigest)} share {share.ShareId} ({at}) recorded");
        }
        if (share.RecordCount != receipt.RecordCount)
        {
            return new(ReceiptMismatchKind.RecordCount, $"body.recordCount: {receipt.RecordCount} is not the record count {share.RecordCount} share {share.ShareId} ({at}) recorded");
        }
        return null;
    }
}
