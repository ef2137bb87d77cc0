using Grpc.Core;

namespace Huren.Node.Tests.BadInput;

/// <summary>
/// Every case of <see cref="BadInputCorpus"/> against one running node: refused with its status and a message that
/// names the problem, and nothing changed (log size, root and checkpoint, witness state). Valid input still works after
/// all of them.
/// </summary>
public sealed class BadInputCorpusTests(BadInputNode node) : IClassFixture<BadInputNode>
{
    public static TheoryData<string> Cases() => [.. BadInputCorpus.All.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_is_refused_with_a_clear_status_and_changes_nothing(string name)
    {
        var bad = BadInputCorpus.All.Single(c => c.Name == name);
        var before = await node.SettledStateAsync();

        var refused = await Assert.ThrowsAsync<RpcException>(() => bad.Send(node));

        Assert.True(bad.Status == refused.StatusCode, $"{name}: expected {bad.Status}, got {refused.StatusCode}: {refused.Status.Detail}");
        Assert.False(string.IsNullOrWhiteSpace(refused.Status.Detail), $"{name}: refused without a message");
        Assert.Contains(bad.Message, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(before, node.State());
    }

    [Fact]
    public async Task The_corpus_names_are_unique_and_valid_input_is_still_accepted()
    {
        Assert.Equal(BadInputCorpus.All.Count, BadInputCorpus.All.Select(c => c.Name).Distinct().Count());
        using var amr = node.Node.Client("amr");
        var before = node.Node.Services.GetService(typeof(Huren.Node.Logs.LogDirectory)) as Huren.Node.Logs.LogDirectory;
        var size = before!.Own.Size;
        var accepted = await amr.Ledger.SubmitAsync(new Schemas.Services.SubmitRequest { SignedEntry = node.ValidLeaf("OK" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant()) }, amr.Options());
        Assert.Equal(size, accepted.Index);
    }
}
