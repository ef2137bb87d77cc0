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
        var error = ValidateType(typeCode, "typeCode") ?? ValidateAuthority(authorityCode, "authorityCode")
            ?? ValidateSerial(serial, "serial") ?? ValidateVersion(version, "version");
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
        identifier = Read(text, "licenseId", out var error);
        return error is null;
    }

    /// <summary>Parses the canonical form or throws <see cref="FormatException"/> saying what is wrong.</summary>
    public static LicenseIdentifier Parse(string text) =>
        Read(text, "licenseId", out var error) ?? throw new FormatException(error!.Message);

    /// <summary>Checks <paramref name="value"/>; returns null when valid, otherwise an error naming <paramref name="field"/>.</summary>
    public static FieldError? Validate(string? value, string field)
    {
        Read(value, field, out var error);
        return error;
    }

    /// <summary>The canonical text form.</summary>
    public override string ToString() => $"{Root}.{TypeCode}.{AuthorityCode}.{Serial}.{Version}.{Check}";

    private static LicenseIdentifier? Read(string? text, string field, out FieldError? error)
    {
        if (string.IsNullOrEmpty(text))
        {
            error = FieldError.Of(field, "is required (证照标识)");
            return null;
        }
        if (!text.StartsWith(Root + ".", StringComparison.Ordinal))
        {
            error = FieldError.Of(field, $"must start with the e-license root {Root}.");
            return null;
        }
        var parts = text[(Root.Length + 1)..].Split('.');
        if (parts.Length != 5)
        {
            error = FieldError.Of(field, "must have 5 parts after the root: type code, authority code, serial, version, check");
            return null;
        }
        error = ValidateType(parts[0], field + " type code") ?? ValidateAuthority(parts[1], field + " authority code")
            ?? ValidateSerial(parts[2], field + " serial") ?? ValidateVersion(parts[3], field + " version");
        if (error is not null)
        {
            error = FieldError.Of(field, error.Message[(field.Length + 1)..]);
            return null;
        }
        if (parts[4].Length != 1 || Iso7064.Alphabet36.IndexOf(parts[4][0], StringComparison.Ordinal) < 0)
        {
            error = FieldError.Of(field, "check must be one character of 0-9A-Z");
            return null;
        }
        var expected = ComputeCheckChar(parts[0], parts[1], parts[2], parts[3]);
        if (parts[4][0] != expected)
        {
            error = FieldError.Of(field, $"check character should be {expected}, not {parts[4][0]} (ISO/IEC 7064 MOD 37,36 over type code, authority code, serial and version)");
            return null;
        }
        error = null;
        return new LicenseIdentifier(parts[0], parts[1], parts[2], parts[3], expected);
    }

    internal static FieldError? ValidateType(string? typeCode, string field)
    {
        if (string.IsNullOrEmpty(typeCode)) return FieldError.Of(field, "is required (21-character license type code)");
        if (typeCode.Length != TypeCodeLength) return FieldError.Of(field, $"must be 21 characters (defining authority's 统一社会信用代码 + 3 digits), got {typeCode.Length}");
        var authority = UnifiedSocialCreditCode.Validate(typeCode[..UnifiedSocialCreditCode.Length], field);
        if (authority is not null) return FieldError.Of(field, "defining-authority part: " + authority.Message[(field.Length + 2)..]);
        for (var i = UnifiedSocialCreditCode.Length; i < TypeCodeLength; i++)
        {
            if (typeCode[i] is < '0' or > '9') return FieldError.Of(field, "must end with a 3-digit sequence");
        }
        return null;
    }

    private static FieldError? ValidateAuthority(string? code, string field) => UnifiedSocialCreditCode.Validate(code, field);

    private static FieldError? ValidateSerial(string? serial, string field)
    {
        if (string.IsNullOrEmpty(serial)) return FieldError.Of(field, "is required");
        if (serial.Length > MaxSerialLength) return FieldError.Of(field, $"must be at most {MaxSerialLength} characters");
        foreach (var c in serial)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'A' and <= 'Z'))) return FieldError.Of(field, "must be digits and upper-case letters only ([0-9A-Z]+)");
        }
        return null;
    }

    private static FieldError? ValidateVersion(string? version, string field)
    {
        if (version is null || version.Length != 3 || version[0] is < '0' or > '9' || version[1] is < '0' or > '9' || version[2] is < '0' or > '9')
        {
            return FieldError.Of(field, "must be 3 digits (001 first)");
        }
        if (version == "000") return FieldError.Of(field, "must be 001 or later");
        return null;
    }
}
