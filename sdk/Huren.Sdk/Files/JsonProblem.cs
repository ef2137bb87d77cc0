using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Huren.Sdk.Files;

/// <summary>
/// What is wrong with a JSON document, said for the person who gave it. System.Text.Json's own messages name .NET types
/// ("could not be converted to Huren.Sdk.Evidence.EvidenceBundle") and reader states ("when isFinalBlock is true"),
/// which mean nothing to them.
/// </summary>
public static partial class JsonProblem
{
    /// <summary>
    /// Describes why <paramref name="json"/> could not be read as <paramref name="what"/> (e.g. "evidence bundle"), given
    /// the exception deserializing it with <paramref name="options"/> threw: "… is not valid JSON: it is empty", "… it
    /// ends early", "… malformed at line 3, byte 14", "… it is nested deeper than 64 levels"; or, for JSON of
    /// another shape, "… is not a JSON object of its form", "…: entries[0].index has the wrong type or is out of range"
    /// or, where unknown fields are refused, "…: unknown field 'lisenceId'".
    /// </summary>
    public static string Describe(string what, string json, JsonException exception, JsonSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(exception);
        if (Syntax(Encoding.UTF8.GetBytes(json), options) is { } syntax) return $"{what} is not valid JSON: {syntax}";
        var path = FieldPath(exception);
        if (MissingRequired().Match(exception.Message) is { Success: true } missing)
            return $"{what}: required field {missing.Groups["names"].Value.TrimEnd('.')} missing" + (path is null ? "" : $" in {path}");
        if (UnmappedProperty().Match(exception.Message) is { Success: true } unknown)
        {
            var name = unknown.Groups["name"].Value;
            var within = Holding(path, name);
            return $"{what}: unknown field '{name}'" + (string.IsNullOrEmpty(within) ? "" : $" in {within}");
        }
        return path is null ? $"{what} is not a JSON object of its form" : $"{what}: {path} has the wrong type or is out of range";
    }

    /// <summary>
    /// Where in the document <paramref name="exception"/> arose, as a field path without the root's <c>$</c>
    /// ("entries[0].index"), or null at the root or when it does not say.
    /// </summary>
    public static string? FieldPath(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Path is { Length: > 1 } p && p.StartsWith('$') ? p[1..].TrimStart('.') : null;
    }

    /// <summary>The path of what holds field <paramref name="name"/>, given the field's own path (which ends with it).</summary>
    private static string? Holding(string? path, string name)
    {
        if (path is null) return null;
        foreach (var last in new[] { $"['{name}']", name })
        {
            if (path.EndsWith(last, StringComparison.Ordinal)) return path[..^last.Length].TrimEnd('.');
        }
        return path;
    }

    /// <summary>What is wrong with the JSON text itself, or null when it is well-formed (the problem is its shape).</summary>
    private static string? Syntax(byte[] utf8, JsonSerializerOptions? options)
    {
        if (utf8.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return "it is empty";
        var maxDepth = options is { MaxDepth: > 0 } ? options.MaxDepth : 64;
        // Read with no depth limit, so nesting is told apart from a syntax error.
        if (Read(utf8, final: true, options, out var deepest, out var line, out var position)) return deepest > maxDepth ? $"it is nested deeper than {maxDepth} levels" : null;
        // A valid beginning that stops: the file was cut short.
        if (Read(utf8, final: false, options, out _, out _, out _)) return "it ends early";
        return $"malformed at line {line + 1}, byte {position + 1}";
    }

    /// <summary>Reads every token; false (with where it stopped) at the first syntax error.</summary>
    private static bool Read(byte[] utf8, bool final, JsonSerializerOptions? options, out int deepest, out long line, out long position)
    {
        var reader = new Utf8JsonReader(utf8, final, new JsonReaderState(new JsonReaderOptions
        {
            MaxDepth = int.MaxValue,
            AllowTrailingCommas = options?.AllowTrailingCommas ?? false,
            CommentHandling = options?.ReadCommentHandling ?? JsonCommentHandling.Disallow,
        }));
        deepest = 0;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray) deepest = Math.Max(deepest, reader.CurrentDepth + 1);
            }
            (line, position) = (0, 0);
            return true;
        }
        catch (JsonException ex)
        {
            (line, position) = (ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0);
            return false;
        }
    }

    [GeneratedRegex("missing required properties including: (?<names>.+)$")]
    private static partial Regex MissingRequired();

    /// <summary>JsonUnmappedMemberHandling.Disallow's refusal of a field the type does not have.</summary>
    [GeneratedRegex("^The JSON property '(?<name>.+)' could not be mapped to any .NET member")]
    private static partial Regex UnmappedProperty();
}
