using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Mirrors;
using Huren.Node.Network;
using Huren.Node.Storage;
using Huren.Node.Tests.Integration;
using Huren.Node.Tests.Ledger;
using Huren.Node.Tests.Witness;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Huren.Sdk.Notes;
using Huren.Sdk.Tests;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Node.Tests.Mirrors;

/// <summary>
/// Changsha's mirror runner over a real RocksDB database in a temporary folder, following Zhuzhou's log from a scripted
/// peer, as the network configuration in force changes under it.
/// </summary>
public sealed class MirrorRunnerTests : IAsyncLifetime
{
    private readonly TestCity _changsha = new("430100", withSm2: false);
    private readonly TestCity _zhuzhouCity = new("430200", withSm2: false);
    private readonly LedgerFixture _zhuzhou = new(LedgerFixture.Zhuzhou);
    private readonly ScriptedLedger _peer = new();
    private readonly LogEvents _events = new(NullLogger<LogEvents>.Instance);
    private readonly TempDir _dir = new();
    private ScriptedGrpcServer? _server;
    private RocksStore? _db;

    public async Task InitializeAsync()
    {
        _server = await ScriptedGrpcServer.StartAsync(_peer);
        _db = RocksStore.Open(_dir.Path);
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        await _events.DisposeAsync();
        _db?.Dispose();
        _dir.Dispose();
    }

    /// <summary>
    /// Zhuzhou adopted version 2, which rotates its root key, and wrote an entry signed with the new key before the
    /// version reached Changsha: Changsha's mirror, judging by version 1, refuses it and stops. Found as a defect: it
    /// stayed stopped until the node restarted, though version 2 came into force there moments later.
    /// </summary>
    [Fact]
    public async Task A_mirror_stopped_on_an_entry_signed_by_a_new_root_key_follows_again_once_the_version_rotating_to_it_is_in_force()
    {
        // Zhuzhou's log: the old root registers an issuer; then, under version 2, the new root registers another and
        // the first issuer issues a license.
        var amr = _zhuzhou.RegisterIssuer("430200-amr", LedgerBodies.ZhuzhouAmrCode);
        var beforeRotation = _zhuzhou.Size;
        var newRoot = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var end = LedgerFixture.Now.AddHours(1);
        _zhuzhou.Machine.RootKeys = CityRootKeys.Of(RootRotationTests.Rotated(_zhuzhou.Origin, _zhuzhou.RootKey.PublicKey, newRoot.PublicKey, end));
        _zhuzhou.Time.Now = LedgerFixture.Now.AddHours(2);
        var health = LedgerBodies.Issuer("430200-health", LedgerBodies.Uscc("11430200HUREN0105"), SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey,
            [LedgerBodies.BusinessLicenseType], [], false, "430200");
        _zhuzhou.Admit(_zhuzhou.Entry(EntryKinds.IssuerRegister, "430200-health", _zhuzhou.RootId, health), newRoot);
        var license = LedgerBodies.BusinessLicense(LedgerBodies.ZhuzhouAmrCode, "2024000201");
        _zhuzhou.Admit(amr, EntryKinds.LicenseIssue, license.LicenseId, license);
        var size = _zhuzhou.Size;
        _peer.Script(Script(beforeRotation, size));

        var version1 = Config(_zhuzhouCity.Member());
        version1.Members[1].RootKey = _zhuzhou.RootKey.PublicKey.ToPem();
        var version2 = Config(_zhuzhouCity.Member());
        version2.Members[1].RootKey = newRoot.PublicKey.ToPem();
        version2.Members[1].RetiredKeys = [new RetiredKey { Kind = "root", Key = _zhuzhou.RootKey.PublicKey.ToPem(), NotAfter = end.ToString("O") }];

        var (view, states, mirror, runner, _) = Follow(version1);
        using var running = runner;
        await runner.StartAsync(CancellationToken.None);
        try
        {
            // Under version 1: the run before the rotation is stored, the next one refused at the new root's entry.
            await Eventually.HoldsAsync(() => mirror.Fault is not null, "the mirror stops at the new root's entry");
            Assert.Equal($"{_zhuzhou.Origin} wrote an entry its own rules refuse: signer key {newRoot.PublicKey.Id} is unknown to this log", mirror.Fault);
            Assert.Equal(beforeRotation, mirror.Log.Size);

            // Version 2 comes into force: the mirror follows again from its durable size and catches up.
            view.Adopt(version2);
            await Eventually.ValueAsync(() => Task.FromResult(mirror.Log.Size == size && mirror.Fault is null ? "caught up" : null),
                $"the mirror follows again and stores all {size} entries", state: () => $"it holds {mirror.Log.Size}; fault: {mirror.Fault}");
            Assert.Equal(_zhuzhou.Log.RootAt(size), mirror.Log.RootAt(size));
            Assert.True(states.Get(_zhuzhou.Origin)!.TryGetIssuer("430200-health", out _));
            Assert.Equal(2, _peer.Connections);
        }
        finally
        {
            await runner.StopAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// Zhuzhou wrote an entry signed by a root key no version lists (not a rotation this node has yet to adopt): a new
    /// version here lets the mirror check it once more, the refusal holds, and the mirror waits again for the next
    /// version (or <see cref="MirrorRunner.RefusalRecheck"/>) rather than reconnecting in a loop.
    /// </summary>
    [Fact]
    public async Task A_refusal_that_still_holds_under_the_next_version_runs_once_per_version_and_does_not_keep_reconnecting()
    {
        _zhuzhou.RegisterIssuer("430200-amr", LedgerBodies.ZhuzhouAmrCode);
        var before = _zhuzhou.Size;
        var rogue = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        _zhuzhou.Machine.RootKeys = CityRootKeys.Of(RootRotationTests.Rotated(_zhuzhou.Origin, _zhuzhou.RootKey.PublicKey, rogue.PublicKey, LedgerFixture.Now.AddHours(1)));
        var health = LedgerBodies.Issuer("430200-health", LedgerBodies.Uscc("11430200HUREN0105"), SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey,
            [LedgerBodies.BusinessLicenseType], [], false, "430200");
        _zhuzhou.Admit(_zhuzhou.Entry(EntryKinds.IssuerRegister, "430200-health", _zhuzhou.RootId, health), rogue);
        var size = _zhuzhou.Size;
        _peer.Script(Script(before, size));

        // Versions 2 and 3 change nothing for Zhuzhou: its root key stays the one it had.
        NetworkConfig Version(int n)
        {
            var config = Config(_zhuzhouCity.Member());
            config.Name = $"长株潭, version {n}";
            config.Members[1].RootKey = _zhuzhou.RootKey.PublicKey.ToPem();
            return config;
        }
        var (view, _, mirror, runner, _) = Follow(Version(1));
        using (runner)
        {
            await runner.StartAsync(CancellationToken.None);
            try
            {
                await Eventually.HoldsAsync(() => mirror.Fault is not null, "the mirror stops at the rogue key's entry");
                var refused = $"{_zhuzhou.Origin} wrote an entry its own rules refuse: signer key {rogue.PublicKey.Id} is unknown to this log";
                Assert.Equal(refused, mirror.Fault);
                Assert.True(mirror.FaultIsRefusal);
                Assert.Equal(before, mirror.Log.Size);
                Assert.Equal(1, _peer.Connections);

                for (var version = 2; version <= 3; version++)
                {
                    // The run after the version clears the fault before it connects: a fault seen with the new
                    // connection counted is that run's.
                    view.Adopt(Version(version));
                    await Eventually.HoldsAsync(() => _peer.Connections >= version && mirror.Fault is not null,
                        $"under version {version} the mirror checks the entry again and stops again");
                    Assert.Equal(refused, mirror.Fault);
                    Assert.True(mirror.FaultIsRefusal);
                    Assert.Equal(before, mirror.Log.Size);
                    Assert.Equal(version, _peer.Connections);

                    // Stopped again, the runner waits for the next version: no new connection while none comes. (A
                    // runner that ran a refused mirror again at once reconnects within milliseconds, many times over.)
                    await StaysAsync(() => _peer.Connections, version, "connections to Zhuzhou's node with no new version");
                }
            }
            finally
            {
                await runner.StopAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Zhuzhou rotated its log key in version 2 and signs its checkpoints with the new key before version 2 reaches
    /// Changsha: under version 1 the checkpoint does not verify (a refusal); once version 2 is in force (the new log key
    /// current, the old one retired with an end still to come) the mirror follows again, the old key's checkpoint it had
    /// stored still verifies when sent again, and it catches up.
    /// </summary>
    [Fact]
    public async Task A_mirror_stopped_on_a_checkpoint_signed_by_a_new_log_key_follows_again_once_the_version_rotating_to_it_is_in_force()
    {
        var amr = _zhuzhou.RegisterIssuer("430200-amr", LedgerBodies.ZhuzhouAmrCode);
        var before = _zhuzhou.Size;
        var license = LedgerBodies.BusinessLicense(LedgerBodies.ZhuzhouAmrCode, "2024000201");
        _zhuzhou.Admit(amr, EntryKinds.LicenseIssue, license.LicenseId, license);
        var size = _zhuzhou.Size;
        var newLogKey = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var rotated = new CheckpointSigner(_zhuzhou.Origin, newLogKey, null);
        _peer.Script(Script(before, size, signedBy: s => s == size ? rotated : _zhuzhouCity.Signer));

        var version1 = Config(_zhuzhouCity.Member());
        version1.Members[1].RootKey = _zhuzhou.RootKey.PublicKey.ToPem();
        var version2 = Config(_zhuzhouCity.Member());
        version2.Members[1].RootKey = _zhuzhou.RootKey.PublicKey.ToPem();
        version2.Members[1].LogKey = NoteVerifierKey.ForEd25519(_zhuzhou.Origin, newLogKey.PublicKey).ToString();
        version2.Members[1].RetiredKeys = [new RetiredKey { Kind = "log", Key = _zhuzhouCity.LogVerifierKey.ToString(), NotAfter = DateTimeOffset.UtcNow.AddDays(1).ToString("O") }];

        var (view, states, mirror, runner, _) = Follow(version1);
        using (runner)
        {
            await runner.StartAsync(CancellationToken.None);
            try
            {
                await Eventually.HoldsAsync(() => mirror.Fault is not null, "the mirror stops at the new log key's checkpoint");
                Assert.StartsWith($"checkpoint of {_zhuzhou.Origin} at size {size} does not verify", mirror.Fault, StringComparison.Ordinal);
                Assert.True(mirror.FaultIsRefusal);
                Assert.Equal(before, mirror.Log.Size);
                Assert.Equal(1, _peer.Connections);

                view.Adopt(version2);
                await Eventually.ValueAsync(() => Task.FromResult(mirror.Log.Size == size && mirror.Fault is null ? "caught up" : null),
                    $"the mirror follows again and stores all {size} entries", state: () => $"it holds {mirror.Log.Size}; fault: {mirror.Fault}");
                Assert.Equal(_zhuzhou.Log.RootAt(size), mirror.Log.RootAt(size));
                Assert.True(states.Get(_zhuzhou.Origin)!.TryGetLicense(license.LicenseId, out _));
                Assert.True(SignedNote.TryParse(mirror.Log.Store.GetCheckpoint(size)!, out var kept, out _));
                Assert.Equal([NoteVerifierKey.ForEd25519(_zhuzhou.Origin, newLogKey.PublicKey).KeyId], kept.Signatures.Select(s => s.KeyId));
                Assert.Equal(2, _peer.Connections);
            }
            finally
            {
                await runner.StopAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// Zhuzhou signed a root its entries do not give (<paramref name="fault"/>: for a run it sent, or for a size this
    /// mirror had already stored, a fork): proof under any version, so a new version does not make the mirror follow
    /// again. Xiangtan's mirror, stopped on a checkpoint no key of its verifies (a refusal), is the control: it runs again
    /// under the new version, so the version has reached the runner when Zhuzhou's peer is seen not dialled again.
    /// </summary>
    [Theory]
    [InlineData("root mismatch")]
    [InlineData("fork")]
    public async Task A_mirror_stopped_on_a_root_mismatch_or_a_fork_stays_stopped_when_a_new_version_is_in_force(string fault)
    {
        _zhuzhou.RegisterIssuer("430200-amr", LedgerBodies.ZhuzhouAmrCode);
        var size = _zhuzhou.Size;
        var script = Script(size).ToList();
        var forged = new FollowMessage
        {
            Checkpoint = new CheckpointResponse { Origin = _zhuzhou.Origin, Size = size, Note = _zhuzhouCity.Signer.Sign(size, new byte[32]).ToString() },
        };
        if (fault == "fork") script.Add(forged);
        else script[^1] = forged;
        _peer.Script([.. script]);

        var xiangtanCity = new TestCity("430300", withSm2: false);
        var xiangtanPeer = new ScriptedLedger();
        xiangtanPeer.Script(new FollowMessage
        {
            Checkpoint = new CheckpointResponse
            {
                Origin = xiangtanCity.Origin,
                Size = 0,
                Note = new CheckpointSigner(xiangtanCity.Origin, SigningKey.Generate(SignatureAlgorithm.Ed25519), null).Sign(0, new byte[32]).ToString(),
            },
        });
        await using var xiangtanServer = await ScriptedGrpcServer.StartAsync(xiangtanPeer);
        NetworkConfig Version(int n)
        {
            var config = Config(_zhuzhouCity.Member());
            config.Name = $"长株潭, version {n}";
            config.Members[1].RootKey = _zhuzhou.RootKey.PublicKey.ToPem();
            var xiangtan = xiangtanCity.Member();
            xiangtan.Endpoint = xiangtanServer.Endpoint.ToString();
            config.Members.Add(xiangtan);
            return config;
        }

        var forks = 0;
        var (view, _, mirror, runner, set) = Follow(Version(1), opened => opened.ForkFound = (_, _, _) => Interlocked.Increment(ref forks));
        var control = set.Find(xiangtanCity.Origin)!;
        using (runner)
        {
            await runner.StartAsync(CancellationToken.None);
            try
            {
                await Eventually.HoldsAsync(() => mirror.Fault is not null && control.Fault is not null, "both mirrors stop");
                Assert.False(mirror.FaultIsRefusal);
                Assert.True(control.FaultIsRefusal);
                var stopped = mirror.Fault;
                if (fault == "fork") Assert.StartsWith($"{_zhuzhou.Origin} signed size {size} with root", stopped, StringComparison.Ordinal);
                else Assert.Contains("recomputed from its entries differs from its signed checkpoint", stopped, StringComparison.Ordinal);
                Assert.Equal(fault == "fork" ? 1 : 0, Volatile.Read(ref forks));
                Assert.Equal(fault == "fork" ? size : 0UL, mirror.Log.Size);
                Assert.Single(LogMirror.EvidenceSpace(_db!, _zhuzhou.Origin).Scan(ReadOnlySpan<byte>.Empty));
                Assert.Equal(1, _peer.Connections);
                Assert.Equal(1, xiangtanPeer.Connections);

                view.Adopt(Version(2));
                // The control: the version reached the runner, which ran the refused mirror again.
                await Eventually.HoldsAsync(() => xiangtanPeer.Connections >= 2 && control.Fault is not null, "Xiangtan's refused mirror runs again under version 2");
                await StaysAsync(() => _peer.Connections, 1, "connections to Zhuzhou's node after version 2");
                Assert.Equal(stopped, mirror.Fault);
                Assert.Equal(fault == "fork" ? size : 0UL, mirror.Log.Size);
            }
            finally
            {
                await runner.StopAsync(CancellationToken.None);
            }
        }
    }

    /// <summary>Zhuzhou's entries up to <paramref name="second"/> (else <paramref name="first"/>), with a checkpoint after each size (signed by <paramref name="signedBy"/>, else its log key).</summary>
    private FollowMessage?[] Script(ulong first, ulong? second = null, Func<ulong, CheckpointSigner>? signedBy = null)
    {
        ulong[] sizes = second is { } s ? [first, s] : [first];
        var script = new List<FollowMessage?>();
        for (ulong i = 0; i < sizes[^1]; i++)
        {
            script.Add(new FollowMessage { Entry = new LogEntry { Origin = _zhuzhou.Origin, Index = i, Leaf = _zhuzhou.Store.GetLeaf(i)! } });
            if (sizes.Contains(i + 1)) script.Add(Checkpoint(i + 1, signedBy?.Invoke(i + 1)));
        }
        return [.. script];
    }

    /// <summary>
    /// Reads <paramref name="count"/> 25 times, 40 ms apart (a second in all), and fails the test the first time it is
    /// not <paramref name="expected"/>: for what must not happen, which no signal announces.
    /// </summary>
    private static async Task StaysAsync(Func<int> count, int expected, string what)
    {
        for (var i = 0; i < 25; i++)
        {
            Assert.True(count() == expected, $"{what}: {count()}, expected to stay {expected}");
            await Task.Delay(40);
        }
        Assert.Equal(expected, count());
    }

    /// <summary>Changsha's mirrors of the members of <paramref name="version1"/> and their runner (not started).</summary>
    private Following Follow(NetworkConfig version1, Action<MirrorSet>? configure = null)
    {
        var view = new NetworkView(version1);
        var own = new MerkleLog(new LogStore(_db!, _changsha.Origin));
        var directory = new LogDirectory(own);
        var states = new LedgerStates(new LogStateMachine(_changsha.Origin, [SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey],
            "430100-root", own.Store, directory.ReferenceExists, TimeProvider.System));
        var set = new MirrorSet(view, _db!, new PeerClients(_changsha.CityCode, _changsha.WitnessKey, () => null), directory, states, _events,
            new AppendHealth(), TimeProvider.System, NullLoggerFactory.Instance);
        configure?.Invoke(set);
        return new Following(view, states, set.Find(_zhuzhou.Origin)!, new MirrorRunner(set, view, new BackgroundFaults(), NullLogger<MirrorRunner>.Instance), set);
    }

    /// <summary>What <see cref="Follow"/> sets up: the view, the ledger states, Zhuzhou's mirror, the runner, and the set.</summary>
    private sealed record Following(NetworkView View, LedgerStates States, LogMirror Mirror, MirrorRunner Runner, MirrorSet Mirrors);

    /// <summary>Changsha and <paramref name="zhuzhou"/>, served by the scripted peer (as <see cref="NetworkView.Adopt"/> takes it, with no chain).</summary>
    private NetworkConfig Config(NetworkMember zhuzhou)
    {
        zhuzhou.Endpoint = _server!.Endpoint.ToString();
        return new NetworkConfig
        {
            NetworkId = WitnessFixture.NetworkId,
            Name = "长株潭",
            WitnessThreshold = 1,
            Members = [_changsha.Member(), zhuzhou],
        };
    }

    /// <summary>Zhuzhou's checkpoint of its first <paramref name="size"/> entries, signed with its log key (or <paramref name="signer"/>).</summary>
    private FollowMessage Checkpoint(ulong size, CheckpointSigner? signer = null) => new()
    {
        Checkpoint = new CheckpointResponse
        {
            Origin = _zhuzhou.Origin,
            Size = size,
            Note = (signer ?? _zhuzhouCity.Signer).Sign(size, _zhuzhou.Log.RootAt(size)).ToString(),
        },
    };
}
