using System.Security.Cryptography;
using Grpc.Core;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Entries;
using Huren.Node.Tests.Integration;
using ProtoBuf.Grpc;

namespace Huren.Node.Tests.Content;

/// <summary>
/// A department fetching shared data (<see cref="HurenClient.FetchSharedAsync"/>, what <c>huren data get</c> calls)
/// from its own node when that node lies (an in-process gRPC server scripted per test): data altered with a header that
/// announces the altered data's own digests, data altered under the true header, data cut short, data with bytes
/// appended. Each is refused with the reason; the same server telling the truth is accepted, so the refusals come
/// from the checks and not from the harness. The expected digest comes from the provider's share entry (its payload
/// digest covers the parts' SHA-256), never from the node's answer.
/// </summary>
public sealed class LyingNodeFetchTests : IAsyncLifetime
{
    private const string Part = "document";
    private readonly ScriptedExchange _node = new();
    private readonly byte[] _data = RandomNumberGenerator.GetBytes(3 * HurenClient.TransferChunkSize + 1234);
    private ScriptedGrpcServer? _server;
    private HurenClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await ScriptedGrpcServer.StartAsync(_node);
        _client = new HurenClient(_server.Endpoint, null, TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>The answer the department holds: a provider-signed share entry whose payload digest covers the true part.</summary>
    private ShareRequestResponse Shared()
    {
        var salt = RandomNumberGenerator.GetBytes(32);
        var part = new SharePart { Name = Part, Length = _data.Length, Sha256 = SHA256.HashData(_data) };
        var body = new DataShared
        {
            ShareId = "430200-share-lying-0001", ProviderCode = "11430100HUREN01013", ProviderName = "长沙市市场监督管理局",
            ConsumerCode = "11430200HUREN02018", ConsumerName = "株洲市政务服务中心", ConsumerOrigin = "huren.cz-t/430200",
            ResourceId = "R-LICENSE", RecordId = "430100-LIC-000001", Fields = [Part],
            PayloadDigest = SharePayload.Digest(salt, [part]), DigestAlgorithm = Digests.Sha256Name,
            Purpose = "企业跨域经营备案", MatterCode = "430200-QT-0001", LegalBasis = "《政务数据共享条例》第十五条",
            SharingType = SharingType.Unconditional, ExpiresOn = "2027-12-31", RecordCount = 1,
        };
        var entry = Entry.Create(EntryKinds.Share, "huren.cz-t/430100", body.ShareId, "430100-amr", body, DateTimeOffset.UtcNow);
        var answer = new ShareRequestResponse
        {
            Status = ExchangeStatus.Shared, Salt = salt,
            Entry = new LogEntry { Origin = "huren.cz-t/430100", Index = 7, Leaf = EntrySigner.SignToLeaf(entry, SigningKey.Generate(SignatureAlgorithm.Ed25519)) },
        };
        answer.Parts.Add(part);
        return answer;
    }

    [Fact]
    public async Task The_true_data_is_accepted_and_written_whole()
    {
        _node.Send = _ => (Header(_data), _data);
        var destination = new MemoryStream();
        var header = await _client.FetchSharedAsync(Shared(), Part, destination);
        Assert.Equal(_data, destination.ToArray());
        Assert.Equal(Digests.Sm3(_data), header.Sm3);
    }

    [Fact]
    public async Task Altered_data_announced_with_its_own_digests_is_refused_against_the_share_entry()
    {
        var altered = (byte[])_data.Clone();
        altered[^1] ^= 1;
        _node.Send = _ => (Header(altered), altered);
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => _client.FetchSharedAsync(Shared(), Part, new MemoryStream()));
        Assert.Contains($"announced object {Convert.ToHexStringLower(SHA256.HashData(altered))}, not {Convert.ToHexStringLower(SHA256.HashData(_data))}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_altered_under_the_true_header_is_refused_by_its_digests()
    {
        var altered = (byte[])_data.Clone();
        altered[HurenClient.TransferChunkSize + 5] ^= 0x40;
        _node.Send = _ => (Header(_data), altered);
        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => _client.FetchSharedAsync(Shared(), Part, new MemoryStream()));
        Assert.Contains($"the data received has SHA-256 {Convert.ToHexStringLower(SHA256.HashData(altered))}, not the announced", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_cut_short_or_with_bytes_appended_is_refused_by_its_length()
    {
        _node.Send = _ => (Header(_data), _data[..^1]);
        var shortEx = await Assert.ThrowsAsync<InvalidDataException>(() => _client.FetchSharedAsync(Shared(), Part, new MemoryStream()));
        Assert.Contains($"the node sent {_data.Length - 1} of the {_data.Length} bytes it announced", shortEx.Message, StringComparison.Ordinal);

        _node.Send = _ => (Header(_data), [.. _data, 0]);
        var longEx = await Assert.ThrowsAsync<InvalidDataException>(() => _client.FetchSharedAsync(Shared(), Part, new MemoryStream()));
        Assert.Contains($"the node sent more than the {_data.Length} bytes it announced", longEx.Message, StringComparison.Ordinal);
    }

    private static ContentChunk Header(byte[] data) => new() { Length = data.Length, Sha256 = SHA256.HashData(data), Sm3 = Digests.Sm3(data) };

    /// <summary>A department's own node whose <c>Fetch</c> answers what the test scripts; every other call is unimplemented.</summary>
    private sealed class ScriptedExchange : IExchangeService
    {
        public Func<FetchRequest, (ContentChunk Header, byte[] Data)> Send { get; set; } = _ => throw new RpcException(new Status(StatusCode.Unavailable, "not scripted"));

        public async IAsyncEnumerable<ContentChunk> FetchAsync(FetchRequest request, CallContext context = default)
        {
            var (header, data) = Send(request);
            yield return header;
            for (var at = 0; at < data.Length; at += HurenClient.TransferChunkSize)
            {
                await Task.Yield();
                yield return new ContentChunk { Data = data[at..Math.Min(data.Length, at + HurenClient.TransferChunkSize)] };
            }
        }

        public ValueTask<ShareRequestResponse> RequestAsync(SignedShareRequest request, CallContext context = default) => throw Unimplemented();

        public IAsyncEnumerable<ProvideMessage> ProvideAsync(SignedShareRequest request, CallContext context = default) => throw Unimplemented();

        public ValueTask<PendingRequestsResponse> ListPendingAsync(PendingRequestsRequest request, CallContext context = default) => throw Unimplemented();

        public ValueTask<CatalogListResponse> ListCatalogAsync(CatalogListRequest request, CallContext context = default) => throw Unimplemented();

        public ValueTask<HeldShareResponse> GetHeldAsync(HeldShareRequest request, CallContext context = default) => throw Unimplemented();

        private static RpcException Unimplemented() => new(new Status(StatusCode.Unimplemented, "not part of this script"));
    }
}
