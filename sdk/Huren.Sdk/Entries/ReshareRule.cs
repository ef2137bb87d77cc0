using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;

namespace Huren.Sdk.Entries;

/// <summary>
/// Re-sharing (purpose limitation, docs/exchange.md "Re-sharing"): received data is shared onward only by a new
/// <c>share</c> entry, in the receiver's own log, that references its <c>receipt</c> there (relation
/// <see cref="Relations.Receipt"/>: origin, index and leaf hash). The re-share is written by the department that received
/// (its provider code is the receipt's consumer code), is of the same resource and record as the share it passes on,
/// carries no data item that share did not, states the same purpose, and lasts no longer. Shared by the node, which
/// refuses a re-share that breaks it, and by the auditor's flow checks, which report one.
/// </summary>
public static class ReshareRule
{
    /// <summary>The re-share's receipt reference, or null when the share is an original one (no such reference).</summary>
    /// <exception cref="ArgumentException">More than one receipt reference; the message says so.</exception>
    public static EntryReference? ReceiptReference(Entry share)
    {
        ArgumentNullException.ThrowIfNull(share);
        EntryReference? found = null;
        foreach (var reference in share.References)
        {
            if (!string.Equals(reference.Relation, Relations.Receipt, StringComparison.Ordinal)) continue;
            if (found is not null) throw new ArgumentException("references: a re-share references one receipt, not several");
            found = reference;
        }
        return found;
    }

    /// <summary>
    /// Checks a re-share against the receipt it references (<paramref name="receiptEntry"/>, at
    /// <paramref name="receiptIndex"/> of the re-share's own log <paramref name="origin"/>).
    /// </summary>
    /// <returns>Null when it holds; otherwise why not, naming the field.</returns>
    public static string? CheckReceipt(Entry receiptEntry, ulong receiptIndex, DataShared reshare, string origin)
    {
        ArgumentNullException.ThrowIfNull(receiptEntry);
        ArgumentNullException.ThrowIfNull(reshare);
        var at = $"entry {receiptIndex} of {origin}";
        if (!string.Equals(receiptEntry.Kind, EntryKinds.Receipt, StringComparison.Ordinal))
            return $"{at} has kind {receiptEntry.Kind}, not receipt: a re-share references the receipt of the data it passes on";
        if (!CanonicalCodec.TryDecode<DataReceived>(receiptEntry.Body, out var receipt, out var error)) return $"{at} is a receipt whose body does not decode: {error}";
        if (!string.Equals(receipt!.ConsumerCode, reshare.ProviderCode, StringComparison.Ordinal))
            return $"body.providerCode: {at} is a receipt of {receipt.ConsumerCode}; only the department that received the data may share it on, not {reshare.ProviderCode}";
        if (string.Equals(reshare.ConsumerOrigin, origin, StringComparison.Ordinal) && string.Equals(reshare.ConsumerCode, reshare.ProviderCode, StringComparison.Ordinal))
            return "body.consumerCode: a department does not re-share to itself";
        return null;
    }

    /// <summary>
    /// Checks a re-share against the share its receipt acknowledges (<paramref name="original"/>, in the provider's log):
    /// same resource and record, data items a subset, same purpose, an expiry no later.
    /// </summary>
    /// <returns>Null when it holds; otherwise why not, naming the field.</returns>
    public static string? CheckOriginal(DataShared original, DataShared reshare)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(reshare);
        var of = $"share {original.ShareId}";
        if (!string.Equals(original.ResourceId, reshare.ResourceId, StringComparison.Ordinal) || !string.Equals(original.RecordId, reshare.RecordId, StringComparison.Ordinal))
            return $"body.resourceId/recordId: the re-share is of {reshare.ResourceId}/{reshare.RecordId}, but {of} was of {original.ResourceId}/{original.RecordId}";
        foreach (var field in reshare.Fields)
        {
            if (!original.Fields.Contains(field)) return $"body.fields: '{field}' was not in {of} ({string.Join("、", original.Fields)}): a re-share passes on no more than was received";
        }
        if (!string.Equals(original.Purpose, reshare.Purpose, StringComparison.Ordinal))
            return $"body.purpose: '{reshare.Purpose}' is not the purpose '{original.Purpose}' {of} was made for (purpose limitation)";
        if (original.ExpiresOn.Length > 0 && (reshare.ExpiresOn.Length == 0 || string.CompareOrdinal(reshare.ExpiresOn, original.ExpiresOn) > 0))
            return $"body.expiresOn: '{reshare.ExpiresOn}' is later than {of}'s expiry {original.ExpiresOn}";
        return null;
    }
}
