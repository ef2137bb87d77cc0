using System.Collections.Concurrent;
using Huren.Node.Checkpoints;
using Huren.Node.Logs;
using Huren.Node.Network;
using Huren.Node.Storage;
using Huren.Node.Tests.Witness;
using Huren.Schemas.Services;
using Huren.Sdk.Merkle;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Huren.Node.Tests.Checkpoints;

/// <summary>
/// Changsha's cosignature collector against scripted witnesses (a test double of the peer calls): Xiangtan answers a
/// valid cosignature; Zhuzhou answers garbage, throws, forges a cosignature, answers in another witness's name, and only
/// then a valid one. Bad answers are never kept, never end the collector's loop, are counted with their reason and are
/// asked again only after a back-off on the collector's clock.
/// </summary>
public sealed class CosignatureCollectorTests : IAsyncLifetime
{
    private readonly TestCity _changsha = new("430100", withSm2: false);
    private readonly TestCity _zhuzhou = new("430200", withSm2: false);
    private readonly TestCity _xiangtan = new("430300", withSm2: false);
    private readonly TestClock _clock = new(WitnessFixture.Start);
    private readonly ScriptedWitnesses _witnesses = new();
    private readonly BackgroundFaults _faults;
    private readonly List<string> _counted = [];
    private readonly MerkleLog _log;
    private readonly LogEvents _events = new(NullLogger<LogEvents>.Instance);
    private readonly CosignatureCollector _collector;
    private readonly TrustedNetwork _network;
    private readonly NetworkView _view;

    public CosignatureCollectorTests()
    {
        _faults = new BackgroundFaults(s => { lock (_counted) _counted.Add(s); }, threshold: 3);
        _view = new NetworkView(new NetworkConfig
        {
            NetworkId = WitnessFixture.NetworkId,
            Name = "长株潭",
            WitnessThreshold = 2,
            Members = [_changsha.Member(), _zhuzhou.Member(), _xiangtan.Member()],
        });
        _network = _view.Current!;
        _log = new MerkleLog(new LogStore(new MemoryStore(), _changsha.Origin));
        _log.Store.PutCheckpoint(0, _changsha.Signer.Sign(0, MerkleHash.EmptyRoot.AsSpan()).ToUtf8());
        _collector = new CosignatureCollector(_view, _witnesses, _log, _events, _faults, _clock, NullLogger<CosignatureCollector>.Instance);
        _witnesses.Answer(_xiangtan.Origin, r => Valid(_xiangtan, r));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _collector.StopAsync(CancellationToken.None);
        _collector.Dispose();
        await _events.DisposeAsync();
    }

    /// <summary>The cosignature line <paramref name="city"/>'s witness key makes for the offered note.</summary>
    private AddCheckpointResponse Valid(TestCity city, AddCheckpointRequest request) => new()
    {
        Cosignature = CosignatureSigner.Cosign(SignedNote.Parse(request.Note), NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(city.Origin), city.WitnessKey), _clock.Now)
            .Signatures[^1].ToString(),
    };

    private SignedNote Stored() => SignedNote.Parse(_log.Store.GetLatestCheckpoint()!.Value.Note);

    private bool Cosigned(TestCity city) => Stored().Signatures.Any(s => s.Name == CosignatureSigner.WitnessNameFor(city.Origin));

    /// <summary>Wakes the collector (the fixture's unless <paramref name="collector"/>) until <paramref name="condition"/> holds (30 s deadline).</summary>
    private async Task UntilAsync(Func<bool> condition, string what, CosignatureCollector? collector = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"not within 30 s: {what}");
            (collector ?? _collector).Wake();
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Zhuzhou was asked <paramref name="n"/> times and the n-th bad answer is counted. The call is counted when it
    /// starts and the failure when the answer has been judged, so waiting on the calls alone races the reason.
    /// </summary>
    private bool ZhuzhouAskedAndCounted(int n) =>
        _witnesses.Calls(_zhuzhou.Origin) == n && _faults.Of(CosignatureCollector.Service, _zhuzhou.Origin).Failures == n;

    /// <summary>Runs one more collection round to its end.</summary>
    private async Task RoundAsync()
    {
        var round = _collector.NextRoundAsync();
        _collector.Wake();
        await round.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Bad_answers_are_dropped_counted_and_asked_again_after_a_backoff_until_a_valid_one_is_kept()
    {
        _witnesses.Answer(_zhuzhou.Origin, _ => new AddCheckpointResponse { Cosignature = "— this is not a signature line" });
        await _collector.StartAsync(CancellationToken.None);
        _collector.Wake();
        await UntilAsync(() => Cosigned(_xiangtan) && ZhuzhouAskedAndCounted(1), "Xiangtan's cosignature kept and Zhuzhou asked once");
        Assert.False(Cosigned(_zhuzhou));
        Assert.True(_network.ByOrigin(_changsha.Origin)!.CheckpointVerifier.Verify(Stored().ToString()).IsValid);
        var (failures, reason) = _faults.Of(CosignatureCollector.Service, _zhuzhou.Origin);
        Assert.Equal(1, failures);
        Assert.StartsWith("the answer is not a signature line", reason, StringComparison.Ordinal);

        // While the back-off runs (the collector's clock stands still) Zhuzhou is not asked again, rounds go on.
        await RoundAsync();
        await RoundAsync();
        Assert.Equal(1, _witnesses.Calls(_zhuzhou.Origin));

        // A peer call that throws: counted, the loop lives on.
        _witnesses.Answer(_zhuzhou.Origin, _ => throw new InvalidOperationException("the peer's answer could not be read"));
        _clock.Now += TimeSpan.FromSeconds(1.5);
        await UntilAsync(() => ZhuzhouAskedAndCounted(2), "Zhuzhou asked a second time after 1 s");
        Assert.Contains("the peer's answer could not be read", _faults.Of(CosignatureCollector.Service, _zhuzhou.Origin).Reason, StringComparison.Ordinal);
        Assert.False(_collector.ExecuteTask!.IsCompleted);

        // Zhuzhou's own line with one signature byte flipped: it does not verify. Back-off 2 s now.
        _witnesses.Answer(_zhuzhou.Origin, r => Flipped(Valid(_zhuzhou, r)));
        _clock.Now += TimeSpan.FromSeconds(1.5);
        await RoundAsync();
        Assert.Equal(2, _witnesses.Calls(_zhuzhou.Origin));
        _clock.Now += TimeSpan.FromSeconds(1);
        await UntilAsync(() => ZhuzhouAskedAndCounted(3), "Zhuzhou asked a third time after 2 s");
        Assert.StartsWith("its cosignature does not verify", _faults.Of(CosignatureCollector.Service, _zhuzhou.Origin).Reason, StringComparison.Ordinal);
        Assert.False(Cosigned(_zhuzhou));
        // Three failures in a row show in health (degraded, still serving).
        Assert.Contains($"cosign {_zhuzhou.Origin}: 3 failures in a row", _faults.Degraded(), StringComparison.Ordinal);

        // A cosignature in Zhuzhou's name by another key (a forger's): verifiers would ignore it; not kept.
        var forger = new TestCity("430200", withSm2: false);
        _witnesses.Answer(_zhuzhou.Origin, r => Valid(forger, r));
        _clock.Now += TimeSpan.FromSeconds(4.5);
        await UntilAsync(() => ZhuzhouAskedAndCounted(4), "Zhuzhou asked a fourth time after 4 s");
        Assert.StartsWith("its cosignature is not by the witness key the configuration gives", _faults.Of(CosignatureCollector.Service, _zhuzhou.Origin).Reason, StringComparison.Ordinal);
        Assert.False(Cosigned(_zhuzhou));

        // Xiangtan's valid line, answered by Zhuzhou: not in Zhuzhou's name.
        _witnesses.Answer(_zhuzhou.Origin, r => Valid(_xiangtan, r));
        _clock.Now += TimeSpan.FromSeconds(8.5);
        await UntilAsync(() => ZhuzhouAskedAndCounted(5), "Zhuzhou asked a fifth time after 8 s");
        Assert.Contains($"not as this witness '{CosignatureSigner.WitnessNameFor(_zhuzhou.Origin)}'", _faults.Of(CosignatureCollector.Service, _zhuzhou.Origin).Reason, StringComparison.Ordinal);

        // Then a valid one: kept, the checkpoint final (threshold 2), the run of failures over.
        _witnesses.Answer(_zhuzhou.Origin, r => Valid(_zhuzhou, r));
        _clock.Now += TimeSpan.FromSeconds(16.5);
        await UntilAsync(() => Cosigned(_zhuzhou), "Zhuzhou's valid cosignature kept");
        var verification = _network.ByOrigin(_changsha.Origin)!.CheckpointVerifier.Verify(Stored().ToString());
        Assert.True(verification.IsValid, verification.Failure);
        Assert.True(_network.Finality(verification).IsFinal);
        Assert.Equal((0, ""), _faults.Of(CosignatureCollector.Service, _zhuzhou.Origin));
        Assert.Null(_faults.Degraded());
        lock (_counted) Assert.Equal(5, _counted.Count(s => s == CosignatureCollector.Service));
        Assert.Equal(6, _witnesses.Calls(_zhuzhou.Origin));
        Assert.Equal(1, _witnesses.Calls(_xiangtan.Origin));
        Assert.False(_collector.ExecuteTask!.IsCompleted);
    }

    [Fact]
    public async Task A_checkpoint_stored_before_the_tree_takes_its_batch_is_not_offered_and_puts_no_witness_on_backoff()
    {
        _witnesses.Answer(_zhuzhou.Origin, r => Valid(_zhuzhou, r));
        await _collector.StartAsync(CancellationToken.None);
        await UntilAsync(() => Cosigned(_xiangtan) && Cosigned(_zhuzhou), "size 0 cosigned by both");

        // As the node's appender does: the batch and its checkpoint written in one store write, the tree told afterwards.
        var staging = _log.BeginStaging(new LogCommit());
        var leaf = "a leaf"u8.ToArray();
        staging.Append(leaf, MerkleHash.LeafHash(leaf).ToArray(), "record-1");
        using (var batch = _log.Store.Store.CreateBatch())
        {
            _log.Stage(staging, batch);
            _log.Store.PutCheckpoint(batch, 1, _changsha.Signer.Sign(1, staging.Root()).ToUtf8());
            _log.Store.Store.Write(batch);
        }
        Assert.Equal(0UL, _log.Size);
        await RoundAsync();
        await RoundAsync();
        Assert.Equal(1, _witnesses.Calls(_zhuzhou.Origin));
        Assert.Equal(1, _witnesses.Calls(_xiangtan.Origin));
        Assert.Equal((0, ""), _faults.Of(CosignatureCollector.Service, _zhuzhou.Origin));
        Assert.Equal((0, ""), _faults.Of(CosignatureCollector.Service, _xiangtan.Origin));

        // The tree has the batch: the next round (the clock unchanged, so no back-off could have run out) offers size 1.
        _log.Committed(staging);
        await UntilAsync(() => Cosigned(_xiangtan) && Cosigned(_zhuzhou), "size 1 cosigned by both");
        Assert.StartsWith($"{_changsha.Origin}\n1\n", Stored().Text, StringComparison.Ordinal);
        Assert.Equal(2, _witnesses.Calls(_zhuzhou.Origin));
        lock (_counted) Assert.DoesNotContain(CosignatureCollector.Service, _counted);
    }

    [Fact]
    public async Task A_witness_whose_answer_waits_does_not_hold_back_the_next_checkpoints_from_another()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _witnesses.AnswerAfter(_zhuzhou.Origin, gate.Task, r => Valid(_zhuzhou, r));
        await _collector.StartAsync(CancellationToken.None);
        await UntilAsync(() => Cosigned(_xiangtan), "size 0 cosigned by Xiangtan");
        for (var size = 1; size <= 3; size++)
        {
            AppendWithCheckpoint((ulong)size);
            // Xiangtan cosigns each new checkpoint while Zhuzhou's answer to the first offer has still not come.
            await UntilAsync(() => Cosigned(_xiangtan) && Stored().Text.StartsWith($"{_changsha.Origin}\n{size}\n", StringComparison.Ordinal), $"size {size} cosigned by Xiangtan");
        }
        Assert.Equal(1, _witnesses.Calls(_zhuzhou.Origin));
        Assert.False(Cosigned(_zhuzhou));

        // Zhuzhou answers: its line joins size 0's note beside Xiangtan's, and it is offered the latest checkpoint.
        gate.SetResult();
        await UntilAsync(() => Cosigned(_zhuzhou), "size 3 cosigned by Zhuzhou");
        var first = SignedNote.Parse(_log.Store.GetCheckpoint(0)!);
        Assert.Contains(first.Signatures, s => s.Name == CosignatureSigner.WitnessNameFor(_zhuzhou.Origin));
        Assert.Contains(first.Signatures, s => s.Name == CosignatureSigner.WitnessNameFor(_xiangtan.Origin));
        Assert.True(_network.ByOrigin(_changsha.Origin)!.CheckpointVerifier.Verify(first.ToString()).IsValid);
        Assert.Equal(2, _witnesses.Calls(_zhuzhou.Origin));
        lock (_counted) Assert.DoesNotContain(CosignatureCollector.Service, _counted);
    }

    [Fact]
    public async Task The_checkpoint_writer_learns_a_checkpoint_is_final_when_the_threshold_of_verified_lines_is_stored()
    {
        // Threshold 2: Xiangtan's line alone does not make size 1 final; a forged line in Zhuzhou's name is not stored
        // and does not count; Zhuzhou's own line does.
        var writer = PacedWriter();
        using var collector = new CosignatureCollector(_view, _witnesses, _log, _events, _faults, _clock, NullLogger<CosignatureCollector>.Instance, writer);
        var forger = new TestCity("430200", withSm2: false);
        _witnesses.Answer(_zhuzhou.Origin, r => Valid(forger, r));
        AppendWithCheckpoint(1);
        var finalisation = writer.Finalisation;
        await collector.StartAsync(CancellationToken.None);
        try
        {
            await UntilAsync(() => Cosigned(_xiangtan) && ZhuzhouAskedAndCounted(1), "size 1 cosigned by Xiangtan, Zhuzhou's forgery refused", collector);
            Assert.False(finalisation.IsCompleted);

            _witnesses.Answer(_zhuzhou.Origin, r => Valid(_zhuzhou, r));
            _clock.Now += TimeSpan.FromSeconds(1.5);
            await UntilAsync(() => Cosigned(_zhuzhou), "size 1 cosigned by Zhuzhou after its back-off", collector);
            await finalisation.WaitAsync(TimeSpan.FromSeconds(30));
            // Size 1 is what the writer was told: telling it again moves nothing.
            var next = writer.Finalisation;
            writer.Finalised(1);
            Assert.False(next.IsCompleted);
        }
        finally
        {
            await collector.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_note_already_final_when_the_collector_starts_is_told_to_the_writer_without_asking_anyone()
    {
        // As after a restart: the stored note of size 1 already holds both cosignatures, so no answer will come to tell the writer by.
        var writer = PacedWriter();
        using var collector = new CosignatureCollector(_view, _witnesses, _log, _events, _faults, _clock, NullLogger<CosignatureCollector>.Instance, writer);
        AppendWithCheckpoint(1);
        var note = SignedNote.Parse(_log.Store.GetCheckpoint(1)!);
        foreach (var city in new[] { _xiangtan, _zhuzhou })
        {
            note = CosignatureSigner.Cosign(note, NoteSignerKey.ForCosigner(CosignatureSigner.WitnessNameFor(city.Origin), city.WitnessKey), _clock.Now);
        }
        _log.Store.PutCheckpoint(1, note.ToUtf8());
        var finalisation = writer.Finalisation;
        await collector.StartAsync(CancellationToken.None);
        try
        {
            collector.Wake();
            await finalisation.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(0, _witnesses.Calls(_zhuzhou.Origin));
            Assert.Equal(0, _witnesses.Calls(_xiangtan.Origin));
        }
        finally
        {
            await collector.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>A checkpoint writer of the log that paces by finality, for the collector to tell.</summary>
    private CheckpointWriter PacedWriter()
        => new(_log, (size, root, _) => _changsha.Signer.Sign(size, root).ToUtf8(), TimeSpan.FromMilliseconds(10), _clock, null,
            TimeSpan.FromMilliseconds(50), () => _view.Current!.WitnessThreshold);

    /// <summary>Appends one leaf with its batch checkpoint, as the node's appender does.</summary>
    private void AppendWithCheckpoint(ulong size)
    {
        var staging = _log.BeginStaging(new LogCommit());
        var leaf = System.Text.Encoding.UTF8.GetBytes($"leaf {size}");
        staging.Append(leaf, MerkleHash.LeafHash(leaf).ToArray(), $"record-{size}");
        using (var batch = _log.Store.Store.CreateBatch())
        {
            _log.Stage(staging, batch);
            _log.Store.PutCheckpoint(batch, size, _changsha.Signer.Sign(size, staging.Root()).ToUtf8());
            _log.Store.Store.Write(batch);
        }
        _log.Committed(staging);
    }

    private static Grpc.Core.RpcException Refusal(ulong size) => new(new Grpc.Core.Status(Grpc.Core.StatusCode.FailedPrecondition,
        $"this witness cannot vouch for the status map at size {size} yet: its mirror of huren.cz-t/430100 has not integrated {size} entries yet (waited 3 s)"));

    [Fact]
    public async Task A_witness_that_refused_a_size_the_log_has_passed_is_offered_the_later_checkpoint_at_once_but_only_once_in_a_row()
    {
        // Zhuzhou refuses size 0; by the time its answer is taken, the log has a checkpoint at size 1.
        _witnesses.Answer(_zhuzhou.Origin, r =>
        {
            var size = SignedNote.Parse(r.Note).Text.Split('\n')[1];
            if (size == "0")
            {
                AppendWithCheckpoint(1);
                throw Refusal(0);
            }
            return Valid(_zhuzhou, r);
        });
        await _collector.StartAsync(CancellationToken.None);
        _collector.Wake();
        // Offered size 1 with the collector's clock standing still: no back-off ran.
        await UntilAsync(() => Cosigned(_zhuzhou) && Stored().Text.StartsWith($"{_changsha.Origin}\n1\n", StringComparison.Ordinal), "size 1 cosigned by Zhuzhou");
        Assert.Equal(2, _witnesses.Calls(_zhuzhou.Origin));
        Assert.Equal((0, ""), _faults.Of(CosignatureCollector.Service, _zhuzhou.Origin));

        // Refusals in a row: the first is asked again at once (a later checkpoint exists again), the second waits out 1 s.
        _witnesses.Answer(_zhuzhou.Origin, r =>
        {
            var size = ulong.Parse(SignedNote.Parse(r.Note).Text.Split('\n')[1], System.Globalization.CultureInfo.InvariantCulture);
            AppendWithCheckpoint(size + 1);
            throw Refusal(size);
        });
        AppendWithCheckpoint(2);
        await UntilAsync(() => _witnesses.Calls(_zhuzhou.Origin) == 4 && _faults.Of(CosignatureCollector.Service, _zhuzhou.Origin).Failures == 2, "Zhuzhou refused sizes 2 and 3");
        await RoundAsync();
        await RoundAsync();
        Assert.Equal(4, _witnesses.Calls(_zhuzhou.Origin));
        Assert.Equal(2, _faults.Of(CosignatureCollector.Service, _zhuzhou.Origin).Failures);
        _witnesses.Answer(_zhuzhou.Origin, r => Valid(_zhuzhou, r));
        _clock.Now += TimeSpan.FromSeconds(1.5);
        await UntilAsync(() => Cosigned(_zhuzhou) && Stored().Text.StartsWith($"{_changsha.Origin}\n4\n", StringComparison.Ordinal), "size 4 cosigned by Zhuzhou after the back-off");
        Assert.Equal(5, _witnesses.Calls(_zhuzhou.Origin));
    }

    [Fact]
    public async Task An_unreachable_witness_waits_out_its_backoff_though_the_log_has_a_later_checkpoint()
    {
        _witnesses.Answer(_zhuzhou.Origin, _ =>
        {
            AppendWithCheckpoint(1);
            throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unavailable, "Error connecting to subchannel."));
        });
        await _collector.StartAsync(CancellationToken.None);
        _collector.Wake();
        await UntilAsync(() => ZhuzhouAskedAndCounted(1), "Zhuzhou asked once");
        await UntilAsync(() => Cosigned(_xiangtan) && Stored().Text.StartsWith($"{_changsha.Origin}\n1\n", StringComparison.Ordinal), "size 1 cosigned by Xiangtan");
        await RoundAsync();
        await RoundAsync();
        Assert.Equal(1, _witnesses.Calls(_zhuzhou.Origin));
        _witnesses.Answer(_zhuzhou.Origin, r => Valid(_zhuzhou, r));
        _clock.Now += TimeSpan.FromSeconds(1.5);
        await UntilAsync(() => Cosigned(_zhuzhou), "Zhuzhou asked again after 1 s");
    }

    [Fact]
    public async Task A_witness_is_asked_again_when_its_backoff_ends_with_nothing_else_happening()
    {
        // The collector's clock fires its timers only when the test moves it: no wake, answer or tick starts the round
        // that asks Zhuzhou again, only the end of its back-off. (Before, such a witness was asked at the next event or
        // at the collector's 2 s tick, up to 2 s late on a quiet log.)
        var clock = new WatchedClock(new FakeTimeProvider(WitnessFixture.Start));
        using var collector = new CosignatureCollector(_view, _witnesses, _log, _events, _faults, clock, NullLogger<CosignatureCollector>.Instance);
        _witnesses.Answer(_zhuzhou.Origin, _ => throw new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Unavailable, "Error connecting to subchannel.")));
        await collector.StartAsync(CancellationToken.None);
        try
        {
            collector.Wake();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!(Cosigned(_xiangtan) && ZhuzhouAskedAndCounted(1) && clock.Timers.Contains(TimeSpan.FromSeconds(1))))
            {
                Assert.True(DateTime.UtcNow < deadline, "Zhuzhou's failure counted and its 1 s back-off timed within 30 s");
                await Task.Delay(20);
            }
            _witnesses.Answer(_zhuzhou.Origin, r => Valid(_zhuzhou, r));
            clock.Fake.Advance(TimeSpan.FromSeconds(1));
            while (!Cosigned(_zhuzhou))
            {
                Assert.True(DateTime.UtcNow < deadline, "Zhuzhou asked again when its back-off ended");
                await Task.Delay(20);
            }
            Assert.Equal(2, _witnesses.Calls(_zhuzhou.Origin));
        }
        finally
        {
            await collector.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>A fake clock that lists the due times of the timers made on it.</summary>
    private sealed class WatchedClock(FakeTimeProvider fake) : TimeProvider
    {
        private readonly ConcurrentQueue<TimeSpan> _timers = new();

        public FakeTimeProvider Fake => fake;

        public IReadOnlyCollection<TimeSpan> Timers => _timers;

        public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

        public override long GetTimestamp() => fake.GetTimestamp();

        public override long TimestampFrequency => fake.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _timers.Enqueue(dueTime);
            return fake.CreateTimer(callback, state, dueTime, period);
        }
    }

    /// <summary>The answer with the last byte of its signature flipped.</summary>
    private static AddCheckpointResponse Flipped(AddCheckpointResponse answer)
    {
        var line = answer.Cosignature;
        var space = line.LastIndexOf(' ');
        var signature = Convert.FromBase64String(line[(space + 1)..]);
        signature[^1] ^= 1;
        return new AddCheckpointResponse { Cosignature = line[..(space + 1)] + Convert.ToBase64String(signature) };
    }

    /// <summary>Answers each witness's calls with the function set for it, counting the calls.</summary>
    private sealed class ScriptedWitnesses : IWitnessCalls
    {
        private readonly Dictionary<string, Func<AddCheckpointRequest, CancellationToken, ValueTask<AddCheckpointResponse>>> _answers = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _calls = new(StringComparer.Ordinal);

        public void Answer(string origin, Func<AddCheckpointRequest, AddCheckpointResponse> answer)
        {
            lock (_answers) _answers[origin] = (r, _) => ValueTask.FromResult(answer(r));
        }

        /// <summary>Answers only once <paramref name="gate"/> completes, as a witness waiting for its mirror does.</summary>
        public void AnswerAfter(string origin, Task gate, Func<AddCheckpointRequest, AddCheckpointResponse> answer)
        {
            lock (_answers) _answers[origin] = async (r, cancellationToken) =>
            {
                await gate.WaitAsync(cancellationToken);
                return answer(r);
            };
        }

        public int Calls(string origin)
        {
            lock (_answers) return _calls.GetValueOrDefault(origin);
        }

        public ValueTask<AddCheckpointResponse> AddCheckpointAsync(TrustedMember witness, AddCheckpointRequest request, CancellationToken cancellationToken)
        {
            Func<AddCheckpointRequest, CancellationToken, ValueTask<AddCheckpointResponse>> answer;
            lock (_answers)
            {
                _calls[witness.Origin] = _calls.GetValueOrDefault(witness.Origin) + 1;
                answer = _answers[witness.Origin];
            }
            return answer(request, cancellationToken);
        }
    }
}
