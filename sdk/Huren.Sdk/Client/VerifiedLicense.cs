using Huren.Schemas.Services;
using Huren.Sdk.Evidence;

namespace Huren.Sdk.Client;

/// <summary>What a counter asks about: a license by its 证照标识, or by the SHA-256 digest of its document.</summary>
public sealed record LicenseQuestion
{
    private LicenseQuestion(string? licenseId, byte[]? documentDigest)
    {
        LicenseId = licenseId;
        DocumentDigest = documentDigest;
    }

    /// <summary>The license id asked about, or null.</summary>
    public string? LicenseId { get; }

    /// <summary>The document digest asked about, or null.</summary>
    public byte[]? DocumentDigest { get; }

    /// <summary>
    /// The license with id <paramref name="licenseId"/>, checked for form and check character first (GB/T 36904), so
    /// that a typo is reported as one before any node is asked, never read as "no such license".
    /// </summary>
    /// <exception cref="ArgumentException">The id is not a well-formed 证照标识; the message names the rule (e.g. <c>check character should be F, not G</c>).</exception>
    public static LicenseQuestion ById(string licenseId)
    {
        ArgumentException.ThrowIfNullOrEmpty(licenseId);
        if (Huren.Schemas.Validation.LicenseIdentifier.Validate(licenseId, "license id") is { } error) throw new ArgumentException(error.Message, nameof(licenseId));
        return new LicenseQuestion(licenseId, null);
    }

    /// <summary>The license whose document (current or earlier) has SHA-256 <paramref name="digest"/> (32 bytes).</summary>
    public static LicenseQuestion ByDigest(byte[] digest)
    {
        ArgumentNullException.ThrowIfNull(digest);
        if (digest.Length != 32) throw new ArgumentException($"a document digest is 32 bytes, got {digest.Length}", nameof(digest));
        return new LicenseQuestion(null, digest);
    }

    /// <summary>Whether <paramref name="evidence"/> (verified) is about this question: its subject, or a document digest it holds.</summary>
    public bool IsAnsweredBy(EvidenceResult evidence, out string? why)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        if (LicenseId is not null && evidence.Subject != LicenseId)
        {
            why = $"the evidence is about {evidence.Subject}, not {LicenseId}";
            return false;
        }
        if (DocumentDigest is not null && !evidence.DocumentDigests.Any(d => d.AsSpan().SequenceEqual(DocumentDigest)))
        {
            why = "the evidence does not hold the document digest asked about";
            return false;
        }
        why = null;
        return true;
    }
}

/// <summary>
/// A node's answer to a <see cref="LicenseQuestion"/>, believed only as far as its evidence goes: the bundle verified
/// against the network configuration, about the license asked for, with the verdict and log the node states.
/// </summary>
public sealed class VerifiedLicense
{
    private readonly LicenseQuestion _question;

    internal VerifiedLicense(VerdictResponse response, EvidenceResult evidence, LicenseQuestion question)
    {
        Response = response;
        Evidence = evidence;
        _question = question;
    }

    /// <summary>The node's answer as received (its words: to be read only for what <see cref="Evidence"/> confirms).</summary>
    public VerdictResponse Response { get; }

    /// <summary>The verified evidence, or the reason it does not support the answer.</summary>
    public EvidenceResult Evidence { get; }

    /// <summary>The node knows no such license. Not provable from evidence (absence proofs come with the status map).</summary>
    public bool IsUnknown => Response.Verdict == LicenseVerdict.Unknown;

    /// <summary>The evidence verified and is bound to the question and to the node's answer.</summary>
    public bool IsVerified => !IsUnknown && Evidence.IsValid;

    /// <summary>Every checkpoint the evidence rests on is final (cosigned by the witness threshold).</summary>
    public bool IsFinal => IsVerified && Evidence.Final;

    /// <summary>The verified verdict (<see cref="LicenseVerdict.Unknown"/> or <see cref="LicenseVerdict.Unspecified"/> when not verified).</summary>
    public LicenseVerdict Verdict => IsUnknown ? LicenseVerdict.Unknown : IsVerified ? Evidence.Verdict : LicenseVerdict.Unspecified;

    /// <summary>Why the answer is not to be believed, or null.</summary>
    public string? Failure => IsUnknown || IsVerified ? null : Evidence.Failure;

    /// <summary>
    /// What a counter may act on: verified, final, the license's state proven by the status map (nothing left out can
    /// hide a later state: <see cref="EvidenceResult.Reliable"/>) and VALID.
    /// </summary>
    public bool IsAccepted => IsFinal && Evidence.Reliable && Evidence.Verdict == LicenseVerdict.Valid && !DocumentSuperseded;

    /// <summary>
    /// The question was a document's digest, and the verified history gives the license a later document: a change
    /// (变更) replaced the one asked about. The license itself may be VALID, but that document no longer shows it as it
    /// is (an old address, an old scope), so it is not <see cref="IsAccepted"/>; the current one is <see cref="CurrentDocumentDigest"/>.
    /// </summary>
    public bool DocumentSuperseded => IsVerified && _question.DocumentDigest is { } asked && CurrentDocumentDigest is { } current && !current.AsSpan().SequenceEqual(asked);

    /// <summary>The digest of the license's current document, as the verified history gives it (the latest change's, else the issue's); null when not verified.</summary>
    public byte[]? CurrentDocumentDigest => IsVerified && Evidence.DocumentDigests.Count > 0 ? Evidence.DocumentDigests[^1] : null;

    /// <summary>
    /// Binds <paramref name="response"/> to <paramref name="question"/>: its bundle must verify with
    /// <paramref name="verifier"/> as of <paramref name="today"/>, be about the license asked for, and give the verdict,
    /// license and log the node states. The node is taken to have judged on its own day (that of the bundle it made).
    /// Never throws on what the node sent.
    /// </summary>
    public static VerifiedLicense Check(VerdictResponse response, LicenseQuestion question, EvidenceVerifier verifier, DateOnly today)
        => Check(response, question, verifier, today, nodeAskedAboutToday: false);

    /// <summary>
    /// As <see cref="Check(VerdictResponse, LicenseQuestion, EvidenceVerifier, DateOnly)"/>; with
    /// <paramref name="nodeAskedAboutToday"/> the node was asked to judge on <paramref name="today"/> itself
    /// (<see cref="VerifyLicenseRequest.AtUnixMs"/>), so its verdict must be the one the entries give for that day, not for
    /// the bundle's own day.
    /// </summary>
    public static VerifiedLicense Check(VerdictResponse response, LicenseQuestion question, EvidenceVerifier verifier, DateOnly today, bool nodeAskedAboutToday)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(verifier);
        return new VerifiedLicense(response, Bind(response, question, verifier, today, nodeAskedAboutToday), question);
    }

    private static EvidenceResult Bind(VerdictResponse response, LicenseQuestion question, EvidenceVerifier verifier, DateOnly today, bool nodeAskedAboutToday)
    {
        if (response.Verdict == LicenseVerdict.Unknown) return Failed("the node knows no such license");
        if (string.IsNullOrEmpty(response.EvidenceBundle)) return Failed($"the node answered {LicenseVerdictRules.Name(response.Verdict)} without evidence");
        var result = verifier.Verify(response.EvidenceBundle, today, out _);
        if (!result.IsValid) return result;
        if (!question.IsAnsweredBy(result, out var why)) return Failed(why!);
        if (response.LicenseId != result.Subject) return Failed($"the node names {response.LicenseId}, its evidence {result.Subject}");
        // Asked about a day, the node judged on it; otherwise on the day it made the bundle, and the verdict for the
        // caller's day may differ (expired since).
        var (nodeDay, entriesVerdict) = nodeAskedAboutToday ? (result.Day, result.Verdict) : (result.AsOfDay, result.AsOfVerdict);
        if (response.Verdict != entriesVerdict)
            return Failed($"the node says {LicenseVerdictRules.Name(response.Verdict)} for {nodeDay:yyyy-MM-dd}, its evidence gives {LicenseVerdictRules.Name(entriesVerdict)} for that day");
        if (response.Origin != result.Origin) return Failed($"the node names log {response.Origin}, its evidence {result.Origin}");
        return result;
    }

    private static EvidenceResult Failed(string reason) => new(false, LicenseVerdict.Unspecified, reason, false);
}
