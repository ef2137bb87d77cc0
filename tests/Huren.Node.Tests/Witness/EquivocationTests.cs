using Huren.Node.Services;
using Grpc.Core;
using Huren.Node.Witness;
using Microsoft.Extensions.Logging;

namespace Huren.Node.Tests.Witness;

/// <summary>A forked log: evidence kept, alarm raised, never cosigned, origin quarantined until the operator clears it.</summary>
public sealed class EquivocationTests : IDisposable
{
    private readonly WitnessFixture _f = new();

    public void Dispose() => _f.Dispose();

    private WitnessException Equivocated(Func<object> offer)
    {
        var ex = Assert.Throws<WitnessException>(offer);
        Assert.Equal(WitnessFailure.Inconsistent, ex.Failure);
        Assert.True(ex.IsEquivocation);
        Assert.Equal(StatusCode.FailedPrecondition, WitnessService.ToRpc(ex).StatusCode);
        return ex;
    }

    private WitnessException Quarantined(Func<object> offer)
    {
        var ex = Assert.Throws<WitnessException>(offer);
        Assert.Equal(WitnessFailure.Inconsistent, ex.Failure);
        Assert.False(ex.IsEquivocation);
        Assert.Equal(StatusCode.FailedPrecondition, WitnessService.ToRpc(ex).StatusCode);
        Assert.Equal($"origin {_f.Zhuzhou.Origin} is quarantined after an equivocation; operator action required", ex.Message);
        return ex;
    }

    [Fact]
    public void Two_signed_checkpoints_of_one_size_with_different_roots_are_kept_as_evidence_and_quarantine_the_origin()
    {
        var honest = TestCity.Tree(10);
        var forked = TestCity.Tree(10, branch: "b", forkAt: 3);
        var known = _f.Zhuzhou.Note(honest, 4);
        _f.Witness.AddCheckpoint(0, [], known);
        _f.Clock.Now += TimeSpan.FromMinutes(1);
        var conflicting = _f.Zhuzhou.Note(forked, 4);

        var ex = Equivocated(() => _f.Witness.AddCheckpoint(4, [], conflicting));
        Assert.Contains("two checkpoints of size 4", ex.Message, StringComparison.Ordinal);

        // Not cosigned: the witness still holds the first checkpoint.
        var held = _f.Witness.State.GetCosigned(_f.Zhuzhou.Origin)!;
        Assert.Equal(known, held.Note);
        // Evidence: both notes, the time, the reason.
        var evidence = Assert.Single(_f.Witness.ListEquivocations(_f.Zhuzhou.Origin));
        Assert.Equal(_f.Zhuzhou.Origin, evidence.Origin);
        Assert.Equal(known, evidence.KnownNote);
        Assert.Equal(conflicting, evidence.ConflictingNote);
        Assert.Equal(_f.Clock.Now.ToUnixTimeMilliseconds(), evidence.SeenUnixMs);
        Assert.Contains(honest.RootAt(4).ToBase64(), evidence.Reason, StringComparison.Ordinal);
        Assert.Contains(forked.RootAt(4).ToBase64(), evidence.Reason, StringComparison.Ordinal);
        Assert.Empty(_f.Witness.ListEquivocations(_f.Xiangtan.Origin));
        // Alarm: an Error log line and the counter.
        Assert.Contains(_f.Log.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("equivocation by huren.cz-t/430200", StringComparison.Ordinal));
        Assert.Equal(1, _f.Counters.EquivocationCount(_f.Zhuzhou.Origin));
        Assert.Contains("huren_equivocations_total{origin=\"huren.cz-t/430200\"} 1", _f.MetricsText(), StringComparison.Ordinal);

        // Quarantined: even the honest continuation is refused, and nothing more is recorded.
        Quarantined(() => _f.Witness.AddCheckpoint(4, Proofs.Consistency(honest, 4, 8), _f.Zhuzhou.Note(honest, 8)));
        Quarantined(() => _f.Witness.AddCheckpoint(4, [], conflicting));
        Assert.Single(_f.Witness.ListEquivocations());
        Assert.Equal(1, _f.Counters.EquivocationCount(_f.Zhuzhou.Origin));
        // Other origins are unaffected.
        Assert.False(_f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(honest, 8)).IsConflict);
    }

    [Fact]
    public void The_same_size_fork_is_caught_whatever_old_size_the_caller_claims()
    {
        var honest = TestCity.Tree(10);
        var forked = TestCity.Tree(10, branch: "b", forkAt: 5);
        _f.Witness.AddCheckpoint(0, [], _f.Zhuzhou.Note(honest, 7));
        Equivocated(() => _f.Witness.AddCheckpoint(0, [], _f.Zhuzhou.Note(forked, 7)));
        Assert.True(_f.Witness.State.IsQuarantined(_f.Zhuzhou.Origin));
    }

    [Fact]
    public void A_proof_that_leads_to_the_signed_new_root_from_another_prefix_is_an_equivocation()
    {
        var honest = TestCity.Tree(12);
        // The log rewrote entry 2 and grew on: its own (valid) proof shows its first 5 entries are not the cosigned ones.
        var forked = TestCity.Tree(12, branch: "b", forkAt: 2);
        var known = _f.Zhuzhou.Note(honest, 5);
        _f.Witness.AddCheckpoint(0, [], known);
        var conflicting = _f.Zhuzhou.Note(forked, 11);

        var ex = Equivocated(() => _f.Witness.AddCheckpoint(5, Proofs.Consistency(forked, 5, 11), conflicting));

        Assert.Contains($"first 5 entries have root {forked.RootAt(5)}", ex.Message, StringComparison.Ordinal);
        var evidence = Assert.Single(_f.Witness.ListEquivocations());
        Assert.Equal(known, evidence.KnownNote);
        Assert.Equal(conflicting, evidence.ConflictingNote);
        Assert.Equal(5ul, _f.Witness.State.GetCosigned(_f.Zhuzhou.Origin)!.Size);
    }

    [Fact]
    public void When_the_old_size_is_a_power_of_two_a_failing_proof_is_refused_without_accusing_the_log()
    {
        // RFC 9162 proofs from a power-of-two size take the old root as given, so they cannot show another prefix.
        var honest = TestCity.Tree(12);
        var forked = TestCity.Tree(12, branch: "b", forkAt: 2);
        _f.Witness.AddCheckpoint(0, [], _f.Zhuzhou.Note(honest, 4));

        var ex = Assert.Throws<WitnessException>(() => _f.Witness.AddCheckpoint(4, Proofs.Consistency(forked, 4, 11), _f.Zhuzhou.Note(forked, 11)));

        Assert.Equal(WitnessFailure.Inconsistent, ex.Failure);
        Assert.False(ex.IsEquivocation);
        Assert.Empty(_f.Witness.ListEquivocations());
        Assert.False(_f.Witness.State.IsQuarantined(_f.Zhuzhou.Origin));
    }

    [Fact]
    public void Evidence_and_quarantine_survive_a_restart_until_the_operator_clears_it()
    {
        var honest = TestCity.Tree(10);
        var forked = TestCity.Tree(10, branch: "b", forkAt: 1);
        var known = _f.Zhuzhou.Note(honest, 6);
        _f.Witness.AddCheckpoint(0, [], known);
        var conflicting = _f.Zhuzhou.Note(forked, 6);
        Equivocated(() => _f.Witness.AddCheckpoint(6, [], conflicting));

        var reopened = _f.Reopen();

        var quarantine = reopened.State.GetQuarantine(_f.Zhuzhou.Origin)!;
        Assert.Equal(1, quarantine.Equivocation);
        Quarantined(() => reopened.AddCheckpoint(6, Proofs.Consistency(honest, 6, 9), _f.Zhuzhou.Note(honest, 9)));
        var evidence = Assert.Single(reopened.ListEquivocations());
        Assert.Equal((known, conflicting), (evidence.KnownNote, evidence.ConflictingNote));

        // The operator's action.
        _f.Clock.Now += TimeSpan.FromHours(2);
        Assert.True(reopened.State.ClearQuarantine(_f.Zhuzhou.Origin));
        Assert.False(reopened.State.ClearQuarantine(_f.Zhuzhou.Origin));
        Assert.False(reopened.State.IsQuarantined(_f.Zhuzhou.Origin));

        // Witnessing resumes from the checkpoint last cosigned; the evidence stays.
        Assert.False(reopened.AddCheckpoint(6, Proofs.Consistency(honest, 6, 9), _f.Zhuzhou.Note(honest, 9)).IsConflict);
        Assert.Single(reopened.ListEquivocations());

        // A second equivocation gets its own evidence record, after the first.
        Equivocated(() => reopened.AddCheckpoint(9, [], _f.Zhuzhou.Note(forked, 9)));
        var all = reopened.ListEquivocations(_f.Zhuzhou.Origin);
        Assert.Equal(new long[] { 1, 2 }, all.Select(e => e.Sequence));
        Assert.Equal(2, _f.Reopen().State.GetQuarantine(_f.Zhuzhou.Origin)!.Equivocation);
    }
}
