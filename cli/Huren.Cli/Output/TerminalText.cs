using System.Globalization;
using System.Text;

namespace Huren.Cli.Output;

/// <summary>
/// Text from a log or a bundle, made safe to print on a terminal: the characters the text checks refuse
/// (<see cref="Huren.Schemas.Validation.TextContent.IsHidden"/>: control characters such as line breaks, carriage return
/// and escape sequences; bidirectional and zero-width marks; line separators) are shown as <c>\uXXXX</c>, so that signed
/// or unsigned text cannot move the cursor, forge an output line or reorder what is shown.
/// </summary>
internal static class TerminalText
{
    public static string Printable(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? "";
        var clean = true;
        foreach (var c in text)
        {
            if (Hidden(c))
            {
                clean = false;
                break;
            }
        }
        if (clean) return text;
        var shown = new StringBuilder(text.Length + 8);
        foreach (var c in text)
        {
            if (Hidden(c)) shown.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            else shown.Append(c);
        }
        return shown.ToString();
    }

    private static bool Hidden(char c) => Huren.Schemas.Validation.TextContent.IsHidden(c);
}
