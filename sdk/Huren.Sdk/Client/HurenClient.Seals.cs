using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Evidence;
using Huren.Sdk.Seals;

namespace Huren.Sdk.Client;

public sealed partial class HurenClient
{
    /// <summary>
    /// Asks the node for the verdict on a sealed document and believes it only as far as the signature and the evidence
    /// go (<see cref="VerifiedSeal.Check"/>); the node may hold the answer up to <paramref name="waitForFinality"/> for
    /// its checkpoints to become final.
    /// </summary>
    /// <exception cref="Grpc.Core.RpcException">The node refused the call or is unreachable.</exception>
    public async Task<VerifiedSeal> VerifySealAsync(SealQuestion question, SealEvidenceVerifier verifier, TimeSpan waitForFinality, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(verifier);
        var wait = Clamp(waitForFinality);
        var request = new VerifySealRequest { SesSignature = question.SesSignature, DocumentSm3 = question.DocumentSm3, WaitFinalMs = (uint)wait.TotalMilliseconds };
        var response = await Seals.VerifyAsync(request, WaitingOptions(wait, cancellationToken)).ConfigureAwait(false);
        return VerifiedSeal.Check(response, question, verifier, DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// A registered seal with its <c>SES_Seal</c>, believed only when its evidence verifies (<see cref="VerifiedSealRecord.Check"/>).
    /// </summary>
    /// <exception cref="Grpc.Core.RpcException">The node refused the call (NOT_FOUND: no kept log registered it) or is unreachable.</exception>
    public async Task<VerifiedSealRecord> GetSealAsync(string sealId, SealEvidenceVerifier verifier, TimeSpan waitForFinality, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(sealId);
        ArgumentNullException.ThrowIfNull(verifier);
        var wait = Clamp(waitForFinality);
        var response = await Seals.GetAsync(new GetSealRequest { SealId = sealId, WaitFinalMs = (uint)wait.TotalMilliseconds }, WaitingOptions(wait, cancellationToken)).ConfigureAwait(false);
        return VerifiedSealRecord.Check(response, sealId, verifier);
    }

    /// <summary>
    /// Registers <paramref name="seal"/> (制章备案) in <paramref name="origin"/> as the seal-making authority
    /// <paramref name="issuerId"/>, signing with its <paramref name="key"/>: a <c>seal.register</c> entry whose body is
    /// read from the seal (<see cref="SealEntryRules.Registration"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The seal or the entry breaks a rule (nothing was sent).</exception>
    public Task<SubmitResponse> RegisterSealAsync(string origin, string issuerId, SesSeal seal, string ownerCode, SigningKey key, CancellationToken cancellationToken = default)
    {
        var body = SealEntryRules.Registration(seal, ownerCode);
        return SubmitAsync(Entry.Create(EntryKinds.SealRegister, origin, body.SealId, issuerId, body, DateTimeOffset.UtcNow), key, cancellationToken);
    }

    /// <summary>Revokes (吊销/注销) seal <paramref name="sealId"/> as the issuer that registered it: a <c>seal.revoke</c> entry.</summary>
    /// <exception cref="ArgumentException">The entry breaks a rule (nothing was sent).</exception>
    public Task<SubmitResponse> RevokeSealAsync(string origin, string issuerId, string sealId, string reason, SigningKey key, CancellationToken cancellationToken = default)
    {
        var body = new Schemas.Bodies.SealRevoked { SealId = sealId, Reason = reason };
        return SubmitAsync(Entry.Create(EntryKinds.SealRevoke, origin, sealId, issuerId, body, DateTimeOffset.UtcNow), key, cancellationToken);
    }

    /// <summary>
    /// Records a seal's use (盖章留痕): a <c>seal.use</c> entry carrying <paramref name="signature"/> and the document's
    /// SM3, written by the seal's owner (or its registering issuer) in the seal's log.
    /// </summary>
    /// <exception cref="ArgumentException">The signature does not verify or the entry breaks a rule (nothing was sent).</exception>
    public Task<SubmitResponse> RecordSealUseAsync(string origin, string issuerId, SesSignature signature, string matterCode, SigningKey key, CancellationToken cancellationToken = default)
    {
        var body = SealEntryRules.Use(signature, matterCode);
        return SubmitAsync(Entry.Create(EntryKinds.SealUse, origin, body.SealId, issuerId, body, DateTimeOffset.UtcNow), key, cancellationToken);
    }

    private static TimeSpan Clamp(TimeSpan wait) => wait < TimeSpan.Zero ? TimeSpan.Zero : wait > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : wait;

    /// <summary>The node may hold an answer for <paramref name="wait"/>: the deadline covers it.</summary>
    private Grpc.Core.CallOptions WaitingOptions(TimeSpan wait, CancellationToken cancellationToken)
        => new(deadline: DateTime.UtcNow + Deadline + wait, cancellationToken: cancellationToken);
}
