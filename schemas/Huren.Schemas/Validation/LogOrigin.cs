namespace Huren.Schemas.Validation;

/// <summary>The name of a city's log: <c>huren.&lt;network&gt;/&lt;city-code&gt;</c>, e.g. <c>huren.cz-t/430100</c>.</summary>
public static class LogOrigin
{
    /// <summary>The prefix of every origin.</summary>
    public const string Prefix = "huren.";

    /// <summary>The longest network name accepted.</summary>
    public const int MaxNetworkLength = 64;

    /// <summary>Makes the origin of <paramref name="cityCode"/>'s log in <paramref name="network"/>.</summary>
    public static string For(string network, string cityCode) => $"{Prefix}{network}/{cityCode}";

    /// <summary>
    /// Checks <paramref name="value"/>: the prefix, a network name of lower-case letters, digits and inner hyphens,
    /// a slash and a valid 6-digit city code. Returns null when valid, otherwise an error naming <paramref name="field"/>.
    /// </summary>
    public static FieldError? Validate(string? value, string field)
    {
        if (string.IsNullOrEmpty(value)) return FieldError.Of(field, "is required (huren.<network>/<city-code>)");
        if (!TrySplit(value, out var network, out var city)) return FieldError.Of(field, $"'{value}' is not huren.<network>/<city-code>");
        if (network.Length is 0 or > MaxNetworkLength || network[0] == '-' || network[^1] == '-')
        {
            return FieldError.Of(field, $"network name '{network}' must be 1–{MaxNetworkLength} characters, not starting or ending with '-'");
        }
        foreach (var c in network)
        {
            if (c is not ((>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')) return FieldError.Of(field, $"network name '{network}' may hold only a-z, 0-9 and '-'");
        }
        var cityError = RegionCode.Validate(city, field);
        return cityError is null ? null : FieldError.Of(field, "city code: " + cityError.Message[(field.Length + 2)..]);
    }

    /// <summary>The city code of a well-formed origin, or null.</summary>
    public static string? CityCodeOf(string? origin) =>
        origin is not null && TrySplit(origin, out _, out var city) ? city : null;

    private static bool TrySplit(string value, out string network, out string city)
    {
        network = city = "";
        if (!value.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || value.IndexOf('/', slash + 1) >= 0) return false;
        network = value[Prefix.Length..slash];
        city = value[(slash + 1)..];
        return true;
    }
}
