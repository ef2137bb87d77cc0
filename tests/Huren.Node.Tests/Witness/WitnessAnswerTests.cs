using System.Text;
using Grpc.Core;
using Huren.Node.Network;
using Huren.Node.Services;
using Huren.Node.Witness;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Microsoft.Extensions.Logging;
using CityWitness = Huren.Node.Witness.Witness;

namespace Huren.Node.Tests.Witness;

/// <summary>
/// The witness's exact words: every refusal's message (what the gRPC status carries to the caller), the argument
/// guards, what is kept and logged on a cosignature, the operator's clear, and the equivocation proven by a fork's
/// own consistency proof for every shape of old and new size. Complements <see cref="WitnessTests"/> and
/// <see cref="EquivocationTests"/>, which check the outcomes.
/// </summary>
public sealed class WitnessAnswerTests : IDisposable
{
    private readonly WitnessFixture _f = new();

    public void Dispose() => _f.Dispose();

    private static WitnessException Refused(WitnessFailure failure, StatusCode status, string message, Func<object> offer)
    {
        var ex = Assert.Throws<WitnessException>(offer);
        Assert.Equal(failure, ex.Failure);
        Assert.False(ex.IsEquivocation);
        var rpc = WitnessService.ToRpc(ex);
        Assert.Equal(status, rpc.StatusCode);
        Assert.Equal(message, ex.Message);
        return ex;
    }

    private static string ProofError(ulong oldSize, ulong newSize, Hash256 oldRoot, Hash256 newRoot, IReadOnlyList<byte[]> proof)
    {
        Assert.False(MerkleProofVerifier.TryVerifyConsistency(oldSize, newSize, oldRoot.AsSpan(), newRoot.AsSpan(), proof, out var error));
        return error;
    }

    public static TheoryData<string> ConstructorArguments() => ["state", "network", "ownOrigin", "witnessKey", "time", "metrics", "logger"];

    [Theory]
    [MemberData(nameof(ConstructorArguments))]
    public void Each_missing_constructor_argument_is_named(string missing)
    {
        var ex = Assert.Throws<ArgumentNullException>(() => new CityWitness(
            missing == "state" ? null! : _f.Witness.State,
            missing == "network" ? null! : _f.Network,
            missing == "ownOrigin" ? null! : _f.Changsha.Origin,
            missing == "witnessKey" ? null! : _f.Changsha.WitnessKey,
            missing == "time" ? null! : _f.Clock,
            missing == "metrics" ? null! : _f.Counters,
            missing == "logger" ? null! : _f.Log));
        Assert.Equal(missing, ex.ParamName);
    }

    [Fact]
    public void An_empty_own_origin_and_a_missing_proof_are_argument_errors()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CityWitness(_f.Witness.State, _f.Network, "", _f.Changsha.WitnessKey, _f.Clock, _f.Counters, _f.Log));
        Assert.Equal("ownOrigin", ex.ParamName);
        var tree = TestCity.Tree(3);
        Assert.Equal("proof", Assert.Throws<ArgumentNullException>(() => _f.Witness.AddCheckpoint(0, null!, _f.Xiangtan.Note(tree, 3))).ParamName);
        Assert.Null(_f.Witness.State.GetCosigned(_f.Xiangtan.Origin));
    }

    [Fact]
    public void Unknown_origins_are_refused_with_the_network_and_version()
    {
        var tree = TestCity.Tree(3);
        var stranger = new CheckpointSigner("huren.cz-t/439900", _f.Xiangtan.LogKey, null).Sign(3, tree.RootAt(3).AsSpan()).ToString();
        Refused(WitnessFailure.UnknownOrigin, StatusCode.NotFound, "origin 'huren.cz-t/439900' is not a member of network cz-t (version 1)",
            () => _f.Witness.AddCheckpoint(0, [], stranger));
        Refused(WitnessFailure.UnknownOrigin, StatusCode.NotFound, "this node does not witness origin 'huren.cz-t/430100'",
            () => _f.Witness.AddCheckpoint(0, [], _f.Changsha.Note(tree, 3)));
        var alone = new CityWitness(_f.Witness.State, new NetworkView(null), _f.Changsha.Origin, _f.Changsha.WitnessKey, _f.Clock, _f.Counters, _f.Log);
        Refused(WitnessFailure.UnknownOrigin, StatusCode.NotFound, "this node does not witness origin 'huren.cz-t/430300'",
            () => alone.AddCheckpoint(0, [], _f.Xiangtan.Note(tree, 3)));
    }

    [Fact]
    public void Malformed_notes_and_checkpoints_say_what_the_parser_found()
    {
        Assert.False(SignedNote.TryParse("not a note", out _, out var noteError));
        Refused(WitnessFailure.InvalidRequest, StatusCode.InvalidArgument, $"the note is malformed: {noteError}", () => _f.Witness.AddCheckpoint(0, [], "not a note"));

        var text = $"{_f.Xiangtan.Origin}\nnot a size\n";
        var notCheckpoint = SignedNote.Sign(text, NoteSignerKey.ForEd25519(_f.Xiangtan.Origin, _f.Xiangtan.LogKey)).ToString();
        Assert.False(Checkpoint.TryParse(text, _f.Xiangtan.Origin, out _, out var checkpointError));
        Refused(WitnessFailure.InvalidRequest, StatusCode.InvalidArgument, checkpointError, () => _f.Witness.AddCheckpoint(0, [], notCheckpoint));
    }

    [Fact]
    public void A_bad_signature_is_refused_with_the_networks_reason()
    {
        var tree = TestCity.Tree(3);
        var impostor = new CheckpointSigner(_f.Xiangtan.Origin, _f.Zhuzhou.LogKey, null).Sign(3, tree.RootAt(3).AsSpan());
        var reason = TrustedNetwork.From(_f.Config).ByOrigin(_f.Xiangtan.Origin)!.VerifyCheckpoint(impostor).Failure;
        Assert.NotNull(reason);
        Refused(WitnessFailure.BadSignature, StatusCode.PermissionDenied, $"checkpoint of {_f.Xiangtan.Origin} refused: {reason}",
            () => _f.Witness.AddCheckpoint(0, [], impostor.ToString()));
    }

    [Fact]
    public void Request_limits_are_refused_with_their_numbers()
    {
        var tree = TestCity.Tree(16);
        Refused(WitnessFailure.InvalidRequest, StatusCode.InvalidArgument, "old size 9 is above the checkpoint's size 5: a log never shrinks",
            () => _f.Witness.AddCheckpoint(9, [], _f.Xiangtan.Note(tree, 5)));
        Refused(WitnessFailure.InvalidRequest, StatusCode.InvalidArgument, "the consistency proof has 64 hashes; at most 63 are allowed",
            () => _f.Witness.AddCheckpoint(0, [.. Enumerable.Range(0, 64).Select(_ => new byte[32])], _f.Xiangtan.Note(tree, 5)));
        Refused(WitnessFailure.InvalidRequest, StatusCode.InvalidArgument, "consistency proof hash 1 is missing",
            () => _f.Witness.AddCheckpoint(0, [new byte[32], null!, new byte[32]], _f.Xiangtan.Note(tree, 5)));
        Refused(WitnessFailure.Inconsistent, StatusCode.FailedPrecondition, "the consistency proof from size 0 must be empty; it has 2 hashes",
            () => _f.Witness.AddCheckpoint(0, [new byte[32], new byte[32]], _f.Xiangtan.Note(tree, 5)));
        var wrongRoot = tree.RootAt(1);
        Refused(WitnessFailure.Inconsistent, StatusCode.FailedPrecondition, $"a checkpoint of size 0 has the empty tree's root {MerkleHash.EmptyRoot}, not {wrongRoot}",
            () => _f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Signer.Sign(0, wrongRoot.AsSpan()).ToString()));
        Assert.Null(_f.Witness.State.GetCosigned(_f.Xiangtan.Origin));
    }

    [Fact]
    public void Sixty_three_proof_hashes_are_read_and_judged_as_a_proof()
    {
        var tree = TestCity.Tree(16);
        _f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(tree, 5));
        List<byte[]> proof = [.. Enumerable.Range(0, CityWitness.MaxProofHashes).Select(i => new byte[32])];
        var error = ProofError(5, 11, tree.RootAt(5), tree.RootAt(11), proof);
        Refused(WitnessFailure.Inconsistent, StatusCode.FailedPrecondition, $"the consistency proof of {_f.Xiangtan.Origin} from size 5 to 11 does not verify: {error}",
            () => _f.Witness.AddCheckpoint(5, proof, _f.Xiangtan.Note(tree, 11)));
        Assert.Contains(_f.Log.Lines, l => l.Level == LogLevel.Warning
            && l.Message == $"Refused a checkpoint of {_f.Xiangtan.Origin}: the consistency proof from size 5 to 11 does not verify ({error})");
    }

    [Fact]
    public void A_cosignature_is_stored_with_its_time_and_logged()
    {
        var tree = TestCity.Tree(5);
        _f.Clock.Now += TimeSpan.FromMilliseconds(1234);
        var result = _f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(tree, 5));
        Assert.Equal(5ul, result.Checkpoint!.Size);
        Assert.Equal(_f.Xiangtan.Origin, result.Checkpoint.Origin);
        var stored = _f.Witness.State.GetCosigned(_f.Xiangtan.Origin)!;
        Assert.Equal(_f.Xiangtan.Origin, stored.Origin);
        Assert.Equal(_f.Clock.Now.ToUnixTimeMilliseconds(), stored.CosignedUnixMs);
        Assert.Equal(tree.RootAt(5).ToArray(), stored.GetRoot());
        Assert.Equal(LogLevel.Debug, Assert.Single(_f.Log.Lines, l => l.Message == $"Cosigned {_f.Xiangtan.Origin} at size 5").Level);
        Assert.Contains("# HELP huren_witness_cosignatures_total Checkpoints this witness cosigned, by origin.", _f.MetricsText(), StringComparison.Ordinal);
        Assert.Contains("# HELP huren_equivocations_total Equivocations seen by this witness: two validly signed checkpoints of one origin that are not consistent.",
            _f.MetricsText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Cosignatures_of_other_witnesses_are_verified_but_not_kept()
    {
        var tree = TestCity.Tree(3);
        var plain = _f.Xiangtan.Note(tree, 3);
        var zhuzhouWitness = NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(_f.Zhuzhou.Origin), _f.Zhuzhou.WitnessKey);
        var cosigned = CosignatureSigner.Cosign(SignedNote.Parse(plain), zhuzhouWitness, WitnessFixture.Start).ToString();
        Assert.NotEqual(plain, cosigned);
        Assert.False(_f.Witness.AddCheckpoint(0, [], cosigned).IsConflict);
        Assert.Equal(plain, _f.Witness.State.GetCosigned(_f.Xiangtan.Origin)!.Note);
    }

    [Fact]
    public void A_same_size_fork_is_reported_with_both_roots_and_kept_with_its_quarantine()
    {
        var honest = TestCity.Tree(10);
        var forked = TestCity.Tree(10, branch: "b", forkAt: 3);
        _f.Witness.AddCheckpoint(0, [], _f.Zhuzhou.Note(honest, 4));
        _f.Clock.Now += TimeSpan.FromSeconds(7);
        var origin = _f.Zhuzhou.Origin;
        var reason = $"{origin} signed two checkpoints of size 4: root {honest.RootAt(4)} (cosigned) and root {forked.RootAt(4)}";

        var ex = Assert.Throws<WitnessException>(() => _f.Witness.AddCheckpoint(4, [], _f.Zhuzhou.Note(forked, 4)));

        Assert.True(ex.IsEquivocation);
        Assert.Equal($"equivocation: {reason}. Both notes are kept as evidence #1 and {origin} is quarantined; operator action required", ex.Message);
        var evidence = Assert.Single(_f.Witness.ListEquivocations());
        Assert.Equal((1L, reason, _f.Clock.Now.ToUnixTimeMilliseconds()), (evidence.Sequence, evidence.Reason, evidence.SeenUnixMs));
        var quarantine = _f.Witness.State.GetQuarantine(origin)!;
        Assert.Equal((origin, true, 1L, reason, _f.Clock.Now.ToUnixTimeMilliseconds()),
            (quarantine.Origin, quarantine.Quarantined, quarantine.Equivocation, quarantine.Reason, quarantine.SinceUnixMs));
        Assert.Contains(_f.Log.Lines, l => l.Level == LogLevel.Error
            && l.Message == $"ALARM: equivocation by {origin} (evidence #1): {reason}. The origin is quarantined until an operator clears it");
    }

    [Fact]
    public void The_operators_clear_through_the_witness_is_logged_once()
    {
        var honest = TestCity.Tree(10);
        var origin = _f.Zhuzhou.Origin;
        Assert.False(_f.Witness.ClearQuarantine(origin));
        _f.Witness.AddCheckpoint(0, [], _f.Zhuzhou.Note(honest, 4));
        Assert.Throws<WitnessException>(() => _f.Witness.AddCheckpoint(4, [], _f.Zhuzhou.Note(TestCity.Tree(10, branch: "b"), 4)));

        Assert.True(_f.Witness.ClearQuarantine(origin));
        Assert.False(_f.Witness.ClearQuarantine(origin));

        var cleared = Assert.Single(_f.Log.Lines, l => l.Message.StartsWith("Operator cleared", StringComparison.Ordinal));
        Assert.Equal((LogLevel.Warning, $"Operator cleared the quarantine of {origin}; witnessing resumes from the checkpoint last cosigned"), cleared);
        Assert.False(_f.Witness.AddCheckpoint(4, Proofs.Consistency(honest, 4, 9), _f.Zhuzhou.Note(honest, 9)).IsConflict);
    }

    /// <summary>
    /// Old sizes that are not powers of two (the proof then shows the old tree's root), and new sizes of every shape. The
    /// walk drops the old size's trailing one bits first and, after each left sibling, its trailing zero bits; 10 → 11
    /// and 10 → 12 need the new size shifted along with the first, 21 → 22 and 41 → 43 with the second, else the walk
    /// stops early and the fork is refused as a mere bad proof.
    /// </summary>
    public static TheoryData<int, int, int> ForkShapes() => new()
    {
        { 3, 4, 1 }, { 3, 8, 2 }, { 3, 40, 0 }, { 5, 6, 4 }, { 5, 11, 2 }, { 6, 8, 5 }, { 6, 7, 0 }, { 7, 9, 6 },
        { 7, 32, 3 }, { 11, 12, 10 }, { 12, 13, 0 }, { 13, 31, 7 }, { 21, 40, 20 }, { 27, 28, 9 }, { 30, 33, 29 },
        { 10, 11, 9 }, { 10, 12, 5 }, { 21, 22, 20 }, { 41, 43, 20 },
    };

    [Theory]
    [MemberData(nameof(ForkShapes))]
    public void A_forks_own_proof_proves_the_other_prefix_for_every_shape(int oldSize, int newSize, int forkAt)
    {
        var honest = TestCity.Tree(newSize);
        var forked = TestCity.Tree(newSize, branch: "b", forkAt: forkAt);
        var (from, to) = ((ulong)oldSize, (ulong)newSize);
        var origin = _f.Xiangtan.Origin;
        _f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(honest, from));

        var ex = Assert.Throws<WitnessException>(() => _f.Witness.AddCheckpoint(from, Proofs.Consistency(forked, from, to), _f.Xiangtan.Note(forked, to)));

        Assert.True(ex.IsEquivocation, ex.Message);
        var reason = $"{origin} signed size {to} with root {forked.RootAt(to)}, whose consistency proof shows its first {from} entries have root {forked.RootAt(from)}, not the cosigned {honest.RootAt(from)}";
        Assert.Equal($"equivocation: {reason}. Both notes are kept as evidence #1 and {origin} is quarantined; operator action required", ex.Message);
        Assert.Equal(reason, Assert.Single(_f.Witness.ListEquivocations(origin)).Reason);
    }

    public static TheoryData<int, int> PowerOfTwoShapes() => new() { { 1, 2 }, { 1, 9 }, { 2, 3 }, { 4, 11 }, { 8, 13 }, { 16, 40 } };

    [Theory]
    [MemberData(nameof(PowerOfTwoShapes))]
    public void From_a_power_of_two_a_forks_proof_is_refused_as_a_bad_proof(int oldSize, int newSize)
    {
        var honest = TestCity.Tree(newSize);
        var forked = TestCity.Tree(newSize, branch: "b");
        var (from, to) = ((ulong)oldSize, (ulong)newSize);
        _f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(honest, from));
        var proof = Proofs.Consistency(forked, from, to);
        var error = ProofError(from, to, honest.RootAt(from), forked.RootAt(to), proof);

        Refused(WitnessFailure.Inconsistent, StatusCode.FailedPrecondition, $"the consistency proof of {_f.Xiangtan.Origin} from size {from} to {to} does not verify: {error}",
            () => _f.Witness.AddCheckpoint(from, proof, _f.Xiangtan.Note(forked, to)));
        Assert.Empty(_f.Witness.ListEquivocations());
    }

    [Fact]
    public void From_a_power_of_two_no_proof_is_read_as_showing_another_prefix()
    {
        // A forked log of 8 whose last 4 entries repeat its first 4: the proof from 4 is the one hash of the right half,
        // which is also the forked first half's root, so read as a prefix root it would verify. The witness still reads
        // no prefix out of a proof from a power of two (RFC 9162 takes the old root as given there): a bad proof, no
        // accusation.
        var honest = TestCity.Tree(8);
        var forked = new MemoryMerkleTree();
        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < 4; i++) forked.Append(Encoding.UTF8.GetBytes($"entry {i} of b"));
        }
        _f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(honest, 4));
        var proof = Proofs.Consistency(forked, 4, 8);
        Assert.Equal(forked.RootAt(4).ToArray(), Assert.Single(proof));
        Assert.True(MerkleProofVerifier.VerifyConsistency(4, 8, forked.RootAt(4).AsSpan(), forked.RootAt(8).AsSpan(), proof));
        var error = ProofError(4, 8, honest.RootAt(4), forked.RootAt(8), proof);

        Refused(WitnessFailure.Inconsistent, StatusCode.FailedPrecondition, $"the consistency proof of {_f.Xiangtan.Origin} from size 4 to 8 does not verify: {error}",
            () => _f.Witness.AddCheckpoint(4, proof, _f.Xiangtan.Note(forked, 8)));
        Assert.Empty(_f.Witness.ListEquivocations());
        Assert.False(_f.Witness.State.IsQuarantined(_f.Xiangtan.Origin));
    }

    [Fact]
    public void Proofs_that_lead_nowhere_accuse_no_one()
    {
        // From a size that is not a power of two: no proof at all, a proof with a hash too many, one of the wrong length,
        // and the honest proof offered for a forked new root. None leads from some old root to the signed new root, so
        // none is evidence.
        var honest = TestCity.Tree(16);
        var forked = TestCity.Tree(16, branch: "b");
        _f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(honest, 5));
        var proof = Proofs.Consistency(honest, 5, 11);
        foreach (var (bad, note) in new (List<byte[]>, string)[]
        {
            ([], _f.Xiangtan.Note(honest, 11)),
            ([.. proof, new byte[32]], _f.Xiangtan.Note(honest, 11)),
            ([.. proof[..^1], new byte[31]], _f.Xiangtan.Note(honest, 11)),
            ([new byte[31], .. proof[1..]], _f.Xiangtan.Note(honest, 11)),
            (proof, _f.Xiangtan.Note(forked, 11)),
            ([proof[0]], _f.Xiangtan.Note(honest, 11)),
            ([.. proof, .. proof], _f.Xiangtan.Note(honest, 11)),
        })
        {
            var ex = Assert.Throws<WitnessException>(() => _f.Witness.AddCheckpoint(5, bad, note));
            Assert.False(ex.IsEquivocation, ex.Message);
            Assert.StartsWith($"the consistency proof of {_f.Xiangtan.Origin} from size 5 to 11 does not verify: ", ex.Message, StringComparison.Ordinal);
        }
        Assert.Empty(_f.Witness.ListEquivocations());
        Assert.False(_f.Witness.State.IsQuarantined(_f.Xiangtan.Origin));
    }
}
