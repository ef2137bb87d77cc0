using Huren.Anchoring;
using Huren.Node.Anchoring;
using Huren.Node.Logs;
using Huren.Node.Storage;

namespace Huren.Node.Tests.Anchoring;

/// <summary>The node's anchor proofs keep in memory only the confirmed records a proof can still be looked for in.</summary>
public sealed class AnchorProofsTests
{
    [Fact]
    public void The_cache_of_confirmed_records_stays_within_the_look_back_over_a_long_life()
    {
        var store = new MemoryAnchorStore();
        var proofs = new AnchorProofs(store, new LogDirectory(new MerkleLog(new LogStore(new MemoryStore(), "huren.cz-t/430100"))));
        for (ulong id = 1; id <= 500; id++)
        {
            store.Save(new AnchorRecord { Id = id, Status = AnchorStatus.Confirmed });
            Assert.Null(proofs.For("huren.cz-t/430100", 0)); // no record anchors this log; the walk caches what it reads
            Assert.InRange(proofs.CachedCount, 1, 65);
        }
    }
}
