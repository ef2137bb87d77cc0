using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Huren.Schemas.Bodies;
using Huren.Schemas.Envelope;
using Huren.Schemas.Services;
using Huren.Sdk.Entries;
using static Huren.Cli.Tests.Exchange.ExchangeNetwork;

namespace Huren.Cli.Tests.Exchange;

/// <summary>
/// 'huren catalog publish|show' and 'huren data get' against the exchange network's three node processes: a resource
/// published by Changsha's market regulator from options and from a file, read back at Changsha and at Zhuzhou (from its
/// mirror), bad input refused with nothing written; data received by Zhuzhou fetched later from its own node, only by the
/// department that asked.
/// </summary>
[Collection(ExchangeNetworkCollection.Name)]
public sealed class CatalogAndDataGetTests(ExchangeNetwork net)
{
    private const string LegalBasis = "《政务数据共享条例》第十三条";

    private static string NewCode(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..20];

    [Fact]
    public async Task Catalog_publish_writes_the_entry_and_catalog_show_reads_every_field_at_both_cities()
    {
        var code = NewCode("R-PUB");
        var (exit, stdout, stderr) = await net.RunAsync("catalog", "publish", "--code", code, "--name", "营业执照信息", "--sharing", "有条件",
            "--field", "住所", "--field", "document", "--update-frequency", "每日", "--legal-basis", LegalBasis, "--purpose", Purpose,
            "--matter-code", "430200-QT-0001", "--consumer-city", Zhuzhou, "--consumer-code", Code(Zhuzhou), "--city", Changsha, "--as", "amr", "--json");
        Assert.True(exit == 0, stderr + stdout);
        var published = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(Origin(Changsha), published.GetProperty("origin").GetString());
        var index = published.GetProperty("index").GetUInt64();

        // The entry in Changsha's log is the department's signed catalog.publish with every value given.
        using (var auditor = net.Session(Changsha, "auditor"))
        {
            var entry = LeafReader.Read((await auditor.Client.Ledger.GetEntryAsync(new GetEntryRequest { Index = index }, auditor.Options())).Leaf).Entry;
            Assert.Equal(EntryKinds.CatalogPublish, entry.Kind);
            Assert.Equal($"{Changsha}-amr", entry.IssuerId);
            Assert.Equal(code, entry.RecordId);
            var body = CanonicalCodec.Decode<CatalogResourcePublished>(entry.Body);
            Assert.Equal(SharingType.Conditional, body.SharingType);
            Assert.Equal(["住所", "document"], body.Fields);
            Assert.Equal(Code(Changsha), body.ProviderCode);
            Assert.Equal("市场监督管理局", body.ProviderName);
            Assert.Equal([Purpose], body.AllowedPurposes);
            Assert.Equal(["430200-QT-0001"], body.AllowedMatterCodes);
            Assert.Equal([Zhuzhou], body.AllowedConsumerCities);
            Assert.Equal([Code(Zhuzhou)], body.AllowedConsumerCodes);
            Assert.Equal("每日", body.UpdateFrequency);
        }

        await net.WaitUntilMirroredAsync(Zhuzhou, Origin(Changsha));
        string? first = null;
        foreach (var city in new[] { Changsha, Zhuzhou })
        {
            (exit, stdout, stderr) = await net.RunAsync("catalog", "show", code, "--origin", Changsha, "--city", city, "--json");
            Assert.True(exit == 0, stderr + stdout);
            var shown = JsonDocument.Parse(stdout).RootElement;
            Assert.Equal(index, shown.GetProperty("index").GetUInt64());
            Assert.Equal("有条件共享", shown.GetProperty("sharingType").GetString());
            Assert.Equal(LegalBasis, shown.GetProperty("legalBasis").GetString());
            Assert.Equal($"{Changsha}-amr", shown.GetProperty("issuerId").GetString());
            Assert.Equal([Code(Zhuzhou)], shown.GetProperty("allowedConsumerCodes").EnumerateArray().Select(e => e.GetString()));
            first ??= stdout;
            Assert.Equal(first, stdout); // Zhuzhou's mirror shows exactly what Changsha's log holds
        }
        (exit, stdout, stderr) = await net.RunAsync("catalog", "show", code, "--city", Zhuzhou);
        Assert.True(exit == 0, stderr + stdout);
        Assert.Contains("有条件共享", stdout);
        Assert.Contains("住所、document", stdout);
        Assert.Contains($"{Origin(Changsha)} #{index}", stdout);

        // The JSON 'catalog show' prints is a resource file: edited and published as a second resource, not shared.
        var file = JsonNode.Parse(first!)!;
        var second = NewCode("R-FILE");
        file["resourceCode"] = second;
        file["sharingType"] = "不予共享";
        file["notSharedReason"] = "涉及商业秘密";
        var path = Path.Combine(net.Dir, $"{second}.json");
        await File.WriteAllTextAsync(path, file.ToJsonString());
        (exit, stdout, stderr) = await net.RunAsync("catalog", "publish", "--file", path, "--name", "营业执照档案", "--city", Changsha, "--as", "amr");
        Assert.True(exit == 0, stderr + stdout);
        Assert.Contains($"catalogue resource {second} (营业执照档案, 不予共享) published", stdout);
        (exit, stdout, stderr) = await net.RunAsync("catalog", "show", second, "--city", Changsha, "--json");
        Assert.True(exit == 0, stderr + stdout);
        var fromFile = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("营业执照档案", fromFile.GetProperty("name").GetString()); // the option overrides the file
        Assert.Equal("不予共享", fromFile.GetProperty("sharingType").GetString());
        Assert.Equal("涉及商业秘密", fromFile.GetProperty("notSharedReason").GetString());
        Assert.Equal(["住所", "document"], fromFile.GetProperty("fields").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Catalog_publish_refuses_bad_input_with_a_clear_error_and_writes_nothing()
    {
        var code = NewCode("R-BAD");
        string[] Publish(params string[] extra) => ["catalog", "publish", "--code", code, "--name", "营业执照信息", "--legal-basis", LegalBasis, "--city", Changsha, "--as", "amr", .. extra];
        using var auditor = net.Session(Changsha, "auditor");
        var before = (await auditor.Client.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options())).Size;

        var cases = new (string[] Args, string Message)[]
        {
            (Publish("--field", "住所"), "give the sharing type"),
            (Publish("--sharing", "随便", "--field", "住所"), "'随便' is not a sharing type"),
            (Publish("--sharing", "无条件"), "give the data items offered"),
            (Publish("--sharing", "无条件", "--field", "住所", "--field", "住所"), "fields[1]: '住所' is repeated"),
            (Publish("--sharing", "无条件", "--field", "住所", "--consumer-code", "NOT-A-CODE"), "allowedConsumerCodes[0]"),
            (Publish("--sharing", "无条件", "--field", "住所", "--not-shared-reason", "保密"), "notSharedReason: is only for a resource that is not shared"),
            (Publish("--sharing", "不予共享", "--field", "住所"), "notSharedReason"),
            (Publish("--sharing", "无条件", "--field", "住所", "--file", Path.Combine(net.Dir, "no-such-file.json")), "does not exist"),
        };
        foreach (var (args, message) in cases)
        {
            var (exit, stdout, stderr) = await net.RunAsync(args);
            Assert.True(exit == 2, $"{string.Join(' ', args)}: exit {exit} {stdout}{stderr}");
            Assert.StartsWith("error: ", stderr);
            Assert.Contains(message, stderr);
            Assert.Single(stderr.TrimEnd().Split('\n')); // one line, no stack trace
        }

        var badFile = Path.Combine(net.Dir, $"{code}-bad.json");
        foreach (var (content, message) in new[]
        {
            ("{ not json", "is not valid JSON"),
            ("[1]", "must hold one JSON object"),
            ("{\"resourceCode\":\"R-X\",\"sharing\":\"无条件\"}", "unknown key 'sharing'"),
            ("{\"fields\":\"住所\"}", "fields must be an array of strings"),
        })
        {
            await File.WriteAllTextAsync(badFile, content);
            var (exit, stdout, stderr) = await net.RunAsync("catalog", "publish", "--file", badFile, "--city", Changsha, "--as", "amr");
            Assert.True(exit == 2, $"{content}: exit {exit} {stdout}{stderr}");
            Assert.Contains(message, stderr);
        }

        // A credential that is no registered department of Changsha.
        var (sealsExit, _, sealsError) = await net.RunAsync("catalog", "publish", "--code", code, "--name", "营业执照信息", "--legal-basis", LegalBasis,
            "--sharing", "无条件", "--field", "住所", "--city", Changsha, "--as", "seals");
        Assert.Equal(2, sealsExit);
        Assert.Contains($"{Changsha}-seals is not registered", sealsError);

        // Nothing was written, so the resource does not exist.
        Assert.Equal(before, (await auditor.Client.Ledger.GetCheckpointAsync(new CheckpointRequest(), auditor.Options())).Size);
        var (showExit, showOutput, _) = await net.RunAsync("catalog", "show", code, "--city", Changsha);
        Assert.Equal(1, showExit);
        Assert.Contains($"no catalogue resource {code}", showOutput);
    }

    [Fact]
    public async Task Data_get_writes_the_received_parts_checked_only_for_the_department_that_asked()
    {
        var shareId = NewCode("430200-get");
        var (exit, stdout, stderr) = await net.RunAsync("share", "request", "--provider", Changsha, "--resource", "R-OPEN", "--record", TheRecord,
            "--field", "住所", "--field", "document", "--purpose", Purpose, "--matter-code", "430200-QT-0001", "--legal-basis", LegalBasis, "--id", shareId,
            "--city", Zhuzhou, "--as", "amr");
        Assert.True(exit == 0, stderr + stdout);
        Assert.Contains($"held by {Origin(Zhuzhou)}", stdout); // no --out: the data stays with Zhuzhou's node

        var folder = Path.Combine(net.Dir, $"{shareId}-out");
        (exit, stdout, stderr) = await net.RunAsync("data", "get", shareId, "--out", folder, "--city", Zhuzhou, "--as", "amr", "--json");
        Assert.True(exit == 0, stderr + stdout);
        Assert.Contains("document: 100%", stderr);
        var answer = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(Origin(Changsha), answer.GetProperty("share").GetProperty("origin").GetString());
        Assert.Equal(Origin(Zhuzhou), answer.GetProperty("receipt").GetProperty("origin").GetString());
        var document = await File.ReadAllBytesAsync(Path.Combine(folder, "document"));
        Assert.Equal(net.Document, document);
        var fields = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(folder, "fields.json"))).RootElement;
        Assert.Equal(Address, fields.GetProperty("住所").GetString());
        Assert.False(fields.TryGetProperty("法定代表人", out _), "a field not asked for was written");
        Assert.Equal(["fields.json", "document"], Directory.GetFiles(folder).Select(Path.GetFileName).Order().Reverse());

        // The digests printed are those of the bytes written, and the share entry's payload digest covers them.
        var parts = answer.GetProperty("parts").EnumerateArray().ToList();
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(document)), parts[1].GetProperty("sha256").GetString());
        using (var auditor = net.Session(Changsha, "auditor"))
        {
            var leaf = (await auditor.Client.Ledger.GetEntryAsync(new GetEntryRequest { Index = answer.GetProperty("share").GetProperty("index").GetUInt64() }, auditor.Options())).Leaf;
            var share = CanonicalCodec.Decode<DataShared>(LeafReader.Read(leaf).Entry.Body);
            Assert.Equal(shareId, share.ShareId);
            using var zhuzhou = net.Session(Zhuzhou);
            var held = await zhuzhou.Client.GetHeldShareAsync(shareId);
            Assert.Equal(share.PayloadDigest, SharePayload.Digest(held.Salt, held.Parts));
            Assert.Equal(SHA256.HashData(document), held.Parts.Single(p => p.Name == "document").Sha256);
        }

        // Another department of Zhuzhou gets nothing, whether or not it names the provider.
        var otherFolder = Path.Combine(net.Dir, $"{shareId}-other");
        (exit, _, stderr) = await net.RunAsync("data", "get", shareId, "--out", otherFolder, "--city", Zhuzhou, "--as", "seals");
        Assert.Equal(2, exit);
        Assert.Contains($"holds no data of share {shareId} for {Zhuzhou}-seals", stderr);
        (exit, _, stderr) = await net.RunAsync("data", "get", shareId, "--provider", Changsha, "--out", otherFolder, "--city", Zhuzhou, "--as", "seals");
        Assert.Equal(2, exit);
        Assert.Contains($"was requested by {Zhuzhou}-amr, not {Zhuzhou}-seals", stderr);
        Assert.False(Directory.Exists(otherFolder) && Directory.EnumerateFileSystemEntries(otherFolder).Any());

        // An unknown share is a clear error.
        (exit, _, stderr) = await net.RunAsync("data", "get", "430200-no-such-share", "--out", otherFolder, "--city", Zhuzhou, "--as", "amr");
        Assert.Equal(2, exit);
        Assert.Contains("holds no data of share 430200-no-such-share", stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Data_get_before_the_receipt_is_refused_and_writes_nothing()
    {
        using var zhuzhou = net.Session(Zhuzhou);
        var asked = new ShareRequest
        {
            ShareId = NewCode("430200-norc"), ConsumerIssuerId = $"{Zhuzhou}-amr", ConsumerCode = Code(Zhuzhou), ConsumerName = "市场监督管理局",
            ConsumerOrigin = Origin(Zhuzhou), ProviderOrigin = Origin(Changsha), ResourceCode = "R-OPEN", RecordId = TheRecord,
            Fields = ["住所"], Purpose = Purpose, LegalBasis = LegalBasis,
        };
        Assert.Equal(ExchangeStatus.Shared, (await zhuzhou.Client.RequestShareAsync(asked, zhuzhou.Key)).Status);
        var folder = Path.Combine(net.Dir, $"{asked.ShareId}-out");
        var (exit, _, stderr) = await net.RunAsync("data", "get", asked.ShareId, "--out", folder, "--city", Zhuzhou, "--as", "amr");
        Assert.Equal(2, exit);
        Assert.Contains($"share {asked.ShareId} has no receipt in {Origin(Zhuzhou)} yet", stderr);
        Assert.False(Directory.Exists(folder));
    }
}
