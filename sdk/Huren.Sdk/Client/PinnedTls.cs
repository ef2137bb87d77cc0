using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Huren.Sdk.Client;

/// <summary>
/// TLS to Huren nodes with certificates pinned by the network configuration (<c>tlsCertificateSha256</c> of each
/// member) instead of a public CA: the server must present one of them, and a node presents its own to its peers.
/// </summary>
public static class PinnedTls
{
    /// <summary>Hex SHA-256 of a certificate's DER, the form the network configuration lists.</summary>
    public static string Fingerprint(X509Certificate certificate) => Convert.ToHexStringLower(SHA256.HashData(certificate.GetRawCertData()));

    /// <summary>
    /// An HTTP handler that accepts only servers whose certificate is in <paramref name="trustedSha256"/>, and presents
    /// <paramref name="clientCertificate"/> when given (node-to-node mutual TLS).
    /// </summary>
    public static SocketsHttpHandler CreateHandler(IReadOnlyCollection<string> trustedSha256, X509Certificate2? clientCertificate = null)
    {
        var trusted = new HashSet<string>(trustedSha256, StringComparer.OrdinalIgnoreCase);
        var handler = new SocketsHttpHandler
        {
            EnableMultipleHttp2Connections = true,
            InitialHttp2StreamWindowSize = HurenClient.ReceiveWindowBytes,
            SslOptions = new SslClientAuthenticationOptions
            {
                // Pinning replaces chain building: the configuration, signed by the members, is the trust anchor.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && trusted.Contains(Fingerprint(certificate)),
            },
        };
        if (clientCertificate is not null) handler.SslOptions.ClientCertificates = [clientCertificate];
        return handler;
    }

    /// <summary>Loads a certificate and its private key from PEM files (as <c>network init</c> writes them).</summary>
    public static X509Certificate2 LoadCertificate(string certificatePemPath, string keyPemPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificatePemPath, keyPemPath);
        // Re-import so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}
