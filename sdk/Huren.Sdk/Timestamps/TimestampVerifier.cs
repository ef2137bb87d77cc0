using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Tsp;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Huren.Sdk.Timestamps;

/// <summary>Which TSAs a verifier believes.</summary>
public sealed record TimestampTrust
{
    /// <summary>The root certificates a TSA certificate must chain to (self-signed CA certificates, or the TSA's own certificate when it is self-signed).</summary>
    public required IReadOnlyList<X509Certificate2> Roots { get; init; }

    /// <summary>Intermediate (or TSA) certificates to use when a token does not carry them.</summary>
    public IReadOnlyList<X509Certificate2> Intermediates { get; init; } = [];

    /// <summary>Accepted TSA policy OIDs; empty accepts any.</summary>
    public IReadOnlyCollection<string> Policies { get; init; } = [];

    /// <summary>Reads PEM certificates (one or more) from text.</summary>
    public static IReadOnlyList<X509Certificate2> CertificatesFromPem(string pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(pem);
        if (collection.Count == 0) throw new FormatException("no PEM certificate found");
        return [.. collection];
    }
}

/// <summary>What a token showed, or why it was refused.</summary>
public sealed record TimestampVerification(bool IsValid, string? Failure)
{
    /// <summary>The TSA's stated time (when the token could be read).</summary>
    public DateTimeOffset? GenTime { get; init; }

    /// <summary>The token's policy OID (when the token could be read).</summary>
    public string? Policy { get; init; }

    /// <summary>The signing TSA certificate's subject (when found).</summary>
    public string? TsaSubject { get; init; }
}

/// <summary>
/// Checks RFC 3161 time-stamp tokens offline: the message imprint is SHA-256 of what the caller holds; the signer's
/// certificate (from the token, or configured) matches the token's ESS signing-certificate attribute, is valid at the
/// stated time, has the critical time-stamping extended key usage, and signed the token (BouncyCastle's TSP
/// validation); it chains to a configured root at the stated time (the platform's X509Chain with a custom trust store,
/// no revocation check: offline); the policy is an accepted one; and, when the caller asked with a nonce, the nonce
/// is echoed.
/// </summary>
public sealed class TimestampVerifier(TimestampTrust trust)
{
    private const string Sha256Oid = "2.16.840.1.101.3.4.2.1";
    private const string TimeStampingEku = "1.3.6.1.5.5.7.3.8";

    /// <summary>Checks the token in <paramref name="der"/> over <paramref name="sha256Digest"/>.</summary>
    public TimestampVerification Verify(ReadOnlySpan<byte> der, ReadOnlySpan<byte> sha256Digest, ReadOnlySpan<byte> expectedNonce = default) =>
        TimestampToken.TryParse(der, out var token, out var error) ? Verify(token, sha256Digest, expectedNonce) : new(false, error);

    /// <summary>Checks <paramref name="token"/> over <paramref name="sha256Digest"/> (and <paramref name="expectedNonce"/> when not empty).</summary>
    public TimestampVerification Verify(TimestampToken token, ReadOnlySpan<byte> sha256Digest, ReadOnlySpan<byte> expectedNonce = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        TimestampVerification Fail(string reason, string? subject = null) => new(false, reason) { GenTime = token.GenTime, Policy = token.Policy, TsaSubject = subject };

        if (token.ImprintAlgorithm != Sha256Oid) return Fail($"the message imprint is hashed with {token.ImprintAlgorithm}, not SHA-256");
        if (!token.MessageImprint.AsSpan().SequenceEqual(sha256Digest)) return Fail("the token time-stamps another message (imprint differs)");
        if (!expectedNonce.IsEmpty && (token.Nonce is null || !token.Nonce.AsSpan().SequenceEqual(TrimLeadingZeros(expectedNonce))))
            return Fail("the token does not echo the request's nonce");
        if (trust.Policies.Count > 0 && !trust.Policies.Contains(token.Policy)) return Fail($"policy {token.Policy} is not an accepted TSA policy");

        var carried = new List<BcCertificate>(token.Inner.GetCertificates().EnumerateMatches(null));
        BcCertificate? signer = null;
        foreach (var c in carried)
        {
            if (token.Inner.SignerID.Match(c)) signer = c;
        }
        if (signer is null)
        {
            foreach (var c in trust.Intermediates)
            {
                var bc = new BcCertificate(c.RawData);
                if (token.Inner.SignerID.Match(bc)) signer = bc;
            }
        }
        if (signer is null) return Fail("the token carries no certificate of its signer, and none is configured");
        var subject = signer.SubjectDN.ToString();
        try
        {
            token.Inner.Validate(signer);
        }
        catch (Exception ex) when (ex is TspException or ArgumentException or InvalidCastException or IOException or Org.BouncyCastle.Security.Certificates.CertificateException or Org.BouncyCastle.Security.InvalidKeyException or Org.BouncyCastle.Cms.CmsException)
        {
            return Fail($"the token's signature or signing certificate does not check: {ex.Message}", subject);
        }

        X509Certificate2 signerCertificate;
        try
        {
            signerCertificate = X509CertificateLoader.LoadCertificate(signer.GetEncoded());
        }
        catch (Exception ex) when (ex is CryptographicException or IOException)
        {
            return Fail($"the token's signing certificate does not load: {ex.Message}", subject);
        }
        using var leaf = signerCertificate;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(trust.Roots.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(trust.Intermediates.ToArray());
        var loaded = new List<X509Certificate2>();
        foreach (var c in carried)
        {
            // The token's certificate set is not signed: a carried certificate that does not load is left out (the
            // chain then needs the configured ones), not a reason to throw.
            X509Certificate2 x;
            try
            {
                x = X509CertificateLoader.LoadCertificate(c.GetEncoded());
            }
            catch (Exception ex) when (ex is CryptographicException or IOException)
            {
                continue;
            }
            loaded.Add(x);
            chain.ChainPolicy.ExtraStore.Add(x);
        }
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = token.GenTime.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(TimeStampingEku));
        try
        {
            if (!chain.Build(leaf))
            {
                var reasons = new List<string>();
                foreach (var element in chain.ChainElements)
                {
                    foreach (var status in element.ChainElementStatus) reasons.Add($"{element.Certificate.Subject}: {status.StatusInformation.Trim()}");
                }
                foreach (var status in chain.ChainStatus) reasons.Add(status.StatusInformation.Trim());
                return Fail($"the TSA certificate does not chain to a trusted root at {token.GenTime:u}: {string.Join("; ", reasons.Distinct())}", subject);
            }
            return new(true, null) { GenTime = token.GenTime, Policy = token.Policy, TsaSubject = subject };
        }
        finally
        {
            foreach (var x in loaded) x.Dispose();
        }
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(ReadOnlySpan<byte> value)
    {
        var i = 0;
        while (i < value.Length - 1 && value[i] == 0) i++;
        return value[i..];
    }
}
