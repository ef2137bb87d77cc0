using System.Globalization;
using System.Security.Cryptography;
using Huren.Sdk.Crypto;
using Huren.Sdk.Seals;

namespace Huren.Cli.Commands.Seals;

/// <summary>The files seal commands read and write: keys (PKCS#8 PEM), certificates (PEM or DER), seals and signatures (DER), documents.</summary>
internal static class SealFiles
{
    private const string CertificateLabel = "CERTIFICATE";

    /// <summary>The bytes of <paramref name="path"/>.</summary>
    /// <exception cref="CliException">Missing or unreadable, naming <paramref name="what"/>.</exception>
    public static byte[] Read(string path, string what)
    {
        var full = Path.GetFullPath(path);
        try
        {
            return File.ReadAllBytes(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"{what} '{full}' cannot be read: {ex.Message}", ex);
        }
    }

    /// <summary>A private key (PKCS#8 PEM, as 'huren keys gen' writes it).</summary>
    public static SigningKey ReadKey(string path, string what)
    {
        try
        {
            return SigningKey.FromPem(System.Text.Encoding.UTF8.GetString(Read(path, what)));
        }
        catch (FormatException ex)
        {
            throw new CliException($"{what} '{Path.GetFullPath(path)}': {ex.Message}", ex);
        }
    }

    /// <summary>An X.509 certificate, PEM (<c>CERTIFICATE</c>) or DER, with an SM2 or P-256 key.</summary>
    public static SealCertificate ReadCertificate(string path, string what)
    {
        var bytes = Read(path, what);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        if (text.Contains("-----BEGIN ", StringComparison.Ordinal))
        {
            if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != CertificateLabel)
                throw new CliException($"{what} '{Path.GetFullPath(path)}' holds no PEM CERTIFICATE block");
            bytes = Convert.FromBase64String(text[fields.Base64Data]);
        }
        return SealCertificate.TryParse(bytes, out var certificate, out var error) ? certificate : throw new CliException($"{what} '{Path.GetFullPath(path)}': {error}");
    }

    /// <summary>An <c>SES_Seal</c> (DER).</summary>
    public static SesSeal ReadSeal(string path)
        => SesCodec.TryParseSeal(Read(path, "seal"), out var seal, out var error) ? seal : throw new CliException($"seal '{Path.GetFullPath(path)}' is not a GB/T 38540 SES_Seal: {error}");

    /// <summary>A certificate as PEM.</summary>
    public static string Pem(SealCertificate certificate) => new string(PemEncoding.Write(CertificateLabel, certificate.Der)) + "\n";

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>, refusing to replace a file unless <paramref name="overwrite"/>; returns the full path.</summary>
    public static string Write(string path, byte[] content, string what, bool overwrite = false)
    {
        var full = Path.GetFullPath(path);
        if (!overwrite && File.Exists(full)) throw new CliException($"'{full}' exists; refusing to overwrite the {what}");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, content);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"the {what} cannot be written to '{full}': {ex.Message}", ex);
        }
        return full;
    }

    /// <summary>A day <c>yyyy-MM-dd</c> (China time) of option <paramref name="option"/>.</summary>
    public static DateOnly ParseDay(string text, string option)
        => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
            : throw new CliException($"{option} '{text}' is not a date (yyyy-MM-dd)");

    /// <summary>The first instant of <paramref name="day"/> in China (UTC+8).</summary>
    public static DateTimeOffset StartOf(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), Sdk.Evidence.LicenseVerdictRules.ChinaStandardTime);

    /// <summary>The last second of <paramref name="day"/> in China (UTC+8).</summary>
    public static DateTimeOffset EndOf(DateOnly day) => new(day.ToDateTime(new TimeOnly(23, 59, 59)), Sdk.Evidence.LicenseVerdictRules.ChinaStandardTime);

    /// <summary>An instant as people read it: UTC, to the second.</summary>
    public static string Show(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
