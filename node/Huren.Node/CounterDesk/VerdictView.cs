using Huren.Schemas.Bodies;
using Huren.Schemas.Catalog;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Entries;
using Huren.Sdk.Evidence;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.Seals;

namespace Huren.Node.CounterDesk;

/// <summary>
/// What the counter page shows for one question, decided here and only here (the page only lays it out). The rule is
/// the CLI's: a verdict is <see cref="Believed"/> only when its evidence verified against the network configuration,
/// is about what was asked, and rests on final checkpoints; a verified but not final answer is shown as not final,
/// anything else as not verified with the reason. Holder, type, issuer and validity come from the verified entries,
/// never from the node's words; the node's verdict and reason are shown as its words only.
/// </summary>
public sealed record VerdictView
{
    /// <summary>How the question came: <c>id</c>, <c>reference</c> (a QR code read by the camera or pasted), <c>photo</c>, <c>bundle</c> or <c>sealed-document</c>.</summary>
    public required string Source { get; init; }

    /// <summary>What was asked: the license id, or the reference text.</summary>
    public required string Asked { get; init; }

    /// <summary><c>believed</c>, <c>not-final</c>, <c>not-verified</c> or <c>unknown</c> (the node knows no such license).</summary>
    public required string Status { get; init; }

    /// <summary>The believed verdict (VALID, REVOKED, …); for <c>not-final</c> the verified but not yet final one; null otherwise.</summary>
    public string? Verdict { get; init; }

    /// <summary>For REVOKED, the national status code of the revocation in the verified entries: 07 吊销, 04 注销, 03 撤销.</summary>
    public string? RevocationCode { get; init; }

    /// <summary>The node's verdict, as it said it (shown as its words when the evidence does not bear it out).</summary>
    public string? NodeVerdict { get; init; }

    /// <summary>The node's reason in words.</summary>
    public string? NodeReason { get; init; }

    /// <summary>Why the answer is not believed, or null.</summary>
    public string? Failure { get; init; }

    /// <summary>The license as its verified entries give it; null unless verified.</summary>
    public LicenseDetails? License { get; init; }

    /// <summary>For a sealed document: the seal as the checked signature and verified entries give it; null unless verified.</summary>
    public SealDetails? Seal { get; init; }

    /// <summary>For a sealed document: what was checked (its name, size and SM3; the document itself is not kept).</summary>
    public DocumentDetails? Document { get; init; }

    /// <summary>What the evidence rests on; null when there is none.</summary>
    public EvidenceDetails? Evidence { get; init; }

    /// <summary>The QR reference asked about and whether the evidence holds its entry.</summary>
    public ReferenceDetails? Reference { get; init; }

    /// <summary>The node that answered (the city asked).</summary>
    public required NodeDetails Node { get; init; }

    /// <summary>Whether a use may be recorded for this license (its evidence verified); recording verifies again first.</summary>
    public bool CanRecordUse { get; init; }

    /// <summary>Whether recording a use needs a stated reason (the verdict is not a believed VALID).</summary>
    public bool UseNeedsReason { get; init; }

    /// <summary>When the answer was made (UTC).</summary>
    public required DateTimeOffset AnsweredAt { get; init; }

    /// <summary>Whether this view shows a believed verdict.</summary>
    public bool Believed => Status == "believed";
}

/// <summary>The license as its verified entries give it.</summary>
public sealed record LicenseDetails(
    string LicenseId, string Name, string TypeCode, string TypeName, string HolderName, string IssuingAuthority, string IssuingAuthorityCode,
    string IssueDate, string ValidFrom, string ValidUntil, string Origin, string IssuerId);

/// <summary>A seal as the checked signature and the verified evidence give it (registration and revocation from the ledger, when there is evidence).</summary>
public sealed record SealDetails(
    string SealId, string SealName, string OwnerCode, string Origin, string IssuerId, string Signer, DateTimeOffset? SignedAt, string Reason, string RevocationReason);

/// <summary>A sealed document checked at the counter: its file name as uploaded, its length and its SM3 in hex.</summary>
public sealed record DocumentDetails(string Name, long Bytes, string Sm3);

/// <summary>A checkpoint the evidence rests on, with its cosignatures.</summary>
public sealed record CheckpointDetails(string Origin, string City, ulong Size, int Cosignatures, int Witnesses, int Threshold, bool Final, DateTimeOffset? NewestCosignature);

/// <summary>An entry of the evidence, in words.</summary>
public sealed record EntryDetails(string Origin, ulong Index, string Kind, string RecordId, string Summary);

/// <summary>What the evidence rests on: the network configuration, its checkpoints and entries, and the bundle itself.</summary>
public sealed record EvidenceDetails(
    string NetworkId, int NetworkVersion, bool Verified, bool Final, IReadOnlyList<CheckpointDetails> Checkpoints, IReadOnlyList<EntryDetails> Entries,
    int StatusProofs, DateTimeOffset? CreatedAt, string Bundle);

/// <summary>A QR reference and whether the verified evidence holds the entry it names.</summary>
public sealed record ReferenceDetails(string Text, string LicenseId, string Origin, ulong Index, string LeafHash, bool Proven);

/// <summary>The node that answered.</summary>
public sealed record NodeDetails(string Origin, string City, string CityName, string Principal, string IssuerId);

/// <summary>Makes <see cref="VerdictView"/>s.</summary>
public static class VerdictViews
{
    /// <summary>The view of a node's answer checked with the SDK's trust rule (<see cref="VerifiedLicense"/>), optionally against a QR reference.</summary>
    public static VerdictView Online(string source, string asked, VerifiedLicense answer, TrustedNetwork network, NodeDetails node, DateTimeOffset now, LicenseReference? reference = null)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(network);
        var response = answer.Response;
        if (answer.IsUnknown)
        {
            return new VerdictView
            {
                Source = source, Asked = asked, Status = "unknown", NodeVerdict = LicenseVerdictRules.Name(response.Verdict), NodeReason = response.Reason,
                Failure = "the node knows no such license (that it is absent is the node's word: evidence cannot prove absence yet)",
                Node = node, AnsweredAt = now,
                Reference = reference is null ? null : Describe(reference, false),
            };
        }
        var bundle = answer.IsVerified ? ShownBundle(response.EvidenceBundle) : null;
        var failure = answer.Failure;
        var referenceProven = false;
        if (reference is not null && answer.IsVerified && bundle is not null)
        {
            referenceProven = reference.IsProvenBy(bundle, answer.Evidence, out var why);
            failure ??= why;
        }
        var verified = answer.IsVerified && (reference is null || referenceProven);
        return Build(source, asked, verified, answer.Evidence, bundle, response.EvidenceBundle, network, node, now,
            LicenseVerdictRules.Name(response.Verdict), response.Reason, verified ? null : failure ?? "the evidence does not verify", reference, referenceProven);
    }

    /// <summary>
    /// The view of a node's answer about a sealed document, checked with the SDK's rule (<see cref="VerifiedSeal"/>), as
    /// <c>huren seal verify</c> shows it: a verdict the signature alone decides (BAD_SIGNATURE, EXPIRED …) is believed
    /// without ledger evidence; NOT_REGISTERED without evidence is the node's word (<c>unknown</c>); a verdict from the
    /// ledger is believed only on final checkpoints whose status-map line proves the seal's latest state.
    /// </summary>
    public static VerdictView Sealed(VerifiedSeal answer, DocumentDetails document, TrustedNetwork network, NodeDetails node, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(network);
        var response = answer.Response;
        var result = answer.Evidence;
        var nodeVerdict = SealVerdictRules.TryFromCode(response.Verdict, out var said) ? SealVerdictRules.Name(said) : response.Verdict.ToString();
        var verified = answer.IsVerified;
        var failure = answer.Failure ?? (verified ? null : "the evidence does not verify");
        // Only a VALID is acted on, so only a VALID needs what VerifiedSeal.IsAccepted asks (final checkpoints, the status
        // proof): a negative verdict stands as the signature or the entries shown decide it (as huren seal verify).
        var valid = verified && result.Verdict == SealVerdict.Valid;
        if (valid && result.Final && !answer.IsAccepted)
        {
            verified = false;
            failure = "the checkpoint has no status-map line, so nothing proves that no later entry of the seal (a revocation, say) was left out of the evidence";
        }
        var final = verified && result.FromLedger && result.Final;
        var unknown = verified && !result.FromLedger && result.Verdict == SealVerdict.NotRegistered;
        var status = !verified ? "not-verified" : unknown ? "unknown" : !valid || answer.IsAccepted ? "believed" : "not-final";
        var bundle = result.FromLedger && !string.IsNullOrEmpty(response.EvidenceBundle) ? ShownBundle(response.EvidenceBundle) : null;
        return new VerdictView
        {
            Source = "sealed-document",
            Asked = document.Name,
            Status = status,
            Verdict = status is "believed" or "not-final" ? SealVerdictRules.Name(result.Verdict) : null,
            NodeVerdict = nodeVerdict,
            NodeReason = response.Reason,
            Failure = status switch
            {
                "not-final" => "the checkpoint is not yet cosigned by the witness threshold (not final), so the verdict is not to be relied on yet",
                "unknown" => $"no log this node keeps registered seal {result.Subject} (that it is absent is the node's word: evidence cannot prove absence yet)",
                _ => failure,
            },
            Seal = verified ? SealOf(result) : null,
            Document = document,
            Evidence = bundle is null ? null : EvidenceOf(bundle, response.EvidenceBundle, network, verified, final),
            Node = node,
            AnsweredAt = now,
        };
    }

    /// <summary>The bundle of an answer whose evidence verified, to show; null if it does not parse (which cannot happen for evidence that verified).</summary>
    private static EvidenceBundle? ShownBundle(string json)
    {
        try
        {
            return EvidenceBundle.Parse(json);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static SealDetails SealOf(SealEvidenceResult result)
    {
        var signature = result.Signature;
        return new SealDetails(
            result.Subject.Length > 0 ? result.Subject : signature?.Seal?.EsId ?? "", signature?.Seal?.Info.Property.Name ?? "", result.Registration?.OwnerCode ?? "",
            result.Origin, result.IssuerId, signature?.SignerCertificate?.Subject ?? "", signature?.Signature?.ToSign.TimeInfo, result.Reason, result.Revocation?.Reason ?? "");
    }

    /// <summary>The view of a bundle checked offline by the node, against the configuration it holds.</summary>
    public static VerdictView Offline(EvidenceResult result, EvidenceBundle? bundle, string json, TrustedNetwork network, NodeDetails node, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Build("bundle", bundle?.Subject ?? "", result.IsValid, result, bundle, json, network, node, now,
            bundle?.Verdict?.Status, bundle?.Verdict?.Reason, result.IsValid ? null : result.Failure, null, false);
    }

    /// <summary>The view when the node has no network configuration to check evidence against.</summary>
    public static VerdictView NoNetwork(string source, string asked, NodeDetails node, DateTimeOffset now) => new()
    {
        Source = source, Asked = asked, Status = "not-verified", Node = node, AnsweredAt = now,
        Failure = "this node has no network configuration, so it cannot check any evidence",
    };

    private static VerdictView Build(string source, string asked, bool verified, EvidenceResult evidence, EvidenceBundle? bundle, string json, TrustedNetwork network,
        NodeDetails node, DateTimeOffset now, string? nodeVerdict, string? nodeReason, string? failure, LicenseReference? reference, bool referenceProven)
    {
        // As the CLI: a final checkpoint without a status-map line proves no current state (a bundle could leave out a
        // later entry, a revocation say), so its verdict is not shown as one to rely on. Nodes always write the line.
        if (verified && evidence.Final && !evidence.Reliable)
        {
            verified = false;
            failure = "the checkpoint has no status-map line, so nothing proves that no later entry of the license (a revocation, say) was left out of the evidence";
        }
        var final = verified && evidence.Final;
        var verdict = verified ? evidence.Verdict : LicenseVerdict.Unspecified;
        var status = !verified ? "not-verified" : final ? "believed" : "not-final";
        return new VerdictView
        {
            Source = source,
            Asked = asked,
            Status = status,
            Verdict = verified ? LicenseVerdictRules.Name(verdict) : null,
            RevocationCode = verified && verdict == LicenseVerdict.Revoked && bundle is not null ? RevocationCodeOf(bundle, evidence.Subject) : null,
            NodeVerdict = nodeVerdict,
            NodeReason = nodeReason,
            Failure = verified && !final ? "the checkpoint is not yet cosigned by the witness threshold (not final), so the verdict is not to be relied on yet" : failure,
            License = verified ? LicenseOf(evidence) : null,
            Evidence = bundle is null ? null : EvidenceOf(bundle, json, network, verified, final),
            Reference = reference is null ? null : Describe(reference, referenceProven),
            Node = node,
            CanRecordUse = verified && evidence.LicenseEntry is not null,
            UseNeedsReason = !(final && verdict == LicenseVerdict.Valid),
            AnsweredAt = now,
        };
    }

    private static LicenseDetails LicenseOf(EvidenceResult evidence)
    {
        var issued = evidence.License!;
        var typeName = LicenseTypeCatalog.TryGet(issued.TypeCode, out var type) ? type.Name : "";
        return new LicenseDetails(evidence.Subject, issued.Name, issued.TypeCode, typeName, issued.HolderName, issued.IssuingAuthority, issued.IssuingAuthorityCode,
            issued.IssueDate, issued.ValidFrom, evidence.ValidUntil, evidence.Origin, evidence.IssuerId);
    }

    private static ReferenceDetails Describe(LicenseReference reference, bool proven)
        => new(reference.ToString(), reference.LicenseId, reference.Origin, reference.Index, Convert.ToHexStringLower(reference.LeafHash), proven);

    /// <summary>The status code of the last revocation of <paramref name="subject"/> among the bundle's entries.</summary>
    private static string? RevocationCodeOf(EvidenceBundle bundle, string subject)
    {
        string? code = null;
        foreach (var (entry, _) in Decoded(bundle))
        {
            if (entry.Kind != EntryKinds.LicenseStatus) continue;
            var body = EntryKinds.Of<LicenseStatusChanged>().Decode(entry.Body);
            if (body.Action == LicenseStatusAction.Revoke && (entry.RecordId == subject || body.LicenseId == subject)) code = body.StatusCode;
        }
        return code;
    }

    private static EvidenceDetails EvidenceOf(EvidenceBundle bundle, string json, TrustedNetwork network, bool verified, bool final)
    {
        var checkpoints = new List<CheckpointDetails>();
        foreach (var (origin, note) in bundle.Checkpoints)
        {
            if (network.ByOrigin(origin) is not { } member || !SignedNote.TryParse(note, out var parsed, out _)) continue;
            var witnesses = network.WitnessesFor(origin);
            FinalityResult finality;
            try
            {
                finality = FinalityCheck.Evaluate(parsed, member.LogKey, witnesses, network.WitnessThreshold);
            }
            catch (ArgumentException)
            {
                continue;
            }
            DateTimeOffset? newest = null;
            foreach (var signature in parsed.Signatures)
            {
                if (!finality.Cosigners.Any(signature.IsFrom) || !CosignatureVerifier.TryReadTimestamp(signature, out var seconds) || seconds > long.MaxValue / 1000) continue;
                var at = DateTimeOffset.FromUnixTimeSeconds((long)seconds);
                if (newest is null || at > newest) newest = at;
            }
            checkpoints.Add(new CheckpointDetails(origin, $"{member.CityCode} {member.Name}", finality.Checkpoint?.Size ?? 0, finality.ValidCosignatures, witnesses.Count,
                finality.Threshold, finality.IsFinal, newest));
        }
        var entries = new List<EntryDetails>();
        foreach (var (entry, position) in Decoded(bundle))
        {
            var kind = EntryKinds.Find(entry.Kind);
            var body = kind?.TryDecode(entry.Body, out _);
            entries.Add(new EntryDetails(position.Origin, position.Index, entry.Kind, entry.RecordId, body is null ? "" : kind!.Summarize(body)));
        }
        return new EvidenceDetails(network.NetworkId, network.Version, verified, final, checkpoints, entries, bundle.StatusProofs?.Count ?? 0, bundle.CreatedAt == default ? null : bundle.CreatedAt, json);
    }

    /// <summary>The bundle's entries that decode, with their positions (a bundle that did not verify may hold others).</summary>
    private static IEnumerable<(Entry Entry, BundleEntry Position)> Decoded(EvidenceBundle bundle)
    {
        foreach (var position in bundle.Entries)
        {
            if (position?.Leaf is null) continue;
            byte[] leaf;
            try
            {
                leaf = Convert.FromBase64String(position.Leaf);
            }
            catch (FormatException)
            {
                continue;
            }
            if (LeafReader.TryRead(leaf, out var read, out _)) yield return (read!.Entry, position);
        }
    }
}
