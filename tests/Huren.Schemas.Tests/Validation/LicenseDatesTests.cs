using System.Globalization;
using Huren.Schemas.Validation;

namespace Huren.Schemas.Tests.Validation;

/// <summary>
/// <see cref="LicenseDates.TryParse"/> reads dates by hand (issue 17, for speed); it must accept and refuse exactly
/// what the framework's exact parse of <c>yyyy-MM-dd</c> does.
/// </summary>
public class LicenseDatesTests
{
    [Theory]
    [InlineData("2024-02-29", 2024, 2, 29)]
    [InlineData("2000-02-29", 2000, 2, 29)]
    [InlineData("0001-01-01", 1, 1, 1)]
    [InlineData("9999-12-31", 9999, 12, 31)]
    [InlineData("2026-12-03", 2026, 12, 3)]
    public void Accepts_calendar_dates(string text, int year, int month, int day)
    {
        Assert.True(LicenseDates.TryParse(text, out var date));
        Assert.Equal(new DateOnly(year, month, day), date);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2023-02-29")]
    [InlineData("1900-02-29")]
    [InlineData("0000-01-01")]
    [InlineData("2026-13-01")]
    [InlineData("2026-00-10")]
    [InlineData("2026-04-31")]
    [InlineData("2026-04-00")]
    [InlineData("2026/04/01")]
    [InlineData("2026-4-01 ")]
    [InlineData(" 2026-4-01")]
    [InlineData("2026-04-1")]
    [InlineData("20260401")]
    [InlineData("２０２６-04-01")]
    [InlineData("٢٠٢٦-04-01")]
    [InlineData("+026-04-01")]
    [InlineData("-026-04-01")]
    [InlineData("2026-04-01T00:00")]
    public void Refuses_what_is_not_a_yyyy_MM_dd_date(string? text)
    {
        Assert.False(LicenseDates.TryParse(text, out var date));
        Assert.Equal(default, date);
    }

    [Fact]
    public void Agrees_with_the_framework_exact_parse_on_random_and_mutated_inputs()
    {
        var random = new Random(17);
        const string alphabet = "0123456789-/ +T:a٣１";
        var checkedCount = 0;
        for (var i = 0; i < 200_000; i++)
        {
            string text;
            if (i % 2 == 0)
            {
                // A valid-looking date with one position possibly replaced: most inputs are near the edge.
                var day = new DateOnly(1, 1, 1).AddDays(random.Next(0, 3_652_058));
                var chars = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture).ToCharArray();
                if (random.Next(3) > 0) chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
                text = new string(chars);
            }
            else
            {
                var chars = new char[10];
                for (var k = 0; k < chars.Length; k++) chars[k] = k is 4 or 7 && random.Next(4) > 0 ? '-' : alphabet[random.Next(alphabet.Length)];
                text = new string(chars);
            }
            var expected = DateOnly.TryParseExact(text, LicenseDates.Format, CultureInfo.InvariantCulture, DateTimeStyles.None, out var expectedDate);
            var actual = LicenseDates.TryParse(text, out var actualDate);
            Assert.True(expected == actual, $"'{text}': framework {expected}, LicenseDates {actual}");
            Assert.Equal(expectedDate, actualDate);
            checkedCount++;
        }
        Assert.Equal(200_000, checkedCount);
    }
}
