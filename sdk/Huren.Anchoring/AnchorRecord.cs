using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Huren.Anchoring.Chain;
using Huren.Sdk.Anchoring;
using Huren.Sdk.Merkle;

namespace Huren.Anchoring;

/// <summary>Where an anchor stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AnchorStatus>))]
public enum AnchorStatus
{
    /// <summary>Made, no transaction sent yet (or the last one's nonce went to another transaction).</summary>
    Pending,

    /// <summary>A signed transaction is kept and sent; not seen mined yet.</summary>
    Submitted,

    /// <summary>Mined in a canonical block, fewer than K confirmations so far.</summary>
    Included,

    /// <summary>Mined with at least K confirmations: anchored.</summary>
    Confirmed,

    /// <summary>Was mined, then its block left the canonical chain below K; the transaction is being sent again.</summary>
    Reorged,

    /// <summary>The chain refused it for good (reverted, or the contract refuses the account); <see cref="AnchorRecord.Failure"/> says why.</summary>
    Failed,
}

/// <summary>
/// One anchor and its progress, as an <see cref="Anchorer"/> keeps it in an <see cref="IAnchorStore"/> (JSON,
/// <c>huren-anchor-record/v1</c>): the anchored checkpoints with their exact notes, the root, every transaction signed
/// for it (kept before sending), and where it was mined.
/// </summary>
public sealed class AnchorRecord
{
    /// <summary>The record format.</summary>
    public const string FormatV1 = "huren-anchor-record/v1";

    /// <summary>Always <see cref="FormatV1"/>.</summary>
    [JsonPropertyName("format")] public string Format { get; set; } = FormatV1;

    /// <summary>Local number, from 1, in the order anchors were made.</summary>
    [JsonPropertyName("id")] public ulong Id { get; set; }

    /// <summary>Where it stands.</summary>
    [JsonPropertyName("status")] public AnchorStatus Status { get; set; }

    /// <summary>The chain it is anchored on.</summary>
    [JsonPropertyName("chainId")] public ulong ChainId { get; set; }

    /// <summary>The contract it is anchored by.</summary>
    [JsonPropertyName("contract")] public string Contract { get; set; } = "";

    /// <summary>The anchored checkpoints, in tree order (by origin).</summary>
    [JsonPropertyName("checkpoints")] public List<AnchoredCheckpoint> Checkpoints { get; set; } = [];

    /// <summary>Base64 of the anchor root.</summary>
    [JsonPropertyName("root")] public string Root { get; set; } = "";

    /// <summary>When the record was made.</summary>
    [JsonPropertyName("createdAt")] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it last changed.</summary>
    [JsonPropertyName("updatedAt")] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When it reached K confirmations.</summary>
    [JsonPropertyName("confirmedAt")] public DateTimeOffset? ConfirmedAt { get; set; }

    /// <summary>Every transaction signed for this anchor, oldest first (more than one after a fee bump or a lost nonce).</summary>
    [JsonPropertyName("transactions")] public List<AnchorTransactionRecord> Transactions { get; set; } = [];

    /// <summary>Where it was mined, while it is.</summary>
    [JsonPropertyName("inclusion")] public AnchorInclusion? Inclusion { get; set; }

    /// <summary>Confirmations when last seen (the block itself counts as 1).</summary>
    [JsonPropertyName("confirmations")] public ulong Confirmations { get; set; }

    /// <summary>How often its block left the canonical chain.</summary>
    [JsonPropertyName("reorgs")] public int Reorgs { get; set; }

    /// <summary>Why it failed, for <see cref="AnchorStatus.Failed"/>.</summary>
    [JsonPropertyName("failure")] public string? Failure { get; set; }

    /// <summary>True for <see cref="AnchorStatus.Confirmed"/> and <see cref="AnchorStatus.Failed"/>: nothing more will happen to it.</summary>
    [JsonIgnore] public bool IsSettled => Status is AnchorStatus.Confirmed or AnchorStatus.Failed;

    /// <summary>The anchor tree of <see cref="Checkpoints"/>.</summary>
    public AnchorTree Tree() => AnchorTree.Build(Checkpoints.ConvertAll(c => c.ToLeaf()));

    /// <summary>The anchored checkpoint of <paramref name="origin"/>, or null.</summary>
    public AnchoredCheckpoint? CheckpointOf(string origin) => Checkpoints.Find(c => c.Origin == origin);

    /// <summary>
    /// The anchor proof for <paramref name="origin"/>'s checkpoint, with the anchored note; null when the record has
    /// no such log or is not mined (a proof is worth giving only for <see cref="AnchorStatus.Confirmed"/>).
    /// </summary>
    public AnchorProof? ProofFor(string origin)
    {
        if (Inclusion is not { } at || CheckpointOf(origin) is not { } anchored) return null;
        return Tree().ProofFor(origin, new AnchorChainLocation
        {
            ChainId = ChainId,
            Contract = Contract,
            Sequence = at.Sequence,
            Transaction = at.Transaction,
            BlockNumber = at.BlockNumber,
            BlockHash = at.BlockHash,
            LogIndex = at.LogIndex,
            BlockTime = at.BlockTime,
        }, anchored.Note);
    }

    private static readonly JsonSerializerOptions Json = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The record as UTF-8 JSON (what a store keeps).</summary>
    public byte[] ToJsonBytes() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    /// <summary>Reads a stored record.</summary>
    /// <exception cref="FormatException">Not a record of this format.</exception>
    public static AnchorRecord Parse(ReadOnlySpan<byte> json)
    {
        AnchorRecord? record;
        try
        {
            record = JsonSerializer.Deserialize<AnchorRecord>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"anchor record is not valid JSON: {ex.Message}", ex);
        }
        if (record is null || record.Format != FormatV1) throw new FormatException($"not a {FormatV1} record");
        return record;
    }

    /// <summary>A deep copy.</summary>
    public AnchorRecord Clone() => Parse(ToJsonBytes());
}

/// <summary>A checkpoint as anchored: the leaf's fields and the exact signed note that was hashed.</summary>
public sealed class AnchoredCheckpoint
{
    /// <summary>The log.</summary>
    [JsonPropertyName("origin")] public string Origin { get; set; } = "";

    /// <summary>Its size.</summary>
    [JsonPropertyName("size")] public ulong Size { get; set; }

    /// <summary>Base64 root hash.</summary>
    [JsonPropertyName("rootHash")] public string RootHash { get; set; } = "";

    /// <summary>Base64 SHA-256 of <see cref="Note"/>.</summary>
    [JsonPropertyName("noteHash")] public string NoteHash { get; set; } = "";

    /// <summary>The signed note, verbatim.</summary>
    [JsonPropertyName("note")] public string Note { get; set; } = "";

    /// <summary>The anchor leaf.</summary>
    public AnchorLeaf ToLeaf() => new(Origin, Size, Hash256.Parse(RootHash), Hash256.Parse(NoteHash));

    /// <summary>From a note.</summary>
    public static AnchoredCheckpoint FromNote(string note)
    {
        var leaf = AnchorLeaf.FromNote(note);
        return new() { Origin = leaf.Origin, Size = leaf.Size, RootHash = leaf.RootHash.ToBase64(), NoteHash = leaf.NoteHash.ToBase64(), Note = note };
    }
}

/// <summary>A signed transaction as kept.</summary>
public sealed class AnchorTransactionRecord
{
    /// <summary>0x hash.</summary>
    [JsonPropertyName("hash")] public string Hash { get; set; } = "";

    /// <summary>0x signed bytes.</summary>
    [JsonPropertyName("raw")] public string Raw { get; set; } = "";

    /// <summary>Account nonce.</summary>
    [JsonPropertyName("nonce")] public ulong Nonce { get; set; }

    /// <summary>Wei per gas, decimal.</summary>
    [JsonPropertyName("maxFeePerGas")] public string MaxFeePerGas { get; set; } = "0";

    /// <summary>Wei per gas, decimal.</summary>
    [JsonPropertyName("maxPriorityFeePerGas")] public string MaxPriorityFeePerGas { get; set; } = "0";

    /// <summary>Gas.</summary>
    [JsonPropertyName("gasLimit")] public ulong GasLimit { get; set; }

    /// <summary>When it was signed and first sent.</summary>
    [JsonPropertyName("sentAt")] public DateTimeOffset SentAt { get; set; }

    /// <summary>From a signed transaction.</summary>
    public static AnchorTransactionRecord From(SignedAnchorTransaction signed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(signed);
        return new()
        {
            Hash = signed.Hash,
            Raw = signed.Raw,
            Nonce = signed.Nonce,
            MaxFeePerGas = signed.MaxFeePerGas.ToString(CultureInfo.InvariantCulture),
            MaxPriorityFeePerGas = signed.MaxPriorityFeePerGas.ToString(CultureInfo.InvariantCulture),
            GasLimit = signed.GasLimit,
            SentAt = now,
        };
    }

    /// <summary>Back to the chain client's form.</summary>
    public SignedAnchorTransaction ToSigned() =>
        new(Hash, Raw, Nonce, BigInteger.Parse(MaxFeePerGas, CultureInfo.InvariantCulture), BigInteger.Parse(MaxPriorityFeePerGas, CultureInfo.InvariantCulture), GasLimit);
}

/// <summary>Where an anchor was mined.</summary>
public sealed class AnchorInclusion
{
    /// <summary>The mined transaction's 0x hash.</summary>
    [JsonPropertyName("transaction")] public string Transaction { get; set; } = "";

    /// <summary>Block number.</summary>
    [JsonPropertyName("blockNumber")] public ulong BlockNumber { get; set; }

    /// <summary>0x block hash.</summary>
    [JsonPropertyName("blockHash")] public string BlockHash { get; set; } = "";

    /// <summary>Block timestamp, Unix seconds.</summary>
    [JsonPropertyName("blockTime")] public ulong BlockTime { get; set; }

    /// <summary>The <c>Anchored</c> log's index in the block.</summary>
    [JsonPropertyName("logIndex")] public ulong LogIndex { get; set; }

    /// <summary>The contract's sequence number for the anchor.</summary>
    [JsonPropertyName("sequence")] public ulong Sequence { get; set; }

    /// <summary>Gas used.</summary>
    [JsonPropertyName("gasUsed")] public ulong GasUsed { get; set; }

    /// <summary>Wei per gas paid, decimal.</summary>
    [JsonPropertyName("effectiveGasPrice")] public string EffectiveGasPrice { get; set; } = "0";
}
