using System.Text.Json;
using System.Text.Json.Serialization;

namespace Huren.Sdk.Anchoring;

/// <summary>
/// Proof that a log's checkpoint was anchored on an EVM chain (docs/anchoring.md, "Anchor proof"): the checkpoint as an
/// anchor leaf, its RFC 9162 inclusion path to the anchored root, and where the chain recorded that root. Carried in
/// the optional <c>anchorProofs</c> list of a <c>huren-evidence/v1</c> bundle, or alone as JSON.
/// </summary>
public sealed class AnchorProof
{
    /// <summary>The anchored checkpoint.</summary>
    [JsonPropertyName("leaf"), JsonRequired] public AnchorProofLeaf Leaf { get; set; } = new();

    /// <summary>The leaf's position in the anchor tree.</summary>
    [JsonPropertyName("leafIndex"), JsonRequired] public ulong LeafIndex { get; set; }

    /// <summary>The number of leaves in the anchor tree (the contract records it too).</summary>
    [JsonPropertyName("leafCount"), JsonRequired] public ulong LeafCount { get; set; }

    /// <summary>Base64 32-byte hashes: the RFC 9162 audit path from the leaf to <see cref="AnchorRoot"/>.</summary>
    [JsonPropertyName("inclusionProof"), JsonRequired] public List<string> InclusionProof { get; set; } = [];

    /// <summary>Base64 of the anchored root (the contract's <c>bytes32 root</c>).</summary>
    [JsonPropertyName("anchorRoot"), JsonRequired] public string AnchorRoot { get; set; } = "";

    /// <summary>Where the chain recorded the root.</summary>
    [JsonPropertyName("chain"), JsonRequired] public AnchorChainLocation Chain { get; set; } = new();

    /// <summary>Optional: the anchored signed note, verbatim, so a verifier can check the note hash and its signatures.</summary>
    [JsonPropertyName("note")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Note { get; set; }

    /// <summary>Optional: links a checkpoint of another size of the same log (e.g. a bundle's) to the anchored one.</summary>
    [JsonPropertyName("consistency")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AnchorConsistency? Consistency { get; set; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The proof as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a proof; unknown fields are ignored.</summary>
    /// <exception cref="FormatException">Not JSON of this form, or a required field missing; the message says which.</exception>
    public static AnchorProof Parse(string json)
    {
        AnchorProof? proof;
        try
        {
            proof = JsonSerializer.Deserialize<AnchorProof>(json, Json);
        }
        catch (JsonException ex)
        {
            // Also a required field that is absent (JsonRequired): the message names it.
            throw new FormatException(Files.JsonProblem.Describe("anchor proof", json, ex, Json), ex);
        }
        if (proof is null) throw new FormatException("anchor proof is empty");
        if (proof.MissingField() is { } missing) throw new FormatException($"anchor proof: {missing} is missing or null");
        return proof;
    }

    /// <summary>The first required field that JSON left null, or null when every one is there.</summary>
    internal string? MissingField()
    {
        if (Leaf is null) return "leaf";
        if (Leaf.Origin is null) return "leaf.origin";
        if (Leaf.RootHash is null) return "leaf.rootHash";
        if (Leaf.NoteHash is null) return "leaf.noteHash";
        if (InclusionProof is null || InclusionProof.Exists(h => h is null)) return "inclusionProof";
        if (AnchorRoot is null) return "anchorRoot";
        if (Chain is null) return "chain";
        if (Chain.Contract is null) return "chain.contract";
        if (Chain.Transaction is null) return "chain.transaction";
        if (Chain.BlockHash is null) return "chain.blockHash";
        if (Consistency is not null && (Consistency.Proof is null || Consistency.Proof.Exists(h => h is null))) return "consistency.proof";
        return null;
    }
}

/// <summary>The anchored checkpoint, as an anchor leaf's fields.</summary>
public sealed class AnchorProofLeaf
{
    /// <summary>The log.</summary>
    [JsonPropertyName("origin"), JsonRequired] public string Origin { get; set; } = "";

    /// <summary>The checkpoint's tree size.</summary>
    [JsonPropertyName("size"), JsonRequired] public ulong Size { get; set; }

    /// <summary>Base64 of the checkpoint's root hash.</summary>
    [JsonPropertyName("rootHash"), JsonRequired] public string RootHash { get; set; } = "";

    /// <summary>Base64 of SHA-256 over the complete signed note.</summary>
    [JsonPropertyName("noteHash"), JsonRequired] public string NoteHash { get; set; } = "";

    /// <summary>The JSON form of <paramref name="leaf"/>.</summary>
    public static AnchorProofLeaf From(AnchorLeaf leaf)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        return new() { Origin = leaf.Origin, Size = leaf.Size, RootHash = leaf.RootHash.ToBase64(), NoteHash = leaf.NoteHash.ToBase64() };
    }
}

/// <summary>Where an EVM chain recorded an anchor. Hex values are 0x-prefixed, as Ethereum tools print them.</summary>
public sealed class AnchorChainLocation
{
    /// <summary>The chain id (EIP-155).</summary>
    [JsonPropertyName("chainId"), JsonRequired] public ulong ChainId { get; set; }

    /// <summary>The anchor contract's address (20 bytes).</summary>
    [JsonPropertyName("contract"), JsonRequired] public string Contract { get; set; } = "";

    /// <summary>The anchor's sequence number in the contract (the <c>Anchored</c> event's first topic argument).</summary>
    [JsonPropertyName("sequence"), JsonRequired] public ulong Sequence { get; set; }

    /// <summary>The transaction hash (32 bytes).</summary>
    [JsonPropertyName("transaction"), JsonRequired] public string Transaction { get; set; } = "";

    /// <summary>The block number.</summary>
    [JsonPropertyName("blockNumber"), JsonRequired] public ulong BlockNumber { get; set; }

    /// <summary>The block hash (32 bytes).</summary>
    [JsonPropertyName("blockHash"), JsonRequired] public string BlockHash { get; set; } = "";

    /// <summary>The <c>Anchored</c> log's index in the block.</summary>
    [JsonPropertyName("logIndex"), JsonRequired] public ulong LogIndex { get; set; }

    /// <summary>The block's timestamp (Unix seconds) as the chain reported it; only an online check confirms it.</summary>
    [JsonPropertyName("blockTime")] public ulong BlockTime { get; set; }
}

/// <summary>An RFC 9162 consistency proof between a checkpoint of <see cref="Size"/> and the anchored one, from the smaller size to the larger.</summary>
public sealed class AnchorConsistency
{
    /// <summary>The other checkpoint's size.</summary>
    [JsonPropertyName("size"), JsonRequired] public ulong Size { get; set; }

    /// <summary>Base64 32-byte hashes.</summary>
    [JsonPropertyName("proof"), JsonRequired] public List<string> Proof { get; set; } = [];
}
