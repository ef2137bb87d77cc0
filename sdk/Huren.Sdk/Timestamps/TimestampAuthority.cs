using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.Cmp;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tsp;
using Org.BouncyCastle.Utilities.Collections;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Huren.Sdk.Timestamps;

/// <summary>
/// A small RFC 3161 time-stamp authority for local and test networks: it answers a DER <c>TimeStampReq</c> with a DER
/// <c>TimeStampResp</c> signed by its ECDSA P-256 key (SHA-256), under one policy, with a random 128-bit serial number,
/// carrying its certificate chain when asked. Bad requests get a rejection response, never an exception. Hosting it
/// over HTTP is one POST route (Huren.Anchoring's <c>MapTimestampAuthority</c>). Thread-safe.
/// </summary>
public sealed class TimestampAuthority
{
    /// <summary>The policy OID of Huren's local TSA (a UUID OID under 2.25, ITU-T X.667: no registry needed).</summary>
    public const string LocalPolicy = "2.25.188419370017170040549557373261347883146";

    private static readonly string[] AcceptedAlgorithms = [TspAlgorithms.Sha256, TspAlgorithms.Sha384, TspAlgorithms.Sha512, TspAlgorithms.SM3];
    private readonly TimeStampResponseGenerator _generator;
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();

    /// <summary>A TSA with <paramref name="certificate"/> (its key usage must be critical time-stamping), its private key, the rest of its chain and a policy.</summary>
    /// <exception cref="ArgumentException">The certificate has no private key, is not ECDSA, or is not a time-stamping certificate.</exception>
    public TimestampAuthority(X509Certificate2 certificate, IReadOnlyList<X509Certificate2> chain, string policy = LocalPolicy, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(chain);
        using var ecdsa = certificate.GetECDsaPrivateKey() ?? throw new ArgumentException("the TSA certificate has no ECDSA private key", nameof(certificate));
        var key = PrivateKeyFactory.CreateKey(ecdsa.ExportPkcs8PrivateKey());
        var bcCertificate = new BcCertificate(certificate.RawData);
        TimeStampTokenGenerator tokens;
        try
        {
            tokens = new TimeStampTokenGenerator(key, bcCertificate, TspAlgorithms.Sha256, policy);
        }
        catch (TspValidationException ex)
        {
            throw new ArgumentException($"not a time-stamping certificate: {ex.Message}", nameof(certificate), ex);
        }
        var all = new List<BcCertificate> { bcCertificate };
        foreach (var c in chain) all.Add(new BcCertificate(c.RawData));
        tokens.SetCertificates(CollectionUtilities.CreateStore(all));
        _generator = new TimeStampResponseGenerator(tokens, AcceptedAlgorithms, [policy]);
        Certificate = X509CertificateLoader.LoadCertificate(certificate.RawData);
        Chain = [.. chain];
        Policy = policy;
        _clock = clock ?? TimeProvider.System;
    }

    /// <summary>The TSA's certificate (public part).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The certificates above it, up to the root.</summary>
    public IReadOnlyList<X509Certificate2> Chain { get; }

    /// <summary>The policy its tokens carry.</summary>
    public string Policy { get; }

    /// <summary>Loads a TSA from PEM: the certificates (the TSA's first, then its chain) and its PKCS#8 private key.</summary>
    /// <exception cref="FormatException">Unreadable PEM.</exception>
    public static TimestampAuthority FromPem(string certificatesPem, string privateKeyPem, string policy = LocalPolicy, TimeProvider? clock = null)
    {
        var certificates = TimestampTrust.CertificatesFromPem(certificatesPem);
        X509Certificate2 withKey;
        try
        {
            withKey = X509Certificate2.CreateFromPem(certificates[0].ExportCertificatePem(), privateKeyPem);
        }
        catch (CryptographicException ex)
        {
            throw new FormatException($"TSA key: {ex.Message}", ex);
        }
        return new TimestampAuthority(withKey, [.. certificates.Skip(1)], policy, clock);
    }

    /// <summary>Answers one request (DER <c>TimeStampReq</c>) with a DER <c>TimeStampResp</c>: granted, or rejected with the reason.</summary>
    public byte[] Respond(ReadOnlySpan<byte> request)
    {
        TimeStampRequest parsed;
        try
        {
            parsed = new TimeStampRequest(request.ToArray());
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidCastException or InvalidOperationException)
        {
            return Reject(PkiFailureInfo.BadDataFormat, "the request is not a DER TimeStampReq");
        }
        var serial = new BigInteger(1, RandomNumberGenerator.GetBytes(16));
        lock (_lock)
        {
            try
            {
                // Generate checks the algorithm, policy and extensions against the accepted lists and answers a
                // rejection (badAlg, unacceptedPolicy, …) itself.
                return _generator.Generate(parsed, serial, _clock.GetUtcNow().UtcDateTime).GetEncoded();
            }
            catch (TspException ex)
            {
                return Reject(PkiFailureInfo.SystemFailure, ex.Message);
            }
        }
    }

    private byte[] Reject(int failInfo, string reason)
    {
        lock (_lock)
        {
            return _generator.GenerateFailResponse(PkiStatus.Rejection, failInfo, reason).GetEncoded();
        }
    }

    /// <summary>
    /// Makes the certificates of a local TSA: a self-signed root CA and a TSA certificate it issues (critical
    /// extended key usage time-stamping, digital signature), both ECDSA P-256, valid from now for <paramref name="validity"/>.
    /// </summary>
    public static LocalTsaCertificates CreateLocalCertificates(string name, TimeSpan validity, TimeProvider? clock = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest($"CN={name} TSA Root", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        rootRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        rootRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(rootRequest.PublicKey, false));
        using var root = rootRequest.CreateSelfSigned(now.AddMinutes(-5), now + validity);

        using var tsaKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var tsaRequest = new CertificateRequest($"CN={name} TSA", tsaKey, HashAlgorithmName.SHA256);
        tsaRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        tsaRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.NonRepudiation, true));
        tsaRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.8")], true));
        tsaRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(tsaRequest.PublicKey, false));
        tsaRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var tsa = tsaRequest.Create(root, now.AddMinutes(-5), now + validity - TimeSpan.FromMinutes(1), serial);
        return new LocalTsaCertificates(root.ExportCertificatePem() + "\n", tsa.ExportCertificatePem() + "\n", tsaKey.ExportPkcs8PrivateKeyPem() + "\n");
    }
}

/// <summary>PEM texts of a local TSA: the root CA certificate (what verifiers trust), the TSA certificate and the TSA's PKCS#8 private key.</summary>
public sealed record LocalTsaCertificates(string RootCertificatePem, string TsaCertificatePem, string TsaPrivateKeyPem)
{
    /// <summary>Loads the TSA these certificates describe.</summary>
    public TimestampAuthority CreateAuthority(string policy = TimestampAuthority.LocalPolicy, TimeProvider? clock = null) =>
        TimestampAuthority.FromPem(TsaCertificatePem + RootCertificatePem, TsaPrivateKeyPem, policy, clock);
}
