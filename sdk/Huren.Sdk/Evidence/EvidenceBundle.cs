using System.Text.Json;
using System.Text.Json.Serialization;

namespace Huren.Sdk.Evidence;

/// <summary>
/// A <c>huren-evidence/v1</c> bundle: signed entries with RFC 9162 inclusion proofs and the signed checkpoints they
/// are proven against, checkable offline with only the network configuration (../shared/spec/evidence-bundle.md).
/// </summary>
public sealed class EvidenceBundle
{
    /// <summary>The only format this version reads and writes.</summary>
    public const string FormatV1 = "huren-evidence/v1";

    /// <summary>Always <see cref="FormatV1"/>; required when read (a bundle without it is not of this format).</summary>
    [JsonRequired, JsonPropertyName("format")] public string Format { get; set; } = FormatV1;

    /// <summary>The network id.</summary>
    [JsonPropertyName("network")] public string Network { get; set; } = "";

    /// <summary>The record id the bundle is about.</summary>
    [JsonPropertyName("subject")] public string Subject { get; set; } = "";

    /// <summary>When the bundle was made (UTC).</summary>
    [JsonPropertyName("createdAt")] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The node's statement; a verifier recomputes it.</summary>
    [JsonPropertyName("verdict")] public BundleVerdict Verdict { get; set; } = new();

    /// <summary>The entries with their proofs.</summary>
    [JsonPropertyName("entries")] public List<BundleEntry> Entries { get; set; } = [];

    /// <summary>Origin → complete signed checkpoint note, verbatim.</summary>
    [JsonPropertyName("checkpoints")] public Dictionary<string, string> Checkpoints { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Reserved for status-map proofs; empty for now.</summary>
    [JsonPropertyName("statusProofs")] public List<JsonElement> StatusProofs { get; set; } = [];

    /// <summary>
    /// Optional proofs that the bundle's checkpoints were anchored on the network's EVM chain (docs/anchoring.md);
    /// null (and absent from the JSON) when the bundle carries none. Verifiers that do not know the field ignore it.
    /// </summary>
    [JsonPropertyName("anchorProofs")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<Anchoring.AnchorProof>? AnchorProofs { get; set; }

    /// <summary>
    /// The network configuration version the bundle was made under (0, and absent from the JSON, when not stated): a
    /// verifier needs that version or a later one of the chain, which lists every key its checkpoints may be signed
    /// with (retired keys included).
    /// </summary>
    [JsonPropertyName("configVersion")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int ConfigVersion { get; set; }

    /// <summary>
    /// Optional RFC 3161 time-stamps of the bundle's checkpoints (docs/anchoring.md): the stamped note and the token,
    /// checked offline with <see cref="Timestamps.BundleTimestampVerifier"/> against the TSA roots a verifier trusts;
    /// null (and absent from the JSON) when the bundle carries none. Verifiers that do not know the field ignore it.
    /// </summary>
    [JsonPropertyName("timestamps")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<Timestamps.BundleTimestamp>? Timestamps { get; set; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The first required field that JSON left null, or null when every one is there.</summary>
    internal string? MissingField()
    {
        if (Network is null) return "network";
        if (Subject is null) return "subject";
        if (Verdict is null) return "verdict";
        if (Verdict.Status is null) return "verdict.status";
        if (Verdict.AsOf is null || Verdict.AsOf.Origin is null) return "verdict.asOf";
        if (Entries is null) return "entries";
        if (Checkpoints is null) return "checkpoints";
        if (StatusProofs is null) return "statusProofs";
        for (var i = 0; i < Entries.Count; i++)
        {
            var e = Entries[i];
            if (e is null) return $"entries[{i}]";
            if (e.Origin is null) return $"entries[{i}].origin";
            if (e.Leaf is null) return $"entries[{i}].leaf";
            if (e.InclusionProof is null || e.InclusionProof.Exists(h => h is null)) return $"entries[{i}].inclusionProof";
        }
        foreach (var (origin, note) in Checkpoints)
        {
            if (note is null) return $"checkpoints[{origin}]";
        }
        return null;
    }

    /// <summary>The bundle as indented UTF-8 JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a bundle; unknown fields are ignored, another <c>format</c> is refused.</summary>
    /// <exception cref="FormatException">Not JSON of this format; the message says why.</exception>
    public static EvidenceBundle Parse(string json)
    {
        EvidenceBundle? bundle;
        try
        {
            bundle = JsonSerializer.Deserialize<EvidenceBundle>(json, Json);
        }
        catch (JsonException ex)
        {
            throw new FormatException(Files.JsonProblem.Describe("evidence bundle", json, ex, Json), ex);
        }
        if (bundle is null) throw new FormatException("evidence bundle is empty");
        if (bundle.Format != FormatV1) throw new FormatException($"evidence bundle format '{bundle.Format}' is not {FormatV1}");
        if (bundle.MissingField() is { } missing) throw new FormatException($"evidence bundle: {missing} is missing or null");
        return bundle;
    }
}

/// <summary>The node's verdict inside a bundle.</summary>
public sealed class BundleVerdict
{
    /// <summary>VALID, SUSPENDED, REVOKED, EXPIRED, NOT_YET_VALID, TRANSFERRED or UNKNOWN.</summary>
    [JsonPropertyName("status")] public string Status { get; set; } = "";

    /// <summary>Why.</summary>
    [JsonPropertyName("reason")] public string Reason { get; set; } = "";

    /// <summary>The checkpoint the verdict is as of.</summary>
    [JsonPropertyName("asOf")] public BundleCheckpointRef AsOf { get; set; } = new();
}

/// <summary>A log and size.</summary>
public sealed class BundleCheckpointRef
{
    /// <summary>The log.</summary>
    [JsonPropertyName("origin")] public string Origin { get; set; } = "";

    /// <summary>The tree size.</summary>
    [JsonPropertyName("size")] public ulong Size { get; set; }
}

/// <summary>One entry, its position and its inclusion proof.</summary>
public sealed class BundleEntry
{
    /// <summary>The log.</summary>
    [JsonPropertyName("origin")] public string Origin { get; set; } = "";

    /// <summary>The index.</summary>
    [JsonPropertyName("index")] public ulong Index { get; set; }

    /// <summary>Base64 of the exact SignedEntry bytes.</summary>
    [JsonPropertyName("leaf")] public string Leaf { get; set; } = "";

    /// <summary>The tree size of the checkpoint it is proven against.</summary>
    [JsonPropertyName("treeSize")] public ulong TreeSize { get; set; }

    /// <summary>Base64 32-byte hashes of the RFC 9162 audit path.</summary>
    [JsonPropertyName("inclusionProof")] public List<string> InclusionProof { get; set; } = [];
}
