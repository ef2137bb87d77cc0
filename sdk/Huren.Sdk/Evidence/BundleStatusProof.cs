using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using Huren.Sdk.Merkle;
using Huren.Sdk.Notes;
using Huren.Sdk.StatusMap;

namespace Huren.Sdk.Evidence;

/// <summary>
/// One element of a bundle's <c>statusProofs</c> (docs/status-map.md, "In evidence bundles"): the status-map proof of
/// a record's latest state — or of its absence — against the map root in the extension line of the bundle's checkpoint
/// for <see cref="Origin"/> at <see cref="TreeSize"/>. Binary fields are standard base64; <see cref="Value"/> is null
/// for an absent record and must then be written as an explicit <c>null</c>.
/// </summary>
public sealed class BundleStatusProof
{
    /// <summary>The log whose map is proven.</summary>
    [JsonPropertyName("origin")] public string Origin { get; set; } = "";

    /// <summary>The checkpoint size (= map version) the proof is against.</summary>
    [JsonPropertyName("treeSize")] public ulong TreeSize { get; set; }

    /// <summary>The record id.</summary>
    [JsonPropertyName("recordId")] public string RecordId { get; set; } = "";

    /// <summary>Base64 of SHA-256(UTF-8 record id): the map key.</summary>
    [JsonPropertyName("key")] public string Key { get; set; } = "";

    /// <summary>Base64 of the record's value (the leaf hash of its latest state entry), or null when the record is absent.</summary>
    [JsonPropertyName("value")] public string? Value { get; set; }

    /// <summary>Base64 of the map root the proof leads to (must equal the checkpoint's status-map line).</summary>
    [JsonPropertyName("mapRoot")] public string MapRoot { get; set; } = "";

    /// <summary>Base64 of the proof bytes.</summary>
    [JsonPropertyName("proof")] public string Proof { get; set; } = "";

    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>The bundle element for a proof made by <see cref="StatusMapTree.TryProve"/>.</summary>
    public static BundleStatusProof Create(string origin, ulong treeSize, string recordId, in Hash256 mapRoot, Hash256? value, StatusMapProof proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return new BundleStatusProof
        {
            Origin = origin,
            TreeSize = treeSize,
            RecordId = recordId,
            Key = StatusMapKey.ForRecord(recordId).ToBase64(),
            Value = value?.ToBase64(),
            MapRoot = mapRoot.ToBase64(),
            Proof = proof.ToBase64(),
        };
    }

    /// <summary>The JSON object, for <see cref="EvidenceBundle.StatusProofs"/>.</summary>
    public JsonElement ToJsonElement() => JsonSerializer.SerializeToElement(this, Json);

    /// <summary>
    /// Reads a <c>statusProofs</c> element: an object with every field of this type, of the right JSON kind
    /// (<c>value</c> a string or an explicit null); unknown fields are ignored. Never throws.
    /// </summary>
    public static bool TryRead(JsonElement element, [NotNullWhen(true)] out BundleStatusProof? proof, [NotNullWhen(false)] out string? error)
    {
        proof = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            error = $"status proof is a JSON {element.ValueKind}, not an object";
            return false;
        }
        if (!TryString(element, "origin", out var origin, out error) || !TryString(element, "recordId", out var recordId, out error)
            || !TryString(element, "key", out var key, out error) || !TryString(element, "mapRoot", out var mapRoot, out error)
            || !TryString(element, "proof", out var proofText, out error))
        {
            return false;
        }
        if (!element.TryGetProperty("treeSize", out var size) || size.ValueKind != JsonValueKind.Number || !size.TryGetUInt64(out var treeSize))
        {
            error = "status proof: treeSize is missing or not an unsigned integer";
            return false;
        }
        if (!element.TryGetProperty("value", out var valueElement) || valueElement.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
        {
            error = "status proof: value is missing or neither a string nor null (null, written out, means absent)";
            return false;
        }
        proof = new BundleStatusProof
        {
            Origin = origin, TreeSize = treeSize, RecordId = recordId, Key = key, MapRoot = mapRoot, Proof = proofText,
            Value = valueElement.ValueKind == JsonValueKind.Null ? null : valueElement.GetString(),
        };
        error = null;
        return true;
    }

    /// <summary>
    /// Checks this proof against a checkpoint of its origin (whose signatures the caller has verified): same origin and
    /// size, the checkpoint's status-map line equals <see cref="MapRoot"/>, <see cref="Key"/> is the record id's key,
    /// and the proof proves <see cref="Value"/> (or absence). On success <paramref name="value"/> is the proven value,
    /// null for an absent record. Never throws.
    /// </summary>
    public bool TryVerify(Checkpoint checkpoint, out Hash256? value, [NotNullWhen(false)] out string? error)
    {
        value = null;
        if (checkpoint is null)
        {
            error = "no checkpoint to check the status proof against";
            return false;
        }
        if (!string.Equals(Origin, checkpoint.Origin, StringComparison.Ordinal))
        {
            error = $"status proof is for origin '{Origin}', the checkpoint is of '{checkpoint.Origin}'";
            return false;
        }
        if (TreeSize != checkpoint.Size)
        {
            error = $"status proof is against size {TreeSize}, the checkpoint is at size {checkpoint.Size}";
            return false;
        }
        if (!StatusMapLine.TryFind(checkpoint, out var root, out error)) return false;
        if (!Hash256.TryParse(MapRoot, out var claimedRoot))
        {
            error = "status proof: mapRoot is not the canonical base64 of 32 bytes";
            return false;
        }
        if (claimedRoot != root)
        {
            error = $"status proof is against map root {claimedRoot}, the checkpoint's status-map line says {root}";
            return false;
        }
        if (string.IsNullOrEmpty(RecordId))
        {
            error = "status proof: recordId is empty";
            return false;
        }
        Hash256 recordKey;
        try
        {
            recordKey = StatusMapKey.ForRecord(RecordId);
        }
        catch (ArgumentException)
        {
            error = "status proof: recordId is not valid Unicode";
            return false;
        }
        if (!Hash256.TryParse(Key, out var key) || key != recordKey)
        {
            error = $"status proof: key is not SHA-256 of record id '{RecordId}' ({recordKey})";
            return false;
        }
        Hash256? claimed = null;
        if (Value is not null)
        {
            if (!Hash256.TryParse(Value, out var v))
            {
                error = "status proof: value is not the canonical base64 of 32 bytes";
                return false;
            }
            claimed = v;
        }
        if (Proof is null || !NoteSyntax.TryDecodeBase64(Proof, out var proofBytes))
        {
            error = "status proof: proof is not canonical base64";
            return false;
        }
        if (!StatusMapProofVerifier.TryVerify(root, key, claimed, proofBytes, out error))
        {
            error = $"status proof for '{RecordId}' refused: {error}";
            return false;
        }
        value = claimed;
        return true;
    }

    private static bool TryString(JsonElement element, string name, out string value, [NotNullWhen(false)] out string? error)
    {
        value = "";
        if (!element.TryGetProperty(name, out var property) || property.ValueKind != JsonValueKind.String)
        {
            error = $"status proof: {name} is missing or not a string";
            return false;
        }
        value = property.GetString()!;
        error = null;
        return true;
    }
}
