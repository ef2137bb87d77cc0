using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Huren.Node.Network;
using Huren.Node.Tests.Witness;
using Huren.Schemas.Services;
using Huren.Sdk.Client;
using Huren.Sdk.Network;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Huren.Node.Tests.Network;

/// <summary>
/// A node's calls to a member trust that member's pinned certificate only: another member answering at its address
/// (a moved DNS name, a routed port) is refused in the TLS handshake, before the call's request is sent.
/// </summary>
public sealed class PeerClientsTests : IAsyncLifetime, IDisposable
{
    private readonly WitnessFixture _f = new();
    private readonly X509Certificate2 _zhuzhouCertificate = SelfSigned("CN=zhuzhou");
    private readonly X509Certificate2 _xiangtanCertificate = SelfSigned("CN=xiangtan");
    private WebApplication? _xiangtan;
    private Uri _xiangtanEndpoint = null!;
    private int _requestsSeen;

    public async Task InitializeAsync()
    {
        // Xiangtan's node, as far as TLS goes: its own certificate; it counts the requests that reach it.
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(_xiangtanCertificate);
        }));
        _xiangtan = builder.Build();
        _xiangtan.Run(context =>
        {
            Interlocked.Increment(ref _requestsSeen);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        });
        await _xiangtan.StartAsync();
        _xiangtanEndpoint = new Uri(_xiangtan.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public async Task DisposeAsync()
    {
        if (_xiangtan is not null) await _xiangtan.DisposeAsync();
    }

    public void Dispose()
    {
        _f.Dispose();
        _zhuzhouCertificate.Dispose();
        _xiangtanCertificate.Dispose();
    }

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>The network with Zhuzhou's endpoint at Xiangtan's server, every member's pin set as given.</summary>
    private TrustedMember Zhuzhou(X509Certificate2 zhuzhouPinned)
    {
        var config = _f.Config;
        foreach (var member in config.Members)
        {
            member.TlsCertificateSha256 = member.CityCode switch
            {
                "430200" => PinnedTls.Fingerprint(zhuzhouPinned),
                "430300" => PinnedTls.Fingerprint(_xiangtanCertificate),
                _ => "",
            };
            if (member.CityCode == "430200") member.Endpoint = _xiangtanEndpoint.ToString();
        }
        return TrustedNetwork.From(config).ByOrigin(_f.Zhuzhou.Origin)!;
    }

    [Fact]
    public async Task Another_member_answering_at_a_members_address_is_refused_before_any_request()
    {
        using var peers = new PeerClients(_f.Changsha.CityCode, _f.Changsha.WitnessKey, () => null);
        using var client = peers.For(Zhuzhou(_zhuzhouCertificate), TimeSpan.FromSeconds(10));

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.Ledger.GetCheckpointAsync(new CheckpointRequest(), client.Options()));
        // The TLS handshake fails on the pin (gRPC reports a call that could not start as INTERNAL).
        Assert.Contains("The remote certificate was rejected by the provided RemoteCertificateValidationCallback", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, Volatile.Read(ref _requestsSeen));
    }

    [Fact]
    public async Task The_members_own_pinned_certificate_is_accepted()
    {
        // Same server, now the certificate the configuration pins for Zhuzhou: the request reaches it.
        using var peers = new PeerClients(_f.Changsha.CityCode, _f.Changsha.WitnessKey, () => null);
        using var client = peers.For(Zhuzhou(_xiangtanCertificate), TimeSpan.FromSeconds(10));

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.Ledger.GetCheckpointAsync(new CheckpointRequest(), client.Options()));
        Assert.NotEqual(StatusCode.Unavailable, ex.StatusCode);
        Assert.Equal(1, Volatile.Read(ref _requestsSeen));
    }
}
