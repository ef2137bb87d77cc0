namespace Huren.Schemas.Validation;

/// <summary>The small checks the body validators share.</summary>
internal static class FieldChecks
{
    /// <summary>The longest free text (names, reasons, legal bases) accepted, in characters (Unicode scalar values).</summary>
    public const int MaxTextLength = 1000;

    /// <summary>The longest identifier-like value (issuer ids, seal ids, matter codes) accepted.</summary>
    public const int MaxIdLength = 128;

    /// <summary>The digest algorithms a body may name, each with a 32-byte digest.</summary>
    public static readonly string[] DigestAlgorithms = ["sm3", "sha256"];

    /// <summary>The longest name (of a license, holder, department, seal, matter) accepted, in characters.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Free text: line feeds and tabs allowed; no other control, formatting or separator characters, no 公民身份号码 (<see cref="TextContent"/>).</summary>
    public static void Text(ErrorList errors, string? value, string field, bool required = true, int max = MaxTextLength)
    {
        if (!Present(errors, value, field, required)) return;
        var length = CharCount(value!);
        if (length > max) errors.Add(field, $"must be at most {max} characters, got {length}");
        else if (TextContent.TextProblem(value!) is { } problem) errors.Add(field, problem);
    }

    /// <summary>A name: one line, no white space at either end, and the rules of <see cref="Text"/>.</summary>
    public static void Name(ErrorList errors, string? value, string field, bool required = true, int max = MaxNameLength)
    {
        if (!Present(errors, value, field, required)) return;
        var length = CharCount(value!);
        if (length > max) errors.Add(field, $"must be at most {max} characters, got {length}");
        else if (TextContent.NameProblem(value!) is { } problem) errors.Add(field, problem);
    }

    /// <summary>False when there is nothing more to check: empty (an error when required) or only white space (always an error).</summary>
    private static bool Present(ErrorList errors, string? value, string field, bool required)
    {
        if (!string.IsNullOrWhiteSpace(value)) return true;
        if (required) errors.Add(field, "is required");
        else if (!string.IsNullOrEmpty(value)) errors.Add(field, "must not be only white space");
        return false;
    }

    /// <summary>An identifier: printable ASCII without spaces, at most <see cref="MaxIdLength"/> characters.</summary>
    public static void Id(ErrorList errors, string? value, string field, bool required = true)
    {
        if (string.IsNullOrEmpty(value))
        {
            if (required) errors.Add(field, "is required");
            return;
        }
        if (value.Length > MaxIdLength)
        {
            errors.Add(field, $"must be at most {MaxIdLength} characters");
            return;
        }
        foreach (var c in value)
        {
            if (c is <= ' ' or > '~')
            {
                errors.Add(field, "must be printable ASCII without spaces");
                return;
            }
        }
    }

    /// <summary>A digest and its algorithm: <c>sm3</c> or <c>sha256</c>, 32 bytes.</summary>
    public static void Digest(ErrorList errors, byte[]? digest, string? algorithm, string digestField, string algorithmField, bool required = true)
    {
        var hasDigest = digest is { Length: > 0 };
        if (!hasDigest && string.IsNullOrEmpty(algorithm))
        {
            if (required) errors.Add(digestField, "is required (32-byte sm3 or sha256 digest)");
            return;
        }
        if (Array.IndexOf(DigestAlgorithms, algorithm) < 0) errors.Add(algorithmField, $"must be sm3 or sha256, got '{algorithm}'");
        if (!hasDigest) errors.Add(digestField, $"is required when {algorithmField} is set");
        else if (digest!.Length != 32) errors.Add(digestField, $"must be 32 bytes, got {digest.Length}");
    }

    /// <summary>DER of an ASN.1 SEQUENCE: non-empty and starting with tag 0x30 (the full structure is checked elsewhere).</summary>
    public static void DerSequence(ErrorList errors, byte[]? der, string field, string what)
    {
        if (der is not { Length: > 0 }) errors.Add(field, $"is required (DER of {what})");
        else if (der.Length < 2 || der[0] != 0x30) errors.Add(field, $"must be the DER of {what} (an ASN.1 SEQUENCE, tag 0x30)");
    }

    public static void Uscc(ErrorList errors, string? value, string field, bool required = true)
    {
        if (!required && string.IsNullOrEmpty(value)) return;
        errors.Add(UnifiedSocialCreditCode.Validate(value, field));
    }

    /// <summary>Counts Unicode scalar values, so a Chinese character counts as one whatever its UTF-16 length.</summary>
    public static int CharCount(string value) => TextContent.CharCount(value);

    public static bool IsDigits(string? value, int length)
    {
        if (value is null || value.Length != length) return false;
        foreach (var c in value)
        {
            if (c is < '0' or > '9') return false;
        }
        return true;
    }

    /// <summary>Names that are empty or repeated in a list; each reported once.</summary>
    public static void DistinctNames<T>(ErrorList errors, IReadOnlyList<T> items, Func<T, string> name, string field)
    {
        // Bodies carry a handful of names: comparing pairs allocates nothing per entry, where a set each time fed the GC.
        var seen = items.Count > 32 ? new HashSet<string>(StringComparer.Ordinal) : null;
        for (var i = 0; i < items.Count; i++)
        {
            var current = name(items[i]);
            if (string.IsNullOrWhiteSpace(current))
            {
                errors.Add($"{field}[{i}]", "name is required");
                continue;
            }
            var repeated = false;
            if (seen is not null) repeated = !seen.Add(current);
            else
            {
                for (var j = 0; j < i && !repeated; j++) repeated = string.Equals(name(items[j]), current, StringComparison.Ordinal);
            }
            if (repeated) errors.Add($"{field}[{i}]", $"'{current}' is repeated");
        }
    }
}
