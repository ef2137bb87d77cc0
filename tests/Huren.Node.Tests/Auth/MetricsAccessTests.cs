using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Huren.Node.Services;
using Huren.Node.Tests.Integration;
using Huren.Sdk.Client;

namespace Huren.Node.Tests.Auth;

/// <summary>
/// <c>/metrics</c> describes a node's traffic: a real node serves it to its own machine by default, to nobody without a
/// listed client certificate once loopback is turned off, and to a scraper presenting a listed certificate over TLS.
/// </summary>
public sealed class MetricsAccessTests
{
    [Fact]
    public async Task With_loopback_turned_off_the_metrics_are_refused_and_health_still_answers()
    {
        await using var node = await TestNode.StartAsync(null, "--Huren:Metrics:AllowLoopback=false");
        using var http = Http2(null);
        using var metrics = await http.GetAsync(new Uri(node.Endpoint, "/metrics"));
        Assert.Equal(HttpStatusCode.Forbidden, metrics.StatusCode);
        Assert.Contains("Huren:Metrics:ScraperCertificates", await metrics.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // Routing matches the path in any case and with a trailing slash: so does the guard.
        foreach (var path in new[] { "/METRICS", "/Metrics/", "/metrics/" })
        {
            using var other = await http.GetAsync(new Uri(node.Endpoint, path));
            Assert.True(other.StatusCode == HttpStatusCode.Forbidden, $"{path}: {other.StatusCode}");
        }
        using var health = await http.GetAsync(new Uri(node.Endpoint, "/healthz"));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_scraper_with_a_listed_certificate_reads_them_over_TLS_and_others_do_not()
    {
        var dir = Directory.CreateTempSubdirectory("huren-metrics-");
        try
        {
            using var server = SelfSigned("node", serverAuth: true);
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "tls.crt.pem"), server.ExportCertificatePem());
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "tls.key.pem"), server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
            using var scraper = SelfSigned("prometheus", serverAuth: false);
            using var stranger = SelfSigned("stranger", serverAuth: false);
            await using var node = await TestNode.StartAsync(null,
                "--Kestrel:Endpoints:Tls:Url=https://127.0.0.1:0",
                "--Kestrel:Endpoints:Tls:Protocols=Http1AndHttp2",
                $"--Kestrel:Endpoints:Tls:Certificate:Path={Path.Combine(dir.FullName, "tls.crt.pem")}",
                $"--Kestrel:Endpoints:Tls:Certificate:KeyPath={Path.Combine(dir.FullName, "tls.key.pem")}",
                "--Huren:Metrics:AllowLoopback=false",
                $"--Huren:Metrics:ScraperCertificates:0={PinnedTls.Fingerprint(scraper).ToUpperInvariant()}");
            var tls = Assert.Single(node.Addresses, a => a.Scheme == "https");

            using (var listed = Http2(scraper))
            {
                var text = await listed.GetStringAsync(new Uri(tls, "/metrics"));
                Assert.Contains("huren_entries_appended_total", text, StringComparison.Ordinal);
            }
            using (var none = Http2(null))
            using (var refused = await none.GetAsync(new Uri(tls, "/metrics")))
            {
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            }
            // A certificate nobody listed does not get through: under TLS 1.3 the server refuses it after the client has
            // sent its last handshake flight, so the client sees either a failed handshake or a connection closed before
            // HTTP/2 starts. Either way no answer comes.
            using var unlisted = Http2(stranger);
            await Assert.ThrowsAsync<HttpRequestException>(() => unlisted.GetAsync(new Uri(tls, "/metrics")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_scraper_fingerprint_that_is_not_a_sha256_is_refused_at_start()
    {
        Assert.Null(new MetricsOptions { ScraperCertificates = [new string('a', 64)] }.Validate());
        Assert.Contains("Huren:Metrics:ScraperCertificates", new MetricsOptions { ScraperCertificates = ["abc"] }.Validate(), StringComparison.Ordinal);
        Assert.NotNull(new MetricsOptions { ScraperCertificates = [new string('g', 64)] }.Validate());
    }

    private static HttpClient Http2(X509Certificate2? clientCertificate)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        if (clientCertificate is not null) handler.SslOptions.ClientCertificates = [clientCertificate];
        return new HttpClient(handler) { DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
    }

    private static X509Certificate2 SelfSigned(string name, bool serverAuth)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        using var made = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // An ephemeral key does not reach the TLS stack on every platform: a PKCS #12 round trip keeps it.
        return X509CertificateLoader.LoadPkcs12(made.Export(X509ContentType.Pkcs12), null);
    }
}
