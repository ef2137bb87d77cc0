using System.Text.RegularExpressions;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Huren.Node.Tests.Integration;

/// <summary>The running node's gRPC surface: health, reflection, and exactly the services the committed .proto describes.</summary>
public sealed partial class ServiceSurfaceTests : IAsyncLifetime
{
    private TestNode _node = null!;

    public async Task InitializeAsync() => _node = await TestNode.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    private static string CommittedServicesProto()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, "schemas", "proto", "huren", "v1", "services.proto");
            if (File.Exists(path)) return File.ReadAllText(path);
        }
        throw new FileNotFoundException("schemas/proto/huren/v1/services.proto not found above the test assembly");
    }

    [GeneratedRegex(@"^service (\w+) \{(.*?)^\}", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ServiceBlock();

    [GeneratedRegex(@"rpc (\w+) \((stream )?(\w+)\) returns \((stream )?(\w+)\);")]
    private static partial Regex RpcLine();

    [Fact]
    public void Settings_files_are_read_once_and_not_watched()
    {
        // The watcher would cover the content root, where the database and the content store write all the time.
        var files = _node.Services.GetRequiredService<IConfiguration>() is IConfigurationRoot root
            ? root.Providers.OfType<FileConfigurationProvider>().ToList()
            : throw new InvalidOperationException("the node's configuration is not a configuration root");
        Assert.Contains(files, file => file.Source.Path == "appsettings.json");
        Assert.All(files, file => Assert.False(file.Source.ReloadOnChange, $"{file.Source.Path} is watched for changes"));
    }

    [Fact]
    public void Committed_proto_describes_exactly_the_methods_the_node_serves()
    {
        var declared = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match service in ServiceBlock().Matches(CommittedServicesProto()))
        {
            foreach (Match rpc in RpcLine().Matches(service.Groups[2].Value))
            {
                var kind = (rpc.Groups[2].Success, rpc.Groups[4].Success) switch
                {
                    (false, false) => MethodType.Unary,
                    (true, false) => MethodType.ClientStreaming,
                    (false, true) => MethodType.ServerStreaming,
                    _ => MethodType.DuplexStreaming,
                };
                declared.Add($"/huren.v1.{service.Groups[1].Value}/{rpc.Groups[1].Value} {kind} {rpc.Groups[3].Value} -> {rpc.Groups[5].Value}");
            }
        }
        var served = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var endpoint in _node.Services.GetRequiredService<EndpointDataSource>().Endpoints)
        {
            var method = endpoint.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method;
            if (method is null || !method.FullName.StartsWith("/huren.", StringComparison.Ordinal)) continue;
            var types = method.GetType().GetGenericArguments();
            served.Add($"{method.FullName} {method.Type} {types[0].Name} -> {types[1].Name}");
        }
        Assert.NotEmpty(declared);
        Assert.Equal(declared, served);
    }

    [Fact]
    public async Task Health_answers_without_credentials_and_reflection_lists_every_service()
    {
        using var anonymous = _node.Anonymous();
        var health = new Health.HealthClient(anonymous.Channel);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);

        var reflection = new ServerReflection.ServerReflectionClient(anonymous.Channel);
        using var call = reflection.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var names = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToHashSet();
        foreach (var expected in new[] { "huren.v1.Ledger", "huren.v1.Licenses", "huren.v1.Trace", "huren.v1.Issuers", "grpc.health.v1.Health" })
        {
            Assert.Contains(expected, names);
        }

        // Everything else refuses an unauthenticated caller.
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await anonymous.Issuers.ListAsync(new Schemas.Services.ListIssuersRequest(), anonymous.Options()));
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }
}
