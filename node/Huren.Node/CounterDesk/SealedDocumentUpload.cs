using System.Buffers;
using Huren.Sdk.Crypto;
using Huren.Sdk.Seals;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Huren.Node.CounterDesk;

/// <summary>
/// A sealed document as the counter page uploads it (<c>multipart/form-data</c>, parts <c>document</c> and
/// <c>signature</c>, in either order): the document is hashed with SM3 as it streams in and never kept or buffered
/// whole, so a large PDF or OFD costs the node one buffer; the <c>SES_Signature</c> DER is read whole, within
/// <see cref="SesLimits.MaxStructureBytes"/>.
/// </summary>
/// <param name="DocumentName">The document's file name as the browser sent it (shown on the slip; never a path here).</param>
/// <param name="DocumentBytes">Its length.</param>
/// <param name="DocumentSm3">Its SM3 (32 bytes).</param>
/// <param name="Signature">The <c>SES_Signature</c> DER.</param>
public sealed record SealedDocumentUpload(string DocumentName, long DocumentBytes, byte[] DocumentSm3, byte[] Signature)
{
    /// <summary>Longest file name kept for the view (longer ones are cut).</summary>
    private const int MaxNameLength = 200;

    /// <summary>
    /// Reads the upload of <paramref name="request"/>, allowing a document of at most <paramref name="maxDocumentBytes"/>.
    /// Returns the upload, or the HTTP status and the message that says what is wrong.
    /// </summary>
    public static async Task<(SealedDocumentUpload? Upload, int Status, string? Error)> ReadAsync(HttpRequest request, long maxDocumentBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(type.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
            return (null, 400, "send the document and its seal signature as multipart/form-data, in parts 'document' and 'signature'");
        // Kestrel's default body limit (about 30 MB) would cut a large document short; this request may carry one.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = maxDocumentBytes + SesLimits.MaxStructureBytes + 64 * 1024;

        var reader = new MultipartReader(boundary, request.Body);
        string? name = null;
        long length = 0;
        byte[]? sm3 = null;
        byte[]? signature = null;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                // A file part (document, signature) or a plain field: both are form-data with a name.
                var part = section.GetContentDispositionHeader() is { } disposition && disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    ? HeaderUtilities.RemoveQuotes(disposition.Name).Value : null;
                switch (part)
                {
                    case "document" when sm3 is null:
                        var fileName = section.AsFileSection()?.FileName ?? "";
                        name = fileName.Length > MaxNameLength ? fileName[..MaxNameLength] : fileName;
                        if (await Digests.Sm3Async(section.Body, maxDocumentBytes, cancellationToken).ConfigureAwait(false) is not { } hashed)
                            return (null, 413, $"the document is larger than {maxDocumentBytes / 1024 / 1024} MiB (Huren:Counter:MaxDocumentBytes)");
                        (sm3, length) = (hashed.Digest, hashed.Length);
                        break;
                    case "signature" when signature is null:
                        signature = await ReadWithinAsync(section.Body, SesLimits.MaxStructureBytes, cancellationToken).ConfigureAwait(false);
                        if (signature is null) return (null, 413, $"the signature file is larger than {SesLimits.MaxStructureBytes / 1024 / 1024} MiB: an SES_Signature is at most that");
                        break;
                    case "document" or "signature":
                        return (null, 400, $"the part '{part}' is sent twice; send one document and one signature");
                    default:
                        return (null, 400, $"unexpected part '{part ?? "(unnamed)"}': send only 'document' and 'signature'");
                }
            }
        }
        catch (InvalidDataException ex)
        {
            // A malformed multipart body: part headers too long or too many, a line that is no header.
            return (null, 400, $"the upload is not well-formed multipart/form-data: {ex.Message}");
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The body ended before its closing boundary: no boundary line at all, or a part cut off.
            return (null, 400, $"the upload is not well-formed multipart/form-data: {ex.Message}");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, 413, $"the upload is larger than this node accepts: {ex.Message}");
        }
        if (sm3 is null || length == 0) return (null, 400, "choose the sealed document (part 'document', not empty)");
        if (signature is not { Length: > 0 }) return (null, 400, "choose the document's seal signature file (part 'signature': the SES_Signature DER, e.g. the .ses file 'huren seal use' writes)");
        return (new SealedDocumentUpload(name ?? "", length, sm3, signature), 200, null);
    }

    /// <summary>Everything <paramref name="body"/> yields, or null when it exceeds <paramref name="max"/> bytes (the page's uploads read whole).</summary>
    internal static async Task<byte[]?> ReadWithinAsync(Stream body, long max, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (copy.Length + read > max) return null;
                copy.Write(buffer, 0, read);
            }
            return copy.ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
