using System.Security.Cryptography;
using Huren.Node.Auth;
using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Network;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Seals;
using ProtoBuf.Grpc;

namespace Huren.Node.Services;

/// <summary>
/// The Seals gRPC service: the verdict on a sealed document from any city's node (own log or mirror), with evidence a
/// client checks offline; a registered seal with its <c>SES_Seal</c>; and the seals of every kept log.
/// </summary>
public sealed class SealService(LogDirectory logs, LedgerStates states, EvidenceBuilder evidence, NetworkView network, LicenseServiceOptions options, NodeMetrics metrics) : ISealService
{
    private readonly VerdictWaits _waits = new(logs, network, options.CheckpointTimerPeriod);
    private readonly SealVerifier _signatures = new();

    /// <inheritdoc/>
    /// <remarks>
    /// The signature is checked first (<see cref="SealVerifier"/>, as of now); then the seal is looked up by its esID in
    /// every kept log and the verdict decided by <see cref="SealVerdictRules"/> from that log's state as of its latest
    /// checkpoint, which the evidence is proven to. A seal no kept log registered gets no bundle.
    /// </remarks>
    public async ValueTask<SealVerdictResponse> VerifyAsync(VerifySealRequest request, CallContext context = default)
    {
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Counter, ClientRole.Auditor, ClientRole.Operator, ClientRole.Issuer);
        return await AnswerVerifyAsync(request, context.CancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="VerifyAsync"/> for a caller authenticated elsewhere (the counter page's session): the same answer,
    /// the same finality wait, the same errors.
    /// </summary>
    internal async ValueTask<SealVerdictResponse> AnswerVerifyAsync(VerifySealRequest request, CancellationToken cancellationToken)
    {
        using var timer = metrics.TimeVerify();
        if (request.SesSignature is not { Length: > 0 }) throw RpcErrors.InvalidArgument("ses_signature is required (DER of an SES_Signature)");
        if (request.SesSignature.Length > SesLimits.MaxStructureBytes) throw RpcErrors.InvalidArgument($"ses_signature: {request.SesSignature.Length} bytes, more than the {SesLimits.MaxStructureBytes}-byte limit");
        if (request.DocumentSm3 is not { Length: 32 }) throw RpcErrors.InvalidArgument("document_sm3 must be the document's 32-byte SM3");
        return await _waits.HoldUntilFinalAsync(request.WaitFinalMs, ct => AnswerAsync(request, ct), cancellationToken).ConfigureAwait(false);
    }

    private async Task<(SealVerdictResponse Answer, IReadOnlyDictionary<string, string> Notes)> AnswerAsync(VerifySealRequest request, CancellationToken cancellationToken)
    {
        var signature = _signatures.VerifyDigest(request.DocumentSm3, request.SesSignature, DateTimeOffset.UtcNow);
        var answer = new SealVerdictResponse
        {
            SealId = signature.Seal?.EsId ?? "",
            SealName = signature.Seal?.Info.Property.Name ?? "",
            Signer = signature.SignerCertificate?.Subject ?? "",
            SignedAtUnixMs = signature.Signature?.ToSign.TimeInfo.ToUnixTimeMilliseconds() ?? 0,
        };
        if (signature.Seal is null || states.FindSeal(signature.Seal.EsId) is not var (state, seal))
        {
            var alone = SealVerdictRules.Decide(signature, null);
            if (alone.Verdict == SealVerdict.NotRegistered) alone = alone with { Reason = $"seal {answer.SealId} is not registered in any log this node keeps" };
            answer.Verdict = SealVerdictRules.ToCode(alone.Verdict);
            answer.Reason = alone.Reason ?? "";
            return (answer, new Dictionary<string, string>());
        }
        var log = logs.Resolve(state.Origin);
        var use = signature.Signature is { } parsed && state.TryFindSealUse(SHA256.HashData(parsed.Der), out var recorded) ? recorded : null;
        var checkpoint = await CheckpointCoveringAsync(log, seal, use, cancellationToken).ConfigureAwait(false);
        var decided = SealVerdictRules.Decide(signature, seal.Facts(state.Origin, use?.Index, checkpoint.Size));
        var bundle = evidence.ForSeal(log, checkpoint, state, seal, use is not null && use.Index < checkpoint.Size ? use : null, SealVerdictRules.Name(decided.Verdict), decided.Reason ?? "");
        answer.Verdict = SealVerdictRules.ToCode(decided.Verdict);
        answer.Reason = decided.Reason ?? "";
        answer.SealName = seal.Name;
        answer.OwnerCode = seal.OwnerCode;
        answer.IssuerId = seal.IssuerId;
        answer.Origin = state.Origin;
        answer.EvidenceBundle = bundle.ToJson();
        return (answer, bundle.Checkpoints);
    }

    /// <inheritdoc/>
    public async ValueTask<SealResponse> GetAsync(GetSealRequest request, CallContext context = default)
    {
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Counter, ClientRole.Auditor, ClientRole.Operator, ClientRole.Issuer);
        if (string.IsNullOrEmpty(request.SealId)) throw RpcErrors.InvalidArgument("seal_id is required");
        if (states.FindSeal(request.SealId) is not var (state, _)) throw RpcErrors.NotFound($"seal {request.SealId} is not registered in any log this node keeps");
        return await _waits.HoldUntilFinalAsync(request.WaitFinalMs, async ct =>
        {
            // Read again on each round: a revocation may have landed while the answer was held.
            state.TryGetSeal(request.SealId, out var seal);
            var log = logs.Resolve(state.Origin);
            var checkpoint = await CheckpointCoveringAsync(log, seal!, null, ct).ConfigureAwait(false);
            var (verdict, reason) = SealVerdictRules.DecideSeal(seal!.Facts(state.Origin, null, checkpoint.Size));
            var bundle = evidence.ForSeal(log, checkpoint, state, seal, null, SealVerdictRules.Name(verdict), reason);
            var registration = EntryKinds.Of<SealRegistered>().Decode(LeafBody(log, seal.RegisteredIndex));
            var summary = Summary(state.Origin, seal);
            if (verdict != SealVerdict.Revoked) (summary.Revoked, summary.RevokedIndex, summary.RevokeReason) = (false, 0, "");
            return (new SealResponse { Seal = summary, SesSeal = registration.SesSeal, EvidenceBundle = bundle.ToJson() }, (IReadOnlyDictionary<string, string>)bundle.Checkpoints);
        }, context.CancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<ListSealsResponse> ListAsync(ListSealsRequest request, CallContext context = default)
    {
        RpcErrors.Require(context.ServerCallContext!, ClientRole.Auditor, ClientRole.Operator, ClientRole.Issuer);
        var response = new ListSealsResponse();
        var page = new ListPager(request.PageSize, request.PageToken);
        page.Fill(states.All(), state => state.Origin, (state, after) => state.SealsAfter(after), (state, seal) =>
        {
            if (request.IssuerId.Length > 0 && seal.IssuerId != request.IssuerId) return null;
            if (request.OwnerCode.Length > 0 && seal.OwnerCode != request.OwnerCode) return null;
            var summary = Summary(state.Origin, seal);
            response.Seals.Add(summary);
            return 128 + (2 * (summary.SealId.Length + summary.Name.Length + summary.RevokeReason.Length));
        }, request.Origin);
        response.NextPageToken = page.NextPageToken;
        return ValueTask.FromResult(response);
    }

    /// <summary>The latest checkpoint of <paramref name="log"/>, once one covers the seal's entries (and the recorded use).</summary>
    private async Task<(ulong Size, byte[] Note)> CheckpointCoveringAsync(MerkleLog log, SealRecord seal, SealUseRecord? use, CancellationToken cancellationToken)
    {
        var needed = Math.Max(seal.RegisteredIndex, seal.Revoked ? seal.RevokedIndex : 0);
        if (use is not null) needed = Math.Max(needed, use.Index);
        await _waits.WaitForCheckpointAsync(log, needed + 1, cancellationToken).ConfigureAwait(false);
        return log.Store.GetLatestCheckpoint() ?? throw RpcErrors.Unavailable($"log {log.Origin} has no checkpoint yet; try again");
    }

    private static ReadOnlyMemory<byte> LeafBody(MerkleLog log, ulong index)
        => Sdk.Entries.LeafReader.Read(log.GetLeaf(index) ?? throw RpcErrors.Unavailable($"entry {index} of {log.Origin} cannot be read")).Entry.Body;

    private static SealSummary Summary(string origin, SealRecord seal) => new()
    {
        SealId = seal.SealId,
        Name = seal.Name,
        SealType = seal.SealType,
        OwnerCode = seal.OwnerCode,
        IssuerId = seal.IssuerId,
        Origin = origin,
        ValidFrom = seal.ValidFrom,
        ValidUntil = seal.ValidUntil,
        Revoked = seal.Revoked,
        RevokedIndex = seal.RevokedIndex,
        RevokeReason = seal.RevokeReason,
        RegisteredIndex = seal.RegisteredIndex,
    };
}
