using System.Diagnostics;
using Huren.Cli.Tests.Ledger;
using Huren.Sdk.Network;
using Microsoft.Playwright;

namespace Huren.Cli.Tests.Counter;

/// <summary>
/// The counter page's test bench: a real three-node network (<see cref="LedgerNetwork"/>: a valid and a revoked
/// license issued in Changsha and mirrored), a license transferred out of Changsha, and Debian's chromium driven by
/// Playwright through <c>ExecutablePath</c> (no browser download). Screenshots go to <c>TestResults/counter-page/</c>
/// beside the solution, kept as artifacts.
/// </summary>
public sealed class CounterPageFixture : IAsyncLifetime
{
    /// <summary>Debian's chromium (package <c>chromium</c>; <c>.ci/run</c> installs it).</summary>
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public LedgerNetwork Net { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Issued in Changsha, transferred to Zhuzhou and accepted there under a new id.</summary>
    public string TransferredLicense { get; } = LedgerNetwork.LicenseId("000030");

    /// <summary>Where screenshots are kept.</summary>
    public string Artifacts { get; } = Path.Combine(SolutionDirectory(), "TestResults", "counter-page");

    public NetworkConfig Genesis { get; private set; } = null!;

    /// <summary>Changsha's market regulator's seal (registered with an SM2 maker key, as in the demo).</summary>
    public const string SealId = "43010020269901";

    /// <summary>A notice sealed with <see cref="SealId"/> in Changsha, its use recorded.</summary>
    public string SealedNotice => Path.Combine(Net.Dir, "seals", "notice.txt");

    /// <summary>The notice's <c>SES_Signature</c> DER, as <c>huren seal use</c> wrote it.</summary>
    public string NoticeSignature => SealedNotice + ".ses";

    /// <summary>The page of <paramref name="city"/>'s node (its gRPC port, TLS; HTTP/1.1 or HTTP/2 by ALPN).</summary>
    public string PageUrl(string city) => Genesis.MemberByCity(city)!.Endpoint.TrimEnd('/') + "/counter/";

    /// <summary>The private key of <paramref name="city"/>'s counter principal, as <c>network init</c> wrote it (PKCS#8 PEM, Ed25519).</summary>
    public string CounterKey(string city) => Path.Combine(Net.Dir, city, "keys", "clients", "counter.pem");

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: apt-get install chromium (.ci/run does)");
        await Net.InitializeAsync();
        Genesis = NetworkConfig.Parse(await File.ReadAllTextAsync(Net.Genesis));
        await Net.MustAsync("license", "issue", "--city", LedgerNetwork.Changsha, "--type", "营业执照", "--serial", "000030", "--holder-name", "长沙迁出窗口测试有限公司",
            "--holder-code", LedgerNetwork.Uscc("91430100HUREN0201"), "--field", "类型=有限责任公司", "--field", "住所=湖南省长沙市", "--field", "成立日期=2024-03-01", "--field", "经营范围=软件开发");
        await Net.MustAsync("license", "transfer", TransferredLicense, "--to", LedgerNetwork.Zhuzhou, "--city", LedgerNetwork.Changsha);
        var renamed = Schemas.Validation.LicenseIdentifier.Create(LedgerNetwork.BusinessLicense, LedgerNetwork.Uscc($"11{LedgerNetwork.Zhuzhou}HUREN0101"), "000030", "001").ToString();
        await Net.MustAsync("license", "accept", TransferredLicense, "--city", LedgerNetwork.Zhuzhou, "--new-id", renamed);
        await Net.WaitUntilKnownAsync(LedgerNetwork.Zhuzhou, TransferredLicense, "TRANSFERRED");
        await SealNoticeAsync();
        Directory.CreateDirectory(Artifacts);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true });
        Assertions.SetDefaultExpectTimeout(30_000);
    }

    /// <summary>
    /// Changsha registers a seal-making authority and its market regulator's seal, the regulator seals a notice and
    /// records the use (the demo's chapter 8), and Xiangtan's node comes to verify it VALID on final checkpoints.
    /// </summary>
    private async Task SealNoticeAsync()
    {
        var folder = Path.GetDirectoryName(SealedNotice)!;
        Directory.CreateDirectory(folder);
        string makerKey = Path.Combine(folder, "maker.pem"), makerCert = Path.Combine(folder, "maker.crt"), signerKey = Path.Combine(folder, "signer.pem"), signerCert = Path.Combine(folder, "signer.crt");
        string changsha = LedgerNetwork.Changsha;
        await MustLocalAsync("keys", "gen", "--alg", "sm2", "-o", makerKey);
        await Net.MustAsync("issuer", "register", "--city", changsha, "--id", $"{changsha}-seals", "--name", "长沙市电子印章制作中心",
            "--authority-code", LedgerNetwork.Uscc($"12{changsha}HUREN0401"), "--department-kind", "public-security", "--seals", "1", "--seal-maker-key", makerKey);
        await MustLocalAsync("seal", "cert", "--key", makerKey, "--subject", "CN=长沙市电子印章制作中心,O=长沙市电子印章制作中心,C=CN", "--ca", "-o", makerCert);
        await MustLocalAsync("keys", "gen", "--alg", "sm2", "-o", signerKey);
        await MustLocalAsync("seal", "cert", "--key", signerKey, "--subject", "CN=张三,O=长沙市市场监督管理局,C=CN", "--issuer-key", makerKey, "--issuer-cert", makerCert, "-o", signerCert);
        await Net.MustAsync("seal", "register", "--city", changsha, "--es-id", SealId, "--name", "长沙市市场监督管理局", "--owner-code", LedgerNetwork.Uscc($"11{changsha}HUREN0101"),
            "--maker-key", makerKey, "--maker-cert", makerCert, "--signer-cert", signerCert);
        await File.WriteAllTextAsync(SealedNotice, "长沙市市场监督管理局 准予登记通知书：长沙互认科技有限公司，准予设立登记。\n");
        await Net.MustAsync("seal", "use", SealedNotice, "--city", changsha, "--seal-id", SealId, "--signer-key", signerKey, "--signer-cert", signerCert);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var last = "";
        while (DateTime.UtcNow < deadline)
        {
            var (code, output, error) = await Net.RunAsync("seal", "verify", SealedNotice, NoticeSignature, "--city", LedgerNetwork.Xiangtan);
            if (code == 0) return;
            last = output + error;
            await Task.Delay(200);
        }
        Assert.Fail($"the sealed notice did not verify VALID at Xiangtan within 60 s: {last}");
    }

    private static async Task MustLocalAsync(params string[] args)
    {
        var (code, output, error) = await CliRunner.RunAsync(args);
        Assert.True(code == 0, $"huren {string.Join(' ', args)} exited {code}: {error}{output}");
    }

    /// <summary>A fresh browser context (no shared storage): the nodes' certificates are pinned by the genesis, not by a CA the browser knows.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new() { IgnoreHTTPSErrors = true, ViewportSize = new() { Width = width, Height = height }, Locale = "zh-CN" });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async Task ScreenshotAsync(IPage page, string name)
        => await page.ScreenshotAsync(new() { Path = Path.Combine(Artifacts, name + ".png"), FullPage = true });

    /// <summary>Runs <c>curl</c> (HTTP/1.1 forced) and returns its exit code, the status line's code and the body.</summary>
    public static async Task<(int ExitCode, string Status, string Body)> CurlHttp11Async(string url)
    {
        var start = new ProcessStartInfo("curl", ["--http1.1", "--insecure", "--silent", "--show-error", "--max-time", "20", "--write-out", "\n%{http_version} %{http_code}", url])
        {
            RedirectStandardOutput = true, RedirectStandardError = true,
        };
        using var curl = Process.Start(start)!;
        var output = curl.StandardOutput.ReadToEndAsync();
        var error = curl.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await curl.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            curl.Kill();
            throw;
        }
        var text = await output;
        var split = text.LastIndexOf('\n');
        return (curl.ExitCode, split < 0 ? "" : text[(split + 1)..], (split < 0 ? text : text[..split]) + await error);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        await Net.DisposeAsync();
    }

    private static string SolutionDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Huren.slnx"))) return dir.FullName;
        }
        return Path.GetTempPath();
    }
}
