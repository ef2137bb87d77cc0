using Huren.Sdk.Timestamps;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Huren.Anchoring.Timestamps;

/// <summary>Serves a <see cref="TimestampAuthority"/> over HTTP as RFC 3161 §3.4 describes: POST <c>application/timestamp-query</c>, answer <c>application/timestamp-reply</c>.</summary>
public static class TimestampAuthorityEndpoint
{
    /// <summary>Requests larger than this are refused (a TimeStampReq over SHA-512 is under 200 bytes).</summary>
    public const int MaxRequestBytes = 16 * 1024;

    /// <summary>Maps the TSA at <paramref name="pattern"/> (e.g. <c>/tsa</c>).</summary>
    public static IEndpointConventionBuilder MapTimestampAuthority(this IEndpointRouteBuilder endpoints, string pattern, TimestampAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(authority);
        return endpoints.MapPost(pattern, async (HttpContext context) =>
        {
            var request = context.Request;
            if (!string.Equals(request.ContentType?.Split(';')[0].Trim(), TimestampClient.QueryMediaType, StringComparison.OrdinalIgnoreCase))
                return Results.Text($"the request must be {TimestampClient.QueryMediaType}", statusCode: StatusCodes.Status415UnsupportedMediaType);
            if (request.ContentLength > MaxRequestBytes) return Results.Text("request too large", statusCode: StatusCodes.Status413PayloadTooLarge);
            using var body = new MemoryStream();
            var buffer = new byte[4096];
            int read;
            while ((read = await request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (body.Length + read > MaxRequestBytes) return Results.Text("request too large", statusCode: StatusCodes.Status413PayloadTooLarge);
                body.Write(buffer, 0, read);
            }
            return Results.Bytes(authority.Respond(body.ToArray()), TimestampClient.ReplyMediaType);
        });
    }
}
