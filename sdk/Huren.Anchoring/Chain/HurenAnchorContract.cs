using System.Numerics;
using System.Reflection;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace Huren.Anchoring.Chain;

/// <summary>The compiled anchor contract (network-config/anchor, embedded) and its messages for Nethereum.</summary>
internal static class HurenAnchorContract
{
    /// <summary>The creation bytecode, hex without 0x, as solc wrote it.</summary>
    public static string Bytecode { get; } = Resource("HurenAnchor.bin").Trim();

    /// <summary>The ABI JSON.</summary>
    public static string Abi { get; } = Resource("HurenAnchor.abi.json");

    private static string Resource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded resource {name} is missing from Huren.Anchoring");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>Constructor call: <c>constructor(string networkId_, address[] anchorers_)</c>.</summary>
internal sealed class HurenAnchorDeployment() : ContractDeploymentMessage(HurenAnchorContract.Bytecode)
{
    [Parameter("string", "networkId_", 1)] public string NetworkId { get; set; } = "";
    [Parameter("address[]", "anchorers_", 2)] public List<string> Anchorers { get; set; } = [];
}

/// <summary><c>anchor(bytes32 root, uint64 leafCount) returns (uint256 sequence)</c>.</summary>
[Function("anchor", "uint256")]
internal sealed class AnchorFunction : FunctionMessage
{
    [Parameter("bytes32", "root", 1)] public byte[] Root { get; set; } = [];
    [Parameter("uint64", "leafCount", 2)] public ulong LeafCount { get; set; }
}

/// <summary><c>anchorCount() returns (uint256)</c>.</summary>
[Function("anchorCount", "uint256")]
internal sealed class AnchorCountFunction : FunctionMessage;

/// <summary><c>getAnchor(uint256 sequence) returns (Anchor)</c>.</summary>
[Function("getAnchor", typeof(AnchorOutput))]
internal sealed class GetAnchorFunction : FunctionMessage
{
    [Parameter("uint256", "sequence", 1)] public BigInteger Sequence { get; set; }
}

/// <summary><c>anchorers() returns (address[])</c>.</summary>
[Function("anchorers", "address[]")]
internal sealed class AnchorersFunction : FunctionMessage;

/// <summary><c>voteAnchorers(uint64 forEpoch, address[] newAnchorers)</c>.</summary>
[Function("voteAnchorers")]
internal sealed class VoteAnchorersFunction : FunctionMessage
{
    [Parameter("uint64", "forEpoch", 1)] public ulong ForEpoch { get; set; }
    [Parameter("address[]", "newAnchorers", 2)] public List<string> NewAnchorers { get; set; } = [];
}

/// <summary><c>epoch() returns (uint64)</c>.</summary>
[Function("epoch", "uint64")]
internal sealed class EpochFunction : FunctionMessage;

/// <summary>The <c>Anchor</c> struct as returned by <c>getAnchor</c>.</summary>
[FunctionOutput]
internal sealed class AnchorOutput : IFunctionOutputDTO
{
    [Parameter("tuple", "", 1)] public AnchorTuple Anchor { get; set; } = new();
}

/// <summary>The struct's fields.</summary>
internal sealed class AnchorTuple
{
    [Parameter("bytes32", "root", 1)] public byte[] Root { get; set; } = [];
    [Parameter("uint64", "leafCount", 2)] public ulong LeafCount { get; set; }
    [Parameter("uint64", "anchoredAt", 3)] public ulong AnchoredAt { get; set; }
    [Parameter("uint64", "blockNumber", 4)] public ulong BlockNumber { get; set; }
    [Parameter("address", "submitter", 5)] public string Submitter { get; set; } = "";
}

/// <summary><c>event Anchored(uint256 indexed sequence, bytes32 indexed root, address indexed submitter, uint64 leafCount, uint64 anchoredAt)</c>.</summary>
[Event("Anchored")]
internal sealed class AnchoredEvent : IEventDTO
{
    [Parameter("uint256", "sequence", 1, true)] public BigInteger Sequence { get; set; }
    [Parameter("bytes32", "root", 2, true)] public byte[] Root { get; set; } = [];
    [Parameter("address", "submitter", 3, true)] public string Submitter { get; set; } = "";
    [Parameter("uint64", "leafCount", 4, false)] public ulong LeafCount { get; set; }
    [Parameter("uint64", "anchoredAt", 5, false)] public ulong AnchoredAt { get; set; }
}
