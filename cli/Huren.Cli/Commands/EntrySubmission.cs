using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Huren.Cli.Output;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using ProtoBuf;

namespace Huren.Cli.Commands;

/// <summary>
/// Builds an entry around a body, checks it as the node will (schema and fields), signs the encoded bytes once with the
/// acting key and submits them; prints where it landed.
/// </summary>
internal static class EntrySubmission
{
    /// <summary>A new entry of <paramref name="kind"/> in <paramref name="origin"/>, stamped now.</summary>
    public static Entry Create<TBody>(string kind, string recordId, string issuerId, string origin, TBody body, params EntryReference[] references)
        => Entry.Create(kind, origin, recordId, issuerId, body, DateTimeOffset.UtcNow, references);

    /// <summary>Checks, signs with <paramref name="key"/> and submits <paramref name="entry"/> to the session's node.</summary>
    /// <exception cref="CliException">The entry is not valid (nothing is sent).</exception>
    public static async Task<SubmitResponse> SubmitAsync(NodeSession session, Entry entry, SigningKey key, CancellationToken cancellationToken)
    {
        try
        {
            // The SDK checks the entry first and the receipt after: it must name the bytes signed.
            return await session.Client.SubmitAsync(entry, key, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or UntrustedAnswerException)
        {
            throw new CliException(ex is ArgumentException ? ex.Message.Split(" (Parameter", 2)[0] : ex.Message, ex);
        }
    }

    /// <summary>Prints the outcome of a submission: one line, or a JSON object.</summary>
    public static async Task<int> ReportAsync(NodeSession session, Entry entry, SubmitResponse response, TextWriter output, string? summary = null, string? holderSalt = null)
    {
        if (session.AsJson)
        {
            await output.WriteLineAsync(JsonSerializer.Serialize(new SubmissionJson(
                entry.Kind, entry.RecordId, entry.IssuerId, response.Origin, response.Index, Convert.ToHexStringLower(response.LeafHash), response.Duplicate, holderSalt), CliJson.Options)).ConfigureAwait(false);
            return ExitCodes.Success;
        }
        var what = summary ?? $"{entry.Kind} {entry.RecordId}";
        var duplicate = response.Duplicate ? " (already recorded: the same signed bytes were in the log)" : "";
        await output.WriteLineAsync($"Recorded {what}: {response.Origin} #{response.Index}, leaf {Convert.ToHexStringLower(response.LeafHash)[..16]}…{duplicate}").ConfigureAwait(false);
        if (holderSalt is not null) await output.WriteLineAsync($"Holder commitment salt (give it to the holder; it proves the ID number later): {holderSalt}").ConfigureAwait(false);
        return ExitCodes.Success;
    }

    /// <summary>Reads a body from a JSON file that follows the schema (proto3 JSON field names, bytes as base64).</summary>
    /// <exception cref="CliException">Missing, unreadable, not JSON, or with a field the schema does not have.</exception>
    public static T ReadBody<T>(string path)
        where T : class
    {
        var full = Path.GetFullPath(path);
        string text;
        try
        {
            text = File.ReadAllText(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"'{full}' cannot be read: {ex.Message}", ex);
        }
        var what = $"the {typeof(T).Name} body in '{full}'";
        try
        {
            var body = JsonSerializer.Deserialize<T>(text, BodyJson) ?? throw new CliException($"'{full}' holds no JSON object");
            ReplaceNulls(body);
            return body;
        }
        catch (BodyValueException ex)
        {
            // Our own words (an enum name that is none of the schema's): keep them, with where.
            throw new CliException($"{what}: {Sdk.Files.JsonProblem.FieldPath(ex) ?? "the body"}: {ex.Message}", ex);
        }
        catch (JsonException ex)
        {
            // System.Text.Json's own message names .NET types and reader states; say what is wrong in the file instead.
            throw new CliException(Sdk.Files.JsonProblem.Describe(what, text, ex, BodyJson), ex);
        }
    }

    /// <summary>A value the body's converters refuse, with a message already meant for the person who wrote the file.</summary>
    private sealed class BodyValueException(string message) : JsonException(message);

    /// <summary>JSON null is the proto3 default: empty strings, bytes and lists (in nested messages too).</summary>
    private static void ReplaceNulls(object message)
    {
        foreach (var property in message.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanWrite || property.GetIndexParameters().Length > 0) continue;
            var value = property.GetValue(message);
            if (value is null)
            {
                if (property.PropertyType == typeof(string)) property.SetValue(message, "");
                else if (property.PropertyType == typeof(byte[])) property.SetValue(message, Array.Empty<byte>());
                else if (property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(List<>)) property.SetValue(message, Activator.CreateInstance(property.PropertyType));
            }
            else if (value is System.Collections.IList list && property.PropertyType.IsGenericType && property.PropertyType.GetGenericArguments()[0].GetCustomAttribute<ProtoContractAttribute>() is not null)
            {
                for (var i = list.Count - 1; i >= 0; i--)
                {
                    if (list[i] is null) list.RemoveAt(i);
                    else ReplaceNulls(list[i]!);
                }
            }
        }
    }

    /// <summary>
    /// Body JSON as in the proto3 JSON mapping: lowerCamelCase names, bytes as base64, enums by their proto name (or
    /// the C# name, or number); unknown fields refused so that typos do not vanish.
    /// </summary>
    private static readonly JsonSerializerOptions BodyJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters = { new ProtoEnumConverterFactory() },
    };

    private sealed class ProtoEnumConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
            => (JsonConverter)Activator.CreateInstance(typeof(ProtoEnumConverter<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class ProtoEnumConverter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        private static readonly Dictionary<string, T> ByName = Names();

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Number) return (T)Enum.ToObject(typeof(T), reader.GetInt32());
            var name = reader.GetString() ?? "";
            return ByName.TryGetValue(name, out var value) ? value
                : throw new BodyValueException($"'{name}' is not a {typeof(T).Name} (one of {string.Join(", ", ProtoNames())})");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(value.ToString());

        private static Dictionary<string, T> Names()
        {
            var names = new Dictionary<string, T>(StringComparer.OrdinalIgnoreCase);
            foreach (var value in Enum.GetValues<T>())
            {
                names[value.ToString()] = value;
                if (typeof(T).GetField(value.ToString())?.GetCustomAttribute<ProtoEnumAttribute>()?.Name is { Length: > 0 } protoName) names[protoName] = value;
            }
            return names;
        }

        private static IEnumerable<string> ProtoNames()
        {
            foreach (var value in Enum.GetValues<T>())
            {
                yield return typeof(T).GetField(value.ToString())?.GetCustomAttribute<ProtoEnumAttribute>()?.Name ?? value.ToString();
            }
        }
    }

    private sealed record SubmissionJson(
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("recordId")] string RecordId,
        [property: JsonPropertyName("issuerId")] string IssuerId,
        [property: JsonPropertyName("origin")] string Origin,
        [property: JsonPropertyName("index")] ulong Index,
        [property: JsonPropertyName("leafHash")] string LeafHash,
        [property: JsonPropertyName("duplicate")] bool Duplicate,
        [property: JsonPropertyName("holderSalt")] string? HolderSalt);
}
