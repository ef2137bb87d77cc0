using System.CommandLine;
using System.CommandLine.Parsing;

namespace Huren.Cli;

/// <summary>Reading option values safely in command validators.</summary>
internal static class OptionValues
{
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
}
