using Huren.Node.Logs;
using Huren.Node.Storage;
using Huren.Node.Tests.Ledger;
using Huren.Node.Tests.Storage;
using Huren.Node.Tests.Witness;
using Huren.Sdk.StatusMap;
using Microsoft.Extensions.Logging.Abstractions;

namespace Huren.Node.Tests.Log;

/// <summary>
/// The status map's pruning in a node: versions the map had longer ago than the retention lose their root records and
/// the pages only they read, in steps; every later version stays whole (same values and proofs as before, read from
/// the store); a failed write deletes nothing and the next round finishes the work.
/// </summary>
public sealed class StatusMapPrunerTests : IAsyncLifetime
{
    private const string Origin = SequencedLog.Origin;
    private readonly TestClock _clock = new(DateTimeOffset.UnixEpoch.AddDays(20_000));
    private readonly BackgroundFaults _faults = new(threshold: 3);
    private readonly List<string> _licenses = [];
    private readonly List<(string Origin, ulong Floor, long Deleted)> _pruned = [];
    private SequencedLog _at = null!;
    private FaultyStore _store = null!;
    private int _serial;

    public async Task InitializeAsync()
    {
        _at = await SequencedLog.StartAsync();
        _store = _at.Store;
    }

    public async Task DisposeAsync() => await _at.DisposeAsync();

    private StatusMapPruner Pruner(TimeSpan keep, int batchSize) => new(new LogDirectory(_at.Log),
        new StatusMapOptions { KeepVersionsFor = keep, PruneBatchSize = batchSize }, _clock, _faults, NullLogger<StatusMapPruner>.Instance,
        (origin, floor, deleted) => _pruned.Add((origin, floor, deleted)));

    /// <summary>Issues <paramref name="count"/> licenses one batch each (a map version each), then suspends every fourth of them.</summary>
    private async Task AppendAsync(int count)
    {
        var first = _licenses.Count;
        for (var i = 0; i < count; i++)
        {
            var serial = $"2024{++_serial:D6}";
            await _at.Sequencer.SubmitAsync(_at.Issue(serial));
            _licenses.Add(LedgerBodies.LicenseId(LedgerBodies.ChangshaAmrCode, serial));
        }
        for (var i = first; i < _licenses.Count; i += 4)
        {
            await _at.Sequencer.SubmitAsync(_at.Suspend(_licenses[i]));
        }
    }

    private List<byte[]> Rows(StoreFamily family, string space) => [.. new KeySpace(_store, family, space + "/" + Origin).Scan(ReadOnlySpan<byte>.Empty).Select(row => row.Key)];

    private List<ulong> RootVersions() => [.. Rows(StoreFamily.State, "statusmap-root").Select(key => System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(key))];

    private List<StatusMapStalePage> Stale() => [.. Rows(StoreFamily.State, "statusmap-stale").Select(key => StatusMapStalePage.TryParse(key, out var stale) ? stale : throw new InvalidDataException())];

    /// <summary>Every license's value and proof at <paramref name="version"/>, read by a reader with no cache (from the store).</summary>
    private Dictionary<string, string> Proofs(ulong version)
    {
        var tree = new StatusMapTree(new StatusMapRows(_store, Origin));
        var proofs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var license in _licenses)
        {
            if (!tree.TryProve(version, StatusMapKey.ForRecord(license), out var value, out var proof, out var error)) throw new InvalidOperationException(error);
            proofs[license] = $"{value} {Convert.ToHexString(proof.ToBytes())}";
        }
        return proofs;
    }

    [Fact]
    public async Task Versions_older_than_the_retention_go_in_steps_and_every_later_version_stays_whole()
    {
        var pruner = Pruner(TimeSpan.FromMinutes(10), batchSize: 40);
        await AppendAsync(40);
        var floor = _at.Log.StatusMap.Version;
        Assert.Equal(0, await pruner.PruneAsync(CancellationToken.None));

        await AppendAsync(40);
        var latest = _at.Log.StatusMap.Version;
        // Every license at both versions, the later ones as proofs of absence at the floor.
        var atFloor = Proofs(floor);
        var atLatest = Proofs(latest);
        _clock.Now += TimeSpan.FromMinutes(5);
        Assert.Equal(0, await pruner.PruneAsync(CancellationToken.None));
        var pagesBefore = Rows(StoreFamily.Nodes, "statusmap").Count;
        var staleBefore = Stale();
        var rootsBefore = RootVersions();
        Assert.Contains(rootsBefore, v => v < floor);

        // Ten minutes after the first round: the version noted then is the floor.
        _clock.Now += TimeSpan.FromMinutes(6);
        var deleted = await pruner.PruneAsync(CancellationToken.None);
        var gone = staleBefore.Count(s => s.SinceVersion <= floor);
        Assert.Equal(rootsBefore.Count(v => v < floor) + gone, deleted);
        Assert.True(deleted > 3 * 40, $"{deleted} deleted, more than three writes of 40");
        Assert.Equal(rootsBefore.Where(v => v >= floor), RootVersions());
        Assert.Equal(staleBefore.Where(s => s.SinceVersion > floor), Stale());
        Assert.Equal(pagesBefore - gone, Rows(StoreFamily.Nodes, "statusmap").Count);
        Assert.Equal((0, ""), _faults.Of(StatusMapPruner.Service, Origin));
        Assert.Equal([(Origin, floor, deleted)], _pruned);

        // The floor and every version after it read as before; a version below it is not there any more.
        Assert.Equal(atFloor, Proofs(floor));
        Assert.Equal(atLatest, Proofs(latest));
        var fresh = new StatusMapTree(new StatusMapRows(_store, Origin));
        Assert.False(fresh.TryGetRoot(floor - 1, out _));
        // The log goes on writing versions on the pruned store.
        await AppendAsync(4);
        Assert.Equal(_at.Log.StatusMap.RootFor(_at.Log.StatusMap.Version), new StatusMapTree(new StatusMapRows(_store, Origin)).TryGetRoot(_at.Log.StatusMap.Version, out var root) ? root : default);
        Assert.Equal(0, await pruner.PruneAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_failed_write_deletes_nothing_is_reported_and_the_next_round_finishes_the_work()
    {
        var pruner = Pruner(TimeSpan.Zero, batchSize: 10_000);
        await AppendAsync(20);
        var stale = Stale();
        Assert.NotEmpty(stale);
        _store.FailNextWrites(1);
        Assert.Equal(0, await pruner.PruneAsync(CancellationToken.None));
        Assert.Equal(stale, Stale());
        var (failures, reason) = _faults.Of(StatusMapPruner.Service, Origin);
        Assert.Equal(1, failures);
        Assert.Contains("injected write fault", reason, StringComparison.Ordinal);

        await AppendAsync(2);
        var floor = _at.Log.StatusMap.Version;
        Assert.True(await pruner.PruneAsync(CancellationToken.None) > stale.Count);
        Assert.Empty(Stale());
        Assert.Equal([floor], RootVersions());
        Assert.Equal((0, ""), _faults.Of(StatusMapPruner.Service, Origin));
        Assert.NotEmpty(Proofs(floor));
    }
}
