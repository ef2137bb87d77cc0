using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Network;

/// <summary>
/// The rule for configuration updates (TUF root rotation): version n+1 names the SHA-256 of version n's exact bytes
/// and carries valid signatures from a strict majority of version n's members' root keys.
/// The signed bytes are <c>huren-network-signature/v1\n</c> followed by the RFC 8785 (JCS) canonical JSON of the
/// document with <c>signatures</c> set to <c>[]</c>: sorted keys, no whitespace, so any tool can rebuild them.
/// </summary>
public static class NetworkConfigChain
{
    /// <summary>The bytes each member signs for <paramref name="json"/> (any signatures in it are ignored).</summary>
    public static byte[] CanonicalBytes(string json)
    {
        var node = JsonNode.Parse(json) ?? throw new FormatException("network configuration is empty");
        if (node is not JsonObject obj) throw new FormatException("network configuration is not a JSON object");
        obj["signatures"] = new JsonArray();
        var builder = new StringBuilder("huren-network-signature/v1\n");
        WriteCanonical(obj, builder);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>Hex SHA-256 of a version's exact file bytes (what the next version names as <c>previous</c>).</summary>
    public static string Digest(byte[] fileBytes) => Convert.ToHexStringLower(SHA256.HashData(fileBytes));

    /// <summary>Signs <paramref name="json"/> as <paramref name="cityCode"/>'s root and returns the document with the signature added.</summary>
    public static string AddSignature(string json, string cityCode, SigningKey rootKey)
    {
        var config = NetworkConfig.Parse(json);
        config.Signatures.RemoveAll(s => s.CityCode == cityCode);
        config.Signatures.Add(new NetworkSignature { CityCode = cityCode, Signature = Convert.ToBase64String(rootKey.Sign(CanonicalBytes(json))) });
        return config.ToJson();
    }

    /// <summary>
    /// Checks that <paramref name="nextBytes"/> is a valid successor of <paramref name="previousBytes"/>; false with
    /// the reason otherwise.
    /// </summary>
    public static bool VerifyNext(byte[] previousBytes, byte[] nextBytes, out TrustedNetwork? next, out string? error)
    {
        next = null;
        TrustedNetwork previous;
        byte[] signed;
        try
        {
            previous = TrustedNetwork.Parse(previousBytes);
            next = TrustedNetwork.Parse(nextBytes);
            signed = CanonicalBytes(Encoding.UTF8.GetString(nextBytes));
        }
        // A document anyone may send: whatever its JSON holds (a key twice, a number the canonical form has no
        // place for) is a reason, not a fault.
        catch (Exception ex) when (ex is FormatException or ArgumentException or JsonException)
        {
            error = ex.Message;
            next = null;
            return false;
        }
        if (next.NetworkId != previous.NetworkId) return Fail(out error, ref next, $"networkId changed from '{previous.NetworkId}' to '{next.NetworkId}'");
        if (next.Version != previous.Version + 1) return Fail(out error, ref next, $"version {next.Version} does not follow {previous.Version}");
        if (next.Config.Previous != Digest(previousBytes)) return Fail(out error, ref next, $"previous '{next.Config.Previous}' is not the digest of version {previous.Version}");
        var valid = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in next.Config.Signatures)
        {
            var member = previous.ByCity(s.CityCode);
            if (member is null) continue;
            byte[] signature;
            try
            {
                signature = Convert.FromBase64String(s.Signature);
            }
            catch (FormatException)
            {
                continue;
            }
            if (member.RootKey.Verify(signed, signature)) valid.Add(s.CityCode);
        }
        var needed = previous.Members.Count / 2 + 1;
        if (valid.Count < needed)
            return Fail(out error, ref next, $"signed by {valid.Count} of {previous.Members.Count} members of version {previous.Version}; a majority ({needed}) is required");
        error = null;
        return true;
    }

    /// <summary>
    /// Follows the chain from <paramref name="start"/>: asks <paramref name="fetch"/> for version n+1, n+2, … until it
    /// answers null, and checks each with <see cref="VerifyNext"/> against the one before (so a source that is not
    /// trusted can only stop the walk, not bend it). Returns the newest version reached and the exact bytes of every
    /// version after <paramref name="start"/>, in order.
    /// </summary>
    /// <exception cref="FormatException">A fetched version does not chain; the message names it and why.</exception>
    public static async Task<(TrustedNetwork Newest, IReadOnlyList<byte[]> Followed)> FollowAsync(TrustedNetwork start, Func<int, Task<byte[]?>> fetch, int? upTo = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(fetch);
        var current = start;
        var followed = new List<byte[]>();
        while (upTo is not { } limit || current.Version < limit)
        {
            var bytes = await fetch(current.Version + 1).ConfigureAwait(false);
            if (bytes is null) break;
            if (!VerifyNext(current.Bytes, bytes, out var next, out var error))
                throw new FormatException($"network configuration version {current.Version + 1} does not chain to version {current.Version}: {error}");
            followed.Add(bytes);
            current = next!;
        }
        return (current, followed);
    }

    /// <summary>
    /// The newest version reachable from <paramref name="start"/> through versions held in <paramref name="folder"/> as
    /// <c>v&lt;N&gt;.json</c> (what <c>huren network pull</c> stores), each checked with <see cref="VerifyNext"/>.
    /// </summary>
    /// <exception cref="FormatException">A stored version does not chain.</exception>
    public static TrustedNetwork FollowStored(TrustedNetwork start, string folder)
    {
        ArgumentNullException.ThrowIfNull(start);
        var current = start;
        while (File.Exists(Path.Combine(folder, $"v{current.Version + 1}.json")))
        {
            var path = Path.Combine(folder, $"v{current.Version + 1}.json");
            if (!VerifyNext(current.Bytes, File.ReadAllBytes(path), out var next, out var error))
                throw new FormatException($"'{path}' does not chain to version {current.Version}: {error}");
            current = next!;
        }
        return current;
    }

    private static bool Fail(out string? error, ref TrustedNetwork? next, string message)
    {
        error = message;
        next = null;
        return false;
    }

    private static void WriteCanonical(JsonNode? node, StringBuilder builder)
    {
        switch (node)
        {
            case null:
                builder.Append("null");
                break;
            case JsonObject obj:
                builder.Append('{');
                var first = true;
                // JCS orders members by their UTF-16 code units.
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (!first) builder.Append(',');
                    first = false;
                    builder.Append(JsonSerializer.Serialize(key, JcsStrings));
                    builder.Append(':');
                    WriteCanonical(value, builder);
                }
                builder.Append('}');
                break;
            case JsonArray array:
                builder.Append('[');
                for (var i = 0; i < array.Count; i++)
                {
                    if (i > 0) builder.Append(',');
                    WriteCanonical(array[i], builder);
                }
                builder.Append(']');
                break;
            case JsonValue value:
                var element = value.GetValue<JsonElement>();
                builder.Append(element.ValueKind switch
                {
                    JsonValueKind.String => JsonSerializer.Serialize(element.GetString(), JcsStrings),
                    JsonValueKind.Number when element.TryGetInt64(out var n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    JsonValueKind.Number => throw new FormatException("network configuration numbers must be integers"),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => "null",
                });
                break;
        }
    }

    // JCS escapes only what JSON requires; everything else is written as UTF-8.
    private static readonly JsonSerializerOptions JcsStrings = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
