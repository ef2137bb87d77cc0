using Huren.Node.Tests.Ledger;
using Huren.Schemas.Validation;
using Huren.Sdk.Evidence;

namespace Huren.Sdk.Tests.Evidence;

/// <summary>
/// The QR reference's constructor and reader on the inputs the other tests leave out: a refused id or origin names
/// the reference's own parameter ('id', 'o') in the exception, and a parameter with an empty name is reported as such.
/// </summary>
public sealed class LicenseReferenceParseTests
{
    private const string Origin = "huren.cz-t/430100";

    private static readonly string Id = LedgerBodies.BusinessLicense(LedgerBodies.ChangshaAmrCode, "2024000001").LicenseId;

    private static readonly string Hash = new('A', 43);

    [Fact]
    public void A_refused_license_id_is_reported_under_the_parameter_name_id()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LicenseReference("not-an-id", Origin, 1, new byte[32]));
        Assert.Equal("licenseId", ex.ParamName);
        var problem = LicenseIdentifier.Validate("not-an-id", "id")!.Message;
        Assert.StartsWith("id: ", problem, StringComparison.Ordinal);
        Assert.Equal($"{problem} (Parameter 'licenseId')", ex.Message);
    }

    [Fact]
    public void A_refused_origin_is_reported_under_the_parameter_name_o()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LicenseReference(Id, "not an origin", 1, new byte[32]));
        Assert.Equal("origin", ex.ParamName);
        var problem = LogOrigin.Validate("not an origin", "o")!.Message;
        Assert.StartsWith("o: ", problem, StringComparison.Ordinal);
        Assert.Equal($"{problem} (Parameter 'origin')", ex.Message);
    }

    [Theory]
    [InlineData("=1", "the reference has an unknown parameter ''")]
    [InlineData("=", "the reference has an unknown parameter ''")]
    [InlineData("", "the reference has an unknown parameter ''")]
    [InlineData("v", "parameter 'v' has no value")]
    public void A_parameter_is_named_by_the_text_before_its_first_equals_sign(string pair, string expected)
    {
        var text = $"{LicenseReference.Prefix}{pair}&v=1&id={Id}&o={Uri.EscapeDataString(Origin)}&i=1&h={Hash}";
        Assert.False(LicenseReference.TryParse(text, out var reference, out var error));
        Assert.Null(reference);
        Assert.Equal(expected, error);
    }
}
