using System.Diagnostics;
using System.Net.Http.Headers;
using Huren.Anchoring.Timestamps;
using Huren.Sdk.Crypto;
using Huren.Sdk.Timestamps;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Huren.Anchoring.Tests;

/// <summary>Huren's TSA hosted over HTTP (ASP.NET Core minimal API on loopback), asked by Huren's RFC 3161 client.</summary>
public class TimestampEndpointTests
{
    private static readonly LocalTsaCertificates Local = TimestampAuthority.CreateLocalCertificates("Huren endpoint test", TimeSpan.FromDays(1));

    private static async Task<(WebApplication App, Uri Url)> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapTimestampAuthority("/tsa", Local.CreateAuthority());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, new Uri(address + "/tsa"));
    }

    [Fact]
    public async Task The_client_gets_a_token_over_HTTP_that_the_verifier_accepts_and_a_stopped_TSA_fails_fast()
    {
        var (app, url) = await StartAsync();
        using var http = new HttpClient();
        // A generous timeout: the first token costs JIT and signing, which take seconds on a loaded machine. "Fails fast"
        // below means a refused connection is reported at once instead of waiting that timeout out.
        var timeout = TimeSpan.FromSeconds(30);
        var client = new TimestampClient(http, new TimestampClientOptions { Url = url, Timeout = timeout, Attempts = 2, RetryDelay = TimeSpan.FromMilliseconds(50) });
        var digest = Digests.Sha256("a checkpoint note"u8);
        TimestampToken token;
        try
        {
            token = await client.RequestAsync(digest);

            // Wrong media type: the endpoint answers 415 and the client reports a refusal at once, without retrying.
            using var wrong = new ByteArrayContent([1, 2, 3]);
            wrong.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            Assert.Equal(415, (int)(await http.PostAsync(url, wrong)).StatusCode);
            var bad = new TimestampClient(http, new TimestampClientOptions { Url = new Uri(url, "/nope"), Attempts = 3 });
            Assert.Contains("refused the request: HTTP 404", (await Assert.ThrowsAsync<TimestampException>(() => bad.RequestAsync(digest))).Message);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        var trust = new TimestampTrust { Roots = TimestampTrust.CertificatesFromPem(Local.RootCertificatePem), Policies = [TimestampAuthority.LocalPolicy] };
        var result = new TimestampVerifier(trust).Verify(token.ToArray(), digest);
        Assert.True(result.IsValid, result.Failure);

        var watch = Stopwatch.StartNew();
        var down = await Assert.ThrowsAsync<TimestampException>(() => client.RequestAsync(digest));
        Assert.Contains(url.ToString(), down.Message);
        Assert.True(watch.Elapsed < timeout, $"took {watch.Elapsed}: waited for the timeout instead of failing on the refused connection");
    }
}
