using System.Text;
using Huren.Node.Services;
using Prometheus;

namespace Huren.Node.Tests.Mirrors;

/// <summary>
/// <see cref="NodeMetrics.ObserveMirrors"/>: each collection reports every followed mirror's size and whether it
/// stopped, drops the series of a mirror no longer followed, and a disposed node reports nothing more.
/// <see cref="NodeMetrics.Checkpoint"/> is told of every note of the own log stored, new checkpoints and earlier ones
/// stored again with a cosignature: only a new size counts as signed, and an earlier size does not set the gauge back.
/// </summary>
public sealed class NodeMetricsTests
{
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();

    private string Collect()
    {
        using var stream = new MemoryStream();
        _registry.CollectAndExportAsTextAsync(stream).GetAwaiter().GetResult();
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void Followed_mirrors_are_reported_at_each_collection_and_an_unfollowed_one_disappears()
    {
        var mirrors = new List<(string, ulong, bool)> { ("huren.cz-t/430200", 7, false), ("huren.cz-t/430300", 3, true) };
        var metrics = new NodeMetrics(_registry);
        metrics.ObserveMirrors(() => [.. mirrors]);

        var text = Collect();
        Assert.Contains("huren_mirror_size{origin=\"huren.cz-t/430200\"} 7", text, StringComparison.Ordinal);
        Assert.Contains("huren_mirror_stopped{origin=\"huren.cz-t/430200\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("huren_mirror_size{origin=\"huren.cz-t/430300\"} 3", text, StringComparison.Ordinal);
        Assert.Contains("huren_mirror_stopped{origin=\"huren.cz-t/430300\"} 1", text, StringComparison.Ordinal);

        // Zhuzhou's copy grows; Xiangtan leaves the network.
        mirrors[0] = ("huren.cz-t/430200", 12, false);
        mirrors.RemoveAt(1);
        text = Collect();
        Assert.Contains("huren_mirror_size{origin=\"huren.cz-t/430200\"} 12", text, StringComparison.Ordinal);
        Assert.DoesNotContain("430300", text, StringComparison.Ordinal);

        // Stopped: the last values stay as they were, nothing reads the mirrors any more.
        metrics.Dispose();
        mirrors[0] = ("huren.cz-t/430200", 99, false);
        Assert.Contains("huren_mirror_size{origin=\"huren.cz-t/430200\"} 12", Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public void New_checkpoint_sizes_are_counted_once_and_a_cosigned_earlier_note_does_not_set_the_size_back()
    {
        const string origin = "huren.cz-t/430100";
        var metrics = new NodeMetrics(_registry);
        metrics.Checkpoint(origin, 0);
        metrics.Checkpoint(origin, 5);
        metrics.Checkpoint(origin, 5); // size 5 stored again with a cosignature
        metrics.Checkpoint(origin, 9);
        metrics.Checkpoint(origin, 5); // a late cosignature of size 5

        var text = Collect();
        Assert.Contains($"huren_checkpoint_size{{origin=\"{origin}\"}} 9", text, StringComparison.Ordinal);
        Assert.Contains($"huren_checkpoints_signed_total{{origin=\"{origin}\"}} 3", text, StringComparison.Ordinal);
    }
}
