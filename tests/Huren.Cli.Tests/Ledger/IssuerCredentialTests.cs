using System.Text.Json;

namespace Huren.Cli.Tests.Ledger;

/// <summary>
/// <c>huren issuer credential add|list|remove</c> against the real three-node network: an SM2 and a P-256 issuer,
/// registered in Xiangtan's log (the other tests register none there), sign calls and entries with their own keys at
/// once (no settings edit, no restart); a revoked one is refused at once. Works on a copy of the profile, so the other
/// ledger tests see the original.
/// </summary>
public sealed partial class LedgerCommandsTests
{
    private const string City = LedgerNetwork.Xiangtan;

    private string CredentialProfile { get; } = Path.Combine(net.Dir, $"cli-credentials-{Guid.NewGuid():N}.json");

    private Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--profile", CredentialProfile]);

    private async Task<string> MustAsync(params string[] args)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.True(code == 0, $"huren {string.Join(' ', args)} exited {code}: {error}{output}");
        return output;
    }

    /// <summary>
    /// The states of this test's own credentials (principals named after their issuer id); the profile's sample
    /// departments (amr, seals, …) are listed too, and their state depends on what other tests registered.
    /// </summary>
    private static Dictionary<string, string> States(string json)
        => JsonDocument.Parse(json).RootElement.GetProperty("credentials").EnumerateArray()
            .Where(c => c.GetProperty("principal").GetString()!.StartsWith($"{City}-", StringComparison.Ordinal))
            .ToDictionary(c => c.GetProperty("principal").GetString()!, c => c.GetProperty("state").GetString()!);

    [Fact]
    public async Task A_registered_SM2_or_P256_issuer_becomes_a_client_at_once_and_a_revoked_one_stops_at_once()
    {
        File.Copy(net.Profile, CredentialProfile);
        var keys = Path.Combine(net.Dir, City, "keys", "clients");
        var issuers = new Dictionary<string, string>();
        foreach (var (alg, serial) in new[] { ("sm2", "11"), ("p256", "12") })
        {
            var id = $"{City}-{alg}";
            var key = Path.Combine(keys, $"{id}-{Guid.NewGuid():N}.pem");
            await CliRunner.RunAsync("keys", "gen", "--alg", alg, "--out", key);
            await MustAsync("issuer", "register", "--city", City, "--id", id, "--name", $"{alg} 测试部门", "--key", key,
                "--authority-code", LedgerNetwork.Uscc($"{serial}{City}HUREN0101"), "--license-types", LedgerNetwork.BusinessLicense);
            issuers[id] = key;
        }

        // Refusals first: an unregistered issuer, and a key that is not the registered one (exit 2, one line each).
        var (code, _, error) = await RunAsync("issuer", "credential", "add", "--city", City, "--id", $"{City}-nobody", "--key", issuers[$"{City}-sm2"]);
        Assert.Equal(2, code);
        Assert.Contains("is not registered in huren.cz-t/430300", error, StringComparison.Ordinal);
        (code, _, error) = await RunAsync("issuer", "credential", "add", "--city", City, "--id", $"{City}-p256", "--key", issuers[$"{City}-sm2"]);
        Assert.Equal(2, code);
        Assert.Contains($"is not the key issuer '{City}-p256' registered", error, StringComparison.Ordinal);
        Assert.DoesNotContain($"{City}-p256", await File.ReadAllTextAsync(CredentialProfile), StringComparison.Ordinal);

        foreach (var (id, key) in issuers)
        {
            var added = JsonDocument.Parse(await MustAsync("issuer", "credential", "add", "--city", City, "--id", id, "--key", key, "--json")).RootElement;
            Assert.Equal(id, added.GetProperty("principal").GetString());
            Assert.False(added.GetProperty("replaced").GetBoolean());
        }
        Assert.Equal(new Dictionary<string, string> { [$"{City}-sm2"] = "active", [$"{City}-p256"] = "active" },
            States(await MustAsync("issuer", "credential", "list", "--city", City, "--json")));

        // Each issuer calls the node and signs its license with its own key, as the principal the profile now names.
        var serialNumber = 300;
        foreach (var id in issuers.Keys)
        {
            var issued = await MustAsync("license", "issue", "--city", City, "--as", id, "--type", "营业执照", "--serial", $"000{serialNumber++}", "--holder-name", "湘潭互认测试有限公司",
                "--holder-code", LedgerNetwork.Uscc("91430300HUREN0201"), "--field", "类型=有限责任公司", "--field", "住所=湖南省湘潭市岳塘区", "--field", "成立日期=2024-03-01",
                "--field", "经营范围=软件开发", "--json");
            var licenseId = JsonDocument.Parse(issued).RootElement.GetProperty("recordId").GetString()!;
            var verdict = JsonDocument.Parse(await MustAsync("license", "verify", licenseId, "--city", City, "--as", id, "--json")).RootElement;
            Assert.Equal("VALID", verdict.GetProperty("verdict").GetString());
        }

        // Revoked in the ledger: the node refuses the principal at the next call, and the list says so.
        await MustAsync("issuer", "revoke", $"{City}-sm2", "--city", City);
        (code, _, error) = await RunAsync("issuer", "list", "--city", City, "--as", $"{City}-sm2");
        Assert.NotEqual(0, code);
        Assert.Contains($"unknown principal '{City}-sm2'", error, StringComparison.Ordinal);
        Assert.Equal("revoked", States(await MustAsync("issuer", "credential", "list", "--city", City, "--json"))[$"{City}-sm2"]);

        // Removed from the profile (the key file stays); removing it again is an error.
        await MustAsync("issuer", "credential", "remove", $"{City}-sm2", "--city", City);
        Assert.Equal([$"{City}-p256"], States(await MustAsync("issuer", "credential", "list", "--city", City, "--json")).Keys);
        Assert.True(File.Exists(issuers[$"{City}-sm2"]));
        (code, _, error) = await RunAsync("issuer", "credential", "remove", $"{City}-sm2", "--city", City);
        Assert.Equal(2, code);
        Assert.Contains($"has no issuer credential '{City}-sm2'", error, StringComparison.Ordinal);
    }
}
