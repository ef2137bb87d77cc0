using System.Diagnostics;
using Grpc.Health.V1;
using Huren.Sdk.Client;

namespace Huren.Network.Tests;

/// <summary>A city node running as its own process from its folder (appsettings.json, keys, data).</summary>
internal sealed class NodeProcess : IDisposable
{
    private Process? _process;
    private long _lastOutputTicks;
    private readonly string _logFile;
    private readonly IReadOnlyCollection<string> _trusted;

    public NodeProcess(string cityDir, Uri endpoint, IReadOnlyCollection<string> trustedCertificates)
    {
        _trusted = trustedCertificates;
        CityDir = cityDir;
        Endpoint = endpoint;
        _logFile = Path.Combine(cityDir, "node.log");
    }

    public string CityDir { get; }

    public Uri Endpoint { get; }

    public bool Running => _process is { HasExited: false };

    public static string NodeDll()
    {
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = baseDir.Parent!.Name;
        for (var dir = baseDir; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "node", "Huren.Node", "bin", configuration, "net10.0", "Huren.Node.dll");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("Huren.Node.dll not found; build the solution first");
    }

    public async Task StartAsync()
    {
        Launch();
        await WaitServingAsync();
    }

    /// <summary>Starts the process without waiting for it to answer (a test that watches what it does while it starts).</summary>
    public void Launch()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = CityDir };
        foreach (var a in new[] { "exec", NodeDll(), $"--contentRoot={CityDir}" }) psi.ArgumentList.Add(a);
        _process = Process.Start(psi)!;
        var log = new StreamWriter(_logFile, append: true) { AutoFlush = true };
        Interlocked.Exchange(ref _lastOutputTicks, DateTime.UtcNow.Ticks);
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { Interlocked.Exchange(ref _lastOutputTicks, DateTime.UtcNow.Ticks); lock (log) log.WriteLine(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Interlocked.Exchange(ref _lastOutputTicks, DateTime.UtcNow.Ticks); lock (log) log.WriteLine(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>How long a starting node may make no progress (no log line, no CPU time used, no SERVING) before the wait gives up.</summary>
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(120);

    /// <summary>The most a start may take, however busy the node's log: every wait has a deadline.</summary>
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Waits until the node's health check says SERVING. It follows the node rather than a clock: it throws when the
    /// process exits, when for <see cref="Silence"/> the node has neither written to its log nor used CPU time, or after
    /// <see cref="StartLimit"/> in any case. (A fixed 120 s failed starts on this machine at load 100–120, where the
    /// runtime alone needs minutes before a node's first log line.)
    /// </summary>
    public async Task WaitServingAsync()
    {
        var process = _process ?? throw new InvalidOperationException("the node is not running");
        var limit = DateTime.UtcNow + StartLimit;
        var cpu = TimeSpan.Zero;
        var cpuMoved = DateTime.UtcNow;
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"node in {CityDir} exited with {process.ExitCode}: {Tail()}");
            var used = process.TotalProcessorTime;
            if (used != cpu)
            {
                cpu = used;
                cpuMoved = DateTime.UtcNow;
            }
            var lastOutput = new DateTime(Interlocked.Read(ref _lastOutputTicks), DateTimeKind.Utc);
            var stillFor = DateTime.UtcNow - (lastOutput > cpuMoved ? lastOutput : cpuMoved);
            if (stillFor > Silence) throw new TimeoutException($"node in {CityDir} neither logged nor used CPU for {stillFor.TotalSeconds:0} s and is not healthy: {Tail()}");
            if (DateTime.UtcNow > limit) throw new TimeoutException($"node in {CityDir} did not become healthy within {StartLimit.TotalMinutes:0} min: {Tail()}");
            try
            {
                // A fresh channel per probe: a channel that failed to connect backs off its reconnects.
                using var client = new HurenClient(Endpoint, null, TimeSpan.FromSeconds(10), PinnedTls.CreateHandler(_trusted));
                var health = new Health.HealthClient(client.Channel);
                var answer = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10));
                if (answer.Status == HealthCheckResponse.Types.ServingStatus.Serving) return;
            }
            catch (Grpc.Core.RpcException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
    }

    public void Stop()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
        _process = null;
    }

    /// <summary>
    /// Sends SIGTERM (kill(1): .NET has no API for it) and waits up to <paramref name="deadline"/> for the process to exit;
    /// returns how long it took, or null when it is still running then (the caller stops it).
    /// </summary>
    public async Task<TimeSpan?> TerminateAsync(TimeSpan deadline)
    {
        var process = _process ?? throw new InvalidOperationException("the node is not running");
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
        {
            await kill.WaitForExitAsync();
            if (kill.ExitCode != 0) throw new InvalidOperationException($"kill -TERM {process.Id} exited {kill.ExitCode}");
        }
        var started = Stopwatch.StartNew();
        using var wait = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(wait.Token);
            return started.Elapsed;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    public string Tail()
    {
        try
        {
            var lines = File.ReadAllLines(_logFile);
            return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - 15)));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    public void Dispose() => Stop();
}
