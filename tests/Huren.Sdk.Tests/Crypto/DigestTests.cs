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
}
