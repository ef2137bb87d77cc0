using Huren.Node.Network;
using Huren.Node.Auth;
using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Schemas.Catalog;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Schemas.Validation;
using Huren.Sdk.Evidence;
using ProtoBuf.Grpc;

namespace Huren.Node.Services;

/// <summary>The Licenses gRPC service: verdicts with evidence, history and listing.</summary>
public sealed class LicenseService(LogDirectory logs, LedgerStates states, EvidenceBuilder evidence, NetworkView network, LicenseServiceOptions options, NodeMetrics metrics) : ILicenseService
{
    private readonly VerdictWaits _waits = new(logs, network, options.CheckpointTimerPeriod);

    /// <inheritdoc/>
    /// <remarks>
    /// Reads only: the evidence rests on the latest stored checkpoint of the license's log. With
    /// <see cref="VerifyLicenseRequest.WaitFinalMs"/> the answer is held until every checkpoint in the bundle is final
    /// (woken when a log grows or gets a cosigned note), so a client waits once instead of polling.
    /// </remarks>
    public ValueTask<VerdictResponse> VerifyAsync(VerifyLicenseRequest request, CallContext context = default)
    {
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Counter, ClientRole.Auditor, ClientRole.Operator, ClientRole.Issuer);
        return AnswerVerifyAsync(request, context.CancellationToken);
    }

    /// <summary>
    /// <see cref="VerifyAsync"/> for a caller authenticated elsewhere (the counter page's session): the same answer,
    /// the same finality wait, the same errors.
    /// </summary>
    internal async ValueTask<VerdictResponse> AnswerVerifyAsync(VerifyLicenseRequest request, CancellationToken cancellationToken)
    {
        using var timer = metrics.TimeVerify();
        if (string.IsNullOrEmpty(request.LicenseId) && request.DocumentDigest is not { Length: 32 }) throw RpcErrors.InvalidArgument("give a license id (证照标识), or the document's 32-byte digest");
        RequireWellFormed(request.LicenseId);
        if (request.AtUnixMs > EntryLimits.MaxTimeUnixMs) throw RpcErrors.InvalidArgument($"at_unix_ms: must be a Unix time in milliseconds no later than {EntryLimits.MaxTimeUnixMs} (9999-12-30), or 0 for now; got {request.AtUnixMs}");
        return await _waits.HoldUntilFinalAsync(request.WaitFinalMs, ct => AnswerAsync(request, ct), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Reads only: the latest checkpoint of the log (held until final within <see cref="RefreshRequest.WaitFinalMs"/>),
    /// the record's status-map proof as of it and, when the log has the record, its latest state entry.
    /// </remarks>
    public async ValueTask<RefreshResponse> RefreshAsync(RefreshRequest request, CallContext context = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Counter, ClientRole.Auditor, ClientRole.Operator, ClientRole.Issuer);
        if (string.IsNullOrEmpty(request.RecordId)) throw RpcErrors.InvalidArgument("record_id: is required");
        if (request.RecordId.Length > 256 || request.RecordId.Any(char.IsControl)) throw RpcErrors.InvalidArgument("record_id: is not a record id (at most 256 characters, no control characters)");
        var log = logs.Resolve(request.Origin);
        return await _waits.HoldUntilFinalAsync(request.WaitFinalMs, _ => Task.FromResult(Refresh(log, request.RecordId)), context.CancellationToken).ConfigureAwait(false);
    }

    private static (RefreshResponse Answer, IReadOnlyDictionary<string, string> Notes) Refresh(MerkleLog log, string recordId)
    {
        var checkpoint = log.Store.GetLatestCheckpoint() ?? throw RpcErrors.FailedPrecondition($"log {log.Origin} has no checkpoint yet");
        var note = System.Text.Encoding.UTF8.GetString(checkpoint.Note);
        var parsed = Huren.Sdk.Notes.Checkpoint.FromNote(Huren.Sdk.Notes.SignedNote.Parse(note), log.Origin);
        if (!parsed.Extensions.Any(Huren.Sdk.StatusMap.StatusMapLine.IsStatusMapLine))
            throw RpcErrors.FailedPrecondition($"the latest checkpoint of {log.Origin} (size {checkpoint.Size}) has no status-map line, so it proves no current state");
        if (!log.StatusMap.Tree.TryProve(checkpoint.Size, Huren.Sdk.StatusMap.StatusMapKey.ForRecord(recordId), out var value, out var proof, out var error))
            throw RpcErrors.Unavailable($"the status map of {log.Origin} cannot prove '{recordId}' at size {checkpoint.Size}: {error}");
        var answer = new RefreshResponse
        {
            Checkpoint = note,
            StatusProof = BundleStatusProof.Create(log.Origin, checkpoint.Size, recordId, log.StatusMap.RootFor(checkpoint.Size), value, proof).ToJsonElement().GetRawText(),
        };
        if (value is { } latest && log.TryFindLeaf(latest.AsSpan(), out var index))
        {
            answer.Index = index;
            answer.Leaf = log.GetLeaf(index)!;
            answer.InclusionProof = log.InclusionProof(index, checkpoint.Size);
        }
        return (answer, new Dictionary<string, string> { [log.Origin] = note });
    }

    /// <summary>A license look-up; two logs holding it in force is FAILED_PRECONDITION with both named, not a verdict.</summary>
    private static (LogStateMachine State, LicenseRecord License)? Unambiguous(Func<(LogStateMachine State, LicenseRecord License)?> lookup)
    {
        try
        {
            return lookup();
        }
        catch (AmbiguousLicenseException ex)
        {
            throw RpcErrors.FailedPrecondition(ex.Message);
        }
    }

    private async Task<(VerdictResponse Answer, IReadOnlyDictionary<string, string> Notes)> AnswerAsync(VerifyLicenseRequest request, CancellationToken cancellationToken)
    {
        var found = Unambiguous(() => !string.IsNullOrEmpty(request.LicenseId) ? states.FindLicense(request.LicenseId) : states.FindLicenseByDigest(request.DocumentDigest));
        if (found is not var (state, license))
        {
            return (new VerdictResponse
            {
                Verdict = LicenseVerdict.Unknown,
                LicenseId = request.LicenseId,
                Reason = string.IsNullOrEmpty(request.LicenseId) ? "no license with this document digest in any log this node keeps" : $"license {request.LicenseId} is not in any log this node keeps",
            }, new Dictionary<string, string>());
        }
        var log = logs.Resolve(state.Origin);
        // The evidence must rest on a checkpoint that covers the license's latest entry. A read never signs: a mirror
        // stores entries only with the origin's checkpoint for them, and the node's own batches carry one or get one
        // from the checkpoint timer, which this waits for (briefly).
        await WaitForCheckpointAsync(log, license, cancellationToken).ConfigureAwait(false);
        // The bundle states the verdict as of its own day (its createdAt, docs/protocol.md section 8), whatever day was
        // asked about: a verifier judges the stated verdict on that day, and recomputes the asked day's itself. So the
        // day is read from the clock that dates the bundle, after the wait.
        var today = LicenseVerdicts.Today(evidence.Time);
        var day = request.AtUnixMs > 0 ? LicenseVerdicts.DayOf(DateTimeOffset.FromUnixTimeMilliseconds(request.AtUnixMs)) : today;
        var (verdict, reason) = LicenseVerdicts.Evaluate(license, day);
        var (bundleVerdict, bundleReason) = day == today ? (verdict, reason) : LicenseVerdicts.Evaluate(license, today);
        state.TryGetIssuer(license.IssuerId, out var issuer);
        LicenseTypeCatalog.TryGet(license.TypeCode, out var type);
        var bundle = evidence.ForLicense(log, state, license, LicenseVerdictRules.Name(bundleVerdict), bundleReason, TransferSources(license));
        if (options.OmitRevocations && verdict == LicenseVerdict.Revoked)
        {
            // TEST HOOK: a dishonest node's answer, its revocation left out (the status proofs it cannot forge stay).
            bundle.Entries.RemoveAll(e => Huren.Sdk.Entries.LeafReader.Read(Convert.FromBase64String(e.Leaf)).Entry.Kind == Huren.Schemas.Envelope.EntryKinds.LicenseStatus);
            bundle.Verdict.Status = LicenseVerdictRules.Name(LicenseVerdict.Valid);
            (verdict, reason) = (LicenseVerdict.Valid, "valid");
        }
        return (new VerdictResponse
        {
            Verdict = verdict,
            Reason = reason,
            LicenseId = license.LicenseId,
            IssuerId = license.IssuerId,
            IssuerName = issuer?.Registration.Name ?? license.IssuingAuthority,
            TypeCode = license.TypeCode,
            TypeName = type?.Name ?? "",
            ValidFrom = license.ValidFrom,
            ValidUntil = license.ValidUntil,
            Origin = log.Origin,
            HolderName = license.HolderName,
            EvidenceBundle = bundle.ToJson(),
        }, bundle.Checkpoints);
    }

    /// <summary>
    /// A license id is checked for form and check character before any lookup, so that a typo is answered as a typo
    /// (INVALID_ARGUMENT naming the rule) and not as "no such license": no log holds a malformed id.
    /// </summary>
    private static void RequireWellFormed(string licenseId)
    {
        if (licenseId.Length > 0 && LicenseIdentifier.Validate(licenseId, "license id") is { } error)
        {
            throw RpcErrors.InvalidArgument($"'{TextContent.Printable(licenseId, 120)}' is not a well-formed 证照标识 (GB/T 36904): {error.Message}");
        }
    }

    /// <summary>Waits until a stored checkpoint of <paramref name="log"/> covers every entry of <paramref name="license"/>.</summary>
    private Task WaitForCheckpointAsync(MerkleLog log, LicenseRecord license, CancellationToken cancellationToken)
    {
        var needed = 0UL;
        foreach (var index in license.EntryIndexes) needed = Math.Max(needed, index + 1);
        return _waits.WaitForCheckpointAsync(log, needed, cancellationToken);
    }

    /// <summary>For a license accepted from another city: that log, its state and the transferred record, when kept here.</summary>
    private List<(MerkleLog, LogStateMachine, LicenseRecord)> TransferSources(LicenseRecord license)
    {
        // Back through every hop: each accepted record names the log it came from and its id there. Bounded, as a
        // guard against a loop in state this node did not write.
        var sources = new List<(MerkleLog, LogStateMachine, LicenseRecord)>();
        var current = license;
        while (current.FromOrigin.Length > 0 && sources.Count < MaxHops && states.Get(current.FromOrigin) is { } sourceState
            && sourceState.TryGetLicense(current.OriginalLicenseId.Length > 0 ? current.OriginalLicenseId : current.LicenseId, out var source))
        {
            sources.Add((logs.Resolve(current.FromOrigin), sourceState, source));
            current = source;
        }
        return sources;
    }

    /// <summary>The most hops a bundle follows back.</summary>
    private const int MaxHops = 64;

    /// <inheritdoc/>
    public ValueTask<EntryListResponse> HistoryAsync(LicenseHistoryRequest request, CallContext context = default)
    {
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Auditor, ClientRole.Operator, ClientRole.Issuer);
        if (string.IsNullOrEmpty(request.LicenseId)) throw RpcErrors.InvalidArgument("give a license id (证照标识)");
        RequireWellFormed(request.LicenseId);
        (LogStateMachine State, LicenseRecord License)? found;
        if (request.Origin.Length == 0) found = Unambiguous(() => states.FindLicense(request.LicenseId));
        else
        {
            var kept = states.Get(request.Origin) ?? throw RpcErrors.NotFound($"origin {request.Origin} is not a log this node keeps");
            found = kept.TryGetLicense(request.LicenseId, out var inLog) ? (kept, inLog) : null;
        }
        if (found is not var (state, license))
            throw RpcErrors.NotFound(request.Origin.Length == 0 ? $"license {request.LicenseId} is not in any log this node keeps" : $"license {request.LicenseId} is not in {request.Origin}");
        var log = logs.Resolve(state.Origin);
        var response = new EntryListResponse();
        foreach (var index in license.EntryIndexes) response.Entries.Add(new LogEntry { Origin = log.Origin, Index = index, Leaf = log.GetLeaf(index)! });
        return ValueTask.FromResult(response);
    }

    /// <inheritdoc/>
    public ValueTask<ListLicensesResponse> ListAsync(ListLicensesRequest request, CallContext context = default)
    {
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Auditor, ClientRole.Operator, ClientRole.Issuer);
        var today = LicenseVerdicts.Today(TimeProvider.System);
        var response = new ListLicensesResponse();
        var page = new ListPager(request.PageSize, request.PageToken);
        page.Fill(states.All(), state => state.Origin, (state, after) => state.LicensesAfter(after), (state, license) =>
        {
            if (request.IssuerId.Length > 0 && license.IssuerId != request.IssuerId) return null;
            if (request.TypeCode.Length > 0 && license.TypeCode != request.TypeCode) return null;
            var (verdict, _) = LicenseVerdicts.Evaluate(license, today);
            if (request.Verdict != LicenseVerdict.Unspecified && verdict != request.Verdict) return null;
            response.Licenses.Add(new LicenseSummary
            {
                LicenseId = license.LicenseId, TypeCode = license.TypeCode, Name = license.Name, HolderName = license.HolderName,
                IssuerId = license.IssuerId, Verdict = verdict, Origin = state.Origin, Index = license.IssueIndex,
            });
            return 64 + (2 * (license.LicenseId.Length + license.Name.Length + license.HolderName.Length + license.IssuerId.Length));
        }, request.Origin);
        response.NextPageToken = page.NextPageToken;
        return ValueTask.FromResult(response);
    }
}

/// <summary>Settings of <see cref="LicenseService"/>.</summary>
/// <param name="CheckpointTimerPeriod">How often the checkpoint timer signs: a verification waits for it at most about twice that.</param>
/// <param name="OmitRevocations">TEST HOOK (Huren:TestHooks:OmitRevocations, docs/testing.md): answers lie about revocations.</param>
public sealed record LicenseServiceOptions(TimeSpan CheckpointTimerPeriod, bool OmitRevocations = false);
