using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProtoBuf.Grpc.Server;

namespace Huren.Node.Tests.Integration;

/// <summary>
/// An in-process gRPC server (HTTP/2 cleartext on a free loopback port) serving one scripted code-first service: a
/// lying peer or node for tests of what the SDK and a mirror believe.
/// </summary>
internal sealed class ScriptedGrpcServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedGrpcServer(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The server's address.</summary>
    public Uri Endpoint { get; }

    /// <summary>Starts serving <paramref name="service"/> (its calls go to this very instance).</summary>
    public static async Task<ScriptedGrpcServer> StartAsync<TService>(TService service) where TService : class
    {
        var builder = WebApplication.CreateBuilder();
        // The node's appsettings.json beside the tests names fixed Kestrel endpoints (port 7101), which would override
        // UseUrls: a scripted server takes a free port, so it never collides with a running node or another test.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(e => e.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http2));
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(service);
        builder.Services.AddCodeFirstGrpc();
        var app = builder.Build();
        app.MapGrpcService<TService>();
        await app.StartAsync();
        return new ScriptedGrpcServer(app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
