using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Evidence;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// What a counter (or any SDK user) may act on. Found by the evidence review: <see cref="VerifiedLicense.IsAccepted"/>
/// looked at finality and the verdict only, so a final bundle from a log without the status-map line, with the
/// revocation left out, was accepted; and a bundle whose <c>statusProofs</c> was JSON null threw instead of failing.
/// </summary>
public sealed class AcceptanceTests
{
    [Fact]
    public void A_final_VALID_answer_whose_state_no_status_proof_shows_is_not_accepted()
    {
        var logs = new EvidenceLogs(); // checkpoints without the status-map line
        var (bundle, revocation) = logs.RevokedBundle();
        bundle.Entries.RemoveAll(e => e.Index == revocation);
        bundle.Verdict.Status = "VALID";
        var response = new VerdictResponse { Verdict = LicenseVerdict.Valid, LicenseId = logs.LicenseId, Origin = EvidenceLogs.Cs, EvidenceBundle = bundle.ToJson() };

        var answer = VerifiedLicense.Check(response, LicenseQuestion.ById(logs.LicenseId), new EvidenceVerifier(logs.Network), EvidenceLogs.Today);

        Assert.True(answer.IsFinal);
        Assert.Equal(LicenseVerdict.Valid, answer.Verdict);
        Assert.False(answer.Evidence.StatusProven);
        Assert.False(answer.IsAccepted);

        // With the map line and its proof the same license, not revoked, is accepted.
        var proven = new EvidenceLogs { WithStatusMap = true };
        var valid = proven.LocalBundle();
        var honest = VerifiedLicense.Check(new VerdictResponse { Verdict = LicenseVerdict.Valid, LicenseId = proven.LicenseId, Origin = EvidenceLogs.Cs, EvidenceBundle = valid.ToJson() },
            LicenseQuestion.ById(proven.LicenseId), new EvidenceVerifier(proven.Network), EvidenceLogs.Today);
        Assert.True(honest.IsAccepted, honest.Failure);
    }

    [Fact]
    public void A_bundle_whose_status_proofs_are_null_fails_with_the_field_named()
    {
        var logs = new EvidenceLogs { WithStatusMap = true };
        var json = System.Text.Json.Nodes.JsonNode.Parse(logs.LocalBundle().ToJson())!;
        json["statusProofs"] = null;
        var result = new EvidenceVerifier(logs.Network).Verify(json.ToJsonString(), EvidenceLogs.Today, out _);
        Assert.False(result.IsValid);
        Assert.Contains("statusProofs is missing or null", result.Failure, StringComparison.Ordinal);
    }
}
