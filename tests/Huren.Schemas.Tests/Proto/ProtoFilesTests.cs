using Huren.Schemas.Proto;

namespace Huren.Schemas.Tests.Proto;

/// <summary>
/// The committed <c>schemas/proto/*.proto</c> files are exactly what the contracts generate, and compile with protoc.
/// Regenerate with <c>HUREN_UPDATE_PROTO=1 dotnet test tests/Huren.Schemas.Tests --filter ProtoFiles</c>.
/// </summary>
public class ProtoFilesTests
{
    [Fact]
    public void Committed_proto_files_are_fresh()
    {
        var dir = Protoc.ProtoDir();
        var generated = ProtoSchemaFiles.Generate();
        if (Environment.GetEnvironmentVariable("HUREN_UPDATE_PROTO") == "1")
        {
            foreach (var (path, text) in generated)
            {
                var full = Path.Combine(dir, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                File.WriteAllText(full, text);
            }
        }
        foreach (var (path, text) in generated)
        {
            var full = Path.Combine(dir, path);
            Assert.True(File.Exists(full), $"{path} is missing: regenerate with HUREN_UPDATE_PROTO=1");
            Assert.True(text == File.ReadAllText(full), $"{path} is stale: the contracts changed; regenerate with HUREN_UPDATE_PROTO=1 and review the diff");
        }
        var committed = Directory.GetFiles(dir, "*.proto", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("google/", StringComparison.Ordinal));
        Assert.All(committed, f => Assert.True(generated.ContainsKey(f), $"{f} is committed but no longer generated"));
    }

    [Fact]
    public void Proto_files_compile_with_the_protoc_of_Grpc_Tools() => CompileWith(Protoc.GrpcTools);

    [ProtocOnPathFact]
    public void Proto_files_compile_with_the_protoc_on_PATH() => CompileWith(Protoc.OnPath!);

    private static void CompileWith(string protoc)
    {
        var output = Path.Combine(Path.GetTempPath(), $"huren-proto-{Guid.NewGuid():N}.pb");
        try
        {
            foreach (var path in ProtoSchemaFiles.Generate().Keys)
            {
                var (code, _, error) = Protoc.Run(protoc, ["--proto_path=.", $"--descriptor_set_out={output}", "--include_imports", path]);
                Assert.True(code == 0, $"{protoc} failed on {path}: {error}");
            }
        }
        finally
        {
            File.Delete(output);
        }
    }
}
