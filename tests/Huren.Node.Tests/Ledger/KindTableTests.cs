using Huren.Node.Ledger;
using Huren.Schemas.Envelope;

namespace Huren.Node.Tests.Ledger;

/// <summary>The ledger has exactly one rule per entry kind of the standard's table.</summary>
public class KindTableTests
{
    [Fact]
    public void Every_kind_of_the_table_has_a_ledger_rule()
    {
        Assert.NotEmpty(EntryKinds.All);
        foreach (var kind in EntryKinds.All) Assert.True(LogStateMachine.Handles(kind), $"no ledger rule for {kind.Name}");
    }

    [Fact]
    public void The_table_finds_each_kind_by_name_and_by_body_type()
    {
        foreach (var kind in EntryKinds.All)
        {
            Assert.Same(kind, EntryKinds.Find(kind.Name));
            Assert.Equal(EntryKinds.SchemaVersion, kind.SchemaVersion);
        }
        Assert.Equal(EntryKinds.All.Count, EntryKinds.All.Select(k => k.BodyType).Distinct().Count());
        Assert.Null(EntryKinds.Find("license.teleport"));
        Assert.Null(EntryKinds.Find(null));
    }
}
