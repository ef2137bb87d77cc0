using System.CommandLine;
using Huren.Cli.Commands.Network;
using Huren.Cli.Profiles;
using Huren.Schemas.Services;
using Huren.Schemas.Validation;

namespace Huren.Cli.Commands.Demo;

/// <summary>
/// <c>huren demo</c>: a newcomer's first run. Creates a local 长株潭 network, starts its three nodes, and tells the
/// story of cross-region recognition with the real commands (each printed before its output), then keeps the network
/// running for the user to explore (or stops it with <c>--exit</c>).
/// </summary>
internal static class DemoCommand
{
    /// <summary>Marks a folder as the demo's own, so a later run may replace it.</summary>
    internal const string MarkerFileName = ".huren-demo";

    /// <summary>
    /// How long a node may take to see another city's new entries (mirror + witness round trip). Usually a second or
    /// two; the bound is generous because on a loaded machine (a CI runner running several test projects at once) a
    /// third city's mirror has been seen to need more than 30 s. The wait ends as soon as the entry is seen.
    /// </summary>
    private static readonly TimeSpan PropagationLimit = TimeSpan.FromSeconds(120);

    public static Command Build()
    {
        var dir = new Option<string>("--dir") { Description = "Folder for the demo network (replaced if it holds an earlier demo).", DefaultValueFactory = _ => Path.Combine(".huren", "demo") };
        var basePort = new Option<int>("--base-port") { Description = "gRPC port of the first city's node; the others use the next ports.", DefaultValueFactory = _ => 7101 };
        var exit = new Option<bool>("--exit") { Description = "Stop the network when the story is told (for scripts and CI)." };
        var startTimeout = NetworkUpCommand.StartTimeoutOption();
        var demo = new Command("demo",
            "Run the Huren demo: create a local 长株潭 (Changsha–Zhuzhou–Xiangtan) network, start its three nodes, then register\n" +
            "departments, issue licenses in Changsha, verify one at a Zhuzhou counter, revoke one, transfer one to Xiangtan,\n" +
            "trace it across the three cities, export an evidence bundle and verify it offline, register the market regulator's\n" +
            "seal in Changsha and verify a notice sealed with it at a Xiangtan counter, export a license as signed XML, and let\n" +
            "Zhuzhou's 政务服务中心 obtain a Changsha license's full data across cities (share and receipt recorded, the flow traced).\n" +
            "The network then keeps running\n" +
            "for you to explore with the CLI (Ctrl-C stops it), unless --exit.") { dir, basePort, exit, startTimeout };
        demo.SetAction(async (parse, ct) =>
        {
            var directory = Path.GetFullPath(parse.GetValue(dir)!);
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            PrepareFolder(directory);
            var story = new DemoStory(directory, output, error);
            return await NetworkUpCommand.RunAsync(directory, detach: false, parse.GetValue(basePort), asJson: false, output, error, ct,
                story.TellAsync, stopAfter: parse.GetValue(exit), startTimeout: TimeSpan.FromSeconds(parse.GetValue(startTimeout))).ConfigureAwait(false);
        });
        return demo;
    }

    /// <summary>A fresh folder: an earlier demo's is removed (unless its nodes still run); anything else is refused.</summary>
    private static void PrepareFolder(string directory)
    {
        if (File.Exists(directory)) throw new CliException($"'{directory}' is a file; choose another --dir");
        if (Directory.Exists(directory) && Directory.EnumerateFileSystemEntries(directory).Any())
        {
            if (!File.Exists(Path.Combine(directory, MarkerFileName)))
            {
                throw new CliException($"'{directory}' exists and is not a Huren demo folder; choose another --dir");
            }
            foreach (var cityDirectory in Directory.EnumerateDirectories(directory))
            {
                var (state, pid, process) = NodeLauncher.FindRecorded(cityDirectory);
                process?.Dispose();
                if (state == NodeLauncher.RecordedState.Running)
                {
                    throw new CliException($"a node of the earlier demo in '{directory}' is still running (pid {pid}); stop it with 'huren network down --dir {NetworkUpCommand.Quote(directory)}'");
                }
            }
            Directory.Delete(directory, recursive: true);
        }
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, MarkerFileName), "This folder was created by 'huren demo' and is replaced by its next run.\n");
    }

    /// <summary>The story, told with the CLI's own commands.</summary>
    private sealed class DemoStory(string directory, TextWriter output, TextWriter error)
    {
        private const string Changsha = "430100";
        private const string Zhuzhou = "430200";
        private const string Xiangtan = "430300";
        private const string BusinessLicense = "11100000HUREN0001P001";
        private const string SealId = "43010020260001";
        private const string ResourceCode = "430100-YYZZ-0001";
        private const string MatterCode = "QT-0001";
        private const string ExchangePurpose = "企业跨域经营备案";
        private const string ExchangeLegalBasis = "《湖南省政务数据共享条例》";
        /// <summary>The exchange's share id, fixed so the reader can type the follow-up commands.</summary>
        internal const string DemoShareId = "430200-demo-share-1";

        private string Profile => Path.Combine(directory, CliProfile.DefaultFileName);

        public async Task<int> TellAsync(CancellationToken ct)
        {
            try
            {
                return await TellStoryAsync(ct).ConfigureAwait(false);
            }
            catch (DemoStepFailed failed)
            {
                await error.WriteLineAsync($"The demo stopped: {failed.Message}").ConfigureAwait(false);
                return ExitCodes.Error;
            }
        }

        private async Task<int> TellStoryAsync(CancellationToken ct)
        {
            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync($"The commands below are the CLI's own; they run with --profile {Profile}").ConfigureAwait(false);
            await output.WriteLineAsync($"(set HUREN_PROFILE={Profile} to type them yourself).").ConfigureAwait(false);

            await ChapterAsync("1. Each city's data office registers its departments (city root key signs, operator submits)").ConfigureAwait(false);
            foreach (var (city, name) in new[] { (Changsha, "长沙市"), (Zhuzhou, "株洲市"), (Xiangtan, "湘潭市") })
            {
                // --may-share: both departments take part in data exchanges (chapter 10) as provider or consumer.
                await RunAsync(ExitCodes.Success, ct, "issuer", "register", "--city", city, "--id", $"{city}-amr", "--name", $"{name}市场监督管理局",
                    "--authority-code", Uscc($"11{city}HUREN0101"), "--license-types", BusinessLicense, "--may-share").ConfigureAwait(false);
                await RunAsync(ExitCodes.Success, ct, "issuer", "register", "--city", city, "--id", $"{city}-window", "--name", $"{name}政务服务中心",
                    "--authority-code", Uscc($"12{city}HUREN0301"), "--department-kind", "administrative-approval", "--may-share").ConfigureAwait(false);
            }

            await ChapterAsync("2. Changsha's market regulator issues three business licenses (营业执照)").ConfigureAwait(false);
            string[] companies = ["长沙互认科技有限公司", "长沙湘江数据服务有限公司", "长沙麓山软件有限公司"];
            var ids = new string[companies.Length];
            for (var i = 0; i < companies.Length; i++)
            {
                var serial = $"{i + 1:000000}";
                ids[i] = LicenseIdentifier.Create(BusinessLicense, Uscc($"11{Changsha}HUREN0101"), serial, "001").ToString();
                await RunAsync(ExitCodes.Success, ct, "license", "issue", "--city", Changsha, "--type", "营业执照", "--serial", serial,
                    "--holder-name", companies[i], "--holder-code", Uscc($"9143010{i}HUREN0201"),
                    "--field", "类型=有限责任公司", "--field", "住所=湖南省长沙市岳麓区", "--field", "成立日期=2024-03-01", "--field", "经营范围=软件开发、数据处理").ConfigureAwait(false);
            }

            await ChapterAsync("3. A counter in Zhuzhou (窗口) verifies a Changsha license — the evidence is checked locally — and records its use").ConfigureAwait(false);
            await WaitForVerdictAsync(Zhuzhou, ids[0], LicenseVerdict.Valid, ct).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "license", "verify", ids[0], "--city", Zhuzhou).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "license", "use", ids[0], "--city", Zhuzhou,
                "--matter-code", "QT-0001", "--matter-name", "企业跨域经营备案", "--purpose", "跨域通办：核验营业执照").ConfigureAwait(false);

            await ChapterAsync("4. Changsha revokes the second license (吊销); Zhuzhou's verdict changes").ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "license", "revoke", ids[1], "--city", Changsha, "--reason", "吊销营业执照").ConfigureAwait(false);
            await WaitForVerdictAsync(Zhuzhou, ids[1], LicenseVerdict.Revoked, ct).ConfigureAwait(false);
            await RunAsync(ExitCodes.Negative, ct, "license", "verify", ids[1], "--city", Zhuzhou).ConfigureAwait(false);

            await ChapterAsync("5. The third company moves to Xiangtan: Changsha transfers the license, Xiangtan accepts it").ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "license", "transfer", ids[2], "--city", Changsha, "--to", Xiangtan).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "license", "accept", ids[2], "--city", Xiangtan).ConfigureAwait(false);
            await WaitForOriginAsync(Zhuzhou, ids[2], $"/{Xiangtan}", ct).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "license", "verify", ids[2], "--city", Zhuzhou).ConfigureAwait(false);

            await ChapterAsync("6. Where it came from, where it went (来源可查、去向可追): the trace across the three cities").ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "trace", ids[2]).ConfigureAwait(false);

            await ChapterAsync("7. An evidence bundle, verified offline with nothing but the network configuration").ConfigureAwait(false);
            var bundle = Path.Combine(directory, "evidence-license-1.json");
            await RunAsync(ExitCodes.Success, ct, "bundle", "export", ids[0], "--city", Zhuzhou, "-o", bundle).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "license", "verify", "--bundle", bundle, "--network", Path.Combine(directory, "genesis.json")).ConfigureAwait(false);

            await TellSealsAsync(ct).ConfigureAwait(false);

            await ChapterAsync("9. The first license's metadata as signed XML (XMLDSig) for a provincial system, checked at Xiangtan").ConfigureAwait(false);
            var xml = Path.Combine(directory, "license-1.xml");
            await RunAsync(ExitCodes.Success, ct, "license", "export", ids[0], "--xml", "--city", Changsha, "-o", xml).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "license", "verify", "--xml", xml, "--city", Xiangtan).ConfigureAwait(false);

            await TellExchangeAsync(ids[0], companies[0], xml, ct).ConfigureAwait(false);

            await ChapterAsync("11. An auditor re-verifies Changsha's whole log from Xiangtan's copy").ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "audit", "log", Changsha, "--city", Xiangtan).ConfigureAwait(false);

            await output.WriteLineAsync().ConfigureAwait(false);
            await output.WriteLineAsync("The story is told. Explore on your own, e.g.:").ConfigureAwait(false);
            await output.WriteLineAsync($"  export HUREN_PROFILE={Profile}").ConfigureAwait(false);
            await output.WriteLineAsync("  huren license list --city 430300").ConfigureAwait(false);
            await output.WriteLineAsync($"  huren trace {ids[0]} --dot | dot -Tsvg -o trace.svg").ConfigureAwait(false);
            await output.WriteLineAsync("  huren checkpoint 430100").ConfigureAwait(false);
            await output.WriteLineAsync("  huren catalog list --city 430200").ConfigureAwait(false);
            await output.WriteLineAsync($"  huren trace {ids[0]} --flows --dot | dot -Tsvg -o flows.svg").ConfigureAwait(false);
            await output.WriteLineAsync("(with 'dotnet run --project cli/Huren.Cli --' in place of 'huren' when the tool is not installed)").ConfigureAwait(false);
            return ExitCodes.Success;
        }

        /// <summary>
        /// Chapter 10 (跨域数据共享): Changsha's market regulator publishes a catalogue resource for its business licenses and
        /// the first license's full data and document; Zhuzhou's 政务服务中心, at its window, asks its own node for them for
        /// 企业跨域经营备案 — Changsha's node records the share, Zhuzhou's the receipt — and fetches the data; then the auditor
        /// sees the flow (trace --flows, audit flows) and saves the exchange's evidence, verified offline.
        /// </summary>
        private async Task TellExchangeAsync(string licenseId, string company, string document, CancellationToken ct)
        {
            await ChapterAsync("10. Zhuzhou's 政务服务中心 obtains a Changsha business license's full data and document for 企业跨域经营备案 (跨域数据共享)").ConfigureAwait(false);
            var folder = Path.Combine(directory, "exchange");
            Directory.CreateDirectory(folder);
            await RunAsync(ExitCodes.Success, ct, "catalog", "publish", "--city", Changsha, "--as", "amr", "--code", ResourceCode, "--name", "营业执照信息",
                "--sharing", "无条件", "--field", "名称", "--field", "统一社会信用代码", "--field", "类型", "--field", "住所", "--field", "成立日期", "--field", "经营范围",
                "--field", "document", "--update-frequency", "实时", "--legal-basis", ExchangeLegalBasis, "--purpose", ExchangePurpose,
                "--matter-code", MatterCode, "--consumer-city", Zhuzhou).ConfigureAwait(false);
            var fields = Path.Combine(folder, "license-1-fields.json");
            await File.WriteAllTextAsync(fields, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["名称"] = company, ["统一社会信用代码"] = Uscc($"9143010{0}HUREN0201"), ["类型"] = "有限责任公司", ["住所"] = "湖南省长沙市岳麓区",
                ["成立日期"] = "2024-03-01", ["经营范围"] = "软件开发、数据处理",
            }, new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }), ct).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "data", "put", licenseId, "--city", Changsha, "--as", "amr", "--resource", ResourceCode,
                "--fields", fields, "--file", $"document={document}").ConfigureAwait(false);

            await WaitForCatalogAsync(Zhuzhou, ResourceCode, ct).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "catalog", "show", ResourceCode, "--city", Zhuzhou).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "share", "request", "--city", Zhuzhou, "--as", "counter", "--provider", Changsha, "--resource", ResourceCode,
                "--record", licenseId, "--field", "名称", "--field", "统一社会信用代码", "--field", "住所", "--field", "经营范围", "--field", "document",
                "--purpose", ExchangePurpose, "--matter-code", MatterCode, "--legal-basis", ExchangeLegalBasis, "--id", DemoShareId).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "data", "get", DemoShareId, "--city", Zhuzhou, "--as", "counter", "--out", Path.Combine(folder, "received")).ConfigureAwait(false);

            await output.WriteLineAsync("\n(the auditor: where the license's data went, and every share joined with its receipt)").ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "trace", licenseId, "--flows", "--city", Zhuzhou).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "audit", "flows", "--record", licenseId, "--city", Zhuzhou).ConfigureAwait(false);
            var bundle = Path.Combine(directory, "evidence-share-1.json");
            await RunAsync(ExitCodes.Success, ct, "bundle", "export", "--share", DemoShareId, "--city", Zhuzhou, "--wait-final", "120", "-o", bundle).ConfigureAwait(false);
            await RunLocalAsync(ExitCodes.Success, ct, "bundle", "verify", bundle, "--network", Path.Combine(directory, "genesis.json")).ConfigureAwait(false);
        }

        /// <summary>Waits until a city's node lists a catalogue resource (its mirror of the provider's log has the entry).</summary>
        private async Task WaitForCatalogAsync(string city, string resourceCode, CancellationToken ct)
        {
            var profile = CliProfile.Load(Profile);
            var cityProfile = profile.City(city);
            using var session = new NodeSession(profile, profile.LoadGenesis(), cityProfile, cityProfile.Credential(CliRoles.Auditor), json: false);
            var deadline = DateTimeOffset.UtcNow + PropagationLimit;
            while (await session.Client.GetCatalogResourceAsync(resourceCode, cancellationToken: ct).ConfigureAwait(false) is null)
            {
                if (DateTimeOffset.UtcNow > deadline) throw new DemoStepFailed($"catalogue resource {resourceCode} did not reach {city} within {PropagationLimit.TotalSeconds:0} s");
                await Task.Delay(200, ct).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Chapter 8: Changsha's seal-making authority (制章机构, SM2 maker key) registers the market regulator's seal, the
        /// regulator seals a notice and records the use, and a Xiangtan counter verifies the sealed notice — and refuses an
        /// altered copy.
        /// </summary>
        private async Task TellSealsAsync(CancellationToken ct)
        {
            await ChapterAsync("8. Changsha registers its market regulator's seal (电子印章); a notice sealed in Changsha is verified at a Xiangtan counter").ConfigureAwait(false);
            var folder = Path.Combine(directory, "seals");
            Directory.CreateDirectory(folder);
            string makerKey = Path.Combine(folder, "maker.pem"), makerCert = Path.Combine(folder, "maker.crt"), signerKey = Path.Combine(folder, "signer.pem"), signerCert = Path.Combine(folder, "signer.crt");
            await RunLocalAsync(ExitCodes.Success, ct, "keys", "gen", "--alg", "sm2", "-o", makerKey).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "issuer", "register", "--city", Changsha, "--id", $"{Changsha}-seals", "--name", "长沙市电子印章制作中心",
                "--authority-code", Uscc($"12{Changsha}HUREN0401"), "--department-kind", "public-security", "--seals", "1", "--seal-maker-key", makerKey).ConfigureAwait(false);
            await RunLocalAsync(ExitCodes.Success, ct, "seal", "cert", "--key", makerKey, "--subject", "CN=长沙市电子印章制作中心,O=长沙市电子印章制作中心,C=CN", "--ca", "-o", makerCert).ConfigureAwait(false);
            await RunLocalAsync(ExitCodes.Success, ct, "keys", "gen", "--alg", "sm2", "-o", signerKey).ConfigureAwait(false);
            await RunLocalAsync(ExitCodes.Success, ct, "seal", "cert", "--key", signerKey, "--subject", "CN=张三,O=长沙市市场监督管理局,C=CN",
                "--issuer-key", makerKey, "--issuer-cert", makerCert, "-o", signerCert).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "seal", "register", "--city", Changsha, "--es-id", SealId, "--name", "长沙市市场监督管理局", "--owner-code", Uscc($"11{Changsha}HUREN0101"),
                "--maker-key", makerKey, "--maker-cert", makerCert, "--signer-cert", signerCert).ConfigureAwait(false);

            var notice = Path.Combine(folder, "notice.txt");
            await File.WriteAllTextAsync(notice, "长沙市市场监督管理局 准予登记通知书：长沙互认科技有限公司，准予设立登记。\n", ct).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "seal", "use", notice, "--city", Changsha, "--seal-id", SealId, "--signer-key", signerKey, "--signer-cert", signerCert).ConfigureAwait(false);
            await WaitForSealAsync(Xiangtan, notice, notice + ".ses", ct).ConfigureAwait(false);
            await RunAsync(ExitCodes.Success, ct, "seal", "verify", notice, notice + ".ses", "--city", Xiangtan).ConfigureAwait(false);

            var altered = Path.Combine(folder, "notice-altered.txt");
            await File.WriteAllTextAsync(altered, "长沙市市场监督管理局 准予登记通知书：长沙互认科技有限公司，不予设立登记。\n", ct).ConfigureAwait(false);
            await output.WriteLineAsync($"\n(an altered copy of the notice: {altered})").ConfigureAwait(false);
            await RunAsync(ExitCodes.Negative, ct, "seal", "verify", altered, notice + ".ses", "--city", Xiangtan).ConfigureAwait(false);
        }

        /// <summary>Waits until a city's node has the seal's registration and use from Changsha's log, on final checkpoints.</summary>
        private async Task WaitForSealAsync(string city, string document, string signature, CancellationToken ct)
        {
            var profile = CliProfile.Load(Profile);
            var cityProfile = profile.City(city);
            using var session = new NodeSession(profile, profile.LoadGenesis(), cityProfile, cityProfile.Credential(CliRoles.Counter), json: false);
            var documentBytes = await File.ReadAllBytesAsync(document, ct).ConfigureAwait(false);
            var signatureBytes = await File.ReadAllBytesAsync(signature, ct).ConfigureAwait(false);
            var question = Sdk.Client.SealQuestion.ForDocument(documentBytes, signatureBytes);
            var deadline = DateTimeOffset.UtcNow + PropagationLimit;
            while (true)
            {
                var answer = await session.Client.VerifySealAsync(question, session.SealVerifier, TimeSpan.FromSeconds(5), ct).ConfigureAwait(false);
                if (answer.IsAccepted) return;
                if (DateTimeOffset.UtcNow > deadline) throw new DemoStepFailed($"the sealed notice did not verify VALID at {city} within {PropagationLimit.TotalSeconds:0} s (last: {answer.Failure ?? answer.Evidence.Reason})");
                await Task.Delay(200, ct).ConfigureAwait(false);
            }
        }

        private Task ChapterAsync(string title) => output.WriteLineAsync($"\n── {title}");

        /// <summary>Runs a CLI command in this process with the demo's profile, printing it first; a different exit code ends the demo.</summary>
        private Task RunAsync(int expectedExit, CancellationToken ct, params string[] args) => RunCommandAsync(expectedExit, ct, [.. args, "--profile", Profile], args);

        /// <summary>Runs a command that needs no node (no profile), e.g. <c>keys gen</c> or <c>seal cert</c>.</summary>
        private Task RunLocalAsync(int expectedExit, CancellationToken ct, params string[] args) => RunCommandAsync(expectedExit, ct, args, args);

        private async Task RunCommandAsync(int expectedExit, CancellationToken ct, string[] run, string[] args)
        {
            ct.ThrowIfCancellationRequested();
            await output.WriteLineAsync($"\n$ huren {string.Join(' ', args.Select(Display))}").ConfigureAwait(false);
            var exit = await CliApp.RunAsync(run, output, error).ConfigureAwait(false);
            if (exit != expectedExit) throw new DemoStepFailed($"'huren {string.Join(' ', args)}' exited with {exit}, expected {expectedExit}");
        }

        private static string Display(string arg) => arg.Contains(' ', StringComparison.Ordinal) || arg.Contains('、', StringComparison.Ordinal) ? $"'{arg}'" : arg;

        private async Task WaitForVerdictAsync(string city, string licenseId, LicenseVerdict expected, CancellationToken ct)
        {
            await WaitAsync(city, licenseId, v => v.Verdict == expected, $"{LicenseVerdictName(expected)} at {city}", ct).ConfigureAwait(false);
        }

        private async Task WaitForOriginAsync(string city, string licenseId, string originSuffix, CancellationToken ct)
        {
            await WaitAsync(city, licenseId, v => v.Verdict == LicenseVerdict.Valid && v.Origin.EndsWith(originSuffix, StringComparison.Ordinal), $"valid in {originSuffix.TrimStart('/')} as seen at {city}", ct).ConfigureAwait(false);
        }

        /// <summary>Waits until a city's node has the other city's news (its mirror follows within a second or so).</summary>
        private async Task WaitAsync(string city, string licenseId, Func<VerdictResponse, bool> done, string what, CancellationToken ct)
        {
            var profile = CliProfile.Load(Profile);
            var cityProfile = profile.City(city);
            using var session = new NodeSession(profile, profile.LoadGenesis(), cityProfile, cityProfile.Credential(CliRoles.Counter), json: false);
            var deadline = DateTimeOffset.UtcNow + PropagationLimit;
            while (true)
            {
                var verdict = await session.Client.Licenses.VerifyAsync(new VerifyLicenseRequest { LicenseId = licenseId }, session.Options(ct)).ConfigureAwait(false);
                if (done(verdict)) return;
                if (DateTimeOffset.UtcNow > deadline) throw new DemoStepFailed($"license {licenseId} did not become {what} within {PropagationLimit.TotalSeconds:0} s (last verdict {LicenseVerdictName(verdict.Verdict)})");
                await Task.Delay(200, ct).ConfigureAwait(false);
            }
        }

        private static string LicenseVerdictName(LicenseVerdict verdict) => Sdk.Evidence.LicenseVerdictRules.Name(verdict);

        /// <summary>A 统一社会信用代码 from its first 17 characters (synthetic: HUREN marks the codes as made up).</summary>
        private static string Uscc(string first17) => first17 + UnifiedSocialCreditCode.ComputeCheckChar(first17);
    }

    private sealed class DemoStepFailed(string message) : Exception(message);
}
