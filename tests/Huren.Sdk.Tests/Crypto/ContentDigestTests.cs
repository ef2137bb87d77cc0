using System.Security.Cryptography;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Tests.Crypto;

/// <summary>
/// <see cref="ContentDigest"/> gives the one-shot SHA-256 and SM3 of everything fed, in order, however it is fed: inline,
/// or with SM3 on its worker past <see cref="ContentDigest.PipelineBytes"/> while the caller reuses its buffer.
/// </summary>
public class ContentDigestTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(4096, 4096)]
    [InlineData(ContentDigest.PipelineBytes, 65536)]
    [InlineData(ContentDigest.PipelineBytes + 1, 65536)]
    [InlineData(5 * ContentDigest.PipelineBytes + 123, 65536)]
    [InlineData(3 * ContentDigest.PipelineBytes, 7919)]
    public async Task Fed_in_pieces_through_one_reused_buffer_it_gives_the_one_shot_digests(int length, int piece)
    {
        var data = RandomNumberGenerator.GetBytes(length);
        using var digest = new ContentDigest();
        var buffer = new byte[piece];
        for (var at = 0; at < length; at += piece)
        {
            var n = Math.Min(piece, length - at);
            data.AsSpan(at, n).CopyTo(buffer);
            await digest.AppendAsync(buffer.AsMemory(0, n));
            // The caller overwrites its buffer at once, as a receive loop does: the worker must hash its own copy.
            RandomNumberGenerator.Fill(buffer);
        }
        var (sha256, sm3) = await digest.FinishAsync();
        Assert.Equal(length, digest.Length);
        Assert.Equal(Digests.Sha256(data), sha256);
        Assert.Equal(Digests.Sm3(data), sm3);
    }

    [Fact]
    public void Fed_inline_it_gives_the_one_shot_digests()
    {
        var data = RandomNumberGenerator.GetBytes(3 * ContentDigest.PipelineBytes + 5);
        using var digest = new ContentDigest();
        for (var at = 0; at < data.Length; at += 100_000) digest.Append(data.AsSpan(at, Math.Min(100_000, data.Length - at)));
        var (sha256, sm3) = digest.Finish();
        Assert.Equal(Digests.Sha256(data), sha256);
        Assert.Equal(Digests.Sm3(data), sm3);
    }

    [Fact]
    public async Task Once_its_SM3_runs_on_the_worker_the_synchronous_calls_are_refused_and_a_finished_digest_takes_nothing()
    {
        using var digest = new ContentDigest();
        await digest.AppendAsync(new byte[ContentDigest.PipelineBytes + 1]);
        Assert.Throws<InvalidOperationException>(() => digest.Append(new byte[1]));
        Assert.Throws<InvalidOperationException>(() => digest.Finish());
        await digest.FinishAsync();
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await digest.AppendAsync(new byte[1]));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await digest.FinishAsync());
    }

    [Fact]
    public async Task Disposed_while_its_SM3_worker_still_has_pieces_queued_it_drains_them_without_failing()
    {
        var digest = new ContentDigest();
        var piece = RandomNumberGenerator.GetBytes(65536);
        for (var i = 0; i < ContentDigest.PipelinePieces + 24; i++) await digest.AppendAsync(piece);
        // The worker may be inside a native SM3 call: the context must outlive it (freed only once the call returns).
        digest.Dispose();
        using var next = new ContentDigest();
        next.Append("abc"u8);
        Assert.Equal(Digests.Sm3("abc"u8), next.Finish().Sm3);
    }
}
