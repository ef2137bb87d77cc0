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
        var script = new List<FollowMessage?>();
        for (ulong i = 0; i < size; i++)
        {
            script.Add(new FollowMessage { Entry = new LogEntry { Origin = _zhuzhou.Origin, Index = i, Leaf = _zhuzhou.Store.GetLeaf(i)! } });
            if (i + 1 == beforeRotation || i + 1 == size) script.Add(Checkpoint(i + 1));
        }
        _peer.Script([.. script]);

        var version1 = Config(_zhuzhouCity.Member());
        version1.Members[1].RootKey = _zhuzhou.RootKey.PublicKey.ToPem();
        var version2 = Config(_zhuzhouCity.Member());
        version2.Members[1].RootKey = newRoot.PublicKey.ToPem();
        version2.Members[1].RetiredKeys = [new RetiredKey { Kind = "root", Key = _zhuzhou.RootKey.PublicKey.ToPem(), NotAfter = end.ToString("O") }];

        var view = new NetworkView(version1);
        var own = new MerkleLog(new LogStore(_db!, _changsha.Origin));
        var directory = new LogDirectory(own);
        var states = new LedgerStates(new LogStateMachine(_changsha.Origin, [SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey],
            "430100-root", own.Store, directory.ReferenceExists, TimeProvider.System));
        var set = new MirrorSet(view, _db!, new PeerClients(_changsha.CityCode, _changsha.WitnessKey, () => null), directory, states, _events,
            new AppendHealth(), TimeProvider.System, NullLoggerFactory.Instance);
        var mirror = set.Find(_zhuzhou.Origin)!;
        using var runner = new MirrorRunner(set, view, new BackgroundFaults(), NullLogger<MirrorRunner>.Instance);
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

    /// <summary>Zhuzhou's checkpoint of its first <paramref name="size"/> entries, signed with its log key.</summary>
    private FollowMessage Checkpoint(ulong size) => new()
    {
        Checkpoint = new CheckpointResponse
        {
            Origin = _zhuzhou.Origin,
            Size = size,
            Note = _zhuzhouCity.Signer.Sign(size, _zhuzhou.Log.RootAt(size)).ToString(),
        },
    };
}
