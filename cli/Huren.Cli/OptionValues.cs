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

    /// <summary>
    /// A parse error as the user reads it: System.CommandLine's "Cannot parse argument 'x' for option '--o' as expected
    /// type 'System.Int32'" (for an option no parser here reads) said without the .NET type; other errors as they are.
    /// </summary>
    public static string Plain(ParseError error)
    {
        var result = error.SymbolResult;
        var option = (result as OptionResult)?.Option ?? (result?.Parent as OptionResult)?.Option;
        if (option is null) return error.Message;
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        // The message names the type whatever the language it is in: that is how a failed conversion is known.
        if (!error.Message.Contains(option.ValueType.ToString(), StringComparison.Ordinal) && !error.Message.Contains(type.ToString(), StringComparison.Ordinal)) return error.Message;
        var token = result!.Tokens.Count > 0 ? $" '{result.Tokens[0].Value}'" : "";
        var what = type == typeof(int) || type == typeof(long) ? "a whole number"
            : type == typeof(uint) || type == typeof(ulong) ? "a whole number, 0 or more"
            : type == typeof(TimeSpan) ? "a duration (d.hh:mm:ss, e.g. 00:00:30)"
            : type == typeof(DateTimeOffset) || type == typeof(DateTime) ? "a date and time (ISO 8601, e.g. 2026-12-06T04:17:00+08:00)"
            : "a valid value";
        return $"{option.Name}{token} is not {what}";
    }
}
