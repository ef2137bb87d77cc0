extern alias pbnet;
using Google.Protobuf;
using Huren.Schemas.Proto;
using ParsedFileSet = pbnet::Google.Protobuf.Reflection.FileDescriptorSet;
using GoogleFileDescriptor = Google.Protobuf.Reflection.FileDescriptor;
using GoogleServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;

namespace Huren.Node.Hosting;

/// <summary>
/// gRPC server reflection for code-first services: the <c>.proto</c> text generated from the contracts is parsed with
/// protobuf-net.Reflection into descriptors, which Google.Protobuf loads for the standard reflection service.
/// </summary>
public static class ProtoReflection
{
    /// <summary>Descriptors of every Huren service, plus the health service.</summary>
    public static IReadOnlyList<GoogleServiceDescriptor> ServiceDescriptors()
    {
        var set = new ParsedFileSet();
        foreach (var (path, text) in ProtoSchemaFiles.Generate()) set.Add(path, includeInOutput: true, new StringReader(text));
        set.Process();
        var errors = set.GetErrors();
        if (errors.Length > 0) throw new InvalidOperationException("generated .proto files do not parse: " + string.Join("; ", errors.Select(e => e.ToString())));
        var bytes = new List<ByteString>();
        foreach (var file in set.Files)
        {
            using var stream = new MemoryStream();
            ProtoBuf.Serializer.Serialize(stream, file);
            bytes.Add(ByteString.CopyFrom(stream.ToArray()));
        }
        var result = new List<GoogleServiceDescriptor>();
        foreach (var descriptor in GoogleFileDescriptor.BuildFromByteStrings(bytes)) result.AddRange(descriptor.Services);
        result.Add(Grpc.Health.V1.Health.Descriptor);
        return result;
    }
}
