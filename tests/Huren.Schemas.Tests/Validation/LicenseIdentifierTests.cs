using Huren.Schemas.Validation;

namespace Huren.Schemas.Tests.Validation;

public class LicenseIdentifierTests
{
    private const string Published = "1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F";

    [Fact]
    public void Create_reproduces_both_published_examples()
    {
        Assert.Equal(Published, LicenseIdentifier.Create("11100000000013338W032", "11220000013544541J", "2430599", "001").ToString());
        Assert.Equal(
            "1.2.156.3005.2.11100000000013338W011.11430000006122244L.20230000403.001.U",
            LicenseIdentifier.Create("11100000000013338W011", "11430000006122244L", "20230000403", 1).ToString());
    }

    [Fact]
    public void TryParse_splits_the_parts()
    {
        Assert.True(LicenseIdentifier.TryParse(Published, out var id));
        Assert.Equal("11100000000013338W032", id.TypeCode);
        Assert.Equal("11100000000013338W", id.DefiningAuthorityCode);
        Assert.Equal("11220000013544541J", id.AuthorityCode);
        Assert.Equal("2430599", id.Serial);
        Assert.Equal("001", id.Version);
        Assert.Equal('F', id.Check);
        Assert.Equal(Published, id.ToString());
        Assert.Equal(LicenseIdentifier.Parse(Published), id);
    }

    [Theory]
    [InlineData("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.G", "check character should be F, not G")]
    [InlineData("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.f", "check must be")]
    [InlineData("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001", "5 parts")]
    [InlineData("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F.F", "5 parts")]
    [InlineData("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.001.F....", "5 parts")]
    [InlineData("1.2.156.3005.2.11100000000013338W032.11220000013544541J.00000000000000000000000000000000000000000000000000000000000000001.001.F", "serial: must be at most 64")]
    [InlineData("1.2.156.3005.3.11100000000013338W032.11220000013544541J.2430599.001.F", "root")]
    [InlineData("1.2.156.3005.2.11100000000013338X032.11220000013544541J.2430599.001.F", "type code: defining-authority part")]
    [InlineData("1.2.156.3005.2.11100000000013338W32.11220000013544541J.2430599.001.F", "type code")]
    [InlineData("1.2.156.3005.2.11100000000013338W03A.11220000013544541J.2430599.001.F", "3-digit sequence")]
    [InlineData("1.2.156.3005.2.11100000000013338W032.11220000013544541K.2430599.001.F", "authority code")]
    [InlineData("1.2.156.3005.2.11100000000013338W032.11220000013544541J.243059a.001.F", "serial")]
    [InlineData("1.2.156.3005.2.11100000000013338W032.11220000013544541J..001.F", "serial")]
    [InlineData("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.01.F", "version")]
    [InlineData("1.2.156.3005.2.11100000000013338W032.11220000013544541J.2430599.000.F", "version")]
    [InlineData("", "is required")]
    public void Bad_identifiers_are_rejected_with_a_message_naming_the_field(string text, string expected)
    {
        Assert.False(LicenseIdentifier.TryParse(text, out _));
        var error = LicenseIdentifier.Validate(text, "licenseId");
        Assert.NotNull(error);
        Assert.StartsWith("licenseId: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => LicenseIdentifier.Parse(text));
    }

    [Fact]
    public void Create_names_the_bad_argument()
    {
        var ex = Assert.Throws<ArgumentException>(() => LicenseIdentifier.Create("11100000000013338W032", "11220000013544541J", "24-0599", "001"));
        Assert.Equal("serial", ex.ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => LicenseIdentifier.Create("11100000000013338W032", "11220000013544541J", "1", 1000));
    }

    [Fact]
    public void Created_identifiers_round_trip_through_parse()
    {
        foreach (var serial in new[] { "0", "Z", "2024000001", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" })
        {
            for (var version = 1; version <= 3; version++)
            {
                var id = LicenseIdentifier.Create("11100000HUREN0001P001", "11430100HUREN01013", serial, version);
                Assert.True(LicenseIdentifier.TryParse(id.ToString(), out var parsed));
                Assert.Equal(id, parsed);
            }
        }
    }
}
