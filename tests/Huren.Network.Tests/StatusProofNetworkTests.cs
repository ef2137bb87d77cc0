using System.Text.Json;
using System.Text.Json.Nodes;
using Huren.Schemas.Envelope;
using Huren.Sdk.Entries;
using Xunit.Abstractions;

namespace Huren.Network.Tests;

/// <summary>
/// Evidence that proves absence, over three node processes: a revoked license's bundle with its revocation cut out is
/// refused offline; a node switched by the test hook <c>Huren:TestHooks:OmitRevocations</c> (Changsha's, here) to
/// leave revocations out of its answers is caught online by the CLI; a bundle kept from before the revocation is
/// refused by <c>--max-age</c>, and its refresh proves REVOKED; a bundle with a change cut out of the middle of a
/// history is refused for its broken link, and a suspended bundle's refresh after the resumption settles VALID.
/// </summary>
public sealed class StatusProofNetworkTests(ITestOutputHelper output) : ThreeCityNetwork(output)
{
    private const string BusinessLicense = "11100000HUREN0001P001";

    protected override void Configure(string city, string cityDir)
    {
        if (city != Changsha) return;
        var path = Path.Combine(cityDir, "appsettings.json");
        var settings = JsonNode.Parse(File.ReadAllText(path))!;
        settings["Huren"]!["TestHooks"] = new JsonObject { ["OmitRevocations"] = true };
        File.WriteAllText(path, settings.ToJsonString());
    }

    [Fact]
    public async Task A_trimmed_or_old_bundle_and_a_node_that_omits_a_revocation_are_caught()
    {
        var profile = Path.Combine(Dir, "cli.json");
        var genesis = Path.Combine(Dir, "genesis.json");
        async Task<string> Must(params string[] args)
        {
            var (code, text, error) = await CliAsync([.. args, "--profile", profile]);
            Assert.True(code == 0, $"huren {string.Join(' ', args)} exited {code}: {error}{text}");
            return text;
        }
        await Must("issuer", "register", "--city", Changsha, "--id", "430100-amr", "--name", "市场监督管理局",
            "--authority-code", Uscc("11430100HUREN0101"), "--license-types", BusinessLicense);
        var license = JsonDocument.Parse(await Must("license", "issue", "--city", Changsha, "--type", "营业执照", "--serial", "770001", "--holder-name", "长沙状态证明有限公司",
            "--holder-code", Uscc("91430100HUREN0201"), "--field", "类型=有限责任公司", "--field", "住所=湖南省长沙市岳麓区", "--field", "成立日期=2024-03-01",
            "--field", "经营范围=软件开发", "--json")).RootElement.GetProperty("recordId").GetString()!;
        await WaitForVerdictAsync(profile, license, "VALID");
        var old = Path.Combine(Dir, "before-revocation.json");
        await Must("bundle", "export", license, "--city", Zhuzhou, "-o", old);

        await Must("license", "revoke", license, "--city", Changsha);
        await WaitForVerdictAsync(profile, license, "REVOKED");

        // Online: Changsha's node (test hook) answers VALID with its revocation left out; the status proof it cannot forge gives it away.
        var (lieCode, lie, _) = await CliAsync("license", "verify", license, "--city", Changsha, "--profile", profile);
        Assert.Equal(1, lieCode);
        Assert.StartsWith($"NOT VERIFIED  {license}: the node says VALID for ", lie, StringComparison.Ordinal);
        Assert.Contains("the bundle leaves out a later entry (e.g. a revocation)", lie, StringComparison.Ordinal);

        // Offline: the honest bundle verifies REVOKED and shows its checkpoint; cut its revocation out and state VALID: refused.
        var revoked = Path.Combine(Dir, "revoked.json");
        await Must("bundle", "export", license, "--city", Zhuzhou, "-o", revoked);
        var (honestCode, honest, _) = await CliAsync("license", "verify", "--bundle", revoked, "--network", genesis, "--json");
        Assert.Equal(1, honestCode);
        var honestJson = JsonDocument.Parse(honest).RootElement;
        Assert.Equal("REVOKED", honestJson.GetProperty("verdict").GetString());
        var evidence = honestJson.GetProperty("evidence");
        Assert.True(evidence.GetProperty("verified").GetBoolean(), honest);
        Assert.True(evidence.GetProperty("statusProven").GetBoolean(), honest);
        Assert.True(evidence.GetProperty("checkpointSize").GetUInt64() > 0, honest);
        Assert.Equal(JsonValueKind.String, evidence.GetProperty("cosignedAt").ValueKind);

        var trimmed = JsonNode.Parse(await File.ReadAllTextAsync(revoked))!;
        var entries = trimmed["entries"]!.AsArray();
        var revocation = entries.Single(e => LeafReader.Read(Convert.FromBase64String(e!["leaf"]!.GetValue<string>())).Entry.Kind == EntryKinds.LicenseStatus);
        entries.Remove(revocation);
        trimmed["verdict"]!["status"] = "VALID";
        var cut = Path.Combine(Dir, "trimmed.json");
        await File.WriteAllTextAsync(cut, trimmed.ToJsonString());
        var (cutCode, cutOutput, _) = await CliAsync("license", "verify", "--bundle", cut, "--network", genesis);
        Assert.Equal(1, cutCode);
        Assert.StartsWith("NOT VERIFIED  the evidence bundle does not verify: the status map of huren.cz-t/430100 at size", cutOutput, StringComparison.Ordinal);
        Assert.Contains($"proves that the latest state entry of '{license}' is not huren.cz-t/430100#", cutOutput, StringComparison.Ordinal);
        // Without the status proofs too: refused for the missing proof.
        trimmed["statusProofs"] = new JsonArray();
        await File.WriteAllTextAsync(cut, trimmed.ToJsonString());
        var (bareCode, bareOutput, _) = await CliAsync("license", "verify", "--bundle", cut, "--network", genesis);
        Assert.Equal(1, bareCode);
        // (the first record the verifier finds unproven: the license or its issuer)
        Assert.StartsWith("NOT VERIFIED  the evidence bundle does not verify: the bundle has no status proof for '", bareOutput, StringComparison.Ordinal);
        Assert.Contains("in huren.cz-t/430100, whose checkpoint (size", bareOutput, StringComparison.Ordinal);

        // The bundle from before the revocation is authentic (VALID as of its checkpoint) but old: --max-age refuses it.
        var (oldCode, oldOutput, oldError) = await CliAsync("license", "verify", "--bundle", old, "--network", genesis, "--max-age", "1d");
        Assert.True(oldCode == 0, oldError + oldOutput);
        Assert.Contains("last cosigned", oldOutput, StringComparison.Ordinal);
        // Its age grows with the clock: wait (with a deadline) until it is older than one second.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        (int Code, string Output, string Error) aged;
        do
        {
            aged = await CliAsync("license", "verify", "--bundle", old, "--network", genesis, "--max-age", "1s");
            if (aged.Code != 0) break;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);
        Assert.Equal(1, aged.Code);
        Assert.Contains("the evidence is older than --max-age 1s", aged.Output, StringComparison.Ordinal);

        // Its refresh, from Zhuzhou, with one checkpoint, one map proof and the one entry that changed it: REVOKED.
        var (refreshCode, refreshed, refreshError) = await CliAsync("license", "refresh", "--bundle", old, "--city", Zhuzhou, "--profile", profile, "--json");
        Assert.True(refreshCode == 1, refreshError + refreshed);
        var now = JsonDocument.Parse(refreshed).RootElement;
        Assert.Equal("REVOKED", now.GetProperty("verdict").GetString());
        Assert.True(now.GetProperty("changed").GetBoolean());
        Assert.Equal("VALID", now.GetProperty("bundle").GetProperty("verdict").GetString());
        Assert.Equal(EntryKinds.LicenseStatus, now.GetProperty("current").GetProperty("entry").GetProperty("kind").GetString());
        Assert.True(now.GetProperty("current").GetProperty("checkpointSize").GetUInt64() > now.GetProperty("bundle").GetProperty("checkpointSize").GetUInt64());
        var (textCode, text, _) = await CliAsync("license", "refresh", "--bundle", old, "--city", Zhuzhou, "--profile", profile);
        Assert.Equal(1, textCode);
        Assert.StartsWith($"REVOKED  {license}  changed since the bundle", text, StringComparison.Ordinal);

        // --max-age bounds the node's answer: a fresh one passes (still REVOKED), one last cosigned too long ago is refused.
        var (freshCode, fresh, freshError) = await CliAsync("license", "refresh", "--bundle", old, "--city", Zhuzhou, "--profile", profile, "--max-age", "1d");
        Assert.True(freshCode == 1, freshError + fresh);
        Assert.StartsWith($"REVOKED  {license}  changed since the bundle", fresh, StringComparison.Ordinal);
        var refreshDeadline = DateTime.UtcNow.AddSeconds(30);
        (int Code, string Output, string Error) stale;
        do
        {
            stale = await CliAsync("license", "refresh", "--bundle", old, "--city", Zhuzhou, "--profile", profile, "--max-age", "1s");
            if (stale.Output.StartsWith("NOT VERIFIED", StringComparison.Ordinal)) break;
            await Task.Delay(250);
        }
        while (DateTime.UtcNow < refreshDeadline);
        Assert.Equal(1, stale.Code);
        Assert.StartsWith($"NOT VERIFIED  {license}: the node's refresh does not verify: the node's answer is older than --max-age 1s: its latest checkpoint (size", stale.Output, StringComparison.Ordinal);
        var (badCode, _, badError) = await CliAsync("license", "refresh", "--bundle", old, "--city", Zhuzhou, "--profile", profile, "--max-age", "soon");
        Assert.Equal(2, badCode);
        Assert.Contains("--max-age", badError, StringComparison.Ordinal);

        // An entry left out of the middle: a change of the validity, a suspension, a resumption, each through the CLI
        // (which names the license's latest entry). The status map proves the resumption, so a bundle without the change
        // ends where it should; the links give it away.
        var changed = JsonDocument.Parse(await Must("license", "issue", "--city", Changsha, "--type", "营业执照", "--serial", "770002", "--holder-name", "长沙链接证明有限公司",
            "--holder-code", Uscc("91430100HUREN0202"), "--field", "类型=有限责任公司", "--field", "住所=湖南省长沙市岳麓区", "--field", "成立日期=2024-03-01",
            "--field", "经营范围=软件开发", "--json")).RootElement.GetProperty("recordId").GetString()!;
        await Must("license", "change", changed, "--city", Changsha, "--valid-until", "2027-12-31");
        await Must("license", "suspend", changed, "--city", Changsha);
        await WaitForVerdictAsync(profile, changed, "SUSPENDED");
        var suspendedBundle = Path.Combine(Dir, "suspended.json");
        await Must("bundle", "export", changed, "--city", Zhuzhou, "-o", suspendedBundle);
        await Must("license", "resume", changed, "--city", Changsha);
        await WaitForVerdictAsync(profile, changed, "VALID");
        // The suspended bundle's refresh: the resumption names the suspension as its previous entry, so it settles VALID.
        var resumed = await Must("license", "refresh", "--bundle", suspendedBundle, "--city", Zhuzhou);
        Assert.StartsWith($"VALID  {changed}  changed since the bundle", resumed, StringComparison.Ordinal);
        var whole = Path.Combine(Dir, "changed.json");
        await Must("bundle", "export", changed, "--city", Zhuzhou, "-o", whole);
        await Must("license", "verify", "--bundle", whole, "--network", genesis);
        var middle = JsonNode.Parse(await File.ReadAllTextAsync(whole))!;
        var change = middle["entries"]!.AsArray().Single(e => LeafReader.Read(Convert.FromBase64String(e!["leaf"]!.GetValue<string>())).Entry.Kind == EntryKinds.LicenseChange);
        var changeIndex = change!["index"]!.GetValue<ulong>();
        middle["entries"]!.AsArray().Remove(change);
        var withoutChange = Path.Combine(Dir, "without-change.json");
        await File.WriteAllTextAsync(withoutChange, middle.ToJsonString());
        var (gapCode, gap, _) = await CliAsync("license", "verify", "--bundle", withoutChange, "--network", genesis);
        Assert.Equal(1, gapCode);
        Assert.StartsWith($"NOT VERIFIED  the evidence bundle does not verify: the bundle leaves out entry huren.cz-t/430100#{changeIndex}, which huren.cz-t/430100#", gap, StringComparison.Ordinal);
    }
}
