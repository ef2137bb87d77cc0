using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Mirrors;
using Huren.Node.Storage;
using Huren.Node.Tests.Integration;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Sdk.Merkle;
using Huren.Sdk.Notes;
using Huren.Sdk.StatusMap;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Node.Tests.Mirrors;

/// <summary>
/// A mirror of Changsha's log following a lying peer (an in-process gRPC server whose Follow stream is scripted per
/// connection): a checkpoint whose root is not the entries', a checkpoint not signed by the log key, a gap in the
/// indexes, a stream that stops mid-run, a checkpoint claiming more entries than were sent. Nothing unproven is ever
/// stored; the unrecoverable faults stop the mirror with the reason, the others make it follow again.
/// </summary>
public sealed class LogMirrorFaultTests : IAsyncLifetime
{
    private LedgerFixture _source = new();
    private readonly SigningKey _logKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
    // A witness the mirror's configuration knows (its cosignatures are verified lines), and one it does not.
    private readonly NoteSignerKey _witness = NoteSignerKey.ForCosigner("huren.cz-t/430200/witness", SigningKey.Generate(SignatureAlgorithm.Ed25519));
    private readonly NoteSignerKey _strayWitness = NoteSignerKey.ForCosigner("witness.test", SigningKey.Generate(SignatureAlgorithm.Ed25519));
    private readonly ScriptedLedger _peer = new();
    private readonly MemoryStore _store = new();
    private ScriptedGrpcServer? _server;

    public async Task InitializeAsync()
    {
        _source.RegisterIssuer("430100-amr", LedgerBodies.ChangshaAmrCode);
        _source.RegisterIssuer("430100-data", LedgerBodies.ChangshaDataOfficeCode);
        _source.RegisterIssuer("430100-health", LedgerBodies.ChangshaHealthCode);
        _server = await ScriptedGrpcServer.StartAsync(_peer);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    private string Origin => _source.Origin;

    private byte[] Leaf(ulong index) => _source.Store.GetLeaf(index)!;

    private FollowMessage Entry(ulong index) => new() { Entry = new LogEntry { Origin = Origin, Index = index, Leaf = Leaf(index) } };

    private FollowMessage Checkpoint(ulong size, byte[]? root = null, SigningKey? key = null, Hash256? mapRoot = null)
    {
        if (root is null)
        {
            var tree = new MemoryMerkleTree();
            for (ulong i = 0; i < size; i++) tree.Append(Leaf(i));
            root = tree.Root().AsSpan().ToArray();
        }
        var note = new CheckpointSigner(Origin, key ?? _logKey, null)
            .Sign(size, root, mapRoot is { } map ? [StatusMapLine.Format(map)] : null).ToString();
        return new FollowMessage { Checkpoint = new CheckpointResponse { Origin = Origin, Size = size, Note = note } };
    }

    private (LogMirror Mirror, MerkleLog Log) Mirror(ILogger? logger = null, long? maxUncoveredBytes = null, LogDirectory? otherLogs = null, LogEvents? events = null)
    {
        var log = new MerkleLog(new LogStore(_store, Origin));
        var state = new LogStateMachine(Origin, [_source.RootKey.PublicKey], _source.RootId, log.Store, otherLogs is null ? null : otherLogs.ReferenceExists, TimeProvider.System)
        {
            MaxClockSkew = null, KeptLogs = otherLogs is null ? null : otherLogs.Find,
        };
        var mirror = new LogMirror(log, state, new CheckpointVerifier(NoteVerifierKey.ForEd25519(Origin, _logKey.PublicKey), witnessKeys: [_witness.VerifierKey]),
            () => new HurenClient(_server!.Endpoint, null, TimeSpan.FromSeconds(10)), LogMirror.EvidenceSpace(_store, Origin), events, new AppendHealth(), logger ?? NullLogger.Instance)
        {
            MaxUncoveredBytes = maxUncoveredBytes ?? 256L << 20,
        };
        return (mirror, log);
    }

    /// <summary>Runs the mirror until <paramref name="condition"/> holds, then stops it.</summary>
    private static async Task RunUntilAsync(LogMirror mirror, Func<bool> condition, string what)
    {
        using var stop = new CancellationTokenSource();
        var run = mirror.RunAsync(stop.Token);
        try
        {
            await Eventually.HoldsAsync(() => condition() || run.IsCompleted, what);
            Assert.True(condition(), $"{what}; the mirror ended: {mirror.Fault}");
        }
        finally
        {
            await stop.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    [Fact]
    public async Task A_checkpoint_whose_root_is_not_the_entries_stops_the_mirror_stores_nothing_and_keeps_the_note_as_evidence()
    {
        _peer.Script(Entry(0), Entry(1), Checkpoint(2, root: new byte[32]));
        var (mirror, log) = Mirror();
        await RunUntilAsync(mirror, () => mirror.Fault is not null, "the mirror stops");
        Assert.Contains("recomputed from its entries differs from its signed checkpoint", mirror.Fault, StringComparison.Ordinal);
        Assert.Equal(0UL, log.Size);
        Assert.Single(LogMirror.EvidenceSpace(_store, Origin).Scan(ReadOnlySpan<byte>.Empty));

        // Proof of a false origin, not a refusal a later configuration version could lift: run again, it follows no more.
        Assert.False(mirror.FaultIsRefusal);
        await mirror.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _peer.Connections);
        Assert.Contains("recomputed from its entries differs from its signed checkpoint", mirror.Fault, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_checkpoint_not_signed_by_the_log_key_stops_the_mirror_and_stores_nothing()
    {
        _peer.Script(Entry(0), Entry(1), Checkpoint(2, key: SigningKey.Generate(SignatureAlgorithm.Ed25519)));
        var (mirror, log) = Mirror();
        await RunUntilAsync(mirror, () => mirror.Fault is not null, "the mirror stops");
        Assert.StartsWith($"checkpoint of {Origin} at size 2 does not verify", mirror.Fault, StringComparison.Ordinal);
        Assert.True(mirror.FaultIsRefusal);
        Assert.Equal(0UL, log.Size);
    }

    [Fact]
    public async Task An_entry_whose_signature_fails_stops_the_mirror_before_its_run_is_stored()
    {
        var forged = Leaf(1);
        forged[^3] ^= 0x01; // inside the signature, the last field of a SignedEntry
        _peer.Script(Entry(0), new FollowMessage { Entry = new LogEntry { Origin = Origin, Index = 1, Leaf = forged } }, Entry(2), Checkpoint(3));
        var (mirror, log) = Mirror();
        await RunUntilAsync(mirror, () => mirror.Fault is not null, "the mirror stops");
        Assert.StartsWith($"entry {Origin}#1 fails its checks", mirror.Fault, StringComparison.Ordinal);
        Assert.Equal(0UL, log.Size);

        // A refusal is checked again when the mirror runs again (as after a new configuration version), and one that
        // still holds stops it again, the same way.
        Assert.True(mirror.FaultIsRefusal);
        var refused = mirror.Fault;
        await mirror.RunAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, _peer.Connections);
        Assert.Equal(refused, mirror.Fault);
        Assert.Equal(0UL, log.Size);
    }

    [Fact]
    public async Task Entries_signed_with_a_key_registered_by_the_run_before_are_stored_though_checked_while_that_run_is_written()
    {
        // Issue 17's pipeline checks the next run's entries in the background while a run is written: entries by an
        // issuer registered in that run are first checked before the registration is durable, and must pass on their
        // second check rather than stop the mirror. 2 x 300 licenses make more than one background chunk each.
        var issuer = _source.RegisterIssuer("430100-pipeline", LedgerBodies.Uscc("11430100HUREN0109"));
        var script = new List<FollowMessage>();
        for (ulong i = 0; i < _source.Size; i++) script.Add(Entry(i));
        script.Add(Checkpoint(_source.Size));
        for (var run = 0; run < 2; run++)
        {
            var from = _source.Size;
            for (var n = 0; n < 300; n++)
            {
                var body = LedgerBodies.BusinessLicense(issuer.AuthorityCode, $"P{run}{n:D5}");
                _source.Admit(issuer, EntryKinds.LicenseIssue, body.LicenseId, body);
            }
            for (var i = from; i < _source.Size; i++) script.Add(Entry(i));
            script.Add(Checkpoint(_source.Size));
        }
        _peer.Script([.. script]);
        var (mirror, log) = Mirror();
        var size = _source.Size;
        await RunUntilAsync(mirror, () => log.Size == size, "the mirror stores every run");
        Assert.Null(mirror.Fault);
        Assert.Equal(_source.Log.RootAt(size), log.RootAt(size));
    }

    /// <summary>
    /// One run (one checkpoint) holding a new issuer's registration and entries signed with the key it registers: the
    /// origin admitted them in one batch, so its mirror must too, whatever batches the origin made its checkpoints at.
    /// <paramref name="fault"/>: none (stored); one of those entries with a flipped signature byte, or an entry by a
    /// key no entry registers (the mirror stops and stores nothing of the run).
    /// </summary>
    [Theory]
    [InlineData("none")]
    [InlineData("a forged signature under the key the run registers")]
    [InlineData("a signer no entry registers")]
    public async Task A_run_may_hold_a_registration_and_entries_signed_with_the_key_it_registers(string fault)
    {
        var issuer = _source.RegisterIssuer("430100-samerun", LedgerBodies.Uscc("11430100HUREN0110"));
        for (var n = 0; n < 5; n++)
        {
            var body = LedgerBodies.BusinessLicense(issuer.AuthorityCode, $"S{n:D5}");
            _source.Admit(issuer, EntryKinds.LicenseIssue, body.LicenseId, body);
        }
        var leaves = new List<byte[]>();
        for (ulong i = 0; i < _source.Size; i++) leaves.Add((byte[])Leaf(i).Clone());
        if (fault.StartsWith("a forged", StringComparison.Ordinal)) leaves[^1][^3] ^= 0x01; // inside the signature, the last field
        if (fault.StartsWith("a signer", StringComparison.Ordinal))
        {
            var body = LedgerBodies.BusinessLicense(issuer.AuthorityCode, "S99999");
            leaves.Add(EntrySigner.SignToLeaf(_source.Entry(EntryKinds.LicenseIssue, body.LicenseId, issuer.Id, body), SigningKey.Generate(SignatureAlgorithm.Ed25519)));
        }
        var script = new List<FollowMessage>();
        for (var i = 0; i < leaves.Count; i++) script.Add(new FollowMessage { Entry = new LogEntry { Origin = Origin, Index = (ulong)i, Leaf = leaves[i] } });
        var tree = new MemoryMerkleTree();
        foreach (var leaf in leaves) tree.Append(leaf);
        var note = new CheckpointSigner(Origin, _logKey, null).Sign((ulong)leaves.Count, tree.Root().AsSpan().ToArray()).ToString();
        script.Add(new FollowMessage { Checkpoint = new CheckpointResponse { Origin = Origin, Size = (ulong)leaves.Count, Note = note } });
        _peer.Script([.. script]);

        var (mirror, log) = Mirror();
        if (fault == "none")
        {
            await RunUntilAsync(mirror, () => log.Size == (ulong)leaves.Count, "the mirror stores the run");
            Assert.Null(mirror.Fault);
            Assert.Equal(_source.Log.RootAt(_source.Size), log.RootAt(log.Size));
            return;
        }
        await RunUntilAsync(mirror, () => mirror.Fault is not null, "the mirror stops");
        Assert.StartsWith($"{Origin} wrote an entry its own rules refuse", mirror.Fault, StringComparison.Ordinal);
        Assert.True(mirror.FaultIsRefusal);
        Assert.Contains(fault.StartsWith("a forged", StringComparison.Ordinal) ? "signature" : "is unknown to this log", mirror.Fault, StringComparison.Ordinal);
        Assert.Equal(0UL, log.Size);
    }

    [Theory]
    [InlineData("a gap in the indexes")]
    [InlineData("a stream that stops mid-run")]
    [InlineData("a checkpoint beyond the entries sent")]
    [InlineData("a checkpoint 2^31 entries beyond those sent")]
    public async Task A_peer_that_breaks_the_stream_gets_nothing_stored_and_the_mirror_follows_again(string fault)
    {
        FollowMessage[] broken = fault switch
        {
            "a gap in the indexes" => [Entry(0), Entry(2), Checkpoint(2)],
            "a stream that stops mid-run" => [Entry(0), Entry(1)],
            // Signed by the log key: only its size is impossible (as an int count of entries it would be negative).
            "a checkpoint 2^31 entries beyond those sent" => [Entry(0), Entry(1), Checkpoint((1UL << 31) + 2, root: new byte[32])],
            _ => [Entry(0), Entry(1), Checkpoint(3)],
        };
        // The first connection breaks; the next one is sound.
        _peer.Script(broken);
        _peer.Script(Entry(0), Entry(1), Entry(2), Checkpoint(3));
        var (mirror, log) = Mirror();
        await RunUntilAsync(mirror, () => _peer.Connections >= 2 && log.Size == 3, "the mirror follows again and stores the sound run");
        Assert.Null(mirror.Fault);
        Assert.Equal(Checkpoint(3).Checkpoint!.Note, System.Text.Encoding.UTF8.GetString(log.Store.GetCheckpoint(3)!));
    }

    [Fact]
    public async Task A_follow_that_stored_runs_before_it_broke_is_followed_again_after_the_first_backoff()
    {
        // Each connection stores one more run, then fails UNAVAILABLE (as when a run references a third log this
        // node's copy has not reached). Each was a working connection, so none lengthens the wait: before, the back-off
        // doubled at every interruption of a live stream (0.2, 0.4, 0.8 s ... up to 5 s) over the node's life.
        _peer.Script(Entry(0), Checkpoint(1), null);
        _peer.Script(Entry(1), Checkpoint(2), null);
        _peer.Script(Entry(2), Checkpoint(3), null);
        _peer.Script(Entry(0), Entry(1), Entry(2), Checkpoint(3));
        var logger = new Witness.ListLogger<LogMirror>();
        var (mirror, log) = Mirror(logger);
        await RunUntilAsync(mirror, () => _peer.Connections >= 4 && log.Size == 3, "three broken follows, each storing a run, then a sound one");
        string[] retries;
        lock (logger.Lines) retries = [.. logger.Lines.Select(l => l.Message).Where(m => m.Contains("retrying in", StringComparison.Ordinal))];
        Assert.Equal(3, retries.Length);
        Assert.All(retries, m => Assert.EndsWith("retrying in 0.2 s", m, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_passed_checkpoint_sent_again_with_a_cosignature_is_kept_and_an_early_one_is_not()
    {
        // The source holds more entries than are sent here (a checkpoint of size 4 is signed below).
        while (_source.Size < 5) _source.RegisterIssuer($"430100-extra{_source.Size}", LedgerBodies.Uscc($"11430100HUREN01{_source.Size:D2}"));
        var cosigned = CosignatureSigner.Cosign(SignedNote.Parse(Checkpoint(2).Checkpoint!.Note), _witness, DateTimeOffset.UtcNow).ToString();
        FollowMessage Resent(FollowMessage checkpoint) => new() { Cosigned = checkpoint.Checkpoint };
        _peer.Script(Entry(0), Entry(1), Checkpoint(2), Entry(2), Checkpoint(3),
            // One beyond the stored size neither is kept nor starts a run.
            Resent(Checkpoint(4)),
            new FollowMessage { Cosigned = new CheckpointResponse { Origin = Origin, Size = 2, Note = cosigned } });
        var (mirror, log) = Mirror();
        await RunUntilAsync(mirror, () => log.Size == 3 && log.Store.GetCheckpoint(2) is { } kept && System.Text.Encoding.UTF8.GetString(kept) == cosigned,
            "the cosigned note of size 2 kept");
        Assert.Null(mirror.Fault);
        Assert.Equal(3UL, log.Size);
        Assert.Null(log.Store.GetCheckpoint(4));
        Assert.Equal(Checkpoint(3).Checkpoint!.Note, System.Text.Encoding.UTF8.GetString(log.Store.GetLatestCheckpoint()!.Value.Note));
    }

    /// <summary>
    /// A stored run announces its checkpoint with the note, as a note gaining cosignatures later is announced: a note
    /// that came already cosigned is final at once, and the node's final checkpoints learn of it only from this.
    /// </summary>
    [Fact]
    public async Task A_stored_run_announces_its_checkpoint_note()
    {
        var events = new LogEvents(NullLogger<LogEvents>.Instance);
        try
        {
            var seen = new TaskCompletionSource<LogEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            events.Subscribe(e => { if (e.Kind == LogEventKind.Checkpoint) seen.TrySetResult(e); });
            var cosigned = CosignatureSigner.Cosign(SignedNote.Parse(Checkpoint(2).Checkpoint!.Note), _witness, DateTimeOffset.UtcNow).ToString();
            _peer.Script(Entry(0), Entry(1), new FollowMessage { Checkpoint = new CheckpointResponse { Origin = Origin, Size = 2, Note = cosigned } });
            var (mirror, log) = Mirror(events: events);
            await RunUntilAsync(mirror, () => log.Size == 2, "the run of size 2 stored");
            var announced = await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal((Origin, 2UL), (announced.Origin, announced.Size));
            Assert.Equal(cosigned, System.Text.Encoding.UTF8.GetString(announced.Note!));
        }
        finally
        {
            await events.DisposeAsync();
        }
    }

    /// <summary>
    /// Found by the network review: the origin sent its note of a passed size again without the cosignature the mirror
    /// kept (or without its map line), and the mirror replaced what it kept with it, taking finality back on every
    /// mirror. A kept line is never dropped: the same text gains only lines it lacked, other text is not taken, and a
    /// line of an unknown key is not added.
    /// </summary>
    [Fact]
    public async Task A_note_sent_again_without_its_cosignature_or_map_line_does_not_replace_the_kept_one()
    {
        // A fourth entry, stored last: once it is, every message before it was handled.
        _source.RegisterIssuer("430100-last", LedgerBodies.Uscc("11430100HUREN0199"));
        var map = _source.Log.StatusMap.Tree.TryGetRoot(2, out var root) ? root : throw new InvalidOperationException("no map at 2");
        var plain = Checkpoint(2, mapRoot: map);
        var cosigned = CosignatureSigner.Cosign(SignedNote.Parse(plain.Checkpoint!.Note), _witness, DateTimeOffset.UtcNow).ToString();
        var stray = CosignatureSigner.Cosign(SignedNote.Parse(plain.Checkpoint.Note), _strayWitness, DateTimeOffset.UtcNow).ToString();
        _peer.Script(Entry(0), Entry(1), plain, Entry(2), Checkpoint(3),
            new FollowMessage { Cosigned = new CheckpointResponse { Origin = Origin, Size = 2, Note = cosigned } },
            new FollowMessage { Cosigned = plain.Checkpoint },
            new FollowMessage { Cosigned = Checkpoint(2).Checkpoint },
            new FollowMessage { Cosigned = new CheckpointResponse { Origin = Origin, Size = 2, Note = stray } },
            Entry(3), Checkpoint(4));
        var (mirror, log) = Mirror();
        await RunUntilAsync(mirror, () => log.Size == 4, "every message handled");
        Assert.Null(mirror.Fault);
        Assert.Equal(cosigned, System.Text.Encoding.UTF8.GetString(log.Store.GetCheckpoint(2)!));
    }

    /// <summary>
    /// Found by the network review: a note the origin signed for a size the mirror already holds, with another root, was
    /// ignored — the plainest proof of a split view, dropped. It is kept as evidence, the mirror stops, and the fork is
    /// reported (to the node's witness, which quarantines the origin).
    /// </summary>
    [Fact]
    public async Task A_signed_note_of_a_stored_size_with_another_root_is_a_fork_kept_as_evidence()
    {
        var other = Checkpoint(2, root: new byte[32]);
        _peer.Script(Entry(0), Entry(1), Checkpoint(2), Entry(2), Checkpoint(3), new FollowMessage { Cosigned = other.Checkpoint });
        var (mirror, log) = Mirror();
        var reported = new List<(string Origin, string Note, string Reason)>();
        mirror.ForkFound = (origin, note, reason) => reported.Add((origin, note, reason));
        await RunUntilAsync(mirror, () => mirror.Fault is not null, "the mirror stops");
        var reason = $"{Origin} signed size 2 with root {new Hash256(new byte[32])}, but the entries this mirror stored under its signed checkpoints give root {new Hash256(log.RootAt(2))}";
        Assert.Equal(reason, mirror.Fault);
        Assert.False(mirror.FaultIsRefusal);
        Assert.Equal([(Origin, other.Checkpoint!.Note, reason)], reported);
        var evidence = Assert.Single(LogMirror.EvidenceSpace(_store, Origin).Scan(ReadOnlySpan<byte>.Empty));
        Assert.Equal(other.Checkpoint.Note, System.Text.Encoding.UTF8.GetString(evidence.Value));
        Assert.Equal(3UL, log.Size);
    }

    /// <summary>
    /// An origin signs a run the mirror refuses (an entry whose signature fails, a refusal checked again later) and,
    /// when followed again, serves another tree: signed at the refused size, or beyond it. Either is a fork, found by a
    /// new mirror over the same store (the refused run's signed checkpoint is kept there): before the other tree's run at
    /// that size is stored, or as soon as the run beyond it is.
    /// </summary>
    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Another_tree_served_after_a_refused_run_is_a_fork_against_the_refused_runs_signed_checkpoint(int honestSize)
    {
        _source.RegisterIssuer("430100-refused", LedgerBodies.Uscc("11430100HUREN0110"));
        var forged = (byte[])Leaf(1).Clone();
        forged[^3] ^= 0x01; // inside the signature, the last field of a SignedEntry
        var forgedTree = new MemoryMerkleTree();
        forgedTree.Append(Leaf(0));
        forgedTree.Append(forged);
        forgedTree.Append(Leaf(2));
        var forgedRoot = forgedTree.Root().AsSpan().ToArray();
        _peer.Script(Entry(0), new FollowMessage { Entry = new LogEntry { Origin = Origin, Index = 1, Leaf = forged } }, Entry(2), Checkpoint(3, root: forgedRoot));
        var (refusing, _) = Mirror();
        await RunUntilAsync(refusing, () => refusing.Fault is not null, "the first mirror stops");
        Assert.True(refusing.FaultIsRefusal);
        Assert.Single(LogMirror.RefusedSpace(_store, Origin).Scan(ReadOnlySpan<byte>.Empty));

        var script = new List<FollowMessage>();
        for (ulong i = 0; i < (ulong)honestSize; i++) script.Add(Entry(i));
        script.Add(Checkpoint((ulong)honestSize));
        _peer.Script([.. script]);
        var (mirror, log) = Mirror();
        var reported = new List<(string Origin, string Reason)>();
        mirror.ForkFound = (origin, _, reason) => reported.Add((origin, reason));
        await RunUntilAsync(mirror, () => mirror.Fault is not null, "the mirror stops on the fork");

        var honest = new MemoryMerkleTree();
        for (ulong i = 0; i < 3; i++) honest.Append(Leaf(i));
        var reason = honestSize == 3
            ? $"{Origin} signed size 3 with root {new Hash256(honest.Root().AsSpan().ToArray())}, and before that with root {new Hash256(forgedRoot)} for a run this mirror refused"
            : $"{Origin} signed size 3 with root {new Hash256(forgedRoot)} for a run this mirror refused, but the entries it sent since under its checkpoint of size 4 give root {new Hash256(honest.Root().AsSpan().ToArray())}";
        Assert.Equal(reason, mirror.Fault);
        Assert.False(mirror.FaultIsRefusal);
        Assert.Equal([(Origin, reason)], reported);
        Assert.Single(LogMirror.EvidenceSpace(_store, Origin).Scan(ReadOnlySpan<byte>.Empty));
        // Nothing of the other tree is stored, at the refused size or beyond it.
        Assert.Equal(0UL, log.Size);
    }

    /// <summary>
    /// Refused runs kept from before a restart, at sizes the copy already holds, are settled when the mirror next runs:
    /// one whose signed root is not the stored tree's is a fork, reported once (its note moves to the evidence, so the
    /// next restart does not report it again); one with the stored root, and one whose note no longer verifies (a key
    /// not, or no longer, the origin's), are dropped.
    /// </summary>
    [Fact]
    public async Task Refused_runs_kept_before_a_restart_are_settled_against_the_stored_tree_and_a_fork_is_reported_once()
    {
        _source.RegisterIssuer("430100-kept", LedgerBodies.Uscc("11430100HUREN0111"));
        _peer.Script(Entry(0), Entry(1), Entry(2), Entry(3), Checkpoint(4));
        var (first, log) = Mirror();
        await RunUntilAsync(first, () => log.Size == 4, "the mirror stores the log");

        static byte[] Key(ulong size)
        {
            var key = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(key, size);
            return key;
        }
        var refused = LogMirror.RefusedSpace(_store, Origin);
        var forged = Checkpoint(3, root: new byte[32]).Checkpoint!.Note;
        refused.PutNow(Key(1), System.Text.Encoding.UTF8.GetBytes(Checkpoint(1, root: new byte[32], key: SigningKey.Generate(SignatureAlgorithm.Ed25519)).Checkpoint!.Note));
        refused.PutNow(Key(2), System.Text.Encoding.UTF8.GetBytes(Checkpoint(2).Checkpoint!.Note));
        refused.PutNow(Key(3), System.Text.Encoding.UTF8.GetBytes(forged));

        var reported = new List<string>();
        var (restarted, _) = Mirror();
        restarted.ForkFound = (_, _, reason) => reported.Add(reason);
        await RunUntilAsync(restarted, () => restarted.Fault is not null, "the mirror stops on the fork");
        var reason = $"{Origin} signed size 3 with root {new Hash256(new byte[32])} for a run this mirror refused, but the entries it stored under the origin's signed checkpoints give root {new Hash256(log.RootAt(3))}";
        Assert.Equal(reason, restarted.Fault);
        Assert.Equal([reason], reported);
        Assert.Empty(refused.Scan(ReadOnlySpan<byte>.Empty));
        Assert.Equal(forged, System.Text.Encoding.UTF8.GetString(Assert.Single(LogMirror.EvidenceSpace(_store, Origin).Scan(ReadOnlySpan<byte>.Empty)).Value));

        var connections = _peer.Connections;
        var (again, _) = Mirror();
        again.ForkFound = (_, _, reason) => reported.Add(reason);
        await RunUntilAsync(again, () => _peer.Connections > connections, "the mirror follows again");
        Assert.Null(again.Fault);
        Assert.Single(reported);
        Assert.Equal(4UL, log.Size);
    }

    /// <summary>
    /// A cosigned checkpoint sent again at a size inside a run the mirror stored in one batch (that size has no map
    /// version of its own): its status-map root is checked against the root derived from the stored leaves. The origin's
    /// own root is kept with its cosignature; a root the entries do not give stops the mirror as a map fork, with the
    /// note kept as evidence and both roots named.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_resent_checkpoint_inside_a_stored_run_has_its_map_root_derived_and_checked(bool wrongRoot)
    {
        while (_source.Size < 6) _source.RegisterIssuer($"430100-run{_source.Size}", LedgerBodies.Uscc($"11430100HUREN02{_source.Size:D2}"));
        Hash256 MapAt(ulong size) => _source.Log.StatusMap.Tree.TryGetRoot(size, out var root) ? root : throw new InvalidOperationException($"source has no map at {size}");
        Assert.NotEqual(MapAt(3), MapAt(4));
        var claimed = wrongRoot ? MapAt(4) : MapAt(3);
        var cosigned = CosignatureSigner.Cosign(SignedNote.Parse(Checkpoint(3, mapRoot: claimed).Checkpoint!.Note), _witness, DateTimeOffset.UtcNow).ToString();
        _peer.Script(Entry(0), Entry(1), Entry(2), Entry(3), Entry(4), Entry(5), Checkpoint(6, mapRoot: MapAt(6)),
            new FollowMessage { Cosigned = new CheckpointResponse { Origin = Origin, Size = 3, Note = cosigned } });
        var (mirror, log) = Mirror();
        if (!wrongRoot)
        {
            await RunUntilAsync(mirror, () => log.Store.GetCheckpoint(3) is { } kept && System.Text.Encoding.UTF8.GetString(kept) == cosigned,
                "the cosigned note of size 3 kept");
            Assert.Null(mirror.Fault);
            Assert.False(log.StatusMap.Tree.TryGetRoot(3, out _)); // size 3 was inside the run: its root was derived, not stored
            return;
        }
        await RunUntilAsync(mirror, () => mirror.Fault is not null, "the mirror stops");
        Assert.Equal($"status map root of {Origin} at size 3 recomputed from its entries is {MapAt(3)}, its signed checkpoint says {MapAt(4)}", mirror.Fault);
        Assert.False(mirror.FaultIsRefusal);
        Assert.Null(log.Store.GetCheckpoint(3));
        Assert.Equal(6UL, log.Size);
        Assert.Single(LogMirror.EvidenceSpace(_store, Origin).Scan(ReadOnlySpan<byte>.Empty));
    }

    [Fact]
    public async Task A_peer_streaming_entries_no_checkpoint_covers_is_cut_off_at_the_limit_and_followed_again()
    {
        for (var i = 0; i < 6; i++) _source.RegisterIssuer($"430100-dept{i}", LedgerBodies.Uscc($"11430100HUREN011{i}"));
        // The limit: the first three entries (leaf and what is held beside it). Entries up to it, each run covered by a
        // checkpoint, pass on one connection.
        var limit = (long)(Leaf(0).Length + Leaf(1).Length + Leaf(2).Length) + 3 * LogMirror.EntryOverheadBytes;
        _peer.Script(Entry(0), Entry(1), Checkpoint(2), Entry(2), Entry(3), Checkpoint(4), Entry(4), Entry(5), Entry(6), Entry(7), Entry(8));
        _peer.Script(Entry(4), Entry(5), Checkpoint(6));
        var logger = new Witness.ListLogger<LogMirror>();
        var (mirror, log) = Mirror(logger, limit);
        await RunUntilAsync(mirror, () => _peer.Connections >= 2 && log.Size == 6, "the mirror stores the covered runs, is cut off, and follows again");
        Assert.Null(mirror.Fault);
        string[] lines;
        lock (logger.Lines) lines = [.. logger.Lines.Select(l => l.Message)];
        // Cut off once, by the first connection's fifth uncovered entry: nothing of 4.. was stored from it.
        Assert.Single(lines, m => m.Contains("disconnected (DataLoss", StringComparison.Ordinal) && m.Contains("with no checkpoint covering them", StringComparison.Ordinal));
    }

    /// <summary>
    /// Found by the network review: the limit counted leaf bytes only, so a peer streaming empty (or 1-byte) leaves and
    /// never a checkpoint was never cut off while each held entry cost hundreds of bytes. An empty leaf ends the follow
    /// at once, and each entry counts <see cref="LogMirror.EntryOverheadBytes"/> beside its leaf.
    /// </summary>
    [Fact]
    public async Task Empty_or_tiny_leaves_do_not_get_round_the_limit_of_uncovered_entries()
    {
        var empty = new FollowMessage { Entry = new LogEntry { Origin = Origin, Index = 0, Leaf = [] } };
        var tiny = new List<FollowMessage?>();
        for (ulong i = 0; i < 200; i++) tiny.Add(new FollowMessage { Entry = new LogEntry { Origin = Origin, Index = i, Leaf = [1] } });
        _peer.Script(empty);
        _peer.Script([.. tiny]);
        _peer.Script(Entry(0), Entry(1), Checkpoint(2));
        var logger = new Witness.ListLogger<LogMirror>();
        // 100 entries' worth of overhead: the 200 one-byte leaves (200 bytes of leaf) pass it.
        var (mirror, log) = Mirror(logger, 100L * LogMirror.EntryOverheadBytes);
        await RunUntilAsync(mirror, () => _peer.Connections >= 3 && log.Size == 2, "both peers cut off, then the honest run stored");
        Assert.Null(mirror.Fault);
        string[] lines;
        lock (logger.Lines) lines = [.. logger.Lines.Select(l => l.Message)];
        Assert.Single(lines, m => m.Contains("disconnected (DataLoss", StringComparison.Ordinal) && m.Contains($"{Origin}#0 has no leaf bytes", StringComparison.Ordinal));
        Assert.Single(lines, m => m.Contains("disconnected (DataLoss", StringComparison.Ordinal) && m.Contains("with no checkpoint covering them", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_run_referencing_a_third_log_beyond_this_nodes_copy_is_followed_again_once_the_copy_holds_the_entry()
    {
        // Zhuzhou's log holds a share for a Changsha department; Changsha's log (followed here) holds its receipt.
        var zhuzhou = new LedgerFixture(LedgerFixture.Zhuzhou);
        _source = new LedgerFixture(referenceExists: zhuzhou.Holds);
        var provider = zhuzhou.RegisterIssuer("430200-amr", LedgerBodies.ZhuzhouAmrCode);
        var consumerCode = LedgerBodies.Uscc("11430100HUREN0300");
        var share = zhuzhou.Admit(provider, EntryKinds.Share, "share-9", LedgerBodies.Share("share-9", LedgerBodies.ZhuzhouAmrCode, consumerCode, Origin));
        var consumer = _source.RegisterIssuer("430100-recv", consumerCode);
        var receipt = _source.Admit(consumer, EntryKinds.Receipt, "share-9", LedgerBodies.Receipt("share-9", LedgerFixture.Zhuzhou, consumerCode), share.Ref("share"));
        var size = receipt.Index + 1;

        // This node's copy of Zhuzhou's log holds everything before the share.
        var copy = new MerkleLog(new LogStore(new MemoryStore(), LedgerFixture.Zhuzhou));
        void CopyUpTo(ulong end)
        {
            var staging = copy.BeginStaging(new LogCommit());
            for (var i = copy.Size; i < end; i++) staging.Append(zhuzhou.Store.GetLeaf(i)!, MerkleLog.HashLeaf(zhuzhou.Store.GetLeaf(i)!), "");
            copy.Commit(staging);
        }
        CopyUpTo(share.Index);
        var directory = new LogDirectory(copy);

        var run = new List<FollowMessage?>();
        for (ulong i = 0; i < size; i++) run.Add(Entry(i));
        run.Add(Checkpoint(size));
        _peer.Script([.. run]);
        var logger = new Witness.ListLogger<LogMirror>();
        var (mirror, log) = Mirror(logger, otherLogs: directory);
        mirror.OtherLogGrowth = directory.Growth;
        string[] Lines()
        {
            lock (logger.Lines) return [.. logger.Lines.Select(l => l.Message)];
        }

        using var stop = new CancellationTokenSource();
        var following = mirror.RunAsync(stop.Token);
        try
        {
            var waiting = $"waits for this node's copy of {LedgerFixture.Zhuzhou} to grow from {share.Index} to {share.Index + 1} entries";
            await Eventually.HoldsAsync(() => Lines().Any(m => m.Contains(waiting, StringComparison.Ordinal)) || following.IsCompleted, "the mirror waits for the third log's copy");
            // A window in which a back-off would have followed again three times (after 0.2, 0.4 and 0.8 s), each in vain:
            // the mirror waits for the copy instead.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            Assert.Equal(1, _peer.Connections);
            Assert.Equal(0UL, log.Size);

            CopyUpTo(share.Index + 1);
            directory.Grew(LedgerFixture.Zhuzhou);
            await Eventually.HoldsAsync(() => log.Size == size || following.IsCompleted, "the run stored once the copy holds the share");
            Assert.Null(mirror.Fault);
            // Followed again once, when the copy grew: no back-off, no reconnect while waiting.
            Assert.Equal(2, _peer.Connections);
            Assert.DoesNotContain(Lines(), m => m.Contains("retrying in", StringComparison.Ordinal));
        }
        finally
        {
            await stop.CancelAsync();
            await following.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
