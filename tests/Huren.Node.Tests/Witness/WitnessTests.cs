using Huren.Node.Network;
using Huren.Node.Services;
using Grpc.Core;
using Huren.Node.Witness;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Microsoft.Extensions.Logging;

namespace Huren.Node.Tests.Witness;

/// <summary>tlog-witness semantics of <see cref="Node.Witness.Witness.AddCheckpoint"/>: cosigning, conflicts and every refusal with its status.</summary>
public sealed class WitnessTests : IDisposable
{
    private readonly WitnessFixture _f = new();

    public void Dispose() => _f.Dispose();

    private static WitnessException Refused(WitnessFailure failure, StatusCode status, Func<object> offer)
    {
        var ex = Assert.Throws<WitnessException>(offer);
        Assert.Equal(failure, ex.Failure);
        Assert.Equal(status, WitnessService.ToRpc(ex).StatusCode);
        return ex;
    }

    [Fact]
    public void First_checkpoint_is_cosigned_from_size_zero_and_the_cosignature_verifies_and_counts_for_finality()
    {
        var tree = TestCity.Tree(5);
        var note = _f.Xiangtan.Note(tree, 5);

        var result = _f.Witness.AddCheckpoint(0, [], note);

        Assert.False(result.IsConflict);
        Assert.Equal(5ul, result.KnownSize);
        var cosignature = result.Cosignature!;
        Assert.Equal("huren.cz-t/430100/witness", cosignature.Name);
        Assert.Equal(_f.Changsha.WitnessVerifierKey, _f.Witness.VerifierKey);
        var signed = SignedNote.Parse(note);
        Assert.True(CosignatureVerifier.Verify(signed.Text, cosignature, _f.Changsha.WitnessVerifierKey, out var seconds));
        Assert.Equal((ulong)WitnessFixture.Start.ToUnixTimeSeconds(), seconds);
        // The answer line (as the gRPC response carries it) parses back to the same cosignature.
        Assert.Equal(cosignature, NoteSignature.ParseLine(cosignature.ToLine()));

        var before = FinalityCheck.Evaluate(signed, _f.Xiangtan.LogVerifierKey, _f.WitnessKeysFor(_f.Xiangtan), _f.Config.WitnessThreshold);
        Assert.False(before.IsFinal);
        var final = FinalityCheck.Evaluate(signed.WithSignature(cosignature), _f.Xiangtan.LogVerifierKey, _f.WitnessKeysFor(_f.Xiangtan), _f.Config.WitnessThreshold);
        Assert.True(final.IsFinal, string.Join("; ", final.Reasons));
        Assert.Equal(1, final.ValidCosignatures);
        Assert.Equal(_f.Changsha.WitnessVerifierKey, Assert.Single(final.Cosigners));

        var stored = _f.Witness.State.GetCosigned(_f.Xiangtan.Origin)!;
        Assert.Equal(5ul, stored.Size);
        Assert.Equal(tree.RootAt(5).ToBase64(), stored.Root);
        Assert.Equal(note, stored.Note);
        Assert.Equal(cosignature.ToLine(), stored.Cosignature);
    }

    [Fact]
    public void Successive_consistent_checkpoints_are_cosigned_and_the_stored_size_follows()
    {
        var tree = TestCity.Tree(40);
        ulong held = 0;
        // Old sizes that are and are not powers of two, equal sizes (re-offer), and a jump.
        foreach (var size in new ulong[] { 1, 3, 7, 8, 8, 13, 16, 31, 40 })
        {
            _f.Clock.Now += TimeSpan.FromSeconds(10);
            var note = _f.Zhuzhou.Note(tree, size);
            var result = _f.Witness.AddCheckpoint(held, Proofs.Consistency(tree, held, size), note);
            Assert.False(result.IsConflict);
            Assert.True(CosignatureVerifier.Verify(SignedNote.Parse(note).Text, result.Cosignature!, _f.Changsha.WitnessVerifierKey, out var seconds));
            Assert.Equal((ulong)_f.Clock.Now.ToUnixTimeSeconds(), seconds);
            Assert.Equal(size, _f.Witness.State.GetCosigned(_f.Zhuzhou.Origin)!.Size);
            held = size;
        }
        Assert.Contains("huren_witness_cosignatures_total{origin=\"huren.cz-t/430200\"} 9", _f.MetricsText(), StringComparison.Ordinal);
        Assert.Empty(_f.Witness.ListEquivocations());
    }

    [Fact]
    public void Empty_tree_checkpoint_is_cosigned_only_with_the_empty_root()
    {
        var empty = new MemoryMerkleTree();
        var result = _f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(empty, 0));
        Assert.False(result.IsConflict);
        Assert.Equal(0ul, _f.Witness.State.GetCosigned(_f.Xiangtan.Origin)!.Size);

        var wrongRoot = _f.Xiangtan.Signer.Sign(0, TestCity.Tree(1).RootAt(1).AsSpan()).ToString();
        var ex = Refused(WitnessFailure.Inconsistent, StatusCode.FailedPrecondition, () => _f.Witness.AddCheckpoint(0, [], wrongRoot));
        Assert.Contains("size 0", ex.Message, StringComparison.Ordinal);

        // From the cosigned empty tree on, growth needs no proof.
        var tree = TestCity.Tree(4);
        Assert.False(_f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(tree, 4)).IsConflict);
    }

    [Fact]
    public void Wrong_old_size_answers_a_conflict_carrying_the_size_the_witness_holds()
    {
        var tree = TestCity.Tree(12);
        _f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(tree, 6));

        var fromZero = _f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(tree, 9));
        Assert.True(fromZero.IsConflict);
        Assert.Equal(6ul, fromZero.KnownSize);
        Assert.Null(fromZero.Cosignature);

        var fromElsewhere = _f.Witness.AddCheckpoint(4, Proofs.Consistency(tree, 4, 9), _f.Xiangtan.Note(tree, 9));
        Assert.True(fromElsewhere.IsConflict);
        Assert.Equal(6ul, fromElsewhere.KnownSize);

        // The caller retries from the size it was told.
        var retry = _f.Witness.AddCheckpoint(6, Proofs.Consistency(tree, 6, 9), _f.Xiangtan.Note(tree, 9));
        Assert.False(retry.IsConflict);
        Assert.Equal(9ul, _f.Witness.State.GetCosigned(_f.Xiangtan.Origin)!.Size);
    }

    [Fact]
    public void Unknown_origins_are_not_found()
    {
        var tree = TestCity.Tree(3);
        var stranger = new CheckpointSigner("huren.cz-t/439900", SigningKey.Generate(SignatureAlgorithm.Ed25519), null);
        Refused(WitnessFailure.UnknownOrigin, StatusCode.NotFound,
            () => _f.Witness.AddCheckpoint(0, [], stranger.Sign(3, tree.RootAt(3).AsSpan()).ToString()));
        // A member does not witness its own log.
        Refused(WitnessFailure.UnknownOrigin, StatusCode.NotFound, () => _f.Witness.AddCheckpoint(0, [], _f.Changsha.Note(tree, 3)));
        // Without a network configuration every origin is unknown.
        var alone = new Node.Witness.Witness(_f.Witness.State, new NetworkView(null), _f.Changsha.Origin, _f.Changsha.WitnessKey, _f.Clock, _f.Counters, _f.Log);
        Refused(WitnessFailure.UnknownOrigin, StatusCode.NotFound, () => alone.AddCheckpoint(0, [], _f.Xiangtan.Note(tree, 3)));

        // A member removed by a later configuration version is no longer witnessed.
        Assert.False(_f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(tree, 3)).IsConflict);
        _f.Network.Adopt(new NetworkConfig
        {
            NetworkId = WitnessFixture.NetworkId, Version = 2, Previous = new string('0', 64), WitnessThreshold = 1, Members = [_f.Changsha.Member(), _f.Zhuzhou.Member()],
        });
        Refused(WitnessFailure.UnknownOrigin, StatusCode.NotFound, () => _f.Witness.AddCheckpoint(3, [], _f.Xiangtan.Note(tree, 3)));
        Assert.False(_f.Witness.AddCheckpoint(0, [], _f.Zhuzhou.Note(tree, 3)).IsConflict);
    }

    [Fact]
    public void Notes_without_a_valid_log_signature_are_permission_denied()
    {
        var tree = TestCity.Tree(3);
        // Signed under the origin's name by another key: no line of the configured log key.
        var impostor = new CheckpointSigner(_f.Xiangtan.Origin, SigningKey.Generate(SignatureAlgorithm.Ed25519), null);
        var ex = Refused(WitnessFailure.BadSignature, StatusCode.PermissionDenied,
            () => _f.Witness.AddCheckpoint(0, [], impostor.Sign(3, tree.RootAt(3).AsSpan()).ToString()));
        Assert.Contains("no signature from required key", ex.Message, StringComparison.Ordinal);

        // The log key's line with a broken signature.
        var good = SignedNote.Parse(_f.Xiangtan.Note(tree, 3));
        var line = good.Signatures[0];
        var bytes = line.Signature.ToArray();
        bytes[^1] ^= 1;
        var broken = SignedNote.Create(good.Text, [NoteSignature.Create(line.Name, line.KeyId, bytes)]).ToString();
        ex = Refused(WitnessFailure.BadSignature, StatusCode.PermissionDenied, () => _f.Witness.AddCheckpoint(0, [], broken));
        Assert.Contains("invalid signature", ex.Message, StringComparison.Ordinal);

        // A valid Ed25519 line, but the SM2 line of the configured SM2 key does not verify: a known key fails.
        var zhuzhou = SignedNote.Parse(_f.Zhuzhou.Note(tree, 3));
        var otherSm2 = SignedNote.Parse(_f.Zhuzhou.Note(tree, 2)).Signatures[1];
        Assert.Equal(2, zhuzhou.Signatures.Count);
        var mixed = SignedNote.Create(zhuzhou.Text, [zhuzhou.Signatures[0], otherSm2]).ToString();
        Refused(WitnessFailure.BadSignature, StatusCode.PermissionDenied, () => _f.Witness.AddCheckpoint(0, [], mixed));

        // Nothing was stored for either origin.
        Assert.Null(_f.Witness.State.GetCosigned(_f.Xiangtan.Origin));
        Assert.Null(_f.Witness.State.GetCosigned(_f.Zhuzhou.Origin));
    }

    [Fact]
    public void Lines_of_unknown_keys_are_ignored()
    {
        var tree = TestCity.Tree(3);
        var stranger = NoteSignerKey.ForEd25519("example.com/other", SigningKey.Generate(SignatureAlgorithm.Ed25519));
        var note = SignedNote.Parse(_f.Xiangtan.Note(tree, 3)).AddSignature(stranger).ToString();
        Assert.False(_f.Witness.AddCheckpoint(0, [], note).IsConflict);
        // The kept note has only the origin's verified line.
        Assert.Equal(_f.Xiangtan.Note(tree, 3), _f.Witness.State.GetCosigned(_f.Xiangtan.Origin)!.Note);
    }

    [Fact]
    public void Malformed_requests_are_invalid_arguments()
    {
        var tree = TestCity.Tree(9);
        Refused(WitnessFailure.InvalidRequest, StatusCode.InvalidArgument, () => _f.Witness.AddCheckpoint(0, [], "not a note"));
        // A note whose text is not a checkpoint, properly signed by the log key.
        var notCheckpoint = SignedNote.Sign($"{_f.Xiangtan.Origin}\nnot a size\n", NoteSignerKey.ForEd25519(_f.Xiangtan.Origin, _f.Xiangtan.LogKey)).ToString();
        Refused(WitnessFailure.InvalidRequest, StatusCode.InvalidArgument, () => _f.Witness.AddCheckpoint(0, [], notCheckpoint));
        // Old size above the new size.
        var ex = Refused(WitnessFailure.InvalidRequest, StatusCode.InvalidArgument, () => _f.Witness.AddCheckpoint(9, [], _f.Xiangtan.Note(tree, 5)));
        Assert.Contains("above", ex.Message, StringComparison.Ordinal);
        // More than 63 proof hashes.
        var tooLong = Enumerable.Range(0, 64).Select(_ => new byte[32]).ToList();
        Refused(WitnessFailure.InvalidRequest, StatusCode.InvalidArgument, () => _f.Witness.AddCheckpoint(0, tooLong, _f.Xiangtan.Note(tree, 5)));
        Assert.Null(_f.Witness.State.GetCosigned(_f.Xiangtan.Origin));
    }

    [Fact]
    public void Bad_proofs_are_failed_preconditions_and_nothing_is_stored()
    {
        var tree = TestCity.Tree(16);
        _f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(tree, 5));
        var note = _f.Xiangtan.Note(tree, 11);

        // A flipped bit in the proof.
        var flipped = Proofs.Consistency(tree, 5, 11);
        flipped[^1][0] ^= 1;
        Refused(WitnessFailure.Inconsistent, StatusCode.FailedPrecondition, () => _f.Witness.AddCheckpoint(5, flipped, note));
        // The proof between other sizes.
        Refused(WitnessFailure.Inconsistent, StatusCode.FailedPrecondition, () => _f.Witness.AddCheckpoint(5, Proofs.Consistency(tree, 4, 11), note));
        // Missing and extra hashes, and a hash that is not 32 bytes.
        var proof = Proofs.Consistency(tree, 5, 11);
        Refused(WitnessFailure.Inconsistent, StatusCode.FailedPrecondition, () => _f.Witness.AddCheckpoint(5, proof[..^1], note));
        Refused(WitnessFailure.Inconsistent, StatusCode.FailedPrecondition, () => _f.Witness.AddCheckpoint(5, [.. proof, new byte[32]], note));
        Refused(WitnessFailure.Inconsistent, StatusCode.FailedPrecondition, () => _f.Witness.AddCheckpoint(5, [.. proof[..^1], new byte[31]], note));
        // Equal sizes need an empty proof.
        Refused(WitnessFailure.Inconsistent, StatusCode.FailedPrecondition, () => _f.Witness.AddCheckpoint(5, [new byte[32]], _f.Xiangtan.Note(tree, 5)));

        // A bad proof proves nothing about the log: refused, but no evidence and no quarantine.
        Assert.Equal(5ul, _f.Witness.State.GetCosigned(_f.Xiangtan.Origin)!.Size);
        Assert.Empty(_f.Witness.ListEquivocations());
        Assert.False(_f.Witness.State.IsQuarantined(_f.Xiangtan.Origin));
        Assert.Contains(_f.Log.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("does not verify", StringComparison.Ordinal));
        Assert.False(_f.Witness.AddCheckpoint(5, proof, note).IsConflict);
    }

    [Fact]
    public void Old_size_zero_with_a_proof_is_a_failed_precondition()
    {
        var tree = TestCity.Tree(5);
        var ex = Refused(WitnessFailure.Inconsistent, StatusCode.FailedPrecondition,
            () => _f.Witness.AddCheckpoint(0, [tree.RootAt(3).ToArray()], _f.Xiangtan.Note(tree, 5)));
        Assert.Contains("size 0", ex.Message, StringComparison.Ordinal);
        Assert.Null(_f.Witness.State.GetCosigned(_f.Xiangtan.Origin));
    }

    [Fact]
    public void The_last_cosigned_checkpoint_survives_a_restart()
    {
        var tree = TestCity.Tree(20);
        _f.Witness.AddCheckpoint(0, [], _f.Zhuzhou.Note(tree, 6));
        _f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(tree, 3));

        var reopened = _f.Reopen();

        Assert.Equal(6ul, reopened.State.GetCosigned(_f.Zhuzhou.Origin)!.Size);
        Assert.Equal(3ul, reopened.State.GetCosigned(_f.Xiangtan.Origin)!.Size);
        Assert.Equal(2, reopened.State.ListCosigned().Count);
        var conflict = reopened.AddCheckpoint(0, [], _f.Zhuzhou.Note(tree, 10));
        Assert.True(conflict.IsConflict);
        Assert.Equal(6ul, conflict.KnownSize);
        Assert.False(reopened.AddCheckpoint(6, Proofs.Consistency(tree, 6, 10), _f.Zhuzhou.Note(tree, 10)).IsConflict);
    }

    [Fact]
    public void Concurrent_offers_from_one_size_cosign_exactly_one_and_never_roll_back()
    {
        var tree = TestCity.Tree(40);
        _f.Witness.AddCheckpoint(0, [], _f.Xiangtan.Note(tree, 2));
        var sizes = Enumerable.Range(3, 30).Select(s => (ulong)s).ToArray();
        var notes = sizes.Select(s => (Size: s, Note: _f.Xiangtan.Note(tree, s), Proof: Proofs.Consistency(tree, 2, s))).ToArray();

        var results = new WitnessResult[notes.Length];
        Parallel.For(0, notes.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            i => results[i] = _f.Witness.AddCheckpoint(2, notes[i].Proof, notes[i].Note));

        var cosigned = Assert.Single(results, r => !r.IsConflict);
        Assert.Equal(cosigned.KnownSize, _f.Witness.State.GetCosigned(_f.Xiangtan.Origin)!.Size);
        Assert.All(results.Where(r => r.IsConflict), r => Assert.Equal(cosigned.KnownSize, r.KnownSize));
    }
}
