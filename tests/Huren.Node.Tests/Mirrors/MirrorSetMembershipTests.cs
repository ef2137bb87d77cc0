using Huren.Node.Ledger;
using Huren.Node.Logs;
using Huren.Node.Mirrors;
using Huren.Node.Network;
using Huren.Node.Storage;
using Huren.Node.Tests.Ledger;
using Huren.Node.Tests.Witness;
using Huren.Schemas.Envelope;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Node.Tests.Mirrors;

/// <summary>
/// Changsha's mirror set as the configuration in force changes: a member a version adds is opened (log, ledger state,
/// served from the directory) and handed to the runner to follow; a member a version removes is no longer followed but
/// its log and state stay; re-added, it continues with the same mirror; every change asks the runner to re-dial.
/// </summary>
public sealed class MirrorSetMembershipTests : IAsyncLifetime
{
    private readonly TestCity _changsha = new("430100", withSm2: false);
    private readonly TestCity _zhuzhou = new("430200", withSm2: false);
    private readonly TestCity _xiangtan = new("430300", withSm2: false);
    private readonly LogEvents _events = new(NullLogger<LogEvents>.Instance);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _events.DisposeAsync();

    private static NetworkConfig Config(params TestCity[] cities) => new()
    {
        NetworkId = WitnessFixture.NetworkId,
        Name = "长株潭",
        WitnessThreshold = 1,
        Members = [.. cities.Select(c => c.Member())],
    };

    [Fact]
    public void Members_added_and_removed_by_an_adopted_version_are_followed_and_dropped_with_their_logs_kept()
    {
        var view = new NetworkView(Config(_changsha, _zhuzhou));
        var store = new MemoryStore();
        var own = new MerkleLog(new LogStore(store, _changsha.Origin));
        var directory = new LogDirectory(own);
        var states = new LedgerStates(new LogStateMachine(_changsha.Origin, [SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey],
            "430100-root", own.Store, directory.ReferenceExists, TimeProvider.System));
        var set = new MirrorSet(view, store, new PeerClients(_changsha.CityCode, _changsha.WitnessKey, () => null), directory, states, _events,
            new AppendHealth(), TimeProvider.System, NullLoggerFactory.Instance);
        Assert.Equal([_zhuzhou.Origin], set.Mirrors.Select(m => m.Origin));
        var zhuzhouMirror = set.Find(_zhuzhou.Origin)!;

        // Version 2 adds Xiangtan: opened, registered for serving, and started by the runner.
        view.Adopt(Config(_changsha, _zhuzhou, _xiangtan));
        Assert.Equal([_zhuzhou.Origin, _xiangtan.Origin], set.Mirrors.Select(m => m.Origin));
        Assert.NotNull(directory.Find(_xiangtan.Origin));
        Assert.NotNull(states.Get(_xiangtan.Origin));
        Assert.Equal([(MirrorChangeKind.Start, _xiangtan.Origin), (MirrorChangeKind.Redial, "")], Drain(set));

        // Version 3 removes Zhuzhou: no longer followed (the runner stops it), its log and state kept and served.
        view.Adopt(Config(_changsha, _xiangtan));
        Assert.Equal([_xiangtan.Origin], set.Mirrors.Select(m => m.Origin));
        Assert.Null(set.Find(_zhuzhou.Origin));
        Assert.NotNull(directory.Find(_zhuzhou.Origin));
        Assert.NotNull(states.Get(_zhuzhou.Origin));
        Assert.Equal([(MirrorChangeKind.Stop, _zhuzhou.Origin), (MirrorChangeKind.Redial, "")], Drain(set));

        // Version 4 adds Zhuzhou back: the same mirror continues its log.
        view.Adopt(Config(_changsha, _zhuzhou, _xiangtan));
        Assert.Same(zhuzhouMirror, set.Find(_zhuzhou.Origin));
        Assert.Equal([(MirrorChangeKind.Start, _zhuzhou.Origin), (MirrorChangeKind.Redial, "")], Drain(set));
    }

    [Fact]
    public void A_mirror_judges_root_entries_by_the_root_keys_of_the_version_in_force_from_index_0_and_after_a_rotation()
    {
        // Zhuzhou's log: its old root registers an issuer; version 2 rotates the root (the old key ends an hour later);
        // the new root registers another issuer.
        var zhuzhou = new LedgerFixture(LedgerFixture.Zhuzhou);
        zhuzhou.RegisterIssuer("430200-amr", LedgerBodies.ZhuzhouAmrCode);
        var beforeRotation = zhuzhou.Size;
        var newRoot = SigningKey.Generate(SignatureAlgorithm.Ed25519);
        var rotated = RootRotationTests.Rotated(zhuzhou.Origin, zhuzhou.RootKey.PublicKey, newRoot.PublicKey, LedgerFixture.Now.AddHours(1));
        zhuzhou.Machine.RootKeys = CityRootKeys.Of(rotated);
        zhuzhou.Time.Now = LedgerFixture.Now.AddHours(2);
        var health = LedgerBodies.Issuer("430200-health", LedgerBodies.Uscc("11430200HUREN0105"), SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey,
            [LedgerBodies.BusinessLicenseType], [], false, "430200");
        zhuzhou.Admit(zhuzhou.Entry(EntryKinds.IssuerRegister, "430200-health", zhuzhou.RootId, health), newRoot);
        var leaves = new List<byte[]>();
        for (ulong i = 0; i < zhuzhou.Size; i++) leaves.Add(zhuzhou.Store.GetLeaf(i)!);
        var version1 = Config(_changsha, _zhuzhou);
        version1.Members[1].RootKey = zhuzhou.RootKey.PublicKey.ToPem();
        var version2 = Config(_changsha, _zhuzhou);
        version2.Members[1] = rotated.Document;

        // Opened under version 1, it follows version 2 once in force: the new root's entry is admitted.
        var view = new NetworkView(version1);
        var mirror = MirrorsOf(view).Find(_zhuzhou.Origin)!;
        var first = RootRotationTests.Replay(mirror.Log, mirror.State, leaves.Take((int)beforeRotation));
        Assert.True(first.Succeeded, first.Refusal?.Message);
        view.Adopt(version2);
        var second = RootRotationTests.Replay(mirror.Log, mirror.State, leaves.Skip((int)beforeRotation));
        Assert.True(second.Succeeded, second.Refusal?.Message);

        // Opened under version 2 (a new member, or an emptied data folder): the whole log from index 0, the old root's
        // registration included.
        var fresh = MirrorsOf(new NetworkView(version2)).Find(_zhuzhou.Origin)!;
        var replayed = RootRotationTests.Replay(fresh.Log, fresh.State, leaves);
        Assert.True(replayed.Succeeded, replayed.Refusal?.Message);
        Assert.Equal(zhuzhou.Log.RootAt(zhuzhou.Size), fresh.Log.RootAt(fresh.Log.Size));
    }

    private MirrorSet MirrorsOf(NetworkView view)
    {
        var store = new MemoryStore();
        var own = new MerkleLog(new LogStore(store, _changsha.Origin));
        var directory = new LogDirectory(own);
        var states = new LedgerStates(new LogStateMachine(_changsha.Origin, [SigningKey.Generate(SignatureAlgorithm.Ed25519).PublicKey],
            "430100-root", own.Store, directory.ReferenceExists, TimeProvider.System));
        return new MirrorSet(view, store, new PeerClients(_changsha.CityCode, _changsha.WitnessKey, () => null), directory, states, _events,
            new AppendHealth(), TimeProvider.System, NullLoggerFactory.Instance);
    }

    [Fact]
    public void Changed_is_raised_once_per_version_put_in_force_and_not_for_a_refused_proposal()
    {
        var view = new NetworkView(Config(_changsha, _zhuzhou));
        var raised = 0;
        view.Changed += _ => raised++;
        // No store: a proposal is refused and nothing is raised.
        Assert.Equal("this node is not part of a network", view.TryAdopt([1, 2, 3], out _));
        Assert.Equal(0, raised);
        view.Adopt(Config(_changsha, _zhuzhou, _xiangtan));
        Assert.Equal(1, raised);
    }

    private static List<(MirrorChangeKind, string)> Drain(MirrorSet set)
    {
        var changes = new List<(MirrorChangeKind, string)>();
        while (set.Changes.TryRead(out var change)) changes.Add((change.Kind, change.Mirror?.Origin ?? ""));
        return changes;
    }
}
