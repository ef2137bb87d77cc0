using System.Text.Json;
using System.Text.Json.Nodes;
using Huren.Node.Tests.Ledger;
using Huren.Schemas.Envelope;
using Huren.Sdk.Entries;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// A license moved through three cities and back, over three node processes, with the CLI only: issued in Changsha,
/// transferred to Zhuzhou, on to Xiangtan and back to Changsha (under a new identifier there: a log never reuses a
/// license id). After every hop its bundle is exported and verified offline, hop by hop; a bundle with a hop cut out
/// or its hops out of order is refused with the reason; <c>huren trace</c> shows every hop.
/// </summary>
public sealed class TransferChainNetworkTests(ITestOutputHelper output) : ThreeCityNetwork(output)
{
    private const string BusinessLicense = "11100000HUREN0001P001";

    [Fact]
    public async Task A_license_moved_changsha_zhuzhou_xiangtan_and_back_verifies_offline_after_every_hop()
    {
        var profile = Path.Combine(Dir, "cli.json");
        var genesis = Path.Combine(Dir, "genesis.json");
        async Task<string> Must(params string[] args)
        {
            var (code, text, error) = await CliAsync([.. args, "--profile", profile]);
            Assert.True(code == 0, $"huren {string.Join(' ', args)} exited {code}: {error}{text}");
            return text;
        }
        foreach (var city in new[] { Changsha, Zhuzhou, Xiangtan })
        {
            await Must("issuer", "register", "--city", city, "--id", $"{city}-amr", "--name", $"{city}市场监督管理局",
                "--authority-code", Uscc($"11{city}HUREN0101"), "--license-types", BusinessLicense);
        }
        var license = JsonDocument.Parse(await Must("license", "issue", "--city", Changsha, "--type", "营业执照", "--serial", "880001", "--holder-name", "长株潭迁移有限公司",
            "--holder-code", Uscc("91430100HUREN0202"), "--field", "类型=有限责任公司", "--field", "住所=湖南省长沙市岳麓区", "--field", "成立日期=2024-03-01",
            "--field", "经营范围=软件开发", "--json")).RootElement.GetProperty("recordId").GetString()!;
        var returned = LedgerBodies.LicenseId(Uscc($"11{Changsha}HUREN0101"), "880009");

        // Each hop: transfer, accept in the receiving city, then the holder's bundle exported and verified offline.
        var hops = new[] { (From: Changsha, To: Zhuzhou), (From: Zhuzhou, To: Xiangtan), (From: Xiangtan, To: Changsha) };
        var bundles = new List<string>();
        for (var h = 0; h < hops.Length; h++)
        {
            var (from, to) = hops[h];
            var last = h == hops.Length - 1;
            await Must("license", "transfer", license, "--city", from, "--to", to);
            await Must(["license", "accept", license, "--city", to, "--from", from, .. last ? new[] { "--new-id", returned } : []]);
            var holding = last ? returned : license;
            await WaitForFinalValidAsync(profile, holding, OriginOf(to));
            var file = Path.Combine(Dir, $"after-hop-{h + 1}.json");
            await Must("bundle", "export", holding, "--city", Xiangtan, "-o", file);
            bundles.Add(file);

            var (code, text, error) = await CliAsync("license", "verify", "--bundle", file, "--network", genesis, "--json");
            Assert.True(code == 0, error + text);
            var verified = JsonDocument.Parse(text).RootElement;
            Assert.Equal("VALID", verified.GetProperty("verdict").GetString());
            Assert.Equal(OriginOf(to), verified.GetProperty("origin").GetString());
            var evidence = verified.GetProperty("evidence");
            Assert.True(evidence.GetProperty("final").GetBoolean(), text);
            Assert.True(evidence.GetProperty("statusProven").GetBoolean(), text);
            var proven = evidence.GetProperty("hops").EnumerateArray().Select(x => (x.GetProperty("fromOrigin").GetString(), x.GetProperty("toOrigin").GetString())).ToArray();
            Assert.Equal(hops.Take(h + 1).Select(x => ((string?)OriginOf(x.From), (string?)OriginOf(x.To))).ToArray(), proven);
        }
        var (textCode, readable, _) = await CliAsync("license", "verify", "--bundle", bundles[^1], "--network", genesis);
        Assert.Equal(0, textCode);
        Assert.Contains($"(3 hops, each verified)", readable, StringComparison.Ordinal);
        Assert.Contains($"as {returned}", readable, StringComparison.Ordinal);

        // A hop cut out (Zhuzhou's accept and transfer): Xiangtan's accept references a transfer the bundle lacks.
        var cut = JsonNode.Parse(await File.ReadAllTextAsync(bundles[^1]))!;
        var entries = cut["entries"]!.AsArray();
        foreach (var hop in entries.Where(e => e!["origin"]!.GetValue<string>() == OriginOf(Zhuzhou) && KindOf(e!) is EntryKinds.LicenseTransfer or EntryKinds.LicenseTransferAccept).ToList()) entries.Remove(hop);
        var cutFile = Path.Combine(Dir, "hop-removed.json");
        await File.WriteAllTextAsync(cutFile, cut.ToJsonString());
        var (cutCode, cutOutput, _) = await CliAsync("license", "verify", "--bundle", cutFile, "--network", genesis);
        Assert.Equal(1, cutCode);
        Assert.StartsWith($"NOT VERIFIED  the evidence bundle does not verify: the bundle lacks the transfer entry {OriginOf(Zhuzhou)}#", cutOutput, StringComparison.Ordinal);
        Assert.Contains($"that {OriginOf(Xiangtan)}#", cutOutput, StringComparison.Ordinal);

        // Hops reordered: the bundle stated as of Zhuzhou, as if the license had stopped there; the hops it holds go on.
        var reordered = JsonNode.Parse(await File.ReadAllTextAsync(bundles[^1]))!;
        reordered["verdict"]!["asOf"]!["origin"] = OriginOf(Zhuzhou);
        var reorderedFile = Path.Combine(Dir, "hops-reordered.json");
        await File.WriteAllTextAsync(reorderedFile, reordered.ToJsonString());
        var (reorderedCode, reorderedOutput, _) = await CliAsync("license", "verify", "--bundle", reorderedFile, "--network", genesis);
        Assert.Equal(1, reorderedCode);
        Assert.Contains($"the verdict is stated as of {OriginOf(Zhuzhou)} size", reorderedOutput, StringComparison.Ordinal);
        Assert.Contains($"but the license's log is {OriginOf(Changsha)}", reorderedOutput, StringComparison.Ordinal);

        // The trace of the license's identifier shows every hop, in order, each with its transfer.
        var trace = JsonDocument.Parse(await Must("trace", license, "--json")).RootElement;
        var traced = trace.GetProperty("hops").EnumerateArray().ToList();
        Assert.Equal(hops.Select(x => (OriginOf(x.From), OriginOf(x.To))), traced.Select(x => (x.GetProperty("from").GetProperty("origin").GetString()!, x.GetProperty("to").GetProperty("origin").GetString()!)));
        Assert.All(traced, x => Assert.True(x.GetProperty("transferInTrace").GetBoolean()));
        Assert.Equal(returned, traced[^1].GetProperty("newLicenseId").GetString());
        var tree = await Must("trace", license);
        Assert.Contains("hops (3):", tree, StringComparison.Ordinal);
        Assert.Contains($"3. {OriginOf(Xiangtan)} #", tree, StringComparison.Ordinal);
    }

    private static string KindOf(JsonNode entry) => LeafReader.Read(Convert.FromBase64String(entry["leaf"]!.GetValue<string>())).Entry.Kind;

    /// <summary>Waits until Xiangtan's node answers VALID from <paramref name="origin"/> with verified, final evidence.</summary>
    private static async Task WaitForFinalValidAsync(string profile, string license, string origin)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            var (_, json, error) = await CliAsync("license", "verify", license, "--city", Xiangtan, "--profile", profile, "--json");
            last = json + error;
            if (json.Length > 0 && JsonDocument.Parse(json).RootElement is var answer && answer.TryGetProperty("verdict", out var given) && given.GetString() == "VALID"
                && answer.GetProperty("origin").GetString() == origin && answer.GetProperty("evidence").GetProperty("final").GetBoolean())
            {
                return;
            }
            await Task.Delay(200);
        }
        Assert.Fail($"{license} did not become VALID in {origin} with final evidence at {Xiangtan} within 60 s; last answer: {last}");
    }
}
