using System.Text.Json;
using Huren.Cli.Tests.NetworkUp;
using Huren.Schemas.Validation;

namespace Huren.Cli.Tests.Ledger;

/// <summary>
/// The test classes that share one <see cref="LedgerNetwork"/> (three node processes started once). They run one after
/// the other and must leave each other's records alone: Changsha's and Zhuzhou's issuers stay registered and unrevoked,
/// and Changsha's log gets no other registrations.
/// </summary>
[CollectionDefinition(Name)]
public sealed class LedgerNetworkCollection : ICollectionFixture<LedgerNetwork>
{
    public const string Name = "ledger network";
}

/// <summary>
/// A real local network for the ledger commands' tests: three node processes started with 'huren network up --detach',
/// departments registered and licenses issued with the CLI itself; stopped with 'huren network down' at the end.
/// </summary>
public sealed class LedgerNetwork : IAsyncLifetime
{
    public const string Changsha = "430100";
    public const string Zhuzhou = "430200";
    public const string Xiangtan = "430300";
    public const string BusinessLicense = "11100000HUREN0001P001";

    private readonly NetworkFolder _folder = new();

    public string Dir => _folder.Dir;

    public string Profile => Path.Combine(_folder.Dir, "cli.json");

    public string Genesis => Path.Combine(_folder.Dir, "genesis.json");

    /// <summary>Issued in Changsha and left valid; used at a Zhuzhou counter.</summary>
    public string ValidLicense { get; private set; } = "";

    /// <summary>Issued in Changsha and revoked.</summary>
    public string RevokedLicense { get; private set; } = "";

    public static string Uscc(string first17) => first17 + UnifiedSocialCreditCode.ComputeCheckChar(first17);

    public static string LicenseId(string serial) => LicenseIdentifier.Create(BusinessLicense, Uscc($"11{Changsha}HUREN0101"), serial, "001").ToString();

    /// <summary>Runs a CLI command against this network's profile.</summary>
    public Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args) => CliRunner.RunAsync([.. args, "--profile", Profile]);

    /// <summary>Runs a command that must succeed; returns its output.</summary>
    public async Task<string> MustAsync(params string[] args)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.True(code == 0, $"huren {string.Join(' ', args)} exited {code}: {error}{output}");
        return output;
    }

    public async Task InitializeAsync()
    {
        var (code, _, error) = await CliRunner.RunAsync("network", "up", "--dir", _folder.Dir, "--base-port", _folder.Port, "--detach", "--start-timeout", "300");
        Assert.True(code == 0, error);
        foreach (var city in new[] { Changsha, Zhuzhou })
        {
            // Zhuzhou's market regulator also issues 食品经营许可证 (a type with a term).
            await MustAsync("issuer", "register", "--city", city, "--id", $"{city}-amr", "--name", "市场监督管理局",
                "--authority-code", Uscc($"11{city}HUREN0101"), "--license-types", city == Zhuzhou ? $"{BusinessLicense},食品经营许可证" : BusinessLicense);
            await MustAsync("issuer", "register", "--city", city, "--id", $"{city}-window", "--name", "政务服务中心",
                "--authority-code", Uscc($"12{city}HUREN0301"), "--department-kind", "administrative-approval");
        }
        ValidLicense = await IssueAsync("000001", "长沙互认科技有限公司");
        RevokedLicense = await IssueAsync("000002", "长沙吊销测试有限公司");
        await MustAsync("license", "revoke", RevokedLicense, "--city", Changsha);
        await WaitUntilKnownAsync(Zhuzhou, RevokedLicense, "REVOKED");
        await WaitUntilKnownAsync(Zhuzhou, ValidLicense, "VALID");
        await MustAsync("license", "use", ValidLicense, "--city", Zhuzhou, "--matter-code", "QT-0001", "--matter-name", "企业开办", "--purpose", "跨域通办：核验营业执照");
    }

    private async Task<string> IssueAsync(string serial, string holder)
    {
        var output = await MustAsync("license", "issue", "--city", Changsha, "--type", "营业执照", "--serial", serial, "--holder-name", holder,
            "--holder-code", Uscc("91430100HUREN0201"), "--field", "类型=有限责任公司", "--field", "住所=湖南省长沙市岳麓区", "--field", "成立日期=2024-03-01",
            "--field", "经营范围=软件开发", "--json");
        var id = JsonDocument.Parse(output).RootElement.GetProperty("recordId").GetString()!;
        Assert.Equal(LicenseId(serial), id);
        return id;
    }

    /// <summary>Waits until another city's node has mirrored the license to the expected verdict (under a second, normally).</summary>
    public async Task WaitUntilKnownAsync(string city, string licenseId, string verdict)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            var (_, output, _) = await RunAsync("license", "verify", licenseId, "--city", city, "--json");
            if (output.Length > 0)
            {
                // An answer whose evidence does not verify (or "unknown") carries only the node's word, no verdict.
                var answer = JsonDocument.Parse(output).RootElement;
                last = answer.TryGetProperty("verdict", out var given) ? given.GetString()! : $"no verdict (the node says {answer.GetProperty("nodeVerdict").GetString()})";
                if (last == verdict) return;
            }
            await Task.Delay(200);
        }
        Assert.Fail($"{licenseId} did not become {verdict} at {city} within 30 s (last: {last})");
    }

    public async Task DisposeAsync()
    {
        await CliRunner.RunAsync("network", "down", "--dir", _folder.Dir);
        _folder.Dispose();
    }
}
