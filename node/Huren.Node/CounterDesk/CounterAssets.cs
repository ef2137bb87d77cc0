using System.Security.Cryptography;

namespace Huren.Node.CounterDesk;

/// <summary>
/// The page's static files (HTML, CSS, JavaScript), embedded in the node assembly: no CDN, no build step, nothing on
/// disk to go missing. Read once at start; served with an ETag.
/// </summary>
public sealed class CounterAssets
{
    private const string ResourcePrefix = "counter/";

    private readonly Dictionary<string, (byte[] Bytes, string ContentType, string ETag)> _files = new(StringComparer.Ordinal);

    /// <summary>Loads every embedded file under <c>counter/</c>.</summary>
    public CounterAssets()
    {
        var assembly = typeof(CounterAssets).Assembly;
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            _files[name[ResourcePrefix.Length..]] = (bytes, ContentTypeOf(name), $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"");
        }
        if (!_files.ContainsKey("index.html")) throw new InvalidOperationException($"the counter page is missing from {assembly.GetName().Name} (embedded resource {ResourcePrefix}index.html)");
    }

    /// <summary>The embedded file names.</summary>
    public IEnumerable<string> Names => _files.Keys;

    /// <summary>Serves <paramref name="name"/> (404 when not embedded; 304 when the client has it).</summary>
    public IResult Serve(HttpContext context, string name)
    {
        if (!_files.TryGetValue(name, out var file)) return Results.NotFound();
        context.Response.Headers.ETag = file.ETag;
        context.Response.Headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch == file.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(file.Bytes, file.ContentType);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".ico" => "image/x-icon",
        ".json" => "application/json",
        _ => "application/octet-stream",
    };
}
