using System.Text;

namespace Huren.Cli.Output;

/// <summary>A plain text table whose columns line up in a terminal, counting East Asian wide characters (城市名) as two columns.</summary>
internal static class ConsoleTable
{
    public static string Format(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { header };
        // Cells come from logs and bundles: nothing in one may break the table's lines.
        foreach (var row in rows) all.Add(row.Select(TerminalText.Printable).ToArray());
        var widths = Enumerable.Range(0, header.Count).Select(i => all.Max(r => Width(r[i]))).ToArray();
        var text = new StringBuilder();
        foreach (var row in all)
        {
            text.Append("  ");
            for (var i = 0; i < row.Count; i++)
            {
                text.Append(row[i]);
                if (i < row.Count - 1) text.Append(' ', widths[i] - Width(row[i]) + 2);
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Label/value lines, the values aligned: for one record's details.</summary>
    public static string Rows(IReadOnlyList<(string Label, string Value)> rows)
    {
        var width = 0;
        foreach (var (label, _) in rows) width = Math.Max(width, Width(label));
        var text = new StringBuilder();
        foreach (var (label, value) in rows)
        {
            if (string.IsNullOrEmpty(value)) continue;
            text.Append("  ").Append(label).Append(' ', width - Width(label) + 2).Append(TerminalText.Printable(value)).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Terminal columns of <paramref name="text"/>.</summary>
    public static int Width(string text)
    {
        var width = 0;
        foreach (var c in text)
        {
            width += c is (>= '\u1100' and <= '\u115F') or (>= '\u2E80' and <= '\uA4CF') or (>= '\uAC00' and <= '\uD7A3')
                or (>= '\uF900' and <= '\uFAFF') or (>= '\uFE30' and <= '\uFE4F') or (>= '\uFF00' and <= '\uFF60') or (>= '\uFFE0' and <= '\uFFE6') ? 2 : 1;
        }
        return width;
    }
}
