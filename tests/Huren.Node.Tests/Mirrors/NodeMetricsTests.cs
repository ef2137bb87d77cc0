using System.Text;
using Huren.Node.Services;
using Prometheus;

namespace Huren.Node.Tests.Mirrors;

/// <summary>
/// <see cref="NodeMetrics.ObserveMirrors"/>: each collection reports every followed mirror's size and whether it
/// stopped, drops the series of a mirror no longer followed, and a disposed node reports nothing more.
/// <see cref="NodeMetrics.Checkpoint"/> is told of every note of the own log stored, new checkpoints and earlier ones
/// stored again with a cosignature: each note the node signed counts once, in whatever order the events arrive, and an
/// earlier size does not set the gauge back.
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
    public void Each_signed_checkpoint_is_counted_once_in_any_order_and_a_cosigned_earlier_note_does_not_set_the_size_back()
    {
        const string origin = "huren.cz-t/430100";
        var metrics = new NodeMetrics(_registry);
        metrics.Checkpoint(origin, 0, signed: true);
        metrics.Checkpoint(origin, 5, signed: true);
        metrics.Checkpoint(origin, 5, signed: false); // size 5 stored again with a cosignature
        metrics.Checkpoint(origin, 9, signed: true);
        metrics.Checkpoint(origin, 5, signed: false); // a late cosignature of size 5
        // The timer's checkpoint of size 8, announced after the batch's of size 9: signed all the same.
        metrics.Checkpoint(origin, 8, signed: true);

        var text = Collect();
        Assert.Contains($"huren_checkpoint_size{{origin=\"{origin}\"}} 9", text, StringComparison.Ordinal);
        Assert.Contains($"huren_checkpoints_signed_total{{origin=\"{origin}\"}} 4", text, StringComparison.Ordinal);
    }
}
