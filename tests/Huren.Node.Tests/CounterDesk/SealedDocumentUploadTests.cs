using System.Net.Http.Headers;
using Huren.Node.CounterDesk;
using Microsoft.AspNetCore.Http;

namespace Huren.Node.Tests.CounterDesk;

/// <summary>
/// The counter page's sealed-document upload hashes the document as it streams in (Digests.Sm3Async): its SM3 and
/// length, a document of exactly the limit taken, one byte more answered 413.
/// </summary>
public sealed class SealedDocumentUploadTests
{
    private static readonly byte[] Signature = [0x30, 0x03, 0x02, 0x01, 0x01];

    /// <summary>What <see cref="SealedDocumentUpload.ReadAsync"/> makes of a multipart upload of <paramref name="document"/> and a signature.</summary>
    private static async Task<(SealedDocumentUpload? Upload, int Status, string? Error)> UploadAsync(byte[] document, long maxDocumentBytes)
    {
        using var form = new MultipartFormDataContent();
        var documentPart = new ByteArrayContent(document);
        documentPart.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(documentPart, "document", "notice.pdf");
        form.Add(new ByteArrayContent(Signature), "signature", "notice.pdf.ses");
        var context = new DefaultHttpContext();
        context.Request.ContentType = form.Headers.ContentType!.ToString();
        context.Request.Body = new MemoryStream(await form.ReadAsByteArrayAsync());
        return await SealedDocumentUpload.ReadAsync(context.Request, maxDocumentBytes, CancellationToken.None);
    }

    [Fact]
    public async Task A_document_is_hashed_with_sm3_as_it_streams_in()
    {
        var (upload, status, error) = await UploadAsync("abc"u8.ToArray(), maxDocumentBytes: 1024);
        Assert.True(status == 200, error);
        // GB/T 32905's example: SM3("abc").
        Assert.Equal("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0", Convert.ToHexStringLower(upload!.DocumentSm3));
        Assert.Equal(("notice.pdf", 3L), (upload.DocumentName, upload.DocumentBytes));
        Assert.Equal(Signature, upload.Signature);
    }

    [Fact]
    public async Task A_document_of_the_limit_is_taken_and_one_byte_more_is_413()
    {
        var atLimit = await UploadAsync(new byte[1024], maxDocumentBytes: 1024);
        Assert.True(atLimit.Status == 200, atLimit.Error);
        Assert.Equal(1024L, atLimit.Upload!.DocumentBytes);

        var (upload, status, error) = await UploadAsync(new byte[1025], maxDocumentBytes: 1024);
        Assert.Equal((413, (SealedDocumentUpload?)null), (status, upload));
        Assert.StartsWith("the document is larger than", error, StringComparison.Ordinal);
    }
}
