using Huren.Schemas.Bodies;
using Huren.Schemas.Catalog;
using Huren.Schemas.Envelope;
using Huren.Schemas.Validation;
using Huren.Sdk.Evidence;

namespace Huren.Node.Ledger;

public sealed partial class LogStateMachine
{
    private void IssueLicense(EntryContext context, IssuerRecord issuer)
    {
        var body = Body<LicenseIssued>(context);
        RefusePrevious(context);
        if (!issuer.MayIssue(body.TypeCode))
        {
            throw Reject.PermissionDenied($"license type {body.TypeCode} is out of scope for issuer {issuer.IssuerId}");
        }
        RequireNotPassedOn(issuer, RecordScope.License(body.TypeCode));
        var signedOn = LicenseVerdicts.DayOf(DateTimeOffset.FromUnixTimeMilliseconds(context.Entry.TimeUnixMs));
        if (LicenseDates.TryParse(body.IssueDate, out var issued) && issued > signedOn)
        {
            throw Reject.InvalidArgument($"body.issueDate: {body.IssueDate} is after the day the entry was signed ({signedOn:yyyy-MM-dd}, China time): a license is recorded on or after its issue date");
        }
        if (!string.Equals(body.IssuingAuthorityCode, issuer.AuthorityCode, StringComparison.Ordinal))
        {
            throw Reject.PermissionDenied($"body.issuingAuthorityCode {body.IssuingAuthorityCode} is not issuer {issuer.IssuerId}'s authority code {issuer.AuthorityCode}");
        }
        if (ReadLicense(body.LicenseId) is { } existing)
        {
            throw Reject.AlreadyExists($"license {body.LicenseId} already exists (issued by {existing.IssuerId} at index {existing.IssueIndex})");
        }
        var digestKey = StateKeys.Digest(body.DocumentDigest);
        if (ReadRow<DigestRecord>(digestKey) is { } digest)
        {
            throw Reject.AlreadyExists($"body.documentDigest is already the document of license {digest.LicenseId}");
        }
        var license = new LicenseRecord
        {
            LicenseId = body.LicenseId,
            IssuerId = issuer.IssuerId,
            TypeCode = body.TypeCode,
            Name = body.Name,
            HolderName = body.HolderName,
            Status = LicenseStatus.Valid,
            StatusCode = LicenseCodes.StatusValid,
            ValidFrom = body.ValidFrom,
            ValidUntil = body.ValidUntil,
            IssueIndex = context.Index,
            IssueLeafHash = context.LeafHash,
            StatusIndex = context.Index,
            StatusLeafHash = context.LeafHash,
            EntryIndexes = [context.Index],
            DocumentDigests = [body.DocumentDigest],
            IssuingAuthority = body.IssuingAuthority,
            IssuingAuthorityCode = body.IssuingAuthorityCode,
            StatusActor = issuer.IssuerId,
        };
        Stage(StateKeys.License(body.LicenseId), license);
        Stage(digestKey, new DigestRecord { LicenseId = body.LicenseId, Index = context.Index });
    }

    private void ChangeLicense(EntryContext context, IssuerRecord issuer)
    {
        var body = Body<LicenseChanged>(context);
        var changed = LicenseToChange(context, issuer, body.LicenseId, out _).Clone();
        if (!string.IsNullOrEmpty(body.NewValidUntil))
        {
            if (LicenseDates.TryParse(body.NewValidUntil, out var until) && LicenseDates.TryParse(changed.ValidFrom, out var from) && until < from)
            {
                throw Reject.InvalidArgument($"body.newValidUntil: {body.NewValidUntil} is before the license's validFrom {changed.ValidFrom}");
            }
            if (BeyondTerm(context, body, changed) is { } beyond) throw Reject.InvalidArgument($"body.newValidUntil: {beyond}");
            changed.ValidUntil = body.NewValidUntil;
        }
        if (body.NewDocumentDigest.Length > 0)
        {
            var digestKey = StateKeys.Digest(body.NewDocumentDigest);
            var digest = ReadRow<DigestRecord>(digestKey);
            if (digest is not null && !string.Equals(digest.LicenseId, body.LicenseId, StringComparison.Ordinal))
            {
                throw Reject.AlreadyExists($"body.newDocumentDigest is already the document of license {digest.LicenseId}");
            }
            if (digest is null) Stage(digestKey, new DigestRecord { LicenseId = body.LicenseId, Index = context.Index });
            if (!changed.CurrentDocumentDigest.AsSpan().SequenceEqual(body.NewDocumentDigest)) changed.DocumentDigests.Add(body.NewDocumentDigest);
        }
        changed.EntryIndexes.Add(context.Index);
        Stage(StateKeys.License(body.LicenseId), changed);
    }

    /// <summary>
    /// Why a new last day of validity goes beyond the term of the license's type (a type with one), or null. A change
    /// (变更, 09) keeps the term counted from the license's first day, as at issue; a renewal (延续, 02) grants a new
    /// term, counted from the day after the current validity ends, or from the day the renewal is signed when it has
    /// already ended.
    /// </summary>
    private static string? BeyondTerm(EntryContext context, LicenseChanged body, LicenseRecord license)
    {
        if (!LicenseTypeCatalog.TryGet(license.TypeCode, out var type) || type.DefaultValidityYears is not { } years
            || !LicenseDates.TryParse(body.NewValidUntil, out var until) || !LicenseDates.TryParse(license.ValidFrom, out var from))
        {
            return null;
        }
        var renewal = body.OperationCode == LicenseCodes.OperationRenew;
        var start = from;
        if (renewal)
        {
            var signedOn = LicenseVerdicts.DayOf(DateTimeOffset.FromUnixTimeMilliseconds(context.Entry.TimeUnixMs));
            var afterEnd = LicenseDates.TryParse(license.ValidUntil, out var end) ? end.AddDays(1) : signedOn;
            start = afterEnd > signedOn ? afterEnd : signedOn;
        }
        var longest = type.DefaultValidUntil(start)!.Value;
        if (until <= longest) return null;
        return renewal
            ? $"{body.NewValidUntil} is beyond the {years}-year term of {type.Name}: a renewal counted from {start:yyyy-MM-dd} ends at the latest on {longest:yyyy-MM-dd}"
            : $"{body.NewValidUntil} is beyond the {years}-year term of {type.Name}: a license valid from {license.ValidFrom} ends at the latest on {longest:yyyy-MM-dd} (a renewal, operation 02, grants a new term)";
    }

    /// <summary>
    /// <c>license.status</c>: by whoever answers for the license (its issuer, or a successor), or by the city root
    /// (<paramref name="issuer"/> null) as a last resort. A suspension by the city root is resumed by the city root only.
    /// </summary>
    private void ChangeLicenseStatus(EntryContext context, IssuerRecord? issuer)
    {
        var body = Body<LicenseStatusChanged>(context);
        var license = LicenseToChange(context, issuer, body.LicenseId, out var successions);
        LicenseStatus next;
        switch (body.Action)
        {
            case LicenseStatusAction.Suspend:
                if (license.Status != LicenseStatus.Valid)
                {
                    throw Reject.FailedPrecondition($"license {body.LicenseId} is {Describe(license.Status)}: only a valid license can be suspended");
                }
                next = LicenseStatus.Suspended;
                break;
            case LicenseStatusAction.Resume:
                if (license.Status != LicenseStatus.Suspended)
                {
                    throw Reject.FailedPrecondition($"license {body.LicenseId} is {Describe(license.Status)}: only a suspended license can be resumed");
                }
                if (license.StatusByCityRoot && issuer is not null)
                {
                    throw Reject.FailedPrecondition($"license {body.LicenseId} was suspended by the city root '{_rootId}' at index {license.StatusIndex}: only the city root resumes it");
                }
                if (!license.StatusByCityRoot && issuer is null)
                {
                    throw Reject.FailedPrecondition($"license {body.LicenseId} was suspended by issuer {ActorOf(license)} at index {license.StatusIndex}: the city root resumes only its own suspensions");
                }
                next = LicenseStatus.Valid;
                break;
            case LicenseStatusAction.Revoke:
                next = LicenseStatus.Revoked;
                break;
            default:
                throw Reject.InvalidArgument($"body.action: must be suspend, resume or revoke, got {body.Action}");
        }
        var changed = license.Clone();
        changed.Status = next;
        changed.StatusCode = body.StatusCode;
        changed.StatusIndex = context.Index;
        changed.StatusLeafHash = context.LeafHash;
        changed.StatusReason = body.Reason;
        SetActor(changed, issuer, successions);
        changed.EntryIndexes.Add(context.Index);
        Stage(StateKeys.License(body.LicenseId), changed);
    }

    private void SetActor(LicenseRecord license, IssuerRecord? issuer, List<SuccessionRecord> successions)
    {
        license.StatusActor = issuer?.IssuerId ?? _rootId;
        license.StatusByCityRoot = issuer is null;
        license.StatusSuccessions = successions.ConvertAll(s => s.Index);
    }

    private static string ActorOf(LicenseRecord license) => license.StatusActor.Length > 0 ? license.StatusActor : license.IssuerId;

    private void TransferLicense(EntryContext context, IssuerRecord issuer)
    {
        var body = Body<LicenseTransferred>(context);
        if (string.Equals(body.ToOrigin, _origin, StringComparison.Ordinal))
        {
            throw Reject.InvalidArgument($"body.toOrigin: {body.ToOrigin} is this log; a license is transferred to another city's log");
        }
        var license = LicenseToChange(context, issuer, body.LicenseId, out var successions);
        if (license.Status != LicenseStatus.Valid)
        {
            throw Reject.FailedPrecondition($"license {body.LicenseId} is {Describe(license.Status)}: only a valid license can be transferred");
        }
        var changed = license.Clone();
        changed.Status = LicenseStatus.Transferred;
        changed.StatusCode = LicenseCodes.StatusTransferredOut;
        changed.StatusIndex = context.Index;
        changed.StatusLeafHash = context.LeafHash;
        changed.StatusReason = body.Reason;
        changed.TransferIndex = context.Index;
        changed.TransferLeafHash = context.LeafHash;
        changed.ToOrigin = body.ToOrigin;
        SetActor(changed, issuer, successions);
        changed.EntryIndexes.Add(context.Index);
        Stage(StateKeys.License(body.LicenseId), changed);
    }

    /// <summary>
    /// <c>license.transfer.accept</c>, in the receiving city's log: the license becomes a license of this log, issued
    /// by the accepting issuer, under its old identifier or the new one the body gives.
    /// </summary>
    private void AcceptTransfer(EntryContext context, IssuerRecord issuer)
    {
        var body = Body<LicenseTransferAccepted>(context);
        RefusePrevious(context);
        if (string.Equals(body.FromOrigin, _origin, StringComparison.Ordinal))
        {
            throw Reject.InvalidArgument($"body.fromOrigin: {body.FromOrigin} is this log; a license is accepted from another city's log");
        }
        if (!LicenseIdentifier.TryParse(body.LicenseId, out var original))
        {
            throw Reject.InvalidArgument($"body.licenseId: '{body.LicenseId}' is not a license identifier");
        }
        if (!issuer.MayIssue(original.TypeCode))
        {
            throw Reject.PermissionDenied($"license type {original.TypeCode} is out of scope for issuer {issuer.IssuerId}");
        }
        RequireNotPassedOn(issuer, RecordScope.License(original.TypeCode));
        var localId = body.LicenseId;
        if (!string.IsNullOrEmpty(body.NewLicenseId))
        {
            if (!LicenseIdentifier.TryParse(body.NewLicenseId, out var renamed))
            {
                throw Reject.InvalidArgument($"body.newLicenseId: '{body.NewLicenseId}' is not a license identifier");
            }
            if (!string.Equals(renamed.TypeCode, original.TypeCode, StringComparison.Ordinal))
            {
                throw Reject.InvalidArgument($"body.newLicenseId: type code {renamed.TypeCode} differs from the transferred license's {original.TypeCode}");
            }
            if (!string.Equals(renamed.AuthorityCode, issuer.AuthorityCode, StringComparison.Ordinal))
            {
                throw Reject.PermissionDenied($"body.newLicenseId: authority code {renamed.AuthorityCode} is not issuer {issuer.IssuerId}'s authority code {issuer.AuthorityCode}");
            }
            localId = body.NewLicenseId;
        }
        var (position, reference) = RequireReference(context, Relations.Transfer, body.FromOrigin, "the transfer entry");
        var acceptedKey = StateKeys.Accepted(body.FromOrigin, body.LicenseId);
        if (ReadRow<AcceptedRecord>(acceptedKey) is { } accepted)
        {
            throw Reject.AlreadyExists($"license {body.LicenseId} from {body.FromOrigin} was already accepted at index {accepted.Index} (as {accepted.LicenseId})");
        }
        if (ReadLicense(localId) is { } existing)
        {
            throw Reject.AlreadyExists($"license {localId} already exists in this log (issued by {existing.IssuerId} at index {existing.IssueIndex})");
        }
        var source = SourceOfTransfer(body, position, reference.Index);
        LicenseTypeCatalog.TryGet(original.TypeCode, out var type);
        var license = new LicenseRecord
        {
            LicenseId = localId,
            IssuerId = issuer.IssuerId,
            TypeCode = original.TypeCode,
            Name = source?.Name ?? type?.Name ?? "",
            HolderName = source?.HolderName ?? "",
            Status = LicenseStatus.Valid,
            StatusCode = LicenseCodes.StatusValid,
            ValidFrom = source?.ValidFrom ?? "",
            ValidUntil = source?.ValidUntil ?? "",
            IssueIndex = context.Index,
            IssueLeafHash = context.LeafHash,
            StatusIndex = context.Index,
            StatusLeafHash = context.LeafHash,
            EntryIndexes = [context.Index],
            DocumentDigests = source?.DocumentDigests.ConvertAll(d => (byte[])d.Clone()) ?? [],
            IssuingAuthority = issuer.Registration.Name,
            IssuingAuthorityCode = issuer.AuthorityCode,
            FromOrigin = body.FromOrigin,
            OriginalLicenseId = body.LicenseId,
            StatusActor = issuer.IssuerId,
        };
        Stage(StateKeys.License(localId), license);
        Stage(acceptedKey, new AcceptedRecord { LicenseId = localId, Index = context.Index });
        foreach (var digest in license.DocumentDigests)
        {
            // The documents stay findable here; a digest this log already knows keeps its license.
            var digestKey = StateKeys.Digest(digest);
            if (ReadRow<DigestRecord>(digestKey) is null) Stage(digestKey, new DigestRecord { LicenseId = localId, Index = context.Index });
        }
    }

    /// <summary>The transferred license's record in the transferring log, when the node can read it; null otherwise.</summary>
    private LicenseRecord? SourceOfTransfer(LicenseTransferAccepted body, int position, ulong transferIndex)
    {
        if (_foreignLicense is null) return null;
        var source = _foreignLicense(body.FromOrigin, body.LicenseId)
            ?? throw Reject.NotFound($"license {body.LicenseId} does not exist in {body.FromOrigin}");
        if (source.Status != LicenseStatus.Transferred || !string.Equals(source.ToOrigin, _origin, StringComparison.Ordinal))
        {
            throw Reject.FailedPrecondition($"license {body.LicenseId} was not transferred to {_origin} by {body.FromOrigin} (it is {Describe(source.Status)}{(source.ToOrigin.Length > 0 ? " to " + source.ToOrigin : "")})");
        }
        if (source.TransferIndex != transferIndex)
        {
            throw Reject.InvalidArgument($"references[{position}]: entry {transferIndex} of {body.FromOrigin} is not the transfer of license {body.LicenseId} (that is entry {source.TransferIndex})");
        }
        return source;
    }

    /// <summary>
    /// <c>license.use</c>: any registered issuer of this log (its counters) records uses, of licenses of this log or of
    /// another. The entry references the license's issue entry; in this log, that is the license's issue (or accept)
    /// entry. The verdict the counter recorded must be the license's verdict on the entry's day (China time) as this
    /// log's state gives it; for a license of another log, as this node's copy of that log gives it, checked only when
    /// admitting into the node's own log (<see cref="AdmitsOwnEntries"/>). The schema already makes a use of a license
    /// that is not VALID carry the counter's reason. A use changes no state.
    /// </summary>
    private void UseLicense(EntryContext context)
    {
        var body = Body<LicenseUsed>(context);
        var (position, reference) = RequireReference(context, Relations.License, null, "the license's issue entry");
        LicenseRecord license;
        if (string.Equals(reference.Origin, _origin, StringComparison.Ordinal))
        {
            license = ReadLicense(body.LicenseId)
                ?? throw Reject.NotFound($"license {body.LicenseId} does not exist in {_origin}");
            if (license.IssueIndex != reference.Index)
            {
                throw Reject.NotFound($"references[{position}]: entry {reference.Index} of {_origin} is not the issue entry of license {body.LicenseId} (that is entry {license.IssueIndex})");
            }
        }
        else
        {
            if (!AdmitsOwnEntries || _foreignLicense is null) return;
            license = _foreignLicense(reference.Origin, body.LicenseId)
                ?? throw Reject.NotFound($"license {body.LicenseId} does not exist in this node's copy of {reference.Origin}");
            if (license.IssueIndex != reference.Index)
            {
                throw Reject.NotFound($"references[{position}]: entry {reference.Index} of {reference.Origin} is not the issue entry of license {body.LicenseId} (that is entry {license.IssueIndex})");
            }
        }
        var day = LicenseVerdicts.DayOf(DateTimeOffset.FromUnixTimeMilliseconds(context.Entry.TimeUnixMs));
        var (verdict, reason) = LicenseVerdicts.Evaluate(license, day);
        var name = LicenseVerdictRules.Name(verdict);
        if (!string.Equals(name, body.VerdictAtUse, StringComparison.Ordinal))
        {
            throw Reject.FailedPrecondition($"body.verdictAtUse: the use records {body.VerdictAtUse}, but license {body.LicenseId} is {name} on {day:yyyy-MM-dd} ({reason}): verify it again before recording its use");
        }
    }

    /// <summary>
    /// A license of this log that may still change (not revoked, not transferred out) and that <paramref name="actor"/>
    /// answers for: it issued it and did not pass it on, or a succession leads to it (<paramref name="successions"/>);
    /// a null actor is the city root, which may act on any license of its city. The entry must reference the license's
    /// latest entry here (<see cref="RequirePrevious"/>). Never change the returned record: clone it.
    /// </summary>
    private LicenseRecord LicenseToChange(EntryContext context, IssuerRecord? actor, string licenseId, out List<SuccessionRecord> successions)
    {
        var license = ReadLicense(licenseId)
            ?? throw Reject.NotFound($"license {licenseId} does not exist in {_origin}");
        successions = actor is null ? [] : RequireAnswersFor(actor, license.IssuerId, RecordScope.License(license.TypeCode), licenseId);
        if (license.Status == LicenseStatus.Revoked)
            throw Reject.FailedPrecondition($"license {licenseId} was revoked at index {license.StatusIndex}: nothing may follow a revocation");
        if (license.Status == LicenseStatus.Transferred)
            throw Reject.FailedPrecondition($"license {licenseId} was transferred to {license.ToOrigin} at index {license.TransferIndex}: it is no longer this log's to change");
        RequirePrevious(context, license);
        return license;
    }

    /// <summary>
    /// A change, status change or transfer references (relation <c>previous</c>) the license's latest entry in this log,
    /// once: the license's entries here then form a chain from its issue or accept, signed link by link, and a verifier
    /// sees from the entries alone that none was left out between two it holds. The status map proves only the latest
    /// entry; without the chain, a bundle could leave out a change in the middle (a shortened validity, say).
    /// <see cref="CheckReferences"/> has already checked that the named entry of this log has that leaf hash.
    /// </summary>
    private void RequirePrevious(EntryContext context, LicenseRecord license)
    {
        var latest = license.EntryIndexes[^1];
        var what = $"the latest entry of license {license.LicenseId} in this log (entry {latest})";
        var (position, reference) = RequireReference(context, Relations.Previous, _origin, what);
        RefuseSecond(context, Relations.Previous, position);
        if (reference.Index != latest)
        {
            throw Reject.FailedPrecondition($"references[{position}]: the 'previous' reference names entry {reference.Index}, but {what} is the latest: read the license's history again and sign against it");
        }
    }

    /// <summary>An issue or accept starts the license's chain in this log: it names no previous entry.</summary>
    private static void RefusePrevious(EntryContext context)
    {
        var references = context.Entry.References;
        for (var i = 0; i < references.Count; i++)
        {
            if (string.Equals(references[i].Relation, Relations.Previous, StringComparison.Ordinal))
                throw Reject.InvalidArgument($"references[{i}]: a {context.Entry.Kind} starts the license's history in this log and names no 'previous' entry");
        }
    }

    private LicenseRecord? ReadLicense(string licenseId) => ReadRow<LicenseRecord>(StateKeys.License(licenseId));

    private static string Describe(LicenseStatus status) => status switch
    {
        LicenseStatus.Valid => "valid",
        LicenseStatus.Suspended => "suspended",
        LicenseStatus.Revoked => "revoked",
        LicenseStatus.Transferred => "transferred",
        _ => "without status",
    };
}
