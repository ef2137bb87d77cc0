using System.Reflection;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using ProtoBuf.Grpc.Configuration;
using ProtoBuf.Meta;

namespace Huren.Schemas.Proto;

/// <summary>
/// Generates the <c>.proto</c> files of the standard from the protobuf-net contracts, so that any language can use it.
/// The generated files are committed under <c>schemas/proto/</c>; a test fails when they are stale.
/// </summary>
public static class ProtoSchemaFiles
{
    /// <summary>The protobuf package of every Huren message.</summary>
    public const string Package = "huren.v1";

    /// <summary>The message types of the entry standard, in file order.</summary>
    public static IReadOnlyList<Type> EntryTypes { get; } =
    [
        typeof(Entry), typeof(EntryReference), typeof(SignedEntry),
        typeof(IssuerRegistered), typeof(IssuerRevoked), typeof(IssuerSucceeded),
        typeof(LicenseField), typeof(LicenseIssued), typeof(LicenseChanged), typeof(LicenseStatusChanged),
        typeof(LicenseTransferred), typeof(LicenseTransferAccepted), typeof(LicenseUsed),
        typeof(SealRegistered), typeof(SealRevoked), typeof(SealUsed),
        typeof(DataShared), typeof(DataReceived), typeof(CatalogResourcePublished), typeof(ShareDecided),
    ];

    /// <summary>Every file, by path relative to <c>schemas/proto/</c>, with its text.</summary>
    public static IReadOnlyDictionary<string, string> Generate()
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["huren/v1/entries.proto"] = Normalize(GenerateFile(EntryTypes, [])),
            ["huren/v1/services.proto"] = Normalize(GenerateFile([], ServiceContracts)),
        };
        return files;
    }

    /// <summary>The gRPC service contracts, in file order.</summary>
    public static IReadOnlyList<Type> ServiceContracts { get; } =
        [typeof(ILedgerService), typeof(ILicenseService), typeof(ITraceService), typeof(IIssuerService), typeof(IWitnessService), typeof(INetworkService), typeof(ISealService), typeof(IAnchoringService), typeof(IContentService), typeof(IExchangeService), typeof(IAdminService)];

    private static string GenerateFile(IEnumerable<Type> types, IEnumerable<Type> services)
    {
        var options = new SchemaGenerationOptions { Syntax = ProtoSyntax.Proto3, Package = Package };
        foreach (var t in types) options.Types.Add(t);
        foreach (var s in services) options.Services.Add(Describe(s));
        return RuntimeTypeModel.Default.GetSchema(options);
    }

    /// <summary>
    /// Describes a code-first service the way protobuf-net.Grpc binds it: method name without "Async",
    /// <c>IAsyncEnumerable&lt;T&gt;</c> for a stream, <c>ValueTask&lt;T&gt;</c> for a single message.
    /// </summary>
    private static Service Describe(Type contract)
    {
        var fullName = contract.GetCustomAttribute<ServiceAttribute>()?.Name
            ?? throw new InvalidOperationException($"{contract.Name} has no [Service] name");
        var service = new Service { Name = fullName[(fullName.LastIndexOf('.') + 1)..] };
        foreach (var method in contract.GetMethods())
        {
            var (input, clientStreaming) = Unwrap(method.GetParameters()[0].ParameterType);
            var (output, serverStreaming) = Unwrap(method.ReturnType);
            service.Methods.Add(new ServiceMethod
            {
                Name = method.Name.EndsWith("Async", StringComparison.Ordinal) ? method.Name[..^5] : method.Name,
                InputType = input,
                OutputType = output,
                ClientStreaming = clientStreaming,
                ServerStreaming = serverStreaming,
            });
        }
        return service;
    }

    private static (Type Message, bool Streaming) Unwrap(Type type)
    {
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition();
            if (definition == typeof(IAsyncEnumerable<>)) return (type.GetGenericArguments()[0], true);
            if (definition == typeof(ValueTask<>) || definition == typeof(Task<>)) return (type.GetGenericArguments()[0], false);
        }
        return (type, false);
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n') + "\n";
}
