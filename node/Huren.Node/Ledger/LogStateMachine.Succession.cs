using Huren.Schemas.Bodies;
using Huren.Schemas.Catalog;

namespace Huren.Node.Ledger;

/// <summary>
/// Succession (机构改革): the city root passes an issuer's records of some types to a successor department
/// (<c>issuer.succeed</c>); from then on the successor answers for them, and after it whoever it passed them to in
/// turn. Generic over the records an issuer owns (<see cref="RecordScope"/>): the license rules and the seal rules ask
/// <see cref="RequireAnswersFor"/> before an issuer acts on a record, and <see cref="RequireNotPassedOn"/> before it
/// makes a new one.
/// </summary>
public sealed partial class LogStateMachine
{
    /// <summary>The longest chain of successions followed (a log would need as many reorganisations of one department).</summary>
    private const int MaxSuccessionChain = 64;

    private void SucceedIssuer(EntryContext context)
    {
        var body = Body<IssuerSucceeded>(context);
        var predecessor = ReadIssuer(body.PredecessorId)
            ?? throw Reject.NotFound($"body.predecessorId: issuer {body.PredecessorId} is not registered in {_origin}");
        var successor = ReadIssuer(body.SuccessorId)
            ?? throw Reject.NotFound($"body.successorId: issuer {body.SuccessorId} is not registered in {_origin} (register the successor department first)");
        if (successor.Revoked)
        {
            throw Reject.FailedPrecondition($"body.successorId: issuer {body.SuccessorId} was revoked at index {successor.RevokedIndex} and cannot take over records");
        }
        for (var i = 0; i < body.LicenseTypeCodes.Count; i++)
        {
            var code = body.LicenseTypeCodes[i];
            var field = $"body.licenseTypeCodes[{i}]";
            if (!predecessor.MayIssue(code))
            {
                throw Reject.InvalidArgument($"{field}: issuer {predecessor.IssuerId} was never registered for {TypeName(code)}, so it has no such licenses to pass on");
            }
            if (!successor.MayIssue(code))
            {
                throw Reject.PermissionDenied($"{field}: successor {successor.IssuerId} may not issue {TypeName(code)}: the successor must hold the type in its own registration");
            }
            CheckPassable(predecessor, successor, RecordScope.License(code), field);
        }
        for (var i = 0; i < body.SealTypes.Count; i++)
        {
            var sealType = body.SealTypes[i];
            var field = $"body.sealTypes[{i}]";
            if (!predecessor.MayRegisterSeal(sealType))
            {
                throw Reject.InvalidArgument($"{field}: issuer {predecessor.IssuerId} was never registered for seal type {sealType}, so it has no such seals to pass on");
            }
            if (!successor.MayRegisterSeal(sealType))
            {
                throw Reject.PermissionDenied($"{field}: successor {successor.IssuerId} may not register seal type {sealType}: the successor must hold the type in its own seal permissions");
            }
            CheckPassable(predecessor, successor, RecordScope.Seal(sealType), field);
        }
        var passed = predecessor.Clone();
        passed.PassedOn.Add(new SuccessionRecord
        {
            SuccessorId = successor.IssuerId,
            LicenseTypeCodes = [.. body.LicenseTypeCodes],
            SealTypes = [.. body.SealTypes],
            Index = context.Index,
            LeafHash = context.LeafHash,
            Reason = body.Reason,
        });
        Stage(StateKeys.Issuer(predecessor.IssuerId), passed);
    }

    /// <summary>
    /// Records of one scope pass on once: later reorganisations pass them on from the successor. And never in a circle:
    /// the successor's own chain for the scope must not lead back to the predecessor.
    /// </summary>
    private void CheckPassable(IssuerRecord predecessor, IssuerRecord successor, RecordScope scope, string field)
    {
        if (predecessor.PassedOnFor(scope) is { } earlier)
        {
            throw Reject.AlreadyExists($"{field}: issuer {predecessor.IssuerId}'s {scope} already passed to {earlier.SuccessorId} at index {earlier.Index}; a succession of {earlier.SuccessorId} passes them on further");
        }
        var current = successor;
        for (var step = 0; step < MaxSuccessionChain && current is not null; step++)
        {
            if (string.Equals(current.IssuerId, predecessor.IssuerId, StringComparison.Ordinal))
            {
                throw Reject.FailedPrecondition($"{field}: {successor.IssuerId}'s {scope} already pass on along a chain that leads back to {predecessor.IssuerId}: a succession may not go in a circle");
            }
            current = current.PassedOnFor(scope) is { } next ? ReadIssuer(next.SuccessorId) : null;
        }
    }

    /// <summary>
    /// The issuer that answers for a record <paramref name="ownerId"/> made, of <paramref name="scope"/>: the owner, or
    /// where its successions lead; with those successions in order (empty when the owner still answers). Null when the
    /// owner is not registered here.
    /// </summary>
    private (IssuerRecord? Answering, List<SuccessionRecord> Chain) AnsweringIssuer(string ownerId, RecordScope scope)
    {
        var chain = new List<SuccessionRecord>();
        var current = ReadIssuer(ownerId);
        while (current is not null && chain.Count < MaxSuccessionChain && current.PassedOnFor(scope) is { } succession)
        {
            chain.Add(succession);
            current = ReadIssuer(succession.SuccessorId);
        }
        return (current, chain);
    }

    /// <summary>
    /// <paramref name="actor"/> answers for the record <paramref name="recordId"/> that <paramref name="ownerId"/>
    /// made, of <paramref name="scope"/>: it is the owner and has not passed such records on, or a succession chain
    /// leads from the owner to it. Returns the successions it acts under (empty for the owner); throws
    /// PERMISSION_DENIED naming who answers otherwise. The rule every record kind an issuer owns shares (licenses here,
    /// seals in the seal rules).
    /// </summary>
    private List<SuccessionRecord> RequireAnswersFor(IssuerRecord actor, string ownerId, RecordScope scope, string recordId)
    {
        var (answering, chain) = AnsweringIssuer(ownerId, scope);
        if (answering is not null && string.Equals(answering.IssuerId, actor.IssuerId, StringComparison.Ordinal)) return chain;
        if (string.Equals(ownerId, actor.IssuerId, StringComparison.Ordinal) && chain.Count > 0)
        {
            throw Reject.PermissionDenied($"record id {recordId} is no longer {actor.IssuerId}'s: its {scope} passed to {chain[0].SuccessorId} at index {chain[0].Index}"
                + (answering is null ? "" : $"; {answering.IssuerId} answers for it now"));
        }
        var who = chain.Count == 0 ? "" : $", and {answering?.IssuerId} answers for it under the succession at index {chain[^1].Index}";
        throw Reject.PermissionDenied($"record id {recordId} was {scope.MadeVerb} by another issuer ({ownerId}), not by {actor.IssuerId}{who}");
    }

    /// <summary>A new record of <paramref name="scope"/> by <paramref name="issuer"/>: refused once it passed such records on.</summary>
    private static void RequireNotPassedOn(IssuerRecord issuer, RecordScope scope)
    {
        if (issuer.PassedOnFor(scope) is { } succession)
        {
            throw Reject.PermissionDenied($"issuer {issuer.IssuerId} passed its {scope} to {succession.SuccessorId} at index {succession.Index}: it makes no new ones");
        }
    }

    /// <summary>
    /// The successions that lead from the issuer of <paramref name="license"/> to whoever answers for it now (for the
    /// evidence: the entries and the successors' registrations), as of committed state.
    /// </summary>
    public IReadOnlyList<SuccessionRecord> SuccessionChainOf(LicenseRecord license)
    {
        ArgumentNullException.ThrowIfNull(license);
        var chain = new List<SuccessionRecord>();
        var issuers = _committed.Issuers;
        var current = issuers.GetValueOrDefault(license.IssuerId);
        var scope = RecordScope.License(license.TypeCode);
        while (current is not null && chain.Count < MaxSuccessionChain && current.PassedOnFor(scope) is { } succession)
        {
            chain.Add(succession.Clone());
            current = issuers.GetValueOrDefault(succession.SuccessorId);
        }
        return chain;
    }

    private static string TypeName(string typeCode) => LicenseTypeCatalog.TryGet(typeCode, out var type) ? $"{type.Name} ({typeCode})" : typeCode;
}
