using System.Security.Cryptography;
using Grpc.Core;
using Huren.Schemas.Services;
using Huren.Sdk.Crypto;

namespace Huren.Node.Tests.Integration;

/// <summary>The Content service over real gRPC: streamed upload and download by a department, who may read what, record data.</summary>
public sealed class ContentServiceTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_department_uploads_in_pieces_and_downloads_the_same_bytes()
    {
        using var amr = _node.Client("amr");
        var data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        long sent = 0;
        var put = await amr.PutContentAsync(new MemoryStream(data), new Progress<long>(n => sent = n));
        Assert.Equal(Digests.Sha256(data), put.Sha256);
        Assert.Equal(Digests.Sm3(data), put.Sm3);
        Assert.False(put.Duplicate);
        Assert.True((await amr.PutContentAsync(new MemoryStream(data))).Duplicate);

        var back = new MemoryStream();
        var header = await amr.GetContentAsync(put.Sha256, back);
        Assert.Equal(data.Length, header.Length);
        Assert.Equal(data, back.ToArray());
    }

    [Fact]
    public async Task An_upload_over_the_nodes_limit_is_answered_with_the_nodes_reason()
    {
        await using var small = await TestNode.StartAsync(null, "--Huren:Content:MaxObjectBytes=1048576");
        using var amr = small.Client("amr");
        var ex = await Assert.ThrowsAsync<RpcException>(() => amr.PutContentAsync(new MemoryStream(new byte[8 * 1024 * 1024])));
        Assert.Contains("exceeds the content store's limit of 1048576 bytes (Huren:Content:MaxObjectBytes)", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_department_and_an_auditor_cannot_read_it()
    {
        using var amr = _node.Client("amr");
        var put = await amr.PutContentAsync(new MemoryStream(RandomNumberGenerator.GetBytes(1000)));
        using var other = _node.Client("other");
        // Not stored and stored by another department are one answer: whether anyone holds guessed content stays unsaid.
        var ex = await Assert.ThrowsAsync<RpcException>(() => other.GetContentAsync(put.Sha256, new MemoryStream()));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.Equal($"'other' stored no object with SHA-256 {Convert.ToHexStringLower(put.Sha256)}", ex.Status.Detail);
        var absent = RandomNumberGenerator.GetBytes(32);
        var none = await Assert.ThrowsAsync<RpcException>(() => other.GetContentAsync(absent, new MemoryStream()));
        Assert.Equal((StatusCode.NotFound, $"'other' stored no object with SHA-256 {Convert.ToHexStringLower(absent)}"), (none.StatusCode, none.Status.Detail));
        var bySm3 = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (var _ in other.Content.GetAsync(new ContentGetRequest { Sm3 = put.Sm3 }, other.Options())) { }
        });
        Assert.Equal((StatusCode.NotFound, $"'other' stored no object with SM3 {Convert.ToHexStringLower(put.Sm3)}"), (bySm3.StatusCode, bySm3.Status.Detail));
        using var auditor = _node.Client("auditor");
        ex = await Assert.ThrowsAsync<RpcException>(() => auditor.GetContentAsync(put.Sha256, new MemoryStream()));
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        using var op = _node.Client("operator");
        var back = new MemoryStream();
        await op.GetContentAsync(put.Sha256, back);
        Assert.Equal(1000, back.Length);
    }

    [Fact]
    public async Task An_object_damaged_on_disk_is_answered_with_data_loss_naming_it()
    {
        using var amr = _node.Client("amr");
        var data = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var put = await amr.PutContentAsync(new MemoryStream(data));
        var hex = Convert.ToHexStringLower(put.Sha256);
        var file = Assert.Single(Directory.GetFiles(_node.Dir, hex, SearchOption.AllDirectories));
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[bytes.Length / 2] ^= 1; // inside a chunk past the first: the download has begun when it is found
        await File.WriteAllBytesAsync(file, bytes);

        var back = new MemoryStream();
        var ex = await Assert.ThrowsAsync<RpcException>(() => amr.GetContentAsync(put.Sha256, back));
        Assert.Equal(StatusCode.DataLoss, ex.StatusCode);
        Assert.Contains(hex, ex.Status.Detail, StringComparison.Ordinal);
        Assert.True(back.Length < data.Length, "the damaged part must not reach the caller");
    }

    [Fact]
    public async Task An_unknown_object_is_not_found()
    {
        using var amr = _node.Client("amr");
        var ex = await Assert.ThrowsAsync<RpcException>(() => amr.GetContentAsync(new byte[32], new MemoryStream()));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task Record_data_needs_a_json_object_and_files_the_department_stored()
    {
        using var amr = _node.Client("amr");
        var fields = await amr.PutContentAsync(new MemoryStream("{\"住所\":\"湖南省长沙市\",\"类型\":\"有限责任公司\"}"u8.ToArray()));
        var file = await amr.PutContentAsync(new MemoryStream(RandomNumberGenerator.GetBytes(5000)));
        var answer = await amr.Content.PutRecordAsync(new RecordDataRequest
        {
            ResourceCode = "430100-R-0001", RecordId = "record-1", FieldsSha256 = fields.Sha256,
            Files = { new RecordFile { Name = "document", Sha256 = file.Sha256, MediaType = "application/ofd" } },
        });
        Assert.Equal(["住所", "类型"], answer.Fields);

        var notJson = await amr.PutContentAsync(new MemoryStream("[1,2]"u8.ToArray()));
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await amr.Content.PutRecordAsync(new RecordDataRequest { ResourceCode = "430100-R-0001", RecordId = "record-2", FieldsSha256 = notJson.Sha256 }));
        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("JSON object", ex.Status.Detail);

        using var other = _node.Client("other");
        ex = await Assert.ThrowsAsync<RpcException>(async () => await other.Content.PutRecordAsync(new RecordDataRequest { ResourceCode = "430100-R-0001", RecordId = "record-3", FieldsSha256 = fields.Sha256 }));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
        Assert.StartsWith("fields_sha256: 'other' stored no object", ex.Status.Detail, StringComparison.Ordinal);

        // Another department cannot replace the record with its own data, and the record is unchanged.
        var forged = await other.PutContentAsync(new MemoryStream("{\"住所\":\"伪造\"}"u8.ToArray()));
        ex = await Assert.ThrowsAsync<RpcException>(async () => await other.Content.PutRecordAsync(new RecordDataRequest { ResourceCode = "430100-R-0001", RecordId = "record-1", FieldsSha256 = forged.Sha256 }));
        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Contains("was published by 430100-amr", ex.Status.Detail);
        var replaced = await amr.Content.PutRecordAsync(new RecordDataRequest { ResourceCode = "430100-R-0001", RecordId = "record-1", FieldsSha256 = fields.Sha256 });
        Assert.True(replaced.Replaced);
        Assert.Equal(["住所", "类型"], replaced.Fields);
    }

    [Fact]
    public async Task Duplicate_tells_a_department_only_of_content_it_stored_itself()
    {
        using var amr = _node.Client("amr");
        using var other = _node.Client("other");
        var guess = "{\"法定代表人\":\"张三\"}"u8.ToArray();
        Assert.False((await amr.PutContentAsync(new MemoryStream(guess))).Duplicate);
        // The other department's upload of the same bytes does not learn that amr holds them.
        Assert.False((await other.PutContentAsync(new MemoryStream(guess))).Duplicate);
        Assert.True((await other.PutContentAsync(new MemoryStream(guess))).Duplicate);
        Assert.True((await amr.PutContentAsync(new MemoryStream(guess))).Duplicate);
    }
}
