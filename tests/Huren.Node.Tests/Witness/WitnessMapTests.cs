using Grpc.Core;
using Huren.Node.Services;
using Huren.Node.Witness;
using Huren.Sdk.Merkle;
using Huren.Sdk.Notes;
using Huren.Sdk.StatusMap;
using Microsoft.Extensions.Logging;
using CityWitness = Huren.Node.Witness.Witness;

namespace Huren.Node.Tests.Witness;

/// <summary>
/// A mirror whose recomputed map root the test sets (<see cref="Answer"/>: a root, or why none), holding the honest tree
/// <c>TestCity.Tree(n)</c> of every origin (<see cref="Tree"/>, unless the test gives another), and keeping the questions the
/// witness asked it.
/// </summary>
internal sealed class TestMirroredLogs : IMirroredLogs
{
    /// <summary>The map root the mirror recomputed (the log root comes from <see cref="Tree"/>), or why it has none.</summary>
    public (Hash256? MapRoot, string? Missing) Answer { get; set; } = (null, "the test set no answer");

    /// <summary>Whether the mirror has integrated the size asked (else it has no roots, and <see cref="Answer"/> says why).</summary>
    public bool Reached { get; set; } = true;

    /// <summary>The entries the mirror holds; null for <c>TestCity.Tree(size)</c>.</summary>
    public MemoryMerkleTree? Tree { get; set; }

    /// <summary>The signed note the mirror stored its entries under, or null.</summary>
    public string? CoveringNote { get; set; }

    public List<(string Origin, ulong Size, TimeSpan Timeout)> Asked { get; } = [];

    public Task<MirroredRoots> RootsAtAsync(string origin, ulong size, TimeSpan timeout, CancellationToken cancellationToken)
    {
        lock (Asked) Asked.Add((origin, size, timeout));
        var logRoot = Reached ? (Tree ?? TestCity.Tree((int)size)).RootAt(size) : (Hash256?)null;
        return Task.FromResult(new MirroredRoots(logRoot, Answer.MapRoot, Answer.Missing));
    }

    public string? NoteCovering(string origin, ulong size) => CoveringNote;
}

/// <summary>
/// The witness's status-map check (issue 13): a checkpoint with a <c>huren-status-map/v1</c> line is cosigned only when
/// this node's mirror recomputed the same map root at the checkpoint's size; a root the mirror has not reached is
/// refused, a different root is recorded as the origin's misbehaviour. Also <see cref="CityWitness.RecordFork"/>,
/// which a mirror calls when it finds a map root it cannot reproduce. The mirror is a test double; the witness's state
/// is real RocksDB as in <see cref="WitnessFixture"/>.
/// </summary>
public sealed class WitnessMapTests : IDisposable
{
    private static readonly Hash256 MapA = MerkleHash.LeafHash("status map a"u8);
    private static readonly Hash256 MapB = MerkleHash.LeafHash("status map b"u8);

    private readonly WitnessFixture _f = new();
    private readonly TestMirroredLogs _maps = new();
    private readonly CityWitness _witness;

    public WitnessMapTests()
    {
        _witness = new CityWitness(_f.Witness.State, _f.Network, _f.Changsha.Origin, _f.Changsha.WitnessKey, _f.Clock, _f.Counters, _f.Log, _maps);
    }

    public void Dispose() => _f.Dispose();

    private static string MapNote(TestCity city, MemoryMerkleTree tree, ulong size, params string[] lines)
        => city.Signer.Sign(size, tree.RootAt(size).AsSpan(), lines).ToString();

    private static string MapNote(TestCity city, MemoryMerkleTree tree, ulong size, Hash256 mapRoot)
        => MapNote(city, tree, size, StatusMapLine.Format(mapRoot));

    [Fact]
    public async Task A_map_root_the_mirror_recomputed_is_cosigned_after_asking_at_the_checkpoints_size()
    {
        var tree = TestCity.Tree(9);
        var origin = _f.Xiangtan.Origin;
        _maps.Answer = (MapA, null);

        var first = await _witness.AddCheckpointAsync(0, [], MapNote(_f.Xiangtan, tree, 5, MapA), CancellationToken.None);
        Assert.False(first.IsConflict);
        Assert.Equal([StatusMapLine.Format(MapA)], first.Checkpoint!.Extensions);
        Assert.Equal([(origin, 5ul, CityWitness.MirrorWait)], _maps.Asked);

        _maps.Answer = (MapB, null);
        var next = await _witness.AddCheckpointAsync(5, Proofs.Consistency(tree, 5, 9), MapNote(_f.Xiangtan, tree, 9, MapB), CancellationToken.None);
        Assert.False(next.IsConflict);
        Assert.Equal(9ul, _f.Witness.State.GetCosigned(origin)!.Size);
        Assert.Equal([(origin, 5ul, CityWitness.MirrorWait), (origin, 9ul, CityWitness.MirrorWait)], _maps.Asked);
        Assert.Empty(_f.Witness.ListEquivocations());
    }

    [Fact]
    public async Task A_map_root_the_mirror_cannot_vouch_for_yet_is_refused_and_nothing_is_kept()
    {
        var tree = TestCity.Tree(5);
        var origin = _f.Xiangtan.Origin;
        var note = MapNote(_f.Xiangtan, tree, 5, MapA);
        const string missing = "its mirror has integrated 3 entries, not yet 5 (waited 3 s)";
        _maps.Reached = false;
        _maps.Answer = (null, missing);

        var ex = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(0, [], note, CancellationToken.None));

        Assert.Equal(WitnessFailure.Inconsistent, ex.Failure);
        Assert.False(ex.IsEquivocation);
        Assert.Equal(StatusCode.FailedPrecondition, WitnessService.ToRpc(ex).StatusCode);
        Assert.Equal($"this witness cannot vouch for {origin} at size 5 yet: {missing}", ex.Message);
        Assert.Null(_f.Witness.State.GetCosigned(origin));
        Assert.Empty(_f.Witness.ListEquivocations());
        Assert.False(_f.Witness.State.IsQuarantined(origin));

        // Reached, but with no map version near that size: the map is what it cannot vouch for.
        const string noVersion = "its mirror keeps no status-map version within 65536 entries below size 5; offer a later checkpoint";
        _maps.Reached = true;
        _maps.Answer = (null, noVersion);
        ex = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(0, [], note, CancellationToken.None));
        Assert.Equal($"this witness cannot vouch for the status map of {origin} at size 5 yet: {noVersion}", ex.Message);
        Assert.Null(_f.Witness.State.GetCosigned(origin));

        // Once the mirror caught up, the same offer is cosigned.
        _maps.Answer = (MapA, null);
        Assert.False((await _witness.AddCheckpointAsync(0, [], note, CancellationToken.None)).IsConflict);
        Assert.Equal(5ul, _f.Witness.State.GetCosigned(origin)!.Size);
    }

    [Fact]
    public async Task A_map_root_other_than_the_recomputed_one_is_kept_as_evidence_against_the_cosigned_note()
    {
        var tree = TestCity.Tree(9);
        var origin = _f.Xiangtan.Origin;
        _maps.Answer = (MapA, null);
        var cosignedNote = MapNote(_f.Xiangtan, tree, 4, MapA);
        await _witness.AddCheckpointAsync(0, [], cosignedNote, CancellationToken.None);
        _f.Clock.Now += TimeSpan.FromSeconds(30);
        var lying = MapNote(_f.Xiangtan, tree, 9, MapB);
        var reason = $"{origin} signed size 9 with status map root {MapB}, but the map recomputed from its entries has root {MapA}";

        var ex = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(4, Proofs.Consistency(tree, 4, 9), lying, CancellationToken.None));

        Assert.True(ex.IsEquivocation);
        Assert.Equal(WitnessFailure.Inconsistent, ex.Failure);
        Assert.Equal($"equivocation: {reason}. Both notes are kept as evidence #1 and {origin} is quarantined; operator action required", ex.Message);
        var evidence = Assert.Single(_f.Witness.ListEquivocations(origin));
        Assert.Equal((cosignedNote, lying, reason, _f.Clock.Now.ToUnixTimeMilliseconds()),
            (evidence.KnownNote, evidence.ConflictingNote, evidence.Reason, evidence.SeenUnixMs));
        Assert.True(_f.Witness.State.IsQuarantined(origin));
        Assert.Equal(4ul, _f.Witness.State.GetCosigned(origin)!.Size);
        Assert.Equal(1, _f.Counters.EquivocationCount(origin));
        Assert.Contains(_f.Log.Lines, l => l.Level == LogLevel.Error
            && l.Message == $"ALARM: equivocation by {origin} (evidence #1): {reason}. The origin is quarantined until an operator clears it");

        // Quarantined: even the honest map root is refused now.
        ex = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(4, Proofs.Consistency(tree, 4, 9), MapNote(_f.Xiangtan, tree, 9, MapA), CancellationToken.None));
        Assert.Equal($"origin {origin} is quarantined after an equivocation; operator action required", ex.Message);
    }

    [Fact]
    public async Task A_wrong_map_root_on_the_first_checkpoint_keeps_that_note_on_both_sides()
    {
        var tree = TestCity.Tree(6);
        var origin = _f.Zhuzhou.Origin;
        _maps.Answer = (MapA, null);
        var lying = MapNote(_f.Zhuzhou, tree, 6, MapB);

        var ex = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(0, [], lying, CancellationToken.None));

        Assert.True(ex.IsEquivocation);
        var evidence = Assert.Single(_f.Witness.ListEquivocations(origin));
        Assert.Equal((lying, lying), (evidence.KnownNote, evidence.ConflictingNote));
        Assert.Equal($"{origin} signed size 6 with status map root {MapB}, but the map recomputed from its entries has root {MapA}", evidence.Reason);
        Assert.Null(_f.Witness.State.GetCosigned(origin));
    }

    [Fact]
    public async Task The_map_is_checked_only_after_the_conflict_and_consistency_checks()
    {
        var tree = TestCity.Tree(9);
        var origin = _f.Xiangtan.Origin;
        _maps.Answer = (MapA, null);
        await _witness.AddCheckpointAsync(0, [], MapNote(_f.Xiangtan, tree, 4, MapA), CancellationToken.None);
        var lying = MapNote(_f.Xiangtan, tree, 9, MapB);

        // A caller behind the witness gets the size it holds; one with a bad proof gets the proof's error.
        var conflict = await _witness.AddCheckpointAsync(2, [], lying, CancellationToken.None);
        Assert.Equal((true, 4ul), (conflict.IsConflict, conflict.KnownSize));
        var bad = Proofs.Consistency(tree, 4, 8);
        var ex = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(4, bad, lying, CancellationToken.None));
        Assert.False(ex.IsEquivocation);
        Assert.StartsWith($"the consistency proof of {origin} from size 4 to 9 does not verify: ", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_f.Witness.ListEquivocations());
        Assert.False(_f.Witness.State.IsQuarantined(origin));
    }

    [Fact]
    public async Task Without_a_status_map_line_the_mirror_is_still_asked_and_a_size_it_has_not_reached_is_refused()
    {
        var tree = TestCity.Tree(5);
        var origin = _f.Xiangtan.Origin;
        _maps.Reached = false;
        _maps.Answer = (null, "its mirror has integrated 2 entries, not yet 5 (waited 3 s)");
        var ex = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(0, [], _f.Xiangtan.Note(tree, 5), CancellationToken.None));
        Assert.Equal((WitnessFailure.Inconsistent, $"this witness cannot vouch for {origin} at size 5 yet: its mirror has integrated 2 entries, not yet 5 (waited 3 s)"), (ex.Failure, ex.Message));
        Assert.Null(_f.Witness.State.GetCosigned(origin));

        // The map root is not needed without a map line, the tree root is.
        _maps.Reached = true;
        _maps.Answer = (null, "no map version");
        Assert.False((await _witness.AddCheckpointAsync(0, [], _f.Xiangtan.Note(tree, 5), CancellationToken.None)).IsConflict);
        Assert.Equal([(origin, 5ul, CityWitness.MirrorWait), (origin, 5ul, CityWitness.MirrorWait)], _maps.Asked);
        Assert.Equal(5ul, _f.Witness.State.GetCosigned(origin)!.Size);
    }

    /// <summary>
    /// Found by the evidence review: a witness cosigned checkpoints without the status-map line whatever it had cosigned
    /// before, so a log-key holder could get a final checkpoint that proves no record's state and serve a bundle with a
    /// revocation left out. Once a map line is cosigned for an origin, a checkpoint without one is refused.
    /// </summary>
    [Fact]
    public async Task A_checkpoint_without_the_map_line_after_one_with_it_is_refused()
    {
        var tree = TestCity.Tree(9);
        var origin = _f.Xiangtan.Origin;
        _maps.Answer = (MapA, null);
        await _witness.AddCheckpointAsync(0, [], MapNote(_f.Xiangtan, tree, 4, MapA), CancellationToken.None);

        var ex = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(4, Proofs.Consistency(tree, 4, 9), _f.Xiangtan.Note(tree, 9), CancellationToken.None));

        Assert.Equal(WitnessFailure.Inconsistent, ex.Failure);
        Assert.False(ex.IsEquivocation);
        Assert.Equal($"checkpoint of {origin} at size 9 has no status-map line, but the one this witness cosigned at size 4 had one: a map line once given is not dropped", ex.Message);
        Assert.Equal(4ul, _f.Witness.State.GetCosigned(origin)!.Size);
        // With the line it is cosigned.
        Assert.False((await _witness.AddCheckpointAsync(4, Proofs.Consistency(tree, 4, 9), MapNote(_f.Xiangtan, tree, 9, MapA), CancellationToken.None)).IsConflict);
    }

    /// <summary>
    /// The origin's mirrors stored tree "a" (under a checkpoint it signed); it offers the witnesses tree "b" of the same
    /// size, with the same map root or with no map line: each offer is the origin's split view, kept as evidence.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_tree_root_other_than_the_one_its_mirror_holds_is_kept_as_evidence_against_the_mirrors_note(bool mapLine)
    {
        var origin = _f.Xiangtan.Origin;
        var shown = TestCity.Tree(6);
        _maps.Tree = shown;
        _maps.CoveringNote = MapNote(_f.Xiangtan, shown, 6, MapA);
        _maps.Answer = (MapA, null);
        var other = TestCity.Tree(5, "b");
        var offered = mapLine ? MapNote(_f.Xiangtan, other, 5, MapA) : _f.Xiangtan.Note(other, 5);
        var reason = $"{origin} signed size 5 with root {other.RootAt(5)}, but the entries this node's mirror holds under its signed checkpoints give root {shown.RootAt(5)}";

        var ex = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(0, [], offered, CancellationToken.None));

        Assert.True(ex.IsEquivocation);
        Assert.Equal($"equivocation: {reason}. Both notes are kept as evidence #1 and {origin} is quarantined; operator action required", ex.Message);
        var evidence = Assert.Single(_f.Witness.ListEquivocations(origin));
        Assert.Equal((_maps.CoveringNote, offered, reason), (evidence.KnownNote, evidence.ConflictingNote, evidence.Reason));
        Assert.True(_f.Witness.State.IsQuarantined(origin));
        Assert.Null(_f.Witness.State.GetCosigned(origin));

        // The honest tree is refused too now: the origin stays quarantined until an operator clears it.
        ex = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(0, [], MapNote(_f.Xiangtan, shown, 5, MapA), CancellationToken.None));
        Assert.Equal($"origin {origin} is quarantined after an equivocation; operator action required", ex.Message);
    }

    [Fact]
    public async Task The_own_origin_notes_that_are_no_checkpoint_and_forged_signatures_are_refused_without_asking_the_mirror()
    {
        var tree = TestCity.Tree(5);
        _maps.Answer = (MapA, null);

        var own = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(0, [], MapNote(_f.Changsha, tree, 5, MapA), CancellationToken.None));
        Assert.Equal((WitnessFailure.UnknownOrigin, $"this node does not witness origin '{_f.Changsha.Origin}'"), (own.Failure, own.Message));

        var malformed = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(0, [], "not a note", CancellationToken.None));
        Assert.Equal(WitnessFailure.InvalidRequest, malformed.Failure);

        var text = $"{_f.Xiangtan.Origin}\nnot a size\n{StatusMapLine.Format(MapA)}\n";
        var notCheckpoint = SignedNote.Sign(text, NoteSignerKey.ForEd25519(_f.Xiangtan.Origin, _f.Xiangtan.LogKey)).ToString();
        Assert.False(Checkpoint.TryParse(text, _f.Xiangtan.Origin, out _, out var checkpointError));
        var notParsed = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(0, [], notCheckpoint, CancellationToken.None));
        Assert.Equal((WitnessFailure.InvalidRequest, checkpointError), (notParsed.Failure, notParsed.Message));

        // A checkpoint its origin did not sign cannot hold the call open for the mirror's wait.
        var text5 = SignedNote.Parse(MapNote(_f.Xiangtan, tree, 5, MapA)).Text;
        var forged = SignedNote.Sign(text5, NoteSignerKey.ForEd25519(_f.Xiangtan.Origin, _f.Zhuzhou.LogKey)).ToString();
        var unsigned = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(0, [], forged, CancellationToken.None));
        Assert.Equal(WitnessFailure.BadSignature, unsigned.Failure);

        Assert.Empty(_maps.Asked);
        Assert.Null(_f.Witness.State.GetCosigned(_f.Xiangtan.Origin));
    }

    public static TheoryData<string[]> MalformedMapLines() => new()
    {
        new[] { "huren-status-map/v1" },
        new[] { "huren-status-map/v1 not-a-root" },
        new[] { StatusMapLine.Format(MapA), StatusMapLine.Format(MapA) },
    };

    [Theory]
    [MemberData(nameof(MalformedMapLines))]
    public async Task A_malformed_status_map_line_is_an_invalid_request_with_the_lines_reason(string[] lines)
    {
        var tree = TestCity.Tree(5);
        _maps.Answer = (MapA, null);
        var note = MapNote(_f.Xiangtan, tree, 5, lines);
        Assert.False(StatusMapLine.TryFind(Checkpoint.Parse(SignedNote.Parse(note).Text), out _, out var lineError));

        var viaMirror = await Assert.ThrowsAsync<WitnessException>(() => _witness.AddCheckpointAsync(0, [], note, CancellationToken.None));
        var direct = Assert.Throws<WitnessException>(() => _f.Witness.AddCheckpoint(0, [], note));

        foreach (var ex in new[] { viaMirror, direct })
        {
            Assert.Equal((WitnessFailure.InvalidRequest, lineError), (ex.Failure, ex.Message));
            Assert.Equal(StatusCode.InvalidArgument, WitnessService.ToRpc(ex).StatusCode);
        }
        Assert.Null(_f.Witness.State.GetCosigned(_f.Xiangtan.Origin));
    }

    [Fact]
    public async Task Without_mirrored_maps_or_through_the_synchronous_offer_a_map_line_is_cosigned_unchecked()
    {
        var tree = TestCity.Tree(9);
        _maps.Answer = (MapA, null);

        // The fixture's witness has no mirrored maps.
        Assert.False((await _f.Witness.AddCheckpointAsync(0, [], MapNote(_f.Xiangtan, tree, 5, MapB), CancellationToken.None)).IsConflict);
        // AddCheckpoint does not wait for a mirror, so it does not vouch for the map.
        Assert.False(_witness.AddCheckpoint(5, Proofs.Consistency(tree, 5, 9), MapNote(_f.Xiangtan, tree, 9, MapB)).IsConflict);

        Assert.Empty(_maps.Asked);
        Assert.Equal(9ul, _f.Witness.State.GetCosigned(_f.Xiangtan.Origin)!.Size);
        Assert.Empty(_f.Witness.ListEquivocations());
    }

    [Fact]
    public void A_map_fork_found_by_a_mirror_is_kept_against_the_cosigned_note_and_quarantines_once()
    {
        var tree = TestCity.Tree(9);
        var origin = _f.Xiangtan.Origin;
        var cosigned = _f.Xiangtan.Note(tree, 4);
        _f.Witness.AddCheckpoint(0, [], cosigned);
        var claimed = MapNote(_f.Xiangtan, tree, 9, MapB);
        const string reason = "the status map recomputed at size 9 has another root";

        Assert.True(_witness.RecordFork(origin, claimed, reason));

        var evidence = Assert.Single(_f.Witness.ListEquivocations(origin));
        Assert.Equal((cosigned, claimed, reason), (evidence.KnownNote, evidence.ConflictingNote, evidence.Reason));
        Assert.True(_f.Witness.State.IsQuarantined(origin));
        Assert.Equal(1, _f.Counters.EquivocationCount(origin));
        Assert.Contains(_f.Log.Lines, l => l.Level == LogLevel.Error
            && l.Message == $"ALARM: equivocation by {origin} (evidence #1): {reason}. The origin is quarantined until an operator clears it");

        // Already quarantined: nothing more is recorded.
        Assert.False(_witness.RecordFork(origin, claimed, "again"));
        Assert.Single(_f.Witness.ListEquivocations());
        Assert.Equal(1, _f.Counters.EquivocationCount(origin));
    }

    [Fact]
    public void A_map_fork_of_an_origin_never_cosigned_keeps_the_claiming_note_on_both_sides()
    {
        var claimed = MapNote(_f.Zhuzhou, TestCity.Tree(3), 3, MapA);
        Assert.True(_witness.RecordFork(_f.Zhuzhou.Origin, claimed, "map fork"));
        var evidence = Assert.Single(_f.Witness.ListEquivocations(_f.Zhuzhou.Origin));
        Assert.Equal((claimed, claimed, "map fork"), (evidence.KnownNote, evidence.ConflictingNote, evidence.Reason));

        Assert.Equal("origin", Assert.Throws<ArgumentNullException>(() => _witness.RecordFork(null!, claimed, "r")).ParamName);
        Assert.Equal("origin", Assert.Throws<ArgumentException>(() => _witness.RecordFork("", claimed, "r")).ParamName);
        Assert.Equal("note", Assert.Throws<ArgumentNullException>(() => _witness.RecordFork(_f.Xiangtan.Origin, null!, "r")).ParamName);
        Assert.Single(_f.Witness.ListEquivocations());
        Assert.False(_f.Witness.State.IsQuarantined(_f.Xiangtan.Origin));
    }
}
