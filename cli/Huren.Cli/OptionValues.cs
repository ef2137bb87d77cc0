using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace Huren.Cli;

/// <summary>
/// Option values read here rather than by System.CommandLine, whose own error names the .NET type ("as expected type
/// 'System.UInt64'"): a bad or out-of-range value is a parse error (exit 2) saying what the option takes, in the
/// user's terms.
/// </summary>
internal static class OptionValues
{
    /// <summary>
    /// The rule of a checkpoint <c>--size</c>: 0 is how the request says <paramref name="omitted"/>, which leaving the
    /// option out already says; given, it would silently mean that.
    /// </summary>
    public static string SizeRule(string omitted) => $"a whole number of entries, 1 or more (leave --size out for {omitted})";

    /// <summary>
    /// A whole number in [<paramref name="min"/>, <paramref name="max"/>]; anything else is refused with
    /// "<c>{option} must be {rule}, got {value}</c>".
    /// </summary>
    public static Option<T> WholeNumber<T>(this Option<T> option, T min, T max, string rule) where T : struct, IBinaryInteger<T>
        => option.ParsedBy(text => T.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value : null, rule);

    /// <summary>
    /// A duration as TimeSpan writes it ([-][d.]hh:mm:ss; a bare number is days, as before) in [<paramref name="min"/>,
    /// <paramref name="max"/>]; anything else is refused with "<c>{option} must be {rule}, got {value}</c>".
    /// </summary>
    public static Option<TimeSpan> Duration(this Option<TimeSpan> option, TimeSpan min, TimeSpan max, string rule)
        => option.ParsedBy(text => TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value : null, rule);

    /// <summary>
    /// The value of <paramref name="option"/> when it was given and read, else null: for a command validator, which runs
    /// whether or not the option's value was refused, and where reading a refused value throws (its error is reported).
    /// </summary>
    public static T? ReadValue<T>(this CommandResult result, Option<T> option) where T : struct
        => Given(result, option) ? Read<T>(() => result.GetValue(option)) : null;

    /// <inheritdoc cref="ReadValue{T}(CommandResult, Option{T})"/>
    public static T? ReadValue<T>(this CommandResult result, Option<T?> option) where T : struct
        => Given(result, option) ? Read<T>(() => result.GetValue(option)) : null;

    private static bool Given(CommandResult result, Option option) => result.GetResult(option) is { Implicit: false } given && !given.Errors.Any();

    private static T? Read<T>(Func<T?> read) where T : struct
    {
        try
        {
            return read();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static Option<T> ParsedBy<T>(this Option<T> option, Func<string, T?> parse, string rule) where T : struct
    {
        var fallback = option.DefaultValueFactory;
        option.CustomParser = result =>
        {
            if (result.Tokens.Count == 0) return fallback is null ? default : fallback(result);
            // Two values are System.CommandLine's own arity error.
            if (result.Tokens.Count > 1) return default;
            var text = result.Tokens[0].Value;
            if (parse(text) is { } value) return value;
            result.AddError($"{option.Name} must be {rule}, got {Quoted(text)}");
            return default;
        };
        return option;
    }

    private static string Quoted(string text) => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) ? text : $"'{text}'";
}
