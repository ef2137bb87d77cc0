using System.Diagnostics;
using System.Reflection;

namespace Huren.Schemas.Tests.Proto;

/// <summary>
/// The protoc compilers the tests run: the one shipped in the Grpc.Tools NuGet package (always there after a restore,
/// so the tests need nothing but the .NET SDK) and, as a second opinion, a protoc on PATH (Debian's protobuf-compiler).
/// </summary>
internal static class Protoc
{
    /// <summary>The protoc binary of the Grpc.Tools package for this machine; made executable if restore left it not.</summary>
    public static string GrpcTools { get; } = FindGrpcTools();

    /// <summary>A protoc on PATH, or null.</summary>
    public static string? OnPath { get; } = Environment.GetEnvironmentVariable("PATH")?.Split(Path.PathSeparator)
        .Select(p => Path.Combine(p, "protoc")).FirstOrDefault(File.Exists);

    public static string ProtoDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Huren.slnx"))) return Path.Combine(dir.FullName, "schemas", "proto");
        }
        throw new DirectoryNotFoundException("repository root (Huren.slnx) not found above the test assembly");
    }

    /// <summary>Runs <paramref name="protoc"/> with <paramref name="arguments"/> in the proto folder; returns exit code, stdout bytes, stderr.</summary>
    public static (int ExitCode, byte[] Output, string Error) Run(string protoc, IEnumerable<string> arguments, byte[]? input = null)
    {
        var psi = new ProcessStartInfo(protoc)
        {
            WorkingDirectory = ProtoDir(), RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var error = process.StandardError.ReadToEndAsync();
        using (var stdin = process.StandardInput.BaseStream)
        {
            if (input is not null) stdin.Write(input);
        }
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{protoc} did not finish within 60 s");
        }
        return (process.ExitCode, output.ToArray(), error.Result);
    }

    /// <summary><c>protoc --encode=huren.v1.&lt;message&gt; huren/v1/entries.proto</c> of a text-format message.</summary>
    public static byte[] Encode(string protoc, string message, string text)
    {
        var (code, output, error) = Run(protoc, ["--proto_path=.", $"--encode=huren.v1.{message}", "huren/v1/entries.proto"], System.Text.Encoding.UTF8.GetBytes(text));
        Assert.True(code == 0, $"{protoc} --encode=huren.v1.{message} failed: {error}");
        return output;
    }

    private static string FindGrpcTools()
    {
        var package = typeof(Protoc).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GrpcToolsPath").Value;
        if (string.IsNullOrEmpty(package)) throw new InvalidOperationException("the Grpc.Tools package path was not recorded at build time (PkgGrpc_Tools)");
        var platform = (OperatingSystem.IsLinux(), OperatingSystem.IsMacOS(), System.Runtime.InteropServices.RuntimeInformation.OSArchitecture) switch
        {
            (true, _, System.Runtime.InteropServices.Architecture.X64) => "linux_x64",
            (true, _, System.Runtime.InteropServices.Architecture.Arm64) => "linux_arm64",
            (_, true, _) => "macosx_universal",
            _ => "windows_x64",
        };
        var path = Path.Combine(package, "tools", platform, OperatingSystem.IsWindows() ? "protoc.exe" : "protoc");
        if (!File.Exists(path)) throw new FileNotFoundException($"protoc not found in the Grpc.Tools package at {path}");
        if (!OperatingSystem.IsWindows())
        {
            // NuGet extracts it without execute bits on some machines.
            const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
            var mode = File.GetUnixFileMode(path);
            if ((mode & UnixFileMode.UserExecute) == 0) File.SetUnixFileMode(path, mode | execute);
        }
        return path;
    }
}

/// <summary>A fact that needs a protoc on PATH; skipped, with the reason shown, when there is none.</summary>
internal sealed class ProtocOnPathFactAttribute : FactAttribute
{
    public ProtocOnPathFactAttribute()
    {
        if (Protoc.OnPath is null) Skip = "no protoc on PATH: the second-opinion check with Debian's protoc is skipped (apt-get install protobuf-compiler; the Grpc.Tools protoc checks ran)";
    }
}
