using Huren.Sdk.Evidence;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// How recent a bundle's checkpoint is (<see cref="EvidenceResult.CosignedAt"/>, what <c>--max-age</c> judges) rests on
/// the threshold of witnesses, so one witness's timestamp, set in the future, cannot make old evidence look fresh.
/// </summary>
public sealed class CosignedAtTests
{
    [Fact]
    public void A_single_witness_dating_a_checkpoint_in_the_future_does_not_make_it_fresh_under_a_threshold_of_two()
    {
        var logs = new EvidenceLogs();
        logs.Issue(EvidenceLogs.Cs);
        var bundle = logs.Bundle(EvidenceLogs.Cs, logs.LicenseId, (EvidenceLogs.Cs, 0), (EvidenceLogs.Cs, 1));
        // Zhuzhou's witness cosigned 30 minutes after At (the fixture); Xiangtan's claims ten years later.
        var xiangtan = NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(EvidenceLogs.Xt), EvidenceLogs.Key("witness", EvidenceLogs.Xt));
        var future = EvidenceLogs.At.AddYears(10);
        bundle.Checkpoints[EvidenceLogs.Cs] = CosignatureSigner.Cosign(SignedNote.Parse(bundle.Checkpoints[EvidenceLogs.Cs]), xiangtan, future).ToString();

        var config = NetworkConfig.Parse(logs.Network.Config.ToJson());
        config.WitnessThreshold = 2;
        var twoOfThem = new EvidenceVerifier(TrustedNetwork.Parse(config.ToJson())).Verify(bundle, EvidenceLogs.Today);
        Assert.True(twoOfThem.IsValid, twoOfThem.Failure);
        Assert.True(twoOfThem.Final);
        Assert.Equal(EvidenceLogs.At.AddMinutes(30), twoOfThem.CosignedAt);

        // With a threshold of one, one witness is all finality asks for too: its time is the checkpoint's.
        var one = logs.Verify(bundle);
        Assert.True(one.IsValid, one.Failure);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(future.ToUnixTimeSeconds()), one.CosignedAt);
    }
}
