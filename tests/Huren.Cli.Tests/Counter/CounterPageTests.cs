using System.Text.Json;
using System.Text.RegularExpressions;
using Deque.AxeCore.Playwright;
using Huren.Cli.Tests.Ledger;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Huren.Cli.Tests.Counter;

/// <summary>
/// The counter page (窗口核验) in Debian's chromium against a real three-node network: a Zhuzhou counter signs in with
/// its key and verifies Changsha's licenses by typed id, QR photo and evidence bundle, records a use that 'huren trace'
/// then shows, switches to English; unauthenticated calls are refused; the page passes an axe scan.
/// </summary>
public sealed partial class CounterPageTests(CounterPageFixture bench) : IClassFixture<CounterPageFixture>
{
    private LedgerNetwork Net => bench.Net;

    [Fact]
    public async Task Licenses_typed_by_id_at_another_citys_counter_get_their_verdict_with_the_evidence_line()
    {
        var page = await SignedInAsync(LedgerNetwork.Zhuzhou);
        var version = bench.Genesis.Version;

        await AskAsync(page, Net.ValidLicense);
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("有效");
        await Expect(page.Locator("#verdict-box")).ToHaveClassAsync(ValidClass());
        await Expect(page.Locator("#verdict")).ToBeFocusedAsync();
        await Expect(page.Locator("#facts")).ToContainTextAsync("长沙互认科技有限公司");
        await Expect(page.Locator("#facts")).ToContainTextAsync("营业执照");
        await Expect(page.Locator("#facts")).ToContainTextAsync("huren.cz-t/430100 · 430100-amr");
        await Expect(page.Locator("#facts")).ToContainTextAsync("430200");
        await Expect(page.Locator("#evidence-line")).ToHaveTextAsync(new Regex($"^证据已依据网络配置 v{version} 核验；检查点已终局（[1-9][0-9]*/[1-9][0-9]* 个见证签名）$"));
        // Evidence details are folded until opened.
        await Expect(page.Locator("#evidence")).Not.ToHaveAttributeAsync("open", "");
        await Expect(page.Locator("#evidence-body table").First).Not.ToBeVisibleAsync();
        await bench.ScreenshotAsync(page, "valid-by-id");

        await AskAsync(page, Net.RevokedLicense);
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("已吊销");
        await Expect(page.Locator("#verdict-box")).ToHaveClassAsync(new Regex(@"\brevoked\b"));
        await Expect(page.Locator("#evidence-line")).ToContainTextAsync("检查点已终局");
        await bench.ScreenshotAsync(page, "revoked-by-id");

        await AskAsync(page, bench.TransferredLicense);
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("已转出");
        await Expect(page.Locator("#verdict-box")).ToHaveClassAsync(new Regex(@"\btransferred\b"));
        await bench.ScreenshotAsync(page, "transferred-by-id");

        await AskAsync(page, LedgerNetwork.LicenseId("000099"));
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("未找到");
        await Expect(page.Locator("#verdict-box")).ToHaveClassAsync(new Regex(@"\bunknown\b"));
        await Expect(page.Locator("#use-open")).ToBeHiddenAsync();
        await bench.ScreenshotAsync(page, "unknown-by-id");

        // A typo is an error about the id, never "not found".
        await page.Locator("#query").FillAsync(Net.ValidLicense[..^1] + (Net.ValidLicense[^1] == '0' ? '1' : '0'));
        await page.Locator("#query").PressAsync("Enter");
        await Expect(page.Locator("#ask-error")).ToContainTextAsync("check");
    }

    [Fact]
    public async Task An_uploaded_photo_of_the_license_qr_code_is_read_by_the_node_and_its_entry_proven()
    {
        var png = Path.Combine(Net.Dir, "valid-qr.png");
        var output = await Net.MustAsync("license", "qr", Net.ValidLicense, "-o", png, "--city", LedgerNetwork.Changsha, "--json");
        var reference = JsonDocument.Parse(output).RootElement.GetProperty("reference").GetString()!;
        Assert.StartsWith($"huren:license?v=1&id={Net.ValidLicense}&o=huren.cz-t%2F430100&i=", reference, StringComparison.Ordinal);

        var page = await SignedInAsync(LedgerNetwork.Zhuzhou);
        await page.Locator("#photo").SetInputFilesAsync(png);
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("有效");
        await Expect(page.Locator("#facts")).ToContainTextAsync("二维码照片");
        await Expect(page.Locator("#facts")).ToContainTextAsync("二维码所指条目已由证据证实");
        await bench.ScreenshotAsync(page, "valid-by-qr-photo");

        // The reference pasted as text resolves the same way; one naming another leaf hash is not believed.
        await AskAsync(page, reference);
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("有效");
        var hash = reference[(reference.LastIndexOf("&h=", StringComparison.Ordinal) + 3)..];
        var forged = reference.Replace("&h=" + hash, "&h=" + (hash[0] == 'A' ? 'B' : 'A') + hash[1..], StringComparison.Ordinal);
        await AskAsync(page, forged);
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("未通过核验");
        await Expect(page.Locator("#verdict-sub")).ToContainTextAsync("another leaf hash");

        // A picture without a code gets a clear error.
        await page.Locator("#photo").SetInputFilesAsync(new FilePayload { Name = "blank.png", MimeType = "image/png", Buffer = Convert.FromBase64String(BlankPng) });
        await Expect(page.Locator("#ask-error")).ToContainTextAsync("no QR code was found");
    }

    [Fact]
    public async Task An_uploaded_evidence_bundle_is_verified_offline_and_a_tampered_one_refused()
    {
        var bundlePath = Path.Combine(Net.Dir, "page-valid-evidence.json");
        await Net.MustAsync("bundle", "export", Net.ValidLicense, "-o", bundlePath);
        var page = await SignedInAsync(LedgerNetwork.Xiangtan);

        await page.Locator("#bundle").SetInputFilesAsync(bundlePath);
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("有效");
        await Expect(page.Locator("#facts")).ToContainTextAsync("离线证据包");
        await Expect(page.Locator("#facts")).ToContainTextAsync("长沙互认科技有限公司");
        await Expect(page.Locator("#evidence-line")).ToContainTextAsync("检查点已终局");
        await bench.ScreenshotAsync(page, "valid-by-bundle");

        // One byte of the license's entry changed (its holder's name): the entry no longer matches its signature and proof.
        var json = await File.ReadAllTextAsync(bundlePath);
        using var document = JsonDocument.Parse(json);
        var holder = System.Text.Encoding.UTF8.GetBytes("长沙互认科技有限公司");
        var leaf = document.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("leaf").GetString()!)
            .Single(l => Convert.FromBase64String(l).AsSpan().IndexOf(holder) >= 0);
        var bytes = Convert.FromBase64String(leaf);
        var at = bytes.AsSpan().IndexOf(holder);
        bytes[at + holder.Length - 1] ^= 0x01;
        var tampered = json.Replace(leaf, Convert.ToBase64String(bytes), StringComparison.Ordinal);
        await page.Locator("#bundle").SetInputFilesAsync(new FilePayload { Name = "tampered.json", MimeType = "application/json", Buffer = System.Text.Encoding.UTF8.GetBytes(tampered) });
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("未通过核验");
        await Expect(page.Locator("#verdict-box")).ToHaveClassAsync(new Regex(@"\bnot-verified\b"));
        await Expect(page.Locator("#evidence-line")).ToContainTextAsync("证据未通过核验");
        await Expect(page.Locator("#use-open")).ToBeHiddenAsync();
        await bench.ScreenshotAsync(page, "tampered-bundle-refused");

        await page.Locator("#bundle").SetInputFilesAsync(new FilePayload { Name = "garbage.json", MimeType = "application/json", Buffer = "{\"not\":\"a bundle\"}"u8.ToArray() });
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("未通过核验");
    }

    [Fact]
    public async Task A_document_sealed_in_Changsha_is_verified_at_the_Xiangtan_counter_and_an_altered_copy_is_refused()
    {
        var page = await SignedInAsync(LedgerNetwork.Xiangtan);
        await Expect(page.Locator("#sealed-box")).ToBeVisibleAsync();
        // Nothing chosen: said so, nothing sent.
        await page.Locator("#sealed-verify").ClickAsync();
        await Expect(page.Locator("#ask-error")).ToHaveTextAsync("请选择文件和其签章数据文件（.ses）。");

        var notice = await File.ReadAllBytesAsync(bench.SealedNotice);
        await page.Locator("#sealed-document").SetInputFilesAsync(bench.SealedNotice);
        await page.Locator("#sealed-signature").SetInputFilesAsync(bench.NoticeSignature);
        await page.Locator("#sealed-verify").ClickAsync();
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("有效");
        await Expect(page.Locator("#verdict-box")).ToHaveClassAsync(ValidClass());
        await Expect(page.Locator("#verdict-sub")).ToHaveTextAsync("证据已核验，检查点已终局");
        var facts = page.Locator("#facts");
        await Expect(facts).ToContainTextAsync(CounterPageFixture.SealId);
        await Expect(facts).ToContainTextAsync("长沙市市场监督管理局");
        await Expect(facts).ToContainTextAsync("CN=张三");
        await Expect(facts).ToContainTextAsync("huren.cz-t/430100 · 430100-seals");
        await Expect(facts).ToContainTextAsync($"notice.txt ({notice.Length} 字节)");
        // The digest the node computed is the document's SM3: the document itself reached no log or file.
        await Expect(facts).ToContainTextAsync(Convert.ToHexStringLower(Sdk.Crypto.Digests.Sm3(notice)));
        await Expect(facts).ToContainTextAsync("用章文件");
        await Expect(page.Locator("#evidence-line")).ToContainTextAsync("检查点已终局");
        await Expect(page.Locator("#use-open")).ToBeHiddenAsync();
        await bench.ScreenshotAsync(page, "sealed-document-valid");

        // One character of the notice changed: the signature no longer covers it, whatever the ledger holds.
        var altered = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(notice).Replace("准予设立", "不予设立", StringComparison.Ordinal));
        await page.Locator("#sealed-document").SetInputFilesAsync(new FilePayload { Name = "notice-altered.txt", MimeType = "text/plain", Buffer = altered });
        await page.Locator("#sealed-verify").ClickAsync();
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("签章无效");
        await Expect(page.Locator("#verdict-box")).ToHaveClassAsync(new Regex(@"\bbad_signature\b"));
        // The node found the seal, so its registration comes as evidence too; the verdict is the signature's.
        await Expect(page.Locator("#evidence-line")).ToContainTextAsync("检查点已终局");
        await bench.ScreenshotAsync(page, "sealed-document-altered");

        // A file that is no seal signature: judged by itself, with nothing of the ledger to show.
        await page.Locator("#sealed-document").SetInputFilesAsync(bench.SealedNotice);
        await page.Locator("#sealed-signature").SetInputFilesAsync(new FilePayload { Name = "notice.txt.ses", MimeType = "application/octet-stream", Buffer = notice });
        await page.Locator("#sealed-verify").ClickAsync();
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("签章数据无法识读");
        await Expect(page.Locator("#evidence-line")).ToHaveTextAsync("此结论由签章数据本身得出，无需账本证据");

        // The API with this session: what is wrong is said, and a signature that is not one is judged MALFORMED.
        var token = await page.EvaluateAsync<string>("() => state.token");
        var api = page.Context.APIRequest;
        var url = bench.PageUrl(LedgerNetwork.Xiangtan) + "api/verify/sealed-document";
        var bearer = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" };
        async Task<(int Status, string Body)> PostAsync(params (string Name, byte[] Bytes)[] parts)
        {
            var form = api.CreateFormData();
            foreach (var (name, bytes) in parts) form.Append(name, new FilePayload { Name = name + ".bin", MimeType = "application/octet-stream", Buffer = bytes });
            var response = await api.PostAsync(url, new() { Multipart = form, Headers = bearer });
            return (response.Status, await response.TextAsync());
        }
        var signature = await File.ReadAllBytesAsync(bench.NoticeSignature);
        // Bodies that are not whole multipart: no boundary line at all, and a part cut off before its closing boundary.
        foreach (var unfinished in new[] { "hello", "--x\r\nContent-Disposition: form-data; name=\"document\"; filename=\"a.txt\"\r\n\r\nabc" })
        {
            var cut = await api.PostAsync(url, new()
            {
                Data = unfinished, Headers = new Dictionary<string, string>(bearer) { ["Content-Type"] = "multipart/form-data; boundary=x" },
            });
            Assert.Equal(400, cut.Status);
            Assert.Contains("not well-formed multipart/form-data", await cut.TextAsync(), StringComparison.Ordinal);
        }
        var json = await api.PostAsync(url, new() { DataObject = new { document = "x" }, Headers = bearer });
        Assert.Equal(400, json.Status);
        Assert.Contains("multipart/form-data", await json.TextAsync(), StringComparison.Ordinal);
        var (status, body) = await PostAsync(("document", notice));
        Assert.Equal(400, status);
        Assert.Contains("seal signature file", body, StringComparison.Ordinal);
        (status, body) = await PostAsync(("document", notice), ("signature", signature), ("picture", [1, 2, 3]));
        Assert.Equal(400, status);
        Assert.Contains("unexpected part 'picture'", body, StringComparison.Ordinal);
        (status, body) = await PostAsync(("document", notice), ("signature", signature), ("signature", signature));
        Assert.Equal(400, status);
        Assert.Contains("sent twice", body, StringComparison.Ordinal);
        (status, body) = await PostAsync(("document", notice), ("signature", new byte[2 * 1024 * 1024 + 1]));
        Assert.Equal(413, status);
        (status, body) = await PostAsync(("signature", "not DER"u8.ToArray()), ("document", notice));
        Assert.Equal(200, status);
        var malformed = JsonDocument.Parse(body).RootElement;
        Assert.Equal("believed", malformed.GetProperty("status").GetString());
        Assert.Equal("MALFORMED", malformed.GetProperty("verdict").GetString());
        // Nothing of the ledger to show: the verdict follows from the signature itself.
        Assert.Equal(JsonValueKind.Null, malformed.GetProperty("evidence").ValueKind);
    }

    [Fact]
    public async Task A_use_recorded_from_the_page_is_signed_by_the_counter_and_shows_in_huren_trace()
    {
        var page = await SignedInAsync(LedgerNetwork.Zhuzhou);
        await AskAsync(page, Net.ValidLicense);
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("有效");

        await page.Locator("#use-open").ClickAsync();
        await Expect(page.Locator("#matter-code")).ToBeFocusedAsync();
        await page.Keyboard.TypeAsync("QT-0042");
        await page.Locator("#matter-name").FillAsync("窗口页面留痕测试");
        var response = await page.RunAndWaitForResponseAsync(
            () => page.Locator("#matter-name").PressAsync("Enter"),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/counter/api/uses", StringComparison.Ordinal));
        Assert.Equal(200, response.Status);
        var recorded = JsonDocument.Parse(await response.TextAsync()).RootElement;
        var origin = recorded.GetProperty("origin").GetString();
        var index = recorded.GetProperty("index").GetUInt64();
        var leafHash = recorded.GetProperty("leafHash").GetString();
        Assert.Equal("huren.cz-t/430200", origin);
        await Expect(page.Locator("#use-result")).ToContainTextAsync($"已留痕：huren.cz-t/430200 第 {index} 条");
        await bench.ScreenshotAsync(page, "use-recorded");

        // The slip printed for the clerk carries the verdict and the use.
        await page.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(page.Locator("#slip")).ToBeVisibleAsync();
        await Expect(page.Locator("#slip .slip-verdict")).ToHaveTextAsync("有效");
        await Expect(page.Locator("#slip")).ToContainTextAsync($"第 {index} 条");
        await Expect(page.Locator("#main")).ToBeHiddenAsync();
        await page.PdfAsync(new() { Path = Path.Combine(bench.Artifacts, "verification-slip.pdf") });
        await page.EmulateMediaAsync(new() { Media = Media.Screen });

        var trace = JsonDocument.Parse(await Net.MustAsync("trace", Net.ValidLicense, "--json")).RootElement;
        var uses = trace.GetProperty("logs").EnumerateArray().SelectMany(l => l.GetProperty("entries").EnumerateArray())
            .Where(e => e.GetProperty("kind").GetString() == "license.use" && e.GetProperty("index").GetUInt64() == index && e.GetProperty("origin").GetString() == origin)
            .ToList();
        var use = Assert.Single(uses);
        Assert.Equal(leafHash, use.GetProperty("leafHash").GetString());
        Assert.Equal("430200-window", use.GetProperty("issuerId").GetString());
        Assert.Contains("窗口页面留痕测试", use.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_English_switch_relabels_the_page_and_the_verdict_and_is_remembered()
    {
        var page = await SignedInAsync(LedgerNetwork.Zhuzhou);
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");
        await AskAsync(page, Net.RevokedLicense);
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("已吊销");

        await page.Locator("#lang").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("REVOKED");
        await Expect(page.Locator("header h1")).ToHaveTextAsync("Counter verification");
        await Expect(page.Locator("#lang")).ToHaveTextAsync("中文");
        await AskAsync(page, Net.ValidLicense);
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("VALID");
        await Expect(page.Locator("#evidence-line")).ToHaveTextAsync(new Regex($"^evidence verified against network configuration v{bench.Genesis.Version}; checkpoint final \\([1-9][0-9]* of [1-9][0-9]* cosignatures\\)$"));
        await bench.ScreenshotAsync(page, "english-valid");

        await page.ReloadAsync();
        await Expect(page.Locator("header h1")).ToHaveTextAsync("Counter verification");
    }

    [Fact]
    public async Task Unauthenticated_calls_and_non_counter_keys_are_refused()
    {
        var page = await bench.NewPageAsync();
        var url = bench.PageUrl(LedgerNetwork.Zhuzhou);
        await page.GotoAsync(url);
        await Expect(page.Locator("#login")).ToBeVisibleAsync();
        await Expect(page.Locator("#desk")).ToBeHiddenAsync();

        var api = page.Context.APIRequest;
        var anonymous = await api.PostAsync(url + "api/verify", new() { DataObject = new { query = Net.ValidLicense } });
        Assert.Equal(401, anonymous.Status);
        Assert.Contains("sign in", await anonymous.TextAsync(), StringComparison.Ordinal);
        var madeUp = await api.PostAsync(url + "api/verify", new() { DataObject = new { query = Net.ValidLicense }, Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer abc" } });
        Assert.Equal(401, madeUp.Status);
        Assert.Equal(401, (await api.PostAsync(url + "api/uses/prepare", new() { DataObject = new { licenseId = Net.ValidLicense } })).Status);
        Assert.Equal(401, (await api.GetAsync(url + "api/no-such-thing")).Status);
        // The open sign-in calls take a few kilobytes, and a principal's name of at most 128 characters (it is logged
        // when refused); before, they took the upload limit (8 MiB) and any name.
        var longName = await api.PostAsync(url + "api/session", new() { DataObject = new { principal = new string('c', 129), nonce = "n", signature = "AA==" } });
        Assert.Equal(400, longName.Status);
        Assert.Contains("at most 128 characters", await longName.TextAsync(), StringComparison.Ordinal);
        var large = await api.PostAsync(url + "api/session", new() { DataObject = new { principal = "counter", nonce = new string('n', 8192), signature = "AA==" } });
        Assert.Equal(400, large.Status);

        // The auditor's own key does not open a counter session, nor the counter's key under the auditor's name.
        await page.Locator("#principal").FillAsync("auditor");
        await page.Locator("#keyfile").SetInputFilesAsync(Path.Combine(Net.Dir, LedgerNetwork.Zhuzhou, "keys", "clients", "auditor.pem"));
        await page.Locator("#principal").PressAsync("Enter");
        await Expect(page.Locator("#login-error")).ToContainTextAsync("is not a counter of this node");
        await Expect(page.Locator("#desk")).ToBeHiddenAsync();
        // Another city's counter key is not this city's counter.
        await page.Locator("#principal").FillAsync("counter");
        await page.Locator("#keyfile").SetInputFilesAsync(bench.CounterKey(LedgerNetwork.Changsha));
        await page.Locator("#principal").PressAsync("Enter");
        await Expect(page.Locator("#login-error")).ToContainTextAsync("the key does not match");

        // Signing out ends the session on the node: its token no longer works.
        var signIn = await page.RunAndWaitForResponseAsync(async () =>
            {
                await page.Locator("#keyfile").SetInputFilesAsync(bench.CounterKey(LedgerNetwork.Zhuzhou));
                await page.Locator("#principal").PressAsync("Enter");
            },
            r => r.Request.Method == "POST" && r.Url.EndsWith("/counter/api/session", StringComparison.Ordinal));
        var token = JsonDocument.Parse(await signIn.TextAsync()).RootElement.GetProperty("token").GetString();
        await Expect(page.Locator("#desk")).ToBeVisibleAsync();
        var bearer = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" };
        Assert.Equal(200, (await api.GetAsync(url + "api/session", new() { Headers = bearer })).Status);
        await page.Locator("#signout").ClickAsync();
        await Expect(page.Locator("#login")).ToBeVisibleAsync();
        var after = await api.PostAsync(url + "api/verify", new() { DataObject = new { query = Net.ValidLicense }, Headers = bearer });
        Assert.Equal(401, after.Status);
        Assert.Contains("the session has ended", await after.TextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_has_no_serious_or_critical_accessibility_violations_and_fits_a_small_screen()
    {
        var page = await bench.NewPageAsync();
        await page.GotoAsync(bench.PageUrl(LedgerNetwork.Zhuzhou));
        await AssertAccessibleAsync(page, "login");

        page = await SignedInAsync(LedgerNetwork.Zhuzhou, width: 360, height: 740);
        await AskAsync(page, Net.ValidLicense);
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("有效");
        await page.Locator("#evidence summary").ClickAsync();
        await Expect(page.Locator("#evidence-body table").First).ToBeVisibleAsync();
        await page.Locator("#use-open").ClickAsync();
        await AssertAccessibleAsync(page, "valid-evidence-open");
        // Readable on a small screen: nothing wider than the viewport.
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways at 360 px");
        await bench.ScreenshotAsync(page, "small-screen-valid");

        await AskAsync(page, Net.RevokedLicense);
        await Expect(page.Locator("#verdict")).ToHaveTextAsync("已吊销");
        await AssertAccessibleAsync(page, "revoked");
    }

    [Fact]
    public async Task Metrics_and_health_answer_curl_over_http_1_1_on_the_grpc_port()
    {
        var endpoint = bench.Genesis.MemberByCity(LedgerNetwork.Zhuzhou)!.Endpoint.TrimEnd('/');
        var (code, status, body) = await CounterPageFixture.CurlHttp11Async(endpoint + "/metrics");
        Assert.True(code == 0, body);
        Assert.Equal("1.1 200", status);
        Assert.Contains("# TYPE ", body, StringComparison.Ordinal);
        Assert.Contains("huren_", body, StringComparison.Ordinal);

        (code, status, body) = await CounterPageFixture.CurlHttp11Async(endpoint + "/healthz");
        Assert.True(code == 0, body);
        Assert.Equal("1.1 200", status);
        Assert.Equal("Healthy", body);

        (code, status, _) = await CounterPageFixture.CurlHttp11Async(endpoint + "/counter/");
        Assert.Equal(0, code);
        Assert.Equal("1.1 200", status);
    }

    private async Task AssertAccessibleAsync(IPage page, string name)
    {
        var result = await page.RunAxe();
        var bad = result.Violations.Where(v => v.Impact is "serious" or "critical").Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Select(n => n.Target?.ToString()))}").ToList();
        await File.WriteAllTextAsync(Path.Combine(bench.Artifacts, $"axe-{name}.txt"),
            string.Join('\n', result.Violations.Select(v => $"{v.Id} ({v.Impact}): {v.Help}")) + $"\n{result.Passes.Length} rules passed\n");
        Assert.True(bad.Count == 0, string.Join('\n', bad));
        Assert.NotEmpty(result.Passes);
    }

    private async Task<IPage> SignedInAsync(string city, int width = 1280, int height = 900)
    {
        var page = await bench.NewPageAsync(width, height);
        await page.GotoAsync(bench.PageUrl(city));
        await Expect(page.Locator("#principal")).ToBeFocusedAsync();
        await page.Locator("#principal").FillAsync("counter");
        await page.Locator("#keyfile").SetInputFilesAsync(bench.CounterKey(city));
        await page.Locator("#principal").PressAsync("Enter");
        await Expect(page.Locator("#desk")).ToBeVisibleAsync();
        await Expect(page.Locator("#session-info")).ToContainTextAsync($"{city}-window");
        await Expect(page.Locator("#query")).ToBeFocusedAsync();
        return page;
    }

    /// <summary>Types the question and presses Enter, as a clerk does; waits until the answer is shown.</summary>
    private static async Task AskAsync(IPage page, string query)
    {
        await page.Locator("#query").FillAsync(query);
        await page.RunAndWaitForResponseAsync(() => page.Locator("#query").PressAsync("Enter"),
            r => r.Request.Method == "POST" && r.Url.EndsWith("/counter/api/verify", StringComparison.Ordinal));
        await Expect(page.Locator("#busy")).ToBeEmptyAsync();
    }

    [GeneratedRegex(@"\bvalid\b")]
    private static partial Regex ValidClass();

    // A 16 × 16 white PNG: an image with no code in it.
    private const string BlankPng = "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAD0lEQVR4nGP4jwYYRrYAAID5/wEokJxdAAAAAElFTkSuQmCC";
}
