using Huren.Node.Ledger;
using Huren.Schemas.Services;

namespace Huren.Node.Tests.Ledger;

/// <summary>The pure verdict function on a fixed day.</summary>
public class LicenseVerdictsTests
{
    private static readonly DateOnly Today = new(2024, 6, 1);

    private static LicenseRecord License(LicenseStatus status = LicenseStatus.Valid, string validFrom = "2024-03-01", string validUntil = "2026-02-28", string statusCode = "01") => new()
    {
        LicenseId = "1.2.156.3005.2.test",
        Status = status,
        StatusCode = statusCode,
        ValidFrom = validFrom,
        ValidUntil = validUntil,
        StatusIndex = 7,
        StatusReason = "理由",
        TransferIndex = status == LicenseStatus.Transferred ? 7UL : 0,
        ToOrigin = status == LicenseStatus.Transferred ? "huren.cz-t/430200" : "",
    };

    [Theory]
    [InlineData("2024-03-01", "2026-02-28", LicenseVerdict.Valid)]
    [InlineData("2024-06-01", "2024-06-01", LicenseVerdict.Valid)]
    [InlineData("2024-03-01", "", LicenseVerdict.Valid)]
    [InlineData("2024-06-02", "2030-01-01", LicenseVerdict.NotYetValid)]
    [InlineData("2024-06-02", "", LicenseVerdict.NotYetValid)]
    [InlineData("2020-01-01", "2024-05-31", LicenseVerdict.Expired)]
    [InlineData("", "", LicenseVerdict.Valid)]
    [InlineData("", "2024-05-31", LicenseVerdict.Expired)]
    public void Validity_window_decides_for_a_license_in_force(string validFrom, string validUntil, LicenseVerdict expected)
    {
        Assert.Equal(expected, LicenseVerdicts.Evaluate(License(validFrom: validFrom, validUntil: validUntil), Today).Verdict);
    }

    [Fact]
    public void Reasons_name_the_dates()
    {
        Assert.Contains("no end date", LicenseVerdicts.Evaluate(License(validUntil: ""), Today).Reason, StringComparison.Ordinal);
        Assert.Contains("valid until 2024-05-31", LicenseVerdicts.Evaluate(License(validFrom: "2020-01-01", validUntil: "2024-05-31"), Today).Reason, StringComparison.Ordinal);
        Assert.Contains("not valid before 2024-07-01", LicenseVerdicts.Evaluate(License(validFrom: "2024-07-01"), Today).Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LicenseStatus.Suspended, "02", LicenseVerdict.Suspended, "暂扣")]
    [InlineData(LicenseStatus.Revoked, "07", LicenseVerdict.Revoked, "07 吊销")]
    [InlineData(LicenseStatus.Revoked, "04", LicenseVerdict.Revoked, "04 注销")]
    [InlineData(LicenseStatus.Revoked, "03", LicenseVerdict.Revoked, "03 撤销")]
    [InlineData(LicenseStatus.Transferred, "06", LicenseVerdict.Transferred, "huren.cz-t/430200")]
    public void Status_decides_before_the_window(LicenseStatus status, string statusCode, LicenseVerdict expected, string reasonPart)
    {
        // Even past its window, a suspended, revoked or transferred license says so.
        var (verdict, reason) = LicenseVerdicts.Evaluate(License(status, "2020-01-01", "2024-05-31", statusCode), Today);
        Assert.Equal(expected, verdict);
        Assert.Contains(reasonPart, reason, StringComparison.Ordinal);
        Assert.Contains("index 7", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_without_status_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => LicenseVerdicts.Evaluate(License(LicenseStatus.Unspecified), Today));
    }

    [Fact]
    public void Days_are_counted_in_China_Standard_Time()
    {
        Assert.Equal(new DateOnly(2024, 6, 1), LicenseVerdicts.DayOf(new DateTimeOffset(2024, 5, 31, 16, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2024, 5, 31), LicenseVerdicts.DayOf(new DateTimeOffset(2024, 5, 31, 15, 59, 59, TimeSpan.Zero)));
        Assert.Equal(Today, LicenseVerdicts.Today(new FixedTime(LedgerFixture.Now)));
    }
}
