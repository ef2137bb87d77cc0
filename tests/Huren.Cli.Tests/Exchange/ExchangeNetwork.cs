using System.Text.Json.Nodes;
using Huren.Cli.Commands;
using Huren.Cli.Commands.Network;
using Huren.Cli.Profiles;
using Huren.Cli.Tests.Ledger;
using Huren.Cli.Tests.NetworkUp;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;

namespace Huren.Cli.Tests.Exchange;

[CollectionDefinition(Name)]
public sealed class ExchangeNetworkCollection : ICollectionFixture<ExchangeNetwork>
{
    public const string Name = "exchange network";
}

/// <summary>
/// Three node processes for the exchange tests ('huren network init', then 'network up --detach'): Changsha's market
/// regulator provides, Zhuzhou's consumes; Xiangtan's node runs with the test hook that alters the data it sends
/// (TestHooks:AlterSharedData, test-only) and provides one resource of its own. Departments are registered with the
/// CLI; catalogue entries and record data are published with the SDK.
/// </summary>
public sealed class ExchangeNetwork : IAsyncLifetime
{
    public const string Changsha = LedgerNetwork.Changsha;
    public const string Zhuzhou = LedgerNetwork.Zhuzhou;
    public const string Xiangtan = LedgerNetwork.Xiangtan;
    public const string Purpose = "企业跨域经营备案";
    public const string TheRecord = "430100-LIC-000001";
    /// <summary>A record whose new share makes Changsha's node crash just after the share entry (test hook).</summary>
    public const string CrashRecord = "430100-LIC-CRASH";
    /// <summary>A record whose requests Changsha's node holds unanswered until they are cancelled (test hook).</summary>
    public const string HeldRecord = "430100-LIC-HELD";
    /// <summary>Changsha's <c>Huren:Limits:CallsInFlightPerClient</c>: small, so that a test can fill a city's forwarded requests.</summary>
    public const int ChangshaCallLimit = 16;
    public const string Address = "湖南省长沙市岳麓区麓谷大道1号";
    public const string Representative = "李明华";

    private readonly NetworkFolder _folder = new();

    public string Dir => _folder.Dir;

    public string Profile => Path.Combine(_folder.Dir, "cli.json");

    public static string Code(string city) => LedgerNetwork.Uscc($"11{city}HUREN0101");

    public static string Origin(string city) => $"huren.cz-t/{city}";

    /// <summary>The document file of the record (random bytes around a marker the plaintext scan looks for).</summary>
    public byte[] Document { get; } = [.. System.Security.Cryptography.RandomNumberGenerator.GetBytes(100_000), .. "HUREN-DOCUMENT-MARKER-7f3a"u8.ToArray(), .. System.Security.Cryptography.RandomNumberGenerator.GetBytes(100_000)];

    public int Pid(string city) => _folder.Pid(city);

    public string CityDir(string city) => _folder.CityDir(city);

    internal NodeSession Session(string city, string who = "amr")
    {
        var profile = CliProfile.Load(Profile);
        var cityProfile = profile.City(city);
        return new NodeSession(profile, profile.LoadGenesis(), cityProfile, cityProfile.Credential(who), json: false);
    }

    public Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--profile", Profile]);

    public async Task InitializeAsync()
    {
        await _folder.InitAsync();
        // Xiangtan's node alters the data it sends (test hook only).
        var settingsPath = Path.Combine(_folder.CityDir(Xiangtan), "appsettings.json");
        var settings = JsonNode.Parse(File.ReadAllText(settingsPath))!;
        settings["Huren"]!["TestHooks"] = new JsonObject { ["AlterSharedData"] = true };
        File.WriteAllText(settingsPath, settings.ToJsonString());
        // Changsha's node crashes after the share entry of a new share of one record, and holds requests for another
        // (test hooks only), with a small limit of calls in flight per caller.
        var changshaPath = Path.Combine(_folder.CityDir(Changsha), "appsettings.json");
        var changshaSettings = JsonNode.Parse(File.ReadAllText(changshaPath))!;
        changshaSettings["Huren"]!["TestHooks"] = new JsonObject { ["KillAfterShareOfRecord"] = CrashRecord, ["HoldProvideOfRecord"] = HeldRecord };
        changshaSettings["Huren"]!["Limits"] = new JsonObject { ["CallsInFlightPerClient"] = ChangshaCallLimit };
        File.WriteAllText(changshaPath, changshaSettings.ToJsonString());
        var (code, _, error) = await CliRunner.RunAsync("network", "up", "--dir", _folder.Dir, "--detach", "--start-timeout", "300");
        Assert.True(code == 0, error);
        foreach (var city in new[] { Changsha, Zhuzhou, Xiangtan })
        {
            var (c, o, e) = await RunAsync("issuer", "register", "--city", city, "--id", $"{city}-amr", "--name", "市场监督管理局",
                "--authority-code", Code(city), "--license-types", LedgerNetwork.BusinessLicense, "--may-share");
            Assert.True(c == 0, e + o);
        }
        foreach (var city in new[] { Changsha, Zhuzhou, Xiangtan })
        {
            foreach (var other in new[] { Changsha, Zhuzhou, Xiangtan })
            {
                if (other != city) await WaitUntilKnownAsync(city, Origin(other), $"{other}-amr");
            }
        }
        await PublishAsync(Changsha, "R-OPEN", SharingType.Unconditional);
        await PublishAsync(Changsha, "R-COND", SharingType.Conditional);
        await PublishAsync(Changsha, "R-CLOSED", SharingType.NotShared);
        await PublishAsync(Xiangtan, "X-OPEN", SharingType.Unconditional);
        using var changsha = Session(Changsha);
        var fields = await changsha.Client.PutContentAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(
            $"{{\"住所\":\"{Address}\",\"类型\":\"有限责任公司\",\"法定代表人\":\"{Representative}\"}}")));
        var document = await changsha.Client.PutContentAsync(new MemoryStream(Document));
        foreach (var resource in new[] { "R-OPEN", "R-COND", "R-CLOSED" })
        {
            await changsha.Client.Content.PutRecordAsync(new RecordDataRequest
            {
                ResourceCode = resource, RecordId = TheRecord, FieldsSha256 = fields.Sha256,
                Files = { new RecordFile { Name = "document", Sha256 = document.Sha256, MediaType = "application/ofd" } },
            }, changsha.Options());
        }
        using var xiangtan = Session(Xiangtan);
        var xFields = await xiangtan.Client.PutContentAsync(new MemoryStream("{\"住所\":\"湖南省湘潭市岳塘区\"}"u8.ToArray()));
        await xiangtan.Client.Content.PutRecordAsync(new RecordDataRequest { ResourceCode = "X-OPEN", RecordId = "430300-LIC-1", FieldsSha256 = xFields.Sha256 }, xiangtan.Options());
        foreach (var city in new[] { Zhuzhou, Xiangtan }) await WaitUntilMirroredAsync(city, Origin(Changsha));
        foreach (var city in new[] { Changsha, Zhuzhou }) await WaitUntilMirroredAsync(city, Origin(Xiangtan));
    }

    /// <summary>Starts the node of <paramref name="city"/> again on its folder, after it stopped; returns once it answers its health check.</summary>
    public async Task RestartAsync(string city)
    {
        Assert.False(NetworkFolder.IsRunning(Pid(city)), $"the node of {city} still runs");
        NodeLauncher.Start(NodeLauncher.Locate(), CityDir(city)).Process.Dispose();
        var member = _folder.Genesis().Members.Single(m => m.CityCode == city);
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await NetworkFolder.IsServingAsync(member))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the node of {city} did not answer its health check within 120 s of its restart");
            await Task.Delay(200);
        }
    }

    /// <summary>Publishes a catalogue resource of <paramref name="city"/>'s market regulator that only Zhuzhou may use, for <see cref="Purpose"/>.</summary>
    public async Task PublishAsync(string city, string code, SharingType type)
    {
        using var session = Session(city);
        var body = new CatalogResourcePublished
        {
            ResourceCode = code, Name = "营业执照信息", ProviderCode = Code(city), ProviderName = "市场监督管理局", SharingType = type,
            Fields = ["住所", "类型", "法定代表人", "document"], UpdateFrequency = "实时", LegalBasis = "《政务数据共享条例》",
            AllowedPurposes = [Purpose], AllowedConsumerCities = [Zhuzhou], NotSharedReason = type == SharingType.NotShared ? "涉及商业秘密" : "",
        };
        var entry = Entry.Create(EntryKinds.CatalogPublish, session.Origin, code, $"{city}-amr", body, DateTimeOffset.UtcNow);
        await session.Client.Ledger.SubmitAsync(new SubmitRequest { SignedEntry = EntrySigner.SignToLeaf(entry, session.Key) }, session.Options());
    }

    /// <summary>Waits (60 s at most) until <paramref name="city"/>'s node lists <paramref name="issuerId"/> in its copy of <paramref name="origin"/>.</summary>
    private async Task WaitUntilKnownAsync(string city, string origin, string issuerId)
    {
        using var auditor = Session(city, "auditor");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var issuers = await auditor.Client.Issuers.ListAsync(new ListIssuersRequest { Origin = origin }, auditor.Options());
            if (issuers.Issuers.Exists(i => i.IssuerId == issuerId)) return;
            await Task.Delay(100);
        }
        Assert.Fail($"{city} did not learn {issuerId} of {origin} within 60 s");
    }

    /// <summary>Waits until <paramref name="city"/>'s copy of <paramref name="origin"/> is as long as the origin's own log.</summary>
    public async Task WaitUntilMirroredAsync(string city, string origin)
    {
        using var source = Session(origin[^6..], "auditor");
        // The log's own size, not its latest checkpoint's: an entry's checkpoint may be signed after its answer.
        var size = (await source.Client.Ledger.GetEntriesAsync(new GetEntriesRequest { Count = 1 }, source.Options())).TreeSize;
        using var auditor = Session(city, "auditor");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if ((await auditor.Client.Ledger.GetCheckpointAsync(new CheckpointRequest { Origin = origin }, auditor.Options())).Size >= size) return;
            await Task.Delay(100);
        }
        Assert.Fail($"{city}'s copy of {origin} did not reach {size} entries within 60 s");
    }

    public async Task DisposeAsync()
    {
        await CliRunner.RunAsync("network", "down", "--dir", _folder.Dir);
        _folder.Dispose();
    }
}
