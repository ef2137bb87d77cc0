using Grpc.Core;
using Huren.Cli;
using Huren.Cli.Profiles;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Sdk.Client;
using Huren.Sdk.Crypto;
using Huren.Sdk.Network;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// The 长株潭 network made by <c>huren network init</c> in a temp folder and run as three real node processes on loopback
/// ports; each test gets its own network, and every node is stopped (its log tail printed) when the test ends.
/// </summary>
public abstract class ThreeCityNetwork(ITestOutputHelper output) : IAsyncLifetime
{
    protected const string Changsha = "430100", Zhuzhou = "430200", Xiangtan = "430300";
    private readonly Dictionary<string, NodeProcess> _nodes = new(StringComparer.Ordinal);

    /// <summary>The network's folder (genesis, profile, one folder per city).</summary>
    protected string Dir { get; } = Path.Combine(Path.GetTempPath(), "huren-net-" + Guid.NewGuid().ToString("N"));

    private protected IReadOnlyDictionary<string, NodeProcess> Nodes => _nodes;

    protected CliProfile Profile { get; private set; } = null!;

    protected TrustedNetwork Genesis { get; private set; } = null!;

    protected IReadOnlyList<string> Trusted { get; private set; } = [];

    protected ITestOutputHelper Output => output;

    public async Task InitializeAsync()
    {
        using var cliOut = new StringWriter();
        using var cliErr = new StringWriter();
        var basePort = Huren.TestSupport.LoopbackPorts.FreeRange(3, offset: 0);
        var code = await CliApp.RunAsync(["network", "init", "--dir", Dir, "--base-port", basePort.ToString(System.Globalization.CultureInfo.InvariantCulture)], cliOut, cliErr);
        Assert.True(code == 0, cliErr.ToString());
        Profile = CliProfile.Load(Path.Combine(Dir, "cli.json"));
        Genesis = Profile.LoadGenesis();
        Trusted = [.. Genesis.Members.Select(m => m.TlsCertificateSha256)];
        foreach (var city in Profile.Cities)
        {
            Configure(city.CityCode, Path.Combine(Dir, city.CityCode));
            _nodes[city.CityCode] = new NodeProcess(Path.Combine(Dir, city.CityCode), new Uri(city.Endpoint), Trusted);
        }
        try
        {
            await BeforeStartAsync();
            await Task.WhenAll(_nodes.Values.Select(n => n.StartAsync()));
        }
        catch
        {
            // xUnit does not call DisposeAsync when InitializeAsync fails: stop the nodes that did start.
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs after the network folder is made and before the nodes start (e.g. to add settings to the cities' appsettings.json).</summary>
    protected virtual Task BeforeStartAsync() => Task.CompletedTask;

    /// <summary>Stops the test's own resources after the nodes (e.g. a chain).</summary>
    protected virtual ValueTask AfterStopAsync() => ValueTask.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var node in _nodes.Values)
        {
            if (node.Running) output.WriteLine($"--- {node.CityDir}\n{node.Tail()}");
            node.Dispose();
        }
        await AfterStopAsync();
        if (Directory.Exists(Dir)) Directory.Delete(Dir, recursive: true);
    }

    protected static string OriginOf(string city) => $"huren.cz-t/{city}";

    /// <summary>Called for each city before its node starts: a test may change its folder (e.g. switch on a test hook in appsettings.json).</summary>
    protected virtual void Configure(string city, string cityDir)
    {
    }

    /// <summary>Runs the CLI in this process against the network's profile; returns its exit code and what it wrote.</summary>
    protected static async Task<(int Code, string Output, string Error)> CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// Polls <paramref name="probe"/> every 200 ms until it returns something, within <paramref name="patience"/>; an
    /// RpcException (a node restarting) counts as nothing yet. The failure names <paramref name="what"/> and, when given,
    /// the <paramref name="state"/> last seen.
    /// </summary>
    protected static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, string what, TimeSpan patience, Func<string>? state = null) where T : class
    {
        var until = DateTime.UtcNow + patience;
        while (true)
        {
            T? result = null;
            try
            {
                result = await probe();
            }
            catch (RpcException) when (DateTime.UtcNow < until)
            {
            }
            if (result is not null) return result;
            Assert.True(DateTime.UtcNow < until, $"timed out waiting for {what}{(state is null ? "" : "; last seen: " + state())}");
            await Task.Delay(200);
        }
    }

    /// <summary>Waits until Zhuzhou's node answers <paramref name="verdict"/> for <paramref name="license"/> with verified, final evidence (CLI, --json).</summary>
    protected static async Task WaitForVerdictAsync(string profile, string license, string verdict)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            var (_, json, error) = await CliAsync("license", "verify", license, "--city", Zhuzhou, "--profile", profile, "--json");
            last = json + error;
            if (json.Length > 0 && System.Text.Json.JsonDocument.Parse(json).RootElement is var answer && answer.TryGetProperty("verdict", out var given) && given.GetString() == verdict
                && answer.GetProperty("evidence").GetProperty("final").GetBoolean())
            {
                return;
            }
            await Task.Delay(200);
        }
        Assert.Fail($"{license} did not become {verdict} with final evidence at {Zhuzhou} within 60 s; last answer: {last}");
    }

    /// <summary>Waits until all three cities' nodes have adopted network configuration <paramref name="version"/> (or a later one).</summary>
    protected async Task WaitForConfigVersionAsync(int version)
    {
        foreach (var city in new[] { Changsha, Zhuzhou, Xiangtan })
        {
            using var auditor = Client(city, CliRoles.Auditor);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            int current;
            while ((current = (await auditor.Network.GetConfigAsync(new Huren.Schemas.Services.GetNetworkConfigRequest(), auditor.Options())).Version) < version)
            {
                Assert.True(DateTime.UtcNow < deadline, $"{city} still at configuration version {current} after 60 s, waiting for {version}");
                await Task.Delay(100);
            }
        }
    }

    /// <summary>A unified social credit code: <paramref name="first17"/> and its check character.</summary>
    protected static string Uscc(string first17) => first17 + Huren.Schemas.Validation.UnifiedSocialCreditCode.ComputeCheckChar(first17);

    /// <summary>A client of <paramref name="city"/>'s node as the profile's first credential of <paramref name="role"/>.</summary>
    protected HurenClient Client(string city, string role) => ClientFor(city, Profile.City(city).Credentials.First(c => c.Role == role));

    /// <summary>A client of <paramref name="city"/>'s node as the profile's credential <paramref name="principal"/> (e.g. <c>seals</c>).</summary>
    protected HurenClient ClientAs(string city, string principal) => ClientFor(city, Profile.City(city).Credentials.First(c => c.Principal == principal));

    private HurenClient ClientFor(string city, CliCredential credential)
        => new(new Uri(Profile.City(city).Endpoint), new ClientIdentity(credential.Principal, Profile.LoadSigningKey(credential.PrivateKey), city), TimeSpan.FromSeconds(10),
            PinnedTls.CreateHandler(Trusted));

    /// <summary>
    /// The value of the series of <paramref name="metric"/> labelled with <paramref name="origin"/> in the Prometheus text
    /// <paramref name="city"/>'s node serves at <c>/metrics</c> (over its pinned TLS endpoint), or null when it has none.
    /// </summary>
    protected async Task<double?> MetricAsync(string city, string metric, string origin)
    {
        using var http = new HttpClient(PinnedTls.CreateHandler(Trusted)) { Timeout = TimeSpan.FromSeconds(10) };
        var text = await http.GetStringAsync(new Uri(new Uri(Profile.City(city).Endpoint), "/metrics"));
        var series = $"{metric}{{origin=\"{origin}\"}} ";
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series, StringComparison.Ordinal)) return double.Parse(line[series.Length..], System.Globalization.CultureInfo.InvariantCulture);
        }
        return null;
    }

    /// <summary>The signing key of the profile's first issuer credential of <paramref name="city"/> (its market regulator).</summary>
    protected SigningKey IssuerKey(string city) => Profile.LoadSigningKey(Profile.City(city).Credentials.First(c => c.Role == CliRoles.Issuer).PrivateKey);

    /// <summary>The signing key of credential <paramref name="principal"/> of <paramref name="city"/>.</summary>
    protected SigningKey KeyOf(string city, string principal) => Profile.LoadSigningKey(Profile.City(city).Credentials.First(c => c.Principal == principal).PrivateKey);

    /// <summary>The city root key, which signs <c>issuer.register</c>.</summary>
    protected SigningKey RootKey(string city) => Profile.LoadSigningKey(Profile.City(city).RootKey!);

    /// <summary>Registers an issuer in <paramref name="city"/>'s log: signed with the city root key, submitted by the city's operator.</summary>
    protected async Task RegisterIssuerAsync(string city, IssuerRegistered body)
    {
        using var op = Client(city, CliRoles.Operator);
        await op.SubmitAsync(MakeEntry(city, EntryKinds.IssuerRegister, body.IssuerId, $"{city}-root", body), RootKey(city));
    }

    protected static Entry MakeEntry<T>(string city, string kind, string recordId, string issuerId, T body) where T : class
        => Entry.Create(kind, OriginOf(city), recordId, issuerId, body, DateTimeOffset.UtcNow);
}
