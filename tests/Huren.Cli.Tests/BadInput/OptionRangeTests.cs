namespace Huren.Cli.Tests.BadInput;

/// <summary>
/// The range checks of waits and sizes (CliBadInputTests refuses values outside them) still take every value inside,
/// read as the command reads it, and leave an option that is not given at its default.
/// </summary>
public sealed class OptionRangeTests
{
    [Theory]
    [InlineData("--size", "1", "1")]
    [InlineData("--size", "18446744073709551615", "18446744073709551615")]
    public void Checkpoint_size_takes_one_and_more(string option, string value, string read)
    {
        var parse = CliApp.Build().Parse(["checkpoint", "430100", option, value]);

        Assert.Empty(parse.Errors);
        Assert.Equal(read, parse.GetValue<ulong>(option).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(new[] { "checkpoint", "430100" }, "--size", 0)]
    [InlineData(new[] { "seal", "show", "S" }, "--wait-final", 10)]
    [InlineData(new[] { "seal", "show", "S", "--wait-final", "0" }, "--wait-final", 0)]
    [InlineData(new[] { "seal", "show", "S", "--wait-final", "60" }, "--wait-final", 60)]
    [InlineData(new[] { "seal", "verify", "d", "s" }, "--wait-final", 10)]
    [InlineData(new[] { "bundle", "export", "--share", "X", "-o", "f", "--wait-final", "120" }, "--wait-final", 120)]
    [InlineData(new[] { "bundle", "export", "--share", "X", "-o", "f" }, "--wait-final", 30)]
    public void Waits_take_their_range_and_default(string[] args, string option, long read)
    {
        var parse = CliApp.Build().Parse(args);

        Assert.Empty(parse.Errors);
        Assert.Equal(read, option == "--size" ? (long)parse.GetValue<ulong>(option) : parse.GetValue<int>(option));
    }

    [Theory]
    [InlineData(new[] { "audit", "flows" }, "--deadline", "1.00:00:00")]
    [InlineData(new[] { "audit", "flows", "--deadline", "00:00:00" }, "--deadline", "00:00:00")]
    [InlineData(new[] { "audit", "flows", "--deadline", "365.00:00:00" }, "--deadline", "365.00:00:00")]
    [InlineData(new[] { "audit", "flows", "--deadline", "2" }, "--deadline", "2.00:00:00")]
    [InlineData(new[] { "checkpoint", "430100", "--final" }, "--wait", "00:00:00")]
    [InlineData(new[] { "checkpoint", "430100", "--final", "--wait", "01:00:00" }, "--wait", "01:00:00")]
    public void Durations_take_their_range_and_default(string[] args, string option, string read)
    {
        var parse = CliApp.Build().Parse(args);

        Assert.Empty(parse.Errors);
        Assert.Equal(TimeSpan.Parse(read, System.Globalization.CultureInfo.InvariantCulture), parse.GetValue<TimeSpan>(option));
    }
}
