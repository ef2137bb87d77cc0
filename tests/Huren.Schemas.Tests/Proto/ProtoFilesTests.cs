using System.Diagnostics;
using Huren.Schemas.Proto;

namespace Huren.Schemas.Tests.Proto;

/// <summary>
/// The committed <c>schemas/proto/*.proto</c> files are exactly what the contracts generate, and compile with protoc.
/// Regenerate with <c>HUREN_UPDATE_PROTO=1 dotnet test tests/Huren.Schemas.Tests --filter ProtoFiles</c>.
/// </summary>
public class ProtoFilesTests
{
    private static string ProtoDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Huren.slnx"))) return Path.Combine(dir.FullName, "schemas", "proto");
        }
        throw new DirectoryNotFoundException("repository root (Huren.slnx) not found above the test assembly");
    }

    [Fact]
    public void Committed_proto_files_are_fresh()
    {
        var dir = ProtoDir();
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
    public void Proto_files_compile_with_protoc_alone()
    {
        var protoc = Environment.GetEnvironmentVariable("PATH")!.Split(':').Select(p => Path.Combine(p, "protoc")).FirstOrDefault(File.Exists);
        Assert.True(protoc is not null, "protoc is not on PATH (apt-get install protobuf-compiler; .ci/run installs it)");
        var dir = ProtoDir();
        var output = Path.Combine(Path.GetTempPath(), $"huren-proto-{Guid.NewGuid():N}.pb");
        try
        {
            foreach (var path in ProtoSchemaFiles.Generate().Keys)
            {
                var psi = new ProcessStartInfo(protoc!) { RedirectStandardError = true, RedirectStandardOutput = true };
                foreach (var a in new[] { $"--proto_path={dir}", $"--descriptor_set_out={output}", "--include_imports", path }) psi.ArgumentList.Add(a);
                using var p = Process.Start(psi)!;
                var err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                Assert.True(p.ExitCode == 0, $"protoc failed on {path}: {err}");
            }
        }
        finally
        {
            File.Delete(output);
        }
    }
}
