using System.Text.Json.Nodes;

namespace Huren.Anchoring.Tests;

/// <summary>Foundry's <c>cast</c>, a chain client that is not Huren's, reading what Huren wrote.</summary>
internal static class Cast
{
    public static string Run(params string[] args)
    {
        var (code, output) = ProcessRunner.Run(AnchorTooling.Cast, Path.GetTempPath(), TimeSpan.FromSeconds(60), args);
        Assert.True(code == 0, $"cast {string.Join(' ', args)}: {output}");
        return output.Trim();
    }

    /// <summary><c>cast call</c> of <c>getAnchor(uint256)</c>: (root, leafCount, anchoredAt, blockNumber, submitter).</summary>
    public static (string Root, ulong LeafCount, ulong BlockNumber, string Submitter) GetAnchor(AnvilNode chain, string contract, ulong sequence)
    {
        var output = Run("call", "--rpc-url", chain.RpcUrl.ToString(), contract, "getAnchor(uint256)((bytes32,uint64,uint64,uint64,address))", sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // e.g. (0x5c…, 3, 1790000000 [1.79e9], 5, 0xAbC…)
        var parts = output.Trim('(', ')').Split(", ");
        static ulong Number(string text) => ulong.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return (parts[0], Number(parts[1]), Number(parts[3]), parts[4]);
    }

    public static ulong AnchorCount(AnvilNode chain, string contract) =>
        ulong.Parse(Run("call", "--rpc-url", chain.RpcUrl.ToString(), contract, "anchorCount()(uint256)").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary><c>cast logs</c> of the contract's <c>Anchored</c> events, as JSON objects (topics, blockHash, transactionHash, logIndex …).</summary>
    public static JsonArray AnchoredLogs(AnvilNode chain, string contract) =>
        JsonNode.Parse(Run("logs", "--rpc-url", chain.RpcUrl.ToString(), "--json", "--from-block", "0", "--address", contract,
            "Anchored(uint256 indexed,bytes32 indexed,address indexed,uint64,uint64)"))!.AsArray();
}
