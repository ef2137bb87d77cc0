using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Huren.Sdk.Client;

namespace Huren.Cli.Commands.Network;

/// <summary>How to run the node: a program and the arguments that come before <c>--contentRoot=&lt;city folder&gt;</c>.</summary>
/// <param name="FileName">The program (the <c>dotnet</c> host, or the node's own executable).</param>
/// <param name="Arguments">Arguments before <c>--contentRoot</c> (<c>exec &lt;Huren.Node.dll&gt;</c> for the host).</param>
/// <param name="Location">What was found, for messages: the dll or executable path.</param>
/// <param name="Source">How it was found: HUREN_NODE, next to the CLI, or the repository's build output.</param>
internal sealed record NodeCommand(string FileName, IReadOnlyList<string> Arguments, string Location, string Source);

/// <summary>
/// Starts, finds and stops city nodes as processes of their own: each runs from its city folder
/// (<c>--contentRoot=&lt;city folder&gt;</c>, which holds its appsettings.json, keys and data), writes its output to
/// <c>node.log</c> there and is recorded in <c>node.pid</c> there, so <c>network down</c> can stop it from another process.
/// </summary>
internal static class NodeLauncher
{
    /// <summary>Environment variable naming the node: Huren.Node.dll, a folder holding it, or an executable.</summary>
    public const string EnvironmentVariable = "HUREN_NODE";

    /// <summary>The node's assembly.</summary>
    public const string NodeDllName = "Huren.Node.dll";

    /// <summary>The file in a city folder that records the running node's process id.</summary>
    public const string PidFileName = "node.pid";

    /// <summary>The file in a city folder the node's output is appended to.</summary>
    public const string LogFileName = "node.log";

    /// <summary>
    /// Finds the node: <c>$HUREN_NODE</c>; else <c>node/Huren.Node.dll</c> (or <c>Huren.Node.dll</c>) next to the CLI's
    /// assembly, where the CLI's build and tool package put it; else <c>node/Huren.Node/bin/&lt;Configuration&gt;/net10.0/</c>
    /// in a folder above the CLI or the current folder (a repository checkout).
    /// </summary>
    /// <exception cref="CliException">Not found, or <c>$HUREN_NODE</c> names nothing usable.</exception>
    public static NodeCommand Locate()
    {
        var cliDirectory = Path.GetDirectoryName(typeof(NodeLauncher).Assembly.Location);
        var bases = new[] { AppContext.BaseDirectory, cliDirectory }.Where(d => !string.IsNullOrEmpty(d)).Select(d => d!);
        var configuration = typeof(NodeLauncher).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration;
        return Locate(Environment.GetEnvironmentVariable(EnvironmentVariable), bases, [.. bases, Directory.GetCurrentDirectory()], configuration);
    }

    /// <summary><see cref="Locate()"/> with its inputs given.</summary>
    internal static NodeCommand Locate(string? fromEnvironment, IEnumerable<string> besideDirectories, IEnumerable<string> searchFrom, string? configuration)
    {
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            var path = Path.GetFullPath(fromEnvironment);
            if (Directory.Exists(path))
            {
                var inside = Path.Combine(path, NodeDllName);
                if (!File.Exists(inside)) throw new CliException($"{EnvironmentVariable}='{fromEnvironment}' is a folder without {NodeDllName}");
                return ForDll(inside, EnvironmentVariable);
            }
            if (!File.Exists(path)) throw new CliException($"{EnvironmentVariable}='{fromEnvironment}' does not exist (set it to {NodeDllName}, a folder holding it, or the node's executable)");
            return path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
                ? ForDll(path, EnvironmentVariable)
                : new NodeCommand(path, [], path, EnvironmentVariable);
        }

        var tried = new List<string>();
        foreach (var directory in besideDirectories.Distinct(StringComparer.Ordinal))
        {
            foreach (var candidate in new[] { Path.Combine(directory, "node", NodeDllName), Path.Combine(directory, NodeDllName) })
            {
                if (File.Exists(candidate)) return ForDll(Path.GetFullPath(candidate), "next to the CLI");
                tried.Add(candidate);
            }
        }

        var configurations = new[] { configuration, "Debug", "Release" }.Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).Distinct(StringComparer.Ordinal).ToList();
        foreach (var start in searchFrom.Distinct(StringComparer.Ordinal))
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                foreach (var c in configurations)
                {
                    var candidate = Path.Combine(directory.FullName, "node", "Huren.Node", "bin", c, "net10.0", NodeDllName);
                    if (File.Exists(candidate)) return ForDll(candidate, "repository build output");
                }
            }
            tried.Add(Path.Combine(start, "…", "node", "Huren.Node", "bin", string.Join("|", configurations), "net10.0", NodeDllName));
        }
        throw new CliException(
            $"the node ({NodeDllName}) was not found; build it ('dotnet build node/Huren.Node') or set {EnvironmentVariable} to its path. Looked for:\n  " +
            string.Join("\n  ", tried));
    }

    private static NodeCommand ForDll(string dll, string source) => new(DotnetHost(), ["exec", dll], dll, source);

    /// <summary>
    /// The <c>dotnet</c> host to run the node's dll with: the one running this CLI when it is <c>dotnet</c>, else
    /// <c>$DOTNET_HOST_PATH</c>, else the host of the installation this runtime belongs to, else <c>dotnet</c> on PATH.
    /// </summary>
    public static string DotnetHost()
    {
        var hostName = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        var processPath = Environment.ProcessPath;
        if (processPath is not null && string.Equals(Path.GetFileName(processPath), hostName, StringComparison.OrdinalIgnoreCase)) return processPath;
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk)) return fromSdk;
        // <root>/shared/Microsoft.NETCore.App/<version>/ holds this runtime; <root>/dotnet is its host.
        var runtime = new DirectoryInfo(RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        var root = runtime.Parent?.Parent?.Parent;
        if (root is not null && File.Exists(Path.Combine(root.FullName, hostName))) return Path.Combine(root.FullName, hostName);
        return hostName;
    }

    /// <summary>The gRPC endpoint the node of <paramref name="cityDirectory"/> listens on: its appsettings.json's first Kestrel endpoint.</summary>
    /// <returns>The endpoint, or null when the settings name none.</returns>
    /// <exception cref="CliException">appsettings.json is missing or not JSON.</exception>
    public static Uri? ConfiguredEndpoint(string cityDirectory)
    {
        var path = Path.Combine(cityDirectory, "appsettings.json");
        if (!File.Exists(path)) throw new CliException($"'{path}' does not exist: '{cityDirectory}' is not a node folder (create the network with 'huren network init')");
        try
        {
            using var settings = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (settings.RootElement.ValueKind == JsonValueKind.Object
                && TryGetProperty(settings.RootElement, "Kestrel", out var kestrel)
                && TryGetProperty(kestrel, "Endpoints", out var endpoints) && endpoints.ValueKind == JsonValueKind.Object)
            {
                foreach (var endpoint in endpoints.EnumerateObject())
                {
                    if (TryGetProperty(endpoint.Value, "Url", out var url) && url.ValueKind == JsonValueKind.String && LocalUri(url.GetString()!) is { } uri) return uri;
                }
            }
            return null;
        }
        catch (JsonException ex)
        {
            throw new CliException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }
    }

    // A Kestrel URL as this machine reaches it: wildcard hosts (*, +, 0.0.0.0, [::]) are reached on the loopback.
    private static Uri? LocalUri(string url)
    {
        foreach (var wildcard in new[] { "://*:", "://+:", "://0.0.0.0:", "://[::]:" })
            url = url.Replace(wildcard, "://127.0.0.1:", StringComparison.Ordinal);
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : null;
    }

    // Configuration keys are case-insensitive.
    private static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    value = property.Value;
                    return true;
                }
            }
        }
        value = default;
        return false;
    }

    /// <summary>Fails when something already listens on <paramref name="endpoint"/>'s port (a node elsewhere, a demo).</summary>
    /// <exception cref="CliException">The port is taken.</exception>
    public static void EnsurePortFree(Uri endpoint, string cityCode)
    {
        var address = endpoint.Host is "localhost" ? IPAddress.Loopback : IPAddress.TryParse(endpoint.Host, out var parsed) ? parsed : IPAddress.Loopback;
        var listener = new TcpListener(address, endpoint.Port);
        try
        {
            listener.Start();
        }
        catch (SocketException ex)
        {
            throw new CliException($"port {endpoint.Port} of city {cityCode} ({endpoint}) is in use by another program ({ex.SocketErrorCode}); stop it, or create the network with other ports ('huren network init --base-port')", ex);
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>
    /// Starts the node of <paramref name="cityDirectory"/> in that folder, its output appended to <c>node.log</c> and
    /// its process id written to <c>node.pid</c>. The node keeps running when this process ends (hang-up ignored,
    /// output to the file rather than a pipe), so a detached network outlives the command that started it.
    /// </summary>
    public static StartedNode Start(NodeCommand command, string cityDirectory)
    {
        var log = Path.Combine(cityDirectory, LogFileName);
        var logStart = File.Exists(log) ? new FileInfo(log).Length : 0;
        var arguments = new List<string>(command.Arguments) { $"--contentRoot={cityDirectory}" };
        ProcessStartInfo start;
        if (OperatingSystem.IsWindows())
        {
            start = new ProcessStartInfo("cmd.exe")
            {
                Arguments = $"/d /s /c \"{Quote(command.FileName)} {string.Join(' ', arguments.Select(Quote))} >> {Quote(log)} 2>&1\"",
            };
        }
        else
        {
            // sh replaces itself with the node (exec), so the pid is the node's; '' HUP is inherited through exec.
            start = new ProcessStartInfo("/bin/sh");
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add("log=$1; shift; trap '' HUP; exec \"$@\" </dev/null >>\"$log\" 2>&1");
            start.ArgumentList.Add("huren-node");
            start.ArgumentList.Add(log);
            start.ArgumentList.Add(command.FileName);
            foreach (var argument in arguments) start.ArgumentList.Add(argument);
        }
        start.WorkingDirectory = cityDirectory;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new CliException($"could not start the node in '{cityDirectory}'");
        WritePid(cityDirectory, process.Id);
        return new StartedNode(process, cityDirectory, log, logStart);
    }

    private static string Quote(string argument) => "\"" + argument.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static void WritePid(string cityDirectory, int pid)
    {
        var path = Path.Combine(cityDirectory, PidFileName);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Removes <c>node.pid</c> from <paramref name="cityDirectory"/> if it names <paramref name="pid"/> (or anything, when null).</summary>
    public static void RemovePidFile(string cityDirectory, int? pid = null)
    {
        var path = Path.Combine(cityDirectory, PidFileName);
        if (pid is not null && ReadPid(cityDirectory) is { } recorded && recorded != pid) return;
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Gone already, or held open elsewhere: nothing to undo.
        }
    }

    /// <summary>The process id recorded in <c>node.pid</c>, or null when there is none or it is not a number.</summary>
    public static int? ReadPid(string cityDirectory)
    {
        var path = Path.Combine(cityDirectory, PidFileName);
        try
        {
            return int.TryParse(File.ReadAllText(path).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>What <c>node.pid</c> of a city folder refers to.</summary>
    public enum RecordedState
    {
        /// <summary>No pid file.</summary>
        None,

        /// <summary>The pid file is not a process id.</summary>
        Unreadable,

        /// <summary>No such process (any more).</summary>
        NotRunning,

        /// <summary>The id now belongs to a process that is not a node started from the file (reused id).</summary>
        Foreign,

        /// <summary>A dotnet/Huren process started before the pid file was written: the node.</summary>
        Running,
    }

    /// <summary>
    /// The node recorded in <c>node.pid</c> of <paramref name="cityDirectory"/>: <see cref="RecordedState.Running"/> only
    /// when the id still belongs to a dotnet or Huren process that started no later than the file was written, so a
    /// reused process id is never mistaken for the node.
    /// </summary>
    public static (RecordedState State, int? Pid, Process? Process) FindRecorded(string cityDirectory)
    {
        var path = Path.Combine(cityDirectory, PidFileName);
        if (!File.Exists(path)) return (RecordedState.None, null, null);
        if (ReadPid(cityDirectory) is not { } pid) return (RecordedState.Unreadable, null, null);
        Process process;
        try
        {
            process = Process.GetProcessById(pid);
        }
        catch (ArgumentException)
        {
            return (RecordedState.NotRunning, pid, null);
        }
        try
        {
            if (process.HasExited) return Dispose(RecordedState.NotRunning);
            var name = process.ProcessName;
            var isNode = name.Equals("dotnet", StringComparison.OrdinalIgnoreCase) || name.StartsWith("huren", StringComparison.OrdinalIgnoreCase)
                || (OperatingSystem.IsWindows() && name.Equals("cmd", StringComparison.OrdinalIgnoreCase));
            // Start times are read at coarse resolution; a process that started well after the file was written is another one.
            if (!isNode || process.StartTime > File.GetLastWriteTime(path).AddSeconds(5)) return Dispose(RecordedState.Foreign);
            return (RecordedState.Running, pid, process);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Exited while being looked at, or not ours to inspect.
            return Dispose(RecordedState.NotRunning);
        }

        (RecordedState, int?, Process?) Dispose(RecordedState state)
        {
            process.Dispose();
            return (state, pid, null);
        }
    }

    /// <summary>Whether the node behind <paramref name="channel"/> answers the gRPC health check with SERVING.</summary>
    public static async Task<bool> IsServingAsync(GrpcChannel channel, CancellationToken cancellationToken)
    {
        try
        {
            var health = new Health.HealthClient(channel);
            var answer = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancellationToken).ConfigureAwait(false);
            return answer.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (RpcException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Not listening yet, or starting.
            return false;
        }
    }

    /// <summary>
    /// A channel for health checks of <paramref name="endpoint"/>: no call credentials (the health service needs
    /// none); over HTTPS the node must present a certificate in <paramref name="trustedSha256"/> (the genesis pins).
    /// </summary>
    public static GrpcChannel HealthChannel(Uri endpoint, IReadOnlyCollection<string> trustedSha256)
    {
        var handler = endpoint.Scheme == Uri.UriSchemeHttps ? PinnedTls.CreateHandler(trustedSha256) : new SocketsHttpHandler();
        handler.ConnectTimeout = TimeSpan.FromSeconds(2);
        return GrpcChannel.ForAddress(endpoint, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
    }

    /// <summary>
    /// The certificates the node of a city may present: the genesis pin of the member, else (a genesis without pins)
    /// the certificate in the city folder's <c>keys/tls.crt.pem</c>.
    /// </summary>
    public static IReadOnlyCollection<string> TrustedCertificates(string pinned, string cityDirectory)
    {
        if (!string.IsNullOrWhiteSpace(pinned)) return [pinned];
        var path = Path.Combine(cityDirectory, NodeKeyPaths.TlsCertificate);
        if (!File.Exists(path)) return [];
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(path));
            return [PinnedTls.Fingerprint(certificate)];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            return [];
        }
    }

    /// <summary>
    /// Stops a node: SIGTERM first (the node closes its storage and exits) and, if it is still running after
    /// <paramref name="grace"/>, kills its process tree; then waits for it to be gone.
    /// </summary>
    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        if (HasExited(process)) return;
        if (!OperatingSystem.IsWindows() && grace > TimeSpan.Zero && Terminate(process.Id))
        {
            using var graceTimeout = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(graceTimeout.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException)
            {
                // Still running: kill it below.
            }
        }
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        using var killTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(killTimeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new CliException($"process {process.Id} did not exit after being killed");
        }
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static bool Terminate(int pid)
    {
        try
        {
            return Kill(pid, 15) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    // kill(2): the one POSIX call .NET has no API for (Process.Kill sends SIGKILL, which gives the node no chance to close).
    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    /// <summary>The last <paramref name="lines"/> lines of <paramref name="logPath"/> from byte <paramref name="from"/> on.</summary>
    public static string Tail(string logPath, long from = 0, int lines = 20)
    {
        try
        {
            using var stream = new FileStream(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (from > stream.Length) from = 0;
            // The tail is what matters: read at most the last 64 KiB.
            stream.Position = Math.Max(from, stream.Length - 64 * 1024);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
            if (all.Count == 0) return "(the node wrote nothing)";
            return string.Join('\n', all.Skip(Math.Max(0, all.Count - lines)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"(no log: {ex.Message})";
        }
    }
}

/// <summary>A node process started by <see cref="NodeLauncher.Start"/>.</summary>
internal sealed class StartedNode(Process process, string cityDirectory, string logPath, long logStart) : IDisposable
{
    public Process Process { get; } = process;

    public int Pid { get; } = process.Id;

    public string CityDirectory { get; } = cityDirectory;

    public string LogPath { get; } = logPath;

    /// <summary>The node's output of this run (the log is appended to).</summary>
    public string Tail(int lines = 20) => NodeLauncher.Tail(LogPath, logStart, lines);

    public bool HasExited
    {
        get
        {
            try
            {
                return Process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    public void Dispose() => Process.Dispose();
}
