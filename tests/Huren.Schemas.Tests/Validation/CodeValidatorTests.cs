using Huren.Schemas.Validation;

namespace Huren.Schemas.Tests.Validation;

public class CodeValidatorTests
{
    [Theory]
    [InlineData("430100")]
    [InlineData("430200")]
    [InlineData("110105")]
    [InlineData("820000")]
    public void Region_code_accepts_province_level_prefixes(string code) => Assert.Null(RegionCode.Validate(code, "regionCode"));

    [Theory]
    [InlineData("", "is required")]
    [InlineData("000000", "000000")]
    [InlineData("43010", "6-digit")]
    [InlineData("4301000", "6-digit")]
    [InlineData("43A100", "digits only")]
    [InlineData("100000", "province part 10")]
    [InlineData("830000", "province part 83")]
    [InlineData("190000", "province part 19")]
    public void Region_code_rejects_bad_values_naming_the_field(string code, string expected)
    {
        var error = RegionCode.Validate(code, "jurisdictionCode");
        Assert.NotNull(error);
        Assert.Equal("jurisdictionCode", error.Field);
        Assert.StartsWith("jurisdictionCode: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("huren.cz-t/430100")]
    [InlineData("huren.prod2/430300")]
    public void Origin_accepts_the_documented_form(string origin)
    {
        Assert.Null(LogOrigin.Validate(origin, "origin"));
        Assert.Equal(origin[^6..], LogOrigin.CityCodeOf(origin));
    }

    [Theory]
    [InlineData("")]
    [InlineData("cz-t/430100")]
    [InlineData("huren./430100")]
    [InlineData("huren.CZ-T/430100")]
    [InlineData("huren.-czt/430100")]
    [InlineData("huren.cz-t/4301")]
    [InlineData("huren.cz-t/430100/x")]
    [InlineData("huren.cz t/430100")]
    public void Origin_rejects_bad_values_naming_the_field(string origin)
    {
        var error = LogOrigin.Validate(origin, "toOrigin");
        Assert.NotNull(error);
        Assert.StartsWith("toOrigin: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Dates_parse_only_yyyy_MM_dd()
    {
        Assert.True(LicenseDates.TryParse("2024-02-29", out var leap));
        Assert.Equal(new DateOnly(2024, 2, 29), leap);
        Assert.False(LicenseDates.TryParse("2023-02-29", out _));
        Assert.False(LicenseDates.TryParse("2024-2-29", out _));
        Assert.False(LicenseDates.TryParse("2024/02/29", out _));
        Assert.False(LicenseDates.TryParse("20240229", out _));
        Assert.False(LicenseDates.TryParse(" 2024-02-29", out _));
        Assert.False(LicenseDates.TryParse("2024-02-29T00:00", out _));
    }

    [Fact]
    public void Required_date_names_the_field()
    {
        Assert.Equal("issueDate: is required (yyyy-MM-dd)", LicenseDates.ValidateRequired("", "issueDate")!.Message);
        Assert.StartsWith("expiresOn: ", LicenseDates.ValidateRequired("31/12/2025", "expiresOn")!.Message, StringComparison.Ordinal);
        Assert.Null(LicenseDates.ValidateOptional("", "validUntil"));
    }

    [Fact]
    public void Window_accepts_an_open_end_as_long_term()
    {
        Assert.Empty(LicenseDates.ValidateWindow("2024-01-01", "", "2024-01-01"));
        Assert.Empty(LicenseDates.ValidateWindow("2024-01-01", "2024-01-01", "2024-01-01"));
        Assert.True(LicenseDates.IsWithin(new DateOnly(2099, 1, 1), "2024-01-01", ""));
        Assert.False(LicenseDates.IsWithin(new DateOnly(2023, 12, 31), "2024-01-01", ""));
        Assert.False(LicenseDates.IsWithin(new DateOnly(2029, 1, 1), "2024-01-01", "2028-12-31"));
    }

    [Fact]
    public void Window_rejects_an_end_before_its_start_or_the_issue_date()
    {
        var errors = LicenseDates.ValidateWindow("2024-06-01", "2024-05-31", "2024-06-02");
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal("validUntil", e.Field));
        Assert.Contains(errors, e => e.Message.Contains("before validFrom", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("before issueDate", StringComparison.Ordinal));
    }

    [Fact]
    public void Window_reports_a_missing_start()
    {
        var errors = LicenseDates.ValidateWindow("", "2025-01-01");
        Assert.Equal("validFrom", Assert.Single(errors).Field);
    }
}
