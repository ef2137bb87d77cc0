using System.Diagnostics.CodeAnalysis;

namespace Huren.Schemas.Validation;

/// <summary>
/// 证照标识 after GB/T 36904 as issuers implement it:
/// <c>1.2.156.3005.2.&lt;type code&gt;.&lt;authority code&gt;.&lt;serial&gt;.&lt;version&gt;.&lt;check&gt;</c>, where the type code
/// is 21 characters (the defining authority's 统一社会信用代码 + a 3-digit sequence), the authority code is the
/// issuer's 统一社会信用代码, the serial is <c>[0-9A-Z]+</c>, the version is 3 digits from <c>001</c>, and the check
/// character is ISO/IEC 7064 MOD 37,36 over type code + authority code + serial + version. Only the canonical,
/// upper-case form is accepted, so one license has exactly one identifier string.
/// </summary>
public sealed record LicenseIdentifier
{
    /// <summary>The e-license root code.</summary>
    public const string Root = "1.2.156.3005.2";

    /// <summary>The length of a license type code.</summary>
    public const int TypeCodeLength = 21;

    /// <summary>The longest serial accepted.</summary>
    public const int MaxSerialLength = 64;

    private LicenseIdentifier(string typeCode, string authorityCode, string serial, string version, char check)
    {
        TypeCode = typeCode;
        AuthorityCode = authorityCode;
        Serial = serial;
        Version = version;
        Check = check;
    }

    /// <summary>The license type code (21 characters).</summary>
    public string TypeCode { get; }

    /// <summary>The issuing authority's 统一社会信用代码.</summary>
    public string AuthorityCode { get; }

    /// <summary>The serial chosen by the issuer.</summary>
    public string Serial { get; }

    /// <summary>The 3-digit version, <c>001</c> first.</summary>
    public string Version { get; }

    /// <summary>The MOD 37,36 check character.</summary>
    public char Check { get; }

    /// <summary>The defining authority's 统一社会信用代码: the first 18 characters of <see cref="TypeCode"/>.</summary>
    public string DefiningAuthorityCode => TypeCode[..UnifiedSocialCreditCode.Length];

    /// <summary>Builds an identifier and computes its check character; throws <see cref="ArgumentException"/> naming the bad part.</summary>
    public static LicenseIdentifier Create(string typeCode, string authorityCode, string serial, string version)
    {
        var error = ValidateType(typeCode, "typeCode") ?? UnifiedSocialCreditCode.Validate(authorityCode, "authorityCode")
            ?? Of("serial", SerialProblem(serial)) ?? Of("version", VersionProblem(version));
        if (error is not null) throw new ArgumentException(error.Message, error.Field);
        return new LicenseIdentifier(typeCode, authorityCode, serial, version, ComputeCheckChar(typeCode, authorityCode, serial, version));
    }

    /// <summary>Builds an identifier with version <paramref name="version"/> (1–999), written as 3 digits.</summary>
    public static LicenseIdentifier Create(string typeCode, string authorityCode, string serial, int version)
    {
        if (version is < 1 or > 999) throw new ArgumentOutOfRangeException(nameof(version), version, "version: must be 1–999");
        return Create(typeCode, authorityCode, serial, version.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The MOD 37,36 check character over type code + authority code + serial + version (no dots, no root).</summary>
    public static char ComputeCheckChar(string typeCode, string authorityCode, string serial, string version) =>
        Iso7064.ComputeMod37_36(string.Concat(typeCode, authorityCode, serial, version));

    /// <summary>Parses the canonical form; returns false for anything else, including a wrong check character.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out LicenseIdentifier? identifier)
    {
        identifier = Read(text, "licenseId", out var parts) is null ? FromParts(text!, parts) : null;
        return identifier is not null;
    }

    /// <summary>Parses the canonical form or throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static LicenseIdentifier Parse(string text) =>
        Read(text, "licenseId", out var parts) is { } error ? throw new FormatException(error.Message) : FromParts(text, parts);

    /// <summary>Checks <paramref name="value"/>; returns null when valid, otherwise an error naming <paramref name="field"/>.</summary>
    public static FieldError? Validate(string? value, string field) => Read(value, field, out _);

    /// <summary>
    /// Whether <paramref name="text"/> has the form of a 证照标识 in every part and only its check character is wrong: a
    /// mistyped license id (most single-character slips keep the form), as opposed to an id of another kind of record.
    /// </summary>
    public static bool HasWrongCheckCharacter(string? text)
    {
        Scan(text, out _, out var wrongCheck);
        return wrongCheck;
    }

    /// <summary>
    /// Checks <paramref name="value"/> like <see cref="Validate(string?, string)"/> and, when it is valid, gives where its
    /// type code and authority code lie in it, so a caller can compare them without building the identifier.
    /// </summary>
    internal static FieldError? Validate(string? value, string field, out Range typeCode, out Range authorityCode)
    {
        var error = Read(value, field, out var parts);
        (typeCode, authorityCode) = (parts.Type, parts.Authority);
        return error;
    }

    /// <summary>The canonical text form.</summary>
    public override string ToString() => $"{Root}.{TypeCode}.{AuthorityCode}.{Serial}.{Version}.{Check}";

    /// <summary>Where each part lies in the whole identifier text.</summary>
    private readonly record struct Parts(Range Type, Range Authority, Range Serial, Range Version, char Check);

    private static LicenseIdentifier FromParts(string text, Parts parts) =>
        new(text[parts.Type], text[parts.Authority], text[parts.Serial], text[parts.Version], parts.Check);

    /// <summary>
    /// Checks the canonical form without allocating when it is valid (it is checked for every entry a node or mirror
    /// admits); returns the error, null when valid.
    /// </summary>
    private static FieldError? Read(string? text, string field, out Parts parts) =>
        Scan(text, out parts, out _) is { } problem ? FieldError.Of(field, problem) : null;

    private static string? Scan(string? text, out Parts parts, out bool wrongCheck)
    {
        parts = default;
        wrongCheck = false;
        if (string.IsNullOrEmpty(text)) return "is required (证照标识)";
        if (!text.StartsWith(Root + ".", StringComparison.Ordinal)) return $"must start with the e-license root {Root}.";
        var offset = Root.Length + 1;
        Span<Range> split = stackalloc Range[6];
        if (text.AsSpan(offset).Split(split, '.') != 5) return "must have 5 parts after the root: type code, authority code, serial, version, check";
        for (var i = 0; i < 5; i++) split[i] = new Range(split[i].Start.Value + offset, split[i].End.Value + offset);
        var all = text.AsSpan();
        ReadOnlySpan<char> type = all[split[0]], authority = all[split[1]], serial = all[split[2]], version = all[split[3]], check = all[split[4]];
        var problem = Prefixed("type code", TypeProblem(type)) ?? Prefixed("authority code", UnifiedSocialCreditCode.Problem(authority))
            ?? Prefixed("serial", SerialProblem(serial)) ?? Prefixed("version", VersionProblem(version));
        if (problem is not null) return problem;
        if (check.Length != 1 || Iso7064.Alphabet36.IndexOf(check[0], StringComparison.Ordinal) < 0) return "check must be one character of 0-9A-Z";
        // The check runs over the four parts without their dots; at most 21 + 18 + 64 + 3 characters.
        Span<char> joined = stackalloc char[TypeCodeLength + UnifiedSocialCreditCode.Length + MaxSerialLength + 3];
        type.CopyTo(joined);
        authority.CopyTo(joined[type.Length..]);
        serial.CopyTo(joined[(type.Length + authority.Length)..]);
        version.CopyTo(joined[(type.Length + authority.Length + serial.Length)..]);
        var expected = Iso7064.ComputeMod37_36(joined[..(type.Length + authority.Length + serial.Length + version.Length)]);
        if (check[0] != expected)
        {
            wrongCheck = true;
            return $"check character should be {expected}, not {check[0]} (ISO/IEC 7064 MOD 37,36 over type code, authority code, serial and version)";
        }
        parts = new Parts(split[0], split[1], split[2], split[3], expected);
        return null;
    }

    private static string? Prefixed(string part, string? problem) => problem is null ? null : $"{part}: {problem}";

    private static FieldError? Of(string field, string? problem) => problem is null ? null : FieldError.Of(field, problem);

    internal static FieldError? ValidateType(string? typeCode, string field) => Of(field, TypeProblem(typeCode));

    private static string? TypeProblem(ReadOnlySpan<char> typeCode)
    {
        if (typeCode.IsEmpty) return "is required (21-character license type code)";
        if (typeCode.Length != TypeCodeLength) return $"must be 21 characters (defining authority's 统一社会信用代码 + 3 digits), got {typeCode.Length}";
        if (UnifiedSocialCreditCode.Problem(typeCode[..UnifiedSocialCreditCode.Length]) is { } authority) return "defining-authority part: " + authority;
        for (var i = UnifiedSocialCreditCode.Length; i < TypeCodeLength; i++)
        {
            if (typeCode[i] is < '0' or > '9') return "must end with a 3-digit sequence";
        }
        return null;
    }

    private static string? SerialProblem(ReadOnlySpan<char> serial)
    {
        if (serial.IsEmpty) return "is required";
        if (serial.Length > MaxSerialLength) return $"must be at most {MaxSerialLength} characters";
        foreach (var c in serial)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'A' and <= 'Z'))) return "must be digits and upper-case letters only ([0-9A-Z]+)";
        }
        return null;
    }

    private static string? VersionProblem(ReadOnlySpan<char> version)
    {
        if (version.Length != 3 || version[0] is < '0' or > '9' || version[1] is < '0' or > '9' || version[2] is < '0' or > '9')
        {
            return "must be 3 digits (001 first)";
        }
        if (version.SequenceEqual("000")) return "must be 001 or later";
        return null;
    }
}
