using System.Text;
using System.Text.Json;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Tests.Crypto;

public class DigestTests
{
    [Fact]
    public void Sm3_matches_the_GB_T_32905_examples()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedTestData.PathOf("gm/sm3.json")));
        var count = 0;
        foreach (var v in doc.RootElement.GetProperty("vectors").EnumerateArray())
        {
            var message = Encoding.ASCII.GetBytes(v.GetProperty("messageAscii").GetString()!);
            Assert.Equal(v.GetProperty("digestHex").GetString(), Convert.ToHexStringLower(Digests.Sm3(message)));
            count++;
        }
        Assert.True(count >= 2);
    }

    private const string Sm3OfAbc = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0";

    [Fact]
    public async Task Sm3_of_a_stream_read_asynchronously_is_the_GB_T_32905_example_and_says_its_length()
    {
        var hashed = await Digests.Sm3Async(new MemoryStream("abc"u8.ToArray()), maxBytes: 3);
        Assert.NotNull(hashed);
        Assert.Equal((Sm3OfAbc, 3L), (Convert.ToHexStringLower(hashed.Value.Digest), hashed.Value.Length));
        // The synchronous reading gives the same.
        Assert.Equal(Sm3OfAbc, Convert.ToHexStringLower(Digests.Sm3(new MemoryStream("abc"u8.ToArray()))));
    }

    [Fact]
    public async Task Sm3_of_a_stream_longer_than_its_buffer_is_the_digest_of_the_whole_content()
    {
        var content = new byte[200_000];
        new Random(32905).NextBytes(content);
        var hashed = await Digests.Sm3Async(new MemoryStream(content), maxBytes: content.Length);
        Assert.Equal((Convert.ToHexStringLower(Digests.Sm3(content)), (long)content.Length), (Convert.ToHexStringLower(hashed!.Value.Digest), hashed.Value.Length));
        Assert.Equal(Digests.Sm3(content), Digests.Sm3(new MemoryStream(content)));
        var empty = await Digests.Sm3Async(new MemoryStream(), maxBytes: 0);
        Assert.Equal((Convert.ToHexStringLower(Digests.Sm3([])), 0L), (Convert.ToHexStringLower(empty!.Value.Digest), empty.Value.Length));
    }

    [Fact]
    public async Task Sm3_of_a_stream_past_its_limit_is_null_and_the_rest_is_not_read()
    {
        Assert.Null(await Digests.Sm3Async(new MemoryStream("abc"u8.ToArray()), maxBytes: 2));
        // A large upload over the limit: refused after at most one buffer past it, not read to its end.
        var large = new MemoryStream(new byte[4 * 1024 * 1024]);
        Assert.Null(await Digests.Sm3Async(large, maxBytes: 10));
        Assert.True(large.Position < 1024 * 1024, $"read {large.Position} bytes of a 4 MiB stream limited to 10");
    }

    [Fact]
    public async Task Sm3_of_a_stream_refuses_a_negative_limit_and_stops_when_cancelled()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Digests.Sm3Async(new MemoryStream(), maxBytes: -1));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Digests.Sm3Async(new MemoryStream("abc"u8.ToArray()), 3, cancelled.Token));
    }

    [Fact]
    public void Sha256_of_abc_is_the_FIPS_180_example()
        => Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Convert.ToHexStringLower(Digests.Sha256("abc"u8)));

    [Fact]
    public void Unknown_digest_name_is_rejected_by_name()
    {
        var ex = Assert.Throws<ArgumentException>(() => Digests.Compute("md5", "x"u8));
        Assert.Contains("md5", ex.Message);
    }

    [Fact]
    public void Holder_commitment_depends_on_salt_and_identifier()
    {
        var a = Digests.HolderCommitment("salt-1"u8, "11010519491231002X");
        Assert.Equal(a, Digests.HolderCommitment("salt-1"u8, "11010519491231002X"));
        Assert.NotEqual(a, Digests.HolderCommitment("salt-2"u8, "11010519491231002X"));
        Assert.NotEqual(a, Digests.HolderCommitment("salt-1"u8, "110105194912310021"));
    }

    [Theory]
    [InlineData("110105194912310021", "check character of the 公民身份号码 should be X, not 1")]
    [InlineData("110105194902300027", "birth date 19490230 is not a calendar date")]
    [InlineData("110105491231002", "is a 15-digit number of the old form")]
    [InlineData("990105194912310025", "has no known province")]
    public void A_citizen_id_commitment_is_made_only_for_a_valid_number(string idNumber, string rule)
    {
        var ex = Assert.Throws<ArgumentException>(() => Digests.CitizenIdCommitment("salt"u8, idNumber, new DateOnly(2024, 6, 1)));
        Assert.Contains(rule, ex.Message, StringComparison.Ordinal);
        Assert.Equal(Digests.HolderCommitment("salt"u8, "11010519491231002X"), Digests.CitizenIdCommitment("salt"u8, "11010519491231002X", new DateOnly(2024, 6, 1)));
    }

    [Theory]
    [InlineData("abc", "must start with the e-license root 1.2.156.3005.2.")]
    [InlineData("1.2.156.3005.2.11100000HUREN0001P001.11430100HUREN01013.2024000001.001.5", "check character should be 4, not 5")]
    public void A_license_question_by_a_malformed_id_is_refused_before_any_node_is_asked(string licenseId, string rule)
    {
        var ex = Assert.Throws<ArgumentException>(() => Huren.Sdk.Client.LicenseQuestion.ById(licenseId));
        Assert.Contains(rule, ex.Message, StringComparison.Ordinal);
    }
}
