using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Entries;
using Huren.Sdk.Network;

namespace Huren.Sdk.Evidence;

/// <summary>Why an exchange bundle was refused (docs/exchange-evidence.md, "Failure reasons").</summary>
public enum ExchangeEvidenceFailure
{
    /// <summary>Valid.</summary>
    None,
    /// <summary>Not a <c>huren-evidence/v1</c> bundle, or a required field is missing.</summary>
    Format,
    /// <summary>A checkpoint, inclusion proof, entry decoding or entry signature does not verify (<see cref="EvidenceVerifier"/>'s checks).</summary>
    Ledger,
    /// <summary>A checkpoint of the share's or the receipt's log is missing or not cosigned by the network's witness threshold.</summary>
    NotFinal,
    /// <summary>The bundle holds no share entry for its subject, or more than one.</summary>
    NoShare,
    /// <summary>The bundle holds no receipt of the share, or more than one.</summary>
    NoReceipt,
    /// <summary>The receipt does not reference the share's entry (origin, index, leaf hash), or names another provider log.</summary>
    Reference,
    /// <summary>The receipt does not match the share (<see cref="ReceiptRule"/>): another share id, consumer, log, digest or count.</summary>
    Mismatch,
    /// <summary>An entry is signed by a department that is not the share's provider or the receipt's consumer, or may not share data.</summary>
    Signer,
    /// <summary>The bundle's stated verdict is not <c>RECEIVED</c> as of the share's checkpoint.</summary>
    Verdict,
    /// <summary>The share is a re-share that breaks <see cref="ReshareRule"/> against the receipt (and original share) the bundle holds.</summary>
    Reshare,
}

/// <summary>The outcome of checking an exchange bundle offline.</summary>
/// <param name="IsValid">Every check held: the share and its receipt are authentic, final, and belong together.</param>
/// <param name="Failure">The first check that failed (<see cref="ExchangeEvidenceFailure.None"/> when valid).</param>
/// <param name="Reason">Why, for people (null when valid).</param>
public sealed record ExchangeEvidenceResult(bool IsValid, ExchangeEvidenceFailure Failure, string? Reason)
{
    /// <summary>The share id (the bundle's subject).</summary>
    public string ShareId { get; init; } = "";

    /// <summary>The verified share body (null unless valid).</summary>
    public DataShared? Share { get; init; }

    /// <summary>The verified receipt body (null unless valid).</summary>
    public DataReceived? Receipt { get; init; }

    /// <summary>The share entry's position and leaf hash in the provider's log (null unless valid).</summary>
    public EntryReference? ShareEntry { get; init; }

    /// <summary>The receipt entry's position and leaf hash in the consumer's log (null unless valid).</summary>
    public EntryReference? ReceiptEntry { get; init; }

    /// <summary>The provider department that signed the share.</summary>
    public string ProviderIssuerId { get; init; } = "";

    /// <summary>The consumer department that signed the receipt.</summary>
    public string ConsumerIssuerId { get; init; } = "";

    /// <summary>
    /// For a re-share: the receipt it references (the data it passes on); null for an original share. The bundle proves
    /// one hop: the re-share rule is checked only as far as the bundle holds that receipt and its share.
    /// </summary>
    public EntryReference? ReshareOf { get; init; }

    /// <summary>Whether the bundle holds the receipt a re-share references (and so the rule was checked against it).</summary>
    public bool ReshareChecked { get; init; }
}

/// <summary>
/// Checks an exchange bundle (a <c>huren-evidence/v1</c> bundle whose subject is a share id, docs/exchange-evidence.md)
/// with nothing but the network configuration: first every check <see cref="EvidenceVerifier"/> makes of any bundle
/// (checkpoint signatures, inclusion proofs, canonical decoding, each entry signed by the key its city root registered
/// and not after a revocation the bundle shows); then that both logs' checkpoints are final; that the bundle holds
/// exactly one share entry of the subject and exactly one receipt of it; that the receipt references that share entry
/// by origin, index and leaf hash and matches it (<see cref="ReceiptRule"/>); that the share's signer is the provider it
/// names and the receipt's signer the consumer it names, both allowed to share data; and the stated verdict.
/// Total: whatever the input, a result, never an exception.
/// </summary>
public sealed class ExchangeEvidenceVerifier
{
    /// <summary>The verdict status an exchange bundle states: the share was made and its receipt recorded.</summary>
    public const string Received = "RECEIVED";

    private readonly EvidenceVerifier _bundles;

    /// <summary>A verifier against <paramref name="network"/>.</summary>
    public ExchangeEvidenceVerifier(TrustedNetwork network)
    {
        _bundles = new EvidenceVerifier(network);
    }

    /// <summary>The network bundles are checked against.</summary>
    public TrustedNetwork Network => _bundles.Network;

    /// <summary>Parses and checks a bundle's JSON; JSON that is not a bundle fails with the reason.</summary>
    public ExchangeEvidenceResult Verify(string? bundleJson)
    {
        if (bundleJson is null) return Fail(ExchangeEvidenceFailure.Format, "there is no evidence bundle");
        EvidenceBundle bundle;
        try
        {
            bundle = EvidenceBundle.Parse(bundleJson);
        }
        catch (FormatException ex)
        {
            return Fail(ExchangeEvidenceFailure.Format, $"not a valid evidence bundle: {ex.Message}");
        }
        return Verify(bundle);
    }

    /// <summary>Checks <paramref name="bundle"/>.</summary>
    public ExchangeEvidenceResult Verify(EvidenceBundle? bundle)
    {
        if (bundle is null) return Fail(ExchangeEvidenceFailure.Format, "there is no evidence bundle");
        if (bundle.MissingField() is { } missing) return Fail(ExchangeEvidenceFailure.Format, $"{missing} is missing or null");
        return EvidenceVerifier.Total(() => Check(bundle), reason => Fail(ExchangeEvidenceFailure.Ledger, reason));
    }

    private ExchangeEvidenceResult Check(EvidenceBundle bundle)
    {
        // 1. What every bundle gets: checkpoints, proofs, decoding, signatures by registered keys.
        if (_bundles.Prove(bundle, out var proven) is { } failure) return Fail(ExchangeEvidenceFailure.Ledger, failure);
        var shareId = bundle.Subject;

        // 2. The share: exactly one share entry of the subject.
        (BundleEntry Entry, DecodedLeaf Leaf)? share = null;
        foreach (var item in proven.Entries)
        {
            if (item.Leaf.Entry.Kind != EntryKinds.Share || item.Leaf.Entry.RecordId != shareId) continue;
            if (share is not null) return Fail(ExchangeEvidenceFailure.NoShare, $"the bundle holds two share entries of {shareId} ({share.Value.Entry.Origin}#{share.Value.Entry.Index} and {item.Entry.Origin}#{item.Entry.Index})");
            share = item;
        }
        if (share is not { } s) return Fail(ExchangeEvidenceFailure.NoShare, $"the bundle holds no share entry of {shareId}");
        var shareBody = EntryKinds.Of<DataShared>().Decode(s.Leaf.Entry.Body);
        if (shareBody.ShareId != shareId) return Fail(ExchangeEvidenceFailure.NoShare, $"share entry {s.Entry.Origin}#{s.Entry.Index} has record id {shareId} but its body is share {shareBody.ShareId}");

        // 3. The receipt: exactly one receipt of the subject, in any log (the share names which one it must be in).
        (BundleEntry Entry, DecodedLeaf Leaf)? receipt = null;
        foreach (var item in proven.Entries)
        {
            if (item.Leaf.Entry.Kind != EntryKinds.Receipt || item.Leaf.Entry.RecordId != shareId) continue;
            if (receipt is not null) return Fail(ExchangeEvidenceFailure.NoReceipt, $"the bundle holds two receipts of {shareId} ({receipt.Value.Entry.Origin}#{receipt.Value.Entry.Index} and {item.Entry.Origin}#{item.Entry.Index})");
            receipt = item;
        }
        if (receipt is not { } r) return Fail(ExchangeEvidenceFailure.NoReceipt, $"the bundle holds no receipt entry of {shareId}");
        var receiptBody = EntryKinds.Of<DataReceived>().Decode(r.Leaf.Entry.Body);

        // 4. Both logs' checkpoints final (the witness threshold of other members cosigned them).
        foreach (var origin in new[] { s.Entry.Origin, r.Entry.Origin })
        {
            var finality = proven.Finality[origin];
            if (!finality.IsFinal)
                return Fail(ExchangeEvidenceFailure.NotFinal, $"the checkpoint of {origin} (size {proven.Roots[origin].Size}) is not final: {finality.ValidCosignatures} of the {finality.Threshold} witness cosignatures the network requires");
        }

        // 5. The receipt references exactly this share entry, and matches it.
        var shareLeafHash = proven.LeafHashes[(s.Entry.Origin, s.Entry.Index)];
        var references = r.Leaf.Entry.References.FindAll(x => x.Relation == Relations.Share);
        if (references.Count != 1)
            return Fail(ExchangeEvidenceFailure.Reference, $"receipt {r.Entry.Origin}#{r.Entry.Index} has {references.Count} share references, not one");
        var reference = references[0];
        if (reference.Origin != s.Entry.Origin || reference.Index != s.Entry.Index || !shareLeafHash.AsSpan().SequenceEqual(reference.LeafHash))
        {
            return Fail(ExchangeEvidenceFailure.Reference,
                $"receipt {r.Entry.Origin}#{r.Entry.Index} references {reference.Origin}#{reference.Index} (leaf hash {Convert.ToHexStringLower(reference.LeafHash)}), not the share entry {s.Entry.Origin}#{s.Entry.Index} (leaf hash {Convert.ToHexStringLower(shareLeafHash.AsSpan())})");
        }
        if (receiptBody.ProviderOrigin != s.Entry.Origin)
            return Fail(ExchangeEvidenceFailure.Reference, $"receipt {r.Entry.Origin}#{r.Entry.Index} names the provider log {receiptBody.ProviderOrigin}, the share is in {s.Entry.Origin}");
        if (r.Entry.Origin == s.Entry.Origin) return Fail(ExchangeEvidenceFailure.Mismatch, $"the share and its receipt are both in {s.Entry.Origin}: an exchange is between two cities' logs");
        if (ReceiptRule.Check(s.Leaf.Entry, s.Entry.Index, receiptBody, r.Entry.Origin) is { } mismatch)
            return Fail(ExchangeEvidenceFailure.Mismatch, $"receipt {r.Entry.Origin}#{r.Entry.Index}: {mismatch.Message}");

        // 6. Signers: the share by the provider department it names, the receipt by the consumer it names (as the ledger's rules require).
        if (SignerProblem(proven, s.Entry.Origin, s.Leaf.Entry.IssuerId, shareBody.ProviderCode, "share", "provider") is { } shareSigner)
            return Fail(ExchangeEvidenceFailure.Signer, shareSigner);
        if (SignerProblem(proven, r.Entry.Origin, r.Leaf.Entry.IssuerId, receiptBody.ConsumerCode, "receipt", "consumer") is { } receiptSigner)
            return Fail(ExchangeEvidenceFailure.Signer, receiptSigner);

        // 7. A re-share: the rule against the receipt it references and that receipt's share, as far as the bundle holds them.
        EntryReference? via;
        try
        {
            via = ReshareRule.ReceiptReference(s.Leaf.Entry);
        }
        catch (ArgumentException ex)
        {
            return Fail(ExchangeEvidenceFailure.Reshare, $"share {s.Entry.Origin}#{s.Entry.Index}: {ex.Message}");
        }
        var reshareChecked = false;
        if (via is not null && via.Origin != s.Entry.Origin)
            return Fail(ExchangeEvidenceFailure.Reshare, $"share {s.Entry.Origin}#{s.Entry.Index} references the receipt {via.Origin}#{via.Index}: a re-share references a receipt in its own log");
        if (via is not null)
        {
            var upstream = proven.Entries.Find(e => e.Entry.Origin == via.Origin && e.Entry.Index == via.Index);
            if (upstream.Leaf is not null)
            {
                if (!proven.LeafHashes[(via.Origin, via.Index)].AsSpan().SequenceEqual(via.LeafHash))
                    return Fail(ExchangeEvidenceFailure.Reshare, $"share {s.Entry.Origin}#{s.Entry.Index} references {via.Origin}#{via.Index} by another leaf hash than the entry the bundle proves there");
                if (ReshareRule.CheckReceipt(upstream.Leaf.Entry, via.Index, shareBody, s.Entry.Origin) is { } broken)
                    return Fail(ExchangeEvidenceFailure.Reshare, $"share {s.Entry.Origin}#{s.Entry.Index} re-shares against {via.Origin}#{via.Index}: {broken}");
                reshareChecked = true;
                var upstreamShare = upstream.Leaf.Entry.References.Find(x => x.Relation == Relations.Share) is { } x ? proven.Entries.Find(e => e.Entry.Origin == x.Origin && e.Entry.Index == x.Index) : default;
                if (upstreamShare.Leaf is not null && CanonicalCodec.TryDecode<DataShared>(upstreamShare.Leaf.Entry.Body, out var original, out _)
                    && ReshareRule.CheckOriginal(original!, shareBody) is { } beyond)
                    return Fail(ExchangeEvidenceFailure.Reshare, $"share {s.Entry.Origin}#{s.Entry.Index} re-shares {upstreamShare.Entry.Origin}#{upstreamShare.Entry.Index}: {beyond}");
            }
        }

        // 8. The stated verdict.
        if (bundle.Verdict.Status != Received)
            return Fail(ExchangeEvidenceFailure.Verdict, $"the bundle states {bundle.Verdict.Status}, its entries show the share received ({Received})");
        if (bundle.Verdict.AsOf.Origin != s.Entry.Origin || bundle.Verdict.AsOf.Size != proven.Roots[s.Entry.Origin].Size)
            return Fail(ExchangeEvidenceFailure.Verdict, $"the verdict is stated as of {bundle.Verdict.AsOf.Origin} size {bundle.Verdict.AsOf.Size}, not the share's log {s.Entry.Origin} at its checkpoint size {proven.Roots[s.Entry.Origin].Size}");

        return new ExchangeEvidenceResult(true, ExchangeEvidenceFailure.None, null)
        {
            ShareId = shareId,
            Share = shareBody,
            Receipt = receiptBody,
            ShareEntry = new EntryReference { Origin = s.Entry.Origin, Index = s.Entry.Index, LeafHash = shareLeafHash.ToArray(), Relation = Relations.Share },
            ReceiptEntry = new EntryReference { Origin = r.Entry.Origin, Index = r.Entry.Index, LeafHash = proven.LeafHashes[(r.Entry.Origin, r.Entry.Index)].ToArray(), Relation = EntryKinds.Receipt },
            ProviderIssuerId = s.Leaf.Entry.IssuerId,
            ConsumerIssuerId = r.Leaf.Entry.IssuerId,
            ReshareOf = via,
            ReshareChecked = reshareChecked,
        };
    }

    /// <summary>Why the signer (already checked to have signed under its registered key) may not write this entry, or null.</summary>
    private static string? SignerProblem(ProvenBundle proven, string origin, string issuerId, string code, string kind, string role)
    {
        if (!proven.Issuers.TryGetValue((origin, issuerId), out var registration))
            return $"the {kind} is signed by {issuerId}, whose registration in {origin} the bundle does not hold";
        if (registration.AuthorityCode != code)
            return $"the {kind} is signed by {issuerId} ({registration.AuthorityCode}), not by the {role} {code} it names";
        if (!registration.MayShareData)
            return $"the {kind} is signed by {issuerId}, which may not record data shares or receipts (mayShareData is false)";
        return null;
    }

    private static ExchangeEvidenceResult Fail(ExchangeEvidenceFailure failure, string reason) => new(false, failure, reason);
}
