using Huren.Sdk.Merkle;

namespace Huren.Sdk.Tests.Merkle;

public class Hash256Tests
{
    private const string RootBase64 = "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=";
    private const string RootHex = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";

    [Fact]
    public void Base64_and_hex_forms_round_trip()
    {
        var hash = Hash256.Parse(RootBase64);
        Assert.Equal(RootHex, hash.ToHex());
        Assert.Equal(RootBase64, hash.ToString());
        Assert.Equal(RootBase64, hash.ToBase64());
        Assert.Equal(hash, Hash256.ParseHex(RootHex));
        Assert.Equal(hash, Hash256.ParseHex(RootHex.ToUpperInvariant()));
        Assert.Equal(Convert.FromHexString(RootHex), hash.ToArray());
        Assert.Equal($"root {RootBase64}", $"root {hash}");

        Span<char> text = stackalloc char[Hash256.Base64Length];
        Assert.True(hash.TryFormat(text, out var written));
        Assert.Equal(RootBase64, text[..written].ToString());
        Assert.False(hash.TryFormat(text[..43], out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ZG9uJ3QgY2FyZSAx")] // 12 bytes
    [InlineData("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg")] // unpadded
    [InlineData(" XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=")]
    [InlineData("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyh=")] // non-zero padding bits: not canonical
    [InlineData("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz-Nw7_RgQyg=")] // base64url
    [InlineData("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=")]
    public void Parse_rejects_anything_but_canonical_base64_of_32_bytes(string text)
    {
        Assert.False(Hash256.TryParse(text, out _));
        Assert.Throws<FormatException>(() => Hash256.Parse(text));
    }

    [Fact]
    public void Parse_rejects_null_and_bad_hex()
    {
        Assert.False(Hash256.TryParse((string?)null, out _));
        Assert.False(Hash256.TryParseHex(RootHex.AsSpan(0, 62), out _));
        Assert.False(Hash256.TryParseHex(string.Concat(RootHex.AsSpan(0, 63), "g"), out _));
        Assert.Throws<FormatException>(() => Hash256.ParseHex("00"));
    }

    [Fact]
    public void Construction_needs_exactly_32_bytes()
    {
        Assert.Throws<ArgumentException>(() => new Hash256(new byte[31]));
        Assert.Throws<ArgumentException>(() => new Hash256(new byte[33]));
        Assert.False(Hash256.TryCreate(new byte[12], out _));
        Assert.True(Hash256.TryCreate(new byte[32], out var zero));
        Assert.Equal(default, zero);
        Assert.True(default(Hash256).AsSpan().SequenceEqual(new byte[32]));
    }

    [Fact]
    public void Equality_is_by_value()
    {
        var bytes = Convert.FromHexString(RootHex);
        var a = new Hash256(bytes);
        var b = new Hash256(bytes);
        bytes[31] ^= 1;
        var c = new Hash256(bytes);
        Assert.True(a == b);
        Assert.False(a != b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a != c);
        Assert.False(a.Equals(c));
        Assert.True(c.Equals(bytes));
        Assert.False(a.Equals((object)"x"));
        Assert.Single(new HashSet<Hash256> { a, b });
    }

    [Fact]
    public void CopyTo_writes_the_bytes_and_rejects_a_short_destination()
    {
        var hash = Hash256.ParseHex(RootHex);
        var buffer = new byte[40];
        hash.CopyTo(buffer.AsSpan(8));
        Assert.Equal(Convert.FromHexString(RootHex), buffer[8..]);
        Assert.Throws<ArgumentException>(() => hash.CopyTo(new byte[31]));
    }
}
