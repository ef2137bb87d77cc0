using Huren.Schemas.Envelope;

namespace Huren.Cli.Tests.Docs;

/// <summary>
/// docs/trace-json.md promises scripts every entry kind 'trace --json' can print: each kind of the standard has its row
/// (share.decision and catalog.publish were missing while trace printed them).
/// </summary>
public sealed class TraceJsonDocTests
{
    [Fact]
    public void Every_entry_kind_has_a_row_in_the_kinds_table()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "trace-json.md"));

        Assert.All(EntryKinds.All, kind => Assert.Contains(lines, line => line.StartsWith($"| `{kind.Name}` |", StringComparison.Ordinal)));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Huren.slnx"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("repository root (Huren.slnx) not found above the test assembly");
    }
}
