using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Huren.Sdk.Crypto;

namespace Huren.Sdk.Tests.Crypto;

/// <summary>
/// <see cref="Sm3Hash"/> gives the GB/T 32905 digests with either implementation, however the input is fed, and the
/// two implementations agree on random inputs; on this project's Linux machines OpenSSL is the one chosen.
/// </summary>
public class Sm3HashTests
{
    public static TheoryData<Sm3Implementation> Implementations() =>
        OperatingSystem.IsLinux() ? [Sm3Implementation.BouncyCastle, Sm3Implementation.OpenSsl] : [Sm3Implementation.BouncyCastle];

    [Theory]
    [MemberData(nameof(Implementations))]
    public void Both_implementations_give_the_GB_T_32905_examples_fed_whole_or_a_byte_at_a_time(Sm3Implementation implementation)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(SharedTestData.PathOf("gm/sm3.json")));
        var count = 0;
        foreach (var v in doc.RootElement.GetProperty("vectors").EnumerateArray())
        {
            var message = Encoding.ASCII.GetBytes(v.GetProperty("messageAscii").GetString()!);
            var expected = v.GetProperty("digestHex").GetString();
            using (var whole = new Sm3Hash(implementation))
            {
                whole.Append(message);
                Assert.Equal(expected, Convert.ToHexStringLower(whole.Finish()));
            }
            using var bytewise = new Sm3Hash(implementation);
            foreach (var b in message) bytewise.Append([b]);
            Assert.Equal(expected, Convert.ToHexStringLower(bytewise.Finish()));
            Assert.Equal(implementation, bytewise.Implementation);
            count++;
        }
        Assert.True(count >= 2);
    }

    [Fact]
    public void OpenSsl_is_preferred_on_Linux_and_agrees_with_BouncyCastle_on_random_inputs_fed_in_random_pieces()
    {
        if (!OperatingSystem.IsLinux()) return;
        // The project's machines run Linux with OpenSSL 3: the faster implementation must really be the one used.
        Assert.Equal(Sm3Implementation.OpenSsl, Sm3Hash.Preferred);
        var random = new Random(20261203);
        foreach (var length in new[] { 0, 1, 55, 56, 63, 64, 65, 1023, 1024, 4097, 1 << 20 })
        {
            var data = RandomNumberGenerator.GetBytes(length);
            using var managed = new Sm3Hash(Sm3Implementation.BouncyCastle);
            using var native = new Sm3Hash(Sm3Implementation.OpenSsl);
            managed.Append(data);
            for (var at = 0; at < length;)
            {
                var n = Math.Min(length - at, random.Next(1, 70_000));
                native.Append(data.AsSpan(at, n));
                at += n;
            }
            var expected = managed.Finish();
            Assert.Equal(expected, native.Finish());
            // Digests.Sm3 takes OpenSSL from 1 KiB up and BouncyCastle below: the same digest either way.
            Assert.Equal(expected, Digests.Sm3(data));
            Assert.Equal(expected, Digests.Sm3(new MemoryStream(data)));
        }
    }

    [Theory]
    [MemberData(nameof(Implementations))]
    public void A_finished_digest_takes_nothing_more_and_a_disposed_one_is_refused(Sm3Implementation implementation)
    {
        var digest = new Sm3Hash(implementation);
        digest.Append("abc"u8);
        Assert.Throws<ArgumentException>(() => digest.Finish(new byte[31]));
        digest.Finish(new byte[32]);
        Assert.Throws<InvalidOperationException>(() => digest.Append("d"u8));
        Assert.Throws<InvalidOperationException>(() => digest.Finish());
        digest.Dispose();
        if (implementation == Sm3Implementation.OpenSsl)
        {
            using var disposed = new Sm3Hash(implementation);
            disposed.Dispose();
            Assert.Throws<ObjectDisposedException>(() => disposed.Append("abc"u8));
        }
    }
}
